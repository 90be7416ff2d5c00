// Collector ingest benchmark: 100,000 realistic events posted in batches of 20 over
// loopback with bounded concurrency, against the collector running in its own process
// (as in production, so client and server do not share an event loop). Reports events/s
// and request latency, and checks that exactly the sent events were stored.
//
//   tsx bench/collector/run.ts [--events 100000] [--batch 20] [--concurrency 8] [--gzip] [--memory]
//                              [--url URL: a collector already running, e.g. under --cpu-prof; started with --write-keys bench-key]
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseFlags } from '../../examples/collector/cli';

const flags = parseFlags(process.argv.slice(2));
const num = (name: string, fallback: number) => (typeof flags[name] === 'string' ? Number(flags[name]) : fallback);
const TOTAL = num('events', 100_000);
const BATCH = num('batch', 20);
const CONCURRENCY = num('concurrency', 8);
const WARMUP = 1000;
const GZIP = !!flags.gzip;
const TARGET = 20_000;
const WRITE_KEY = 'bench-key';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dbPath = flags.memory ? ':memory:' : join(tmpdir(), `tutti-collector-bench-${process.pid}.db`);

/** Starts `server.ts` in a child process and resolves with its URL. */
function startServer(): Promise<{ url: string; pid?: number; stop: () => void }> {
  if (typeof flags.url === 'string') return Promise.resolve({ url: flags.url, stop: () => {} }); // profiling an external collector
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'examples/collector/server.ts', '--port', '0', '--db', dbPath, '--reset', '--quiet', '--write-keys', WRITE_KEY],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('collector did not start within 20 s')), 20_000);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], pid: child.pid, stop: () => child.kill('SIGTERM') });
      }
    });
    child.on('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  });
}

const ANON_IDS = Array.from({ length: 2000 }, () => randomUUID());
const START = Date.now() - 3_600_000;

/** A realistic event (≈ 700 bytes): page views, tracks, some identifies and conversions. */
function makeEvent(i: number): Record<string, unknown> {
  const anonymousId = ANON_IDS[i % ANON_IDS.length];
  const timestamp = new Date(START + i).toISOString();
  const context: Record<string, unknown> = {
    library: { name: 'tutti', version: '0.1.0' },
    channel: i % 3 === 0 ? 'miniprogram' : i % 3 === 1 ? 'h5' : 'web',
    page: { url: 'https://shop.example.com/products/42?utm_source=wechat', path: '/products/42', referrer: '', title: 'Product 42', search: '' },
    campaign: { source: 'wechat', medium: 'social', name: 'spring' },
    session: { id: `s-${anonymousId.slice(0, 8)}` },
    sequence: i,
    locale: 'zh-CN',
    timezone: 'Asia/Shanghai',
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.47',
    screen: { width: 390, height: 844, density: 3 },
  };
  const base = { messageId: randomUUID(), anonymousId, userId: null as string | null, timestamp, context };
  if (i % 50 === 7) return { ...base, type: 'identify', userId: `u-${i % 500}`, traits: { plan: 'pro', city: 'Shanghai' } };
  if (i % 50 === 9) {
    context.touches = [{ source: 'wechat', medium: 'social', name: 'spring', channel: 'h5', at: timestamp }];
    return { ...base, type: 'track', event: 'Order Completed', properties: { order_id: `o-${i}`, revenue: 199, currency: 'CNY' } };
  }
  if (i % 4 === 0) return { ...base, type: 'page', name: 'Product', properties: { path: '/products/42' } };
  return { ...base, type: 'track', event: 'Product Viewed', properties: { product_id: '42', price: 199, category: 'shoes' } };
}

function body(from: number, count: number): Buffer {
  const sentAt = new Date().toISOString();
  const json = JSON.stringify({ writeKey: WRITE_KEY, sentAt, batch: Array.from({ length: count }, (_, k) => makeEvent(from + k)) });
  return GZIP ? gzipSync(json) : Buffer.from(json);
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function post(url: string, payload: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/batch`,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'text/plain;charset=UTF-8',
          'Content-Length': payload.length,
          ...(GZIP ? { 'Content-Encoding': 'gzip' } : {}),
        },
      },
      (res) => {
        res.resume(); // consume the answer so the socket is reused
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Request bodies built before the clock starts, so the client measures the collector, not JSON.stringify. */
function bodies(offset: number, total: number): Buffer[] {
  const out: Buffer[] = [];
  for (let from = 0; from < total; from += BATCH) out.push(body(offset + from, Math.min(BATCH, total - from)));
  return out;
}

/** Posts the bodies with CONCURRENCY requests in flight; returns per-request latencies (ms) and elapsed ms. */
async function run(url: string, payloads: Buffer[]): Promise<{ latencies: number[]; elapsed: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < payloads.length) {
      const b = next++;
      const t0 = performance.now();
      const status = await post(url, payloads[b]);
      latencies.push(performance.now() - t0);
      if (status !== 200) throw new Error(`batch ${b} answered ${status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies, elapsed: performance.now() - started };
}

/**
 * CPU time (user + system, ms) a process has used, from /proc (Linux). Throughput depends
 * on what else the machine runs; CPU per event says what the collector itself costs.
 */
function cpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks, USER_HZ = 100
  } catch {
    return null;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const server = await startServer();
  try {
    await run(server.url, bodies(0, WARMUP)); // JIT and SQLite page cache
    const payloads = bodies(WARMUP, TOTAL);
    const bytes = payloads.reduce((n, p) => n + p.length, 0);
    const cpuBefore = cpuMs(server.pid);
    const { latencies, elapsed } = await run(server.url, payloads);
    const cpuAfter = cpuMs(server.pid);
    const cpu = cpuBefore !== null && cpuAfter !== null ? `| collector CPU ${(((cpuAfter - cpuBefore) * 1000) / TOTAL).toFixed(1)} µs/event ` : '';
    const stats = (await (await fetch(`${server.url}/v1/stats`)).json()) as { events: number };
    const sent = WARMUP + TOTAL;
    const rate = Math.round(TOTAL / (elapsed / 1000));
    latencies.sort((a, b) => a - b);
    const ok = stats.events === sent;
    const storage = dbPath === ':memory:' ? 'SQLite :memory:' : 'SQLite file, WAL';
    console.log(
      `| collector ingest (${storage}${GZIP ? ', gzip' : ''}) | ${TOTAL.toLocaleString('en')} events | batches of ${BATCH} | concurrency ${CONCURRENCY} ` +
        `| **${rate.toLocaleString('en')} events/s** | p50 ${percentile(latencies, 50).toFixed(2)} ms | p99 ${percentile(latencies, 99).toFixed(2)} ms ` +
        `${cpu}| ${(bytes / TOTAL).toFixed(0)} B/event | stored ${stats.events.toLocaleString('en')}/${sent.toLocaleString('en')} ${ok ? '✓' : '✗'} ` +
        `| target ≥ ${TARGET.toLocaleString('en')}/s ${rate >= TARGET ? 'met' : 'NOT met'} |`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    agent.destroy();
    server.stop();
    await new Promise((r) => setTimeout(r, 200));
    if (dbPath !== ':memory:') for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
