// Core throughput in Node: how long 10,000 track() calls with 5 properties take to
// build, validate and enqueue, and how much heap each queued event holds. Runs the
// built ESM bundle (what users install), not the sources. Between runs the queue is
// delivered to a no-op transport, as a page would, so runs do not pile up garbage.
import { createCore, memoryKV, memoryOutbox } from '../dist/esm/core.js';

const N = 10000;
const RUNS = 15;
const page = { page: { url: 'https://www.example.com/p', path: '/p', title: 'P', referrer: '', search: '' } };

function instance(transport) {
  const core = createCore(() => ({
    env: { channel: 'web', context: () => page },
    kv: memoryKV(),
    outbox: memoryOutbox(),
    transport,
  }));
  core.init({ writeKey: 'bench', endpoint: 'http://127.0.0.1:9', flushInterval: 600000, batchSize: 100000, contract: { compress: false } });
  return core;
}

const ok = { send: async () => ({ status: 200 }) };
const never = { send: () => new Promise(() => {}) };

function run(core) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    core.track('Product Viewed', { sku: 'SKU-' + i, price: 19.9, currency: 'CNY', category: 'shoes', position: i % 10 });
  }
  return performance.now() - t0;
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * µs per track() while the queue is full (maxQueueSize 10,000, collector unreachable):
 * every call then drops the oldest event. Calls come 100 at a time with a task between
 * (the queue is saved as it would be on a page), 2,000 per run; median of 5 runs.
 */
async function fullQueue() {
  const offline = { send: async () => ({ status: 0 }) };
  const runs = [];
  for (let k = 0; k < 5; k++) {
    const core = instance(offline);
    for (let i = 0; i < N; i++) core.track('Product Viewed', { sku: 'SKU-' + i, position: i % 10 });
    await new Promise((r) => setTimeout(r, 0));
    let ms = 0;
    for (let b = 0; b < 20; b++) {
      const t0 = performance.now();
      for (let i = 0; i < 100; i++) core.track('Product Viewed', { sku: 'SKU-' + i, position: i % 10 });
      ms += performance.now() - t0;
      await new Promise((r) => setTimeout(r, 0));
    }
    runs.push((ms * 1000) / 2000);
  }
  return median(runs);
}

export async function benchCore() {
  const times = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const core = instance(ok);
    const ms = run(core);
    if (i >= 3) times.push(ms); // the first runs warm up the JIT
    await core.flush();
  }
  let bytesPerEvent = NaN;
  if (global.gc) {
    global.gc();
    const before = process.memoryUsage().heapUsed;
    const core = instance(never);
    run(core);
    global.gc();
    bytesPerEvent = (process.memoryUsage().heapUsed - before) / N;
  }
  return { events: N, medianMs: median(times), minMs: Math.min(...times), bytesPerEvent, fullQueueUs: await fullQueue() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchCore();
  console.log(
    `core: ${r.events} track() calls with 5 properties in ${r.medianMs.toFixed(1)} ms (median of ${RUNS}; best ${r.minMs.toFixed(1)} ms), ` +
      `${((r.medianMs * 1000) / r.events).toFixed(2)} µs/event, ${Math.round(r.bytesPerEvent)} B heap per queued event; ` +
      `${r.fullQueueUs.toFixed(1)} µs per track() on a full 10,000-event queue`,
  );
  process.exit(0);
}
