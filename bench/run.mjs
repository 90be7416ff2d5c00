// Tutti against the peer SDKs: bundle bytes, real-Chromium load and delivery figures,
// mini-program delivery, and Tutti's core in Node. Writes bench/RESULTS.md and
// bench/chart.svg. Run after a build:
//
//   npm run bench                     (= npm run build && node --expose-gc bench/run.mjs)
//   node --expose-gc bench/run.mjs [--quick] [--reps N] [--only tutti,segment] [--skip-mp] [--skip-core] [--no-write]
//   node bench/run.mjs --render      (rewrite RESULTS.md and chart.svg from the last run's bench/.cache/results.json)
//   node bench/run.mjs --throughput [--only tutti] [--reps N] [--compare DIR] [--profile] [--trace]
//                                    (scenario A only: load + 1,000 calls, medians printed, nothing written
//                                     but the optional profile/trace files in bench/.cache/)
//
// --quick: one repetition. Default: 3 repetitions, medians reported. See bench/README.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { MP_SDKS, runMiniprogram } from './lib/miniprogram.mjs';
import { renderChart } from './lib/chart.mjs';
import { renderResults } from './lib/report.mjs';
import { REQUEST_FLOOR, sdkDefinitions } from './lib/sdks.mjs';
import { startSink } from './lib/sink.mjs';
import { startSite } from './lib/site.mjs';
import { bundleSize, median } from './lib/stats.mjs';
import { collectorCheck, heapUnderOutage, launch, loadAndThroughput, outage, unloadDelivery } from './lib/web.mjs';
import { tsImport } from 'tsx/esm/api';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const REPS = flag('--quick') ? 1 : Math.max(1, Number(value('--reps')) || 3);
const ONLY = value('--only') ? value('--only').split(',') : null;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/**
 * How long after the heap pages' collector returns we count what they deliver. Longer than
 * SPEC's default retry.maxDelay (60 s): an SDK in full backoff may wait that long before its
 * next attempt, and this figure asks whether the calls were kept, not how soon they resend.
 */
const HEAP_WINDOW = 70000;
const started = Date.now();
const log = (...a) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`, ...a);

// Sensors' mini-program SDK doubles a retry delay until it overflows setTimeout; Node
// warns each time. The behaviour is measured; the warnings are noise.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'TimeoutOverflowWarning') console.warn(w);
});


const push = (obj, sdk, key, v) => {
  const bySdk = (obj[sdk] ||= {});
  (bySdk[key] ||= []).push(v);
};

async function main() {
  for (const f of ['dist/tutti.min.js', 'dist/miniprogram/index.js', 'dist/esm/core.js']) {
    if (!existsSync(ROOT + f)) throw new Error(`${f} is missing; build first (npm run build, or npx rollup -c rollup.config.ts --configPlugin typescript)`);
  }
  const results = { web: {}, mp: {}, sizes: {}, blocked: {}, errors: {}, core: null, meta: {} };

  // 1. The core in Node first, while nothing else runs.
  if (!flag('--skip-core')) {
    log('core: benchCore()');
    const { benchCore } = await import('./core.mjs'); // imports dist/esm/core.js
    results.core = await benchCore();
  }

  const all = await sdkDefinitions();
  const sdks = all.filter((s) => !ONLY || ONLY.includes(s.name));
  const baseline = { name: 'baseline', label: 'empty page', baseline: true, head: () => '<script>__ready();</script>' };
  const [site, sink, heapSink, mpSink] = await Promise.all([startSite(), startSink(), startSink(), startSink()]);
  const browser = await launch();
  results.meta = {
    date: new Date().toISOString(),
    reps: REPS,
    node: process.version,
    chromium: browser.version(),
    cpu: `${os.cpus()[0]?.model || 'unknown CPU'} × ${os.cpus().length}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()}`,
    versions: Object.fromEntries(all.map((s) => [s.name, { label: s.label, version: s.version, build: s.build }])),
    mpVersions: Object.fromEntries(MP_SDKS.map((s) => [s.name, s.label])),
  };

  try {
    // Warm the browser and the servers once (first navigation costs are nobody's).
    await loadAndThroughput(browser, site, sink, baseline, 'warm');

    for (let rep = 0; rep < REPS; rep++) {
      // A. Load and 1,000 events, one SDK at a time (order rotates per repetition).
      const order = sdks.slice(rep % sdks.length).concat(sdks.slice(0, rep % sdks.length));
      const base = await loadAndThroughput(browser, site, sink, baseline, rep);
      push(results.web, 'baseline', 'loadCpuMs', base.loadCpuMs);
      push(results.web, 'baseline', 'loadScriptMs', base.loadScriptMs);
      push(results.web, 'baseline', 'readyMs', base.readyMs);
      for (const sdk of order) {
        log(`rep ${rep + 1}/${REPS} A ${sdk.name}: load + 1,000 events`);
        const r = await loadAndThroughput(browser, site, sink, sdk, rep);
        if (!results.sizes[sdk.name]) results.sizes[sdk.name] = bundleSize(r.files, r.fileBodies);
        for (const k of Object.keys(r)) if (!['files', 'fileBodies', 'blocked', 'errors'].includes(k)) push(results.web, sdk.name, k, r[k]);
        (results.blocked[sdk.name] ||= []).push(...r.blocked);
        (results.errors[sdk.name] ||= []).push(...r.errors);
      }
      // The request floor beside Tutti: how much of its CPU figure the 50 requests alone cost.
      if (sdks.some((s) => s.name === 'tutti')) {
        log(`rep ${rep + 1}/${REPS} A request floor: 1,000 events as 50 bare POSTs`);
        const r = await loadAndThroughput(browser, site, sink, REQUEST_FLOOR, rep);
        for (const k of ['cpuMs', 'requests', 'delivered']) push(results.web, REQUEST_FLOOR.name, k, r[k]);
      }

      // Once: Tutti's real backend, the reference collector, receives the same 1,000 calls.
      if (rep === 0 && sdks.some((s) => s.name === 'tutti')) {
        log('Tutti against the reference collector');
        const { startCollector } = await tsImport(ROOT + 'examples/collector/index.ts', import.meta.url);
        const collector = await startCollector({ port: 0, dbPath: ':memory:', writeKeys: '*', quiet: true });
        try {
          results.collectorCheck = await collectorCheck(browser, site, sdks.find((s) => s.name === 'tutti'), collector);
        } finally {
          await collector.close();
        }
      }

      // Mini-program scenarios run meanwhile on their own sink (they mostly wait on timers).
      const mpTask = flag('--skip-mp')
        ? Promise.resolve()
        : (async () => {
            for (const sdk of MP_SDKS) {
              if (ONLY && !ONLY.includes(sdk.name)) continue;
              log(`rep ${rep + 1}/${REPS} mini-program ${sdk.name}`);
              const r = await runMiniprogram(sdk, mpSink, rep);
              for (const k of Object.keys(r)) push(results.mp, sdk.name, k, r[k]);
            }
          })();

      // B. Navigation and tab close, all SDKs at once, while D runs (B only counts deliveries).
      log(`rep ${rep + 1}/${REPS} B: navigation and tab close`);
      const bTask = unloadDelivery(browser, site, sink, sdks, rep);

      // D. Heap with the collector down, one SDK at a time; the pages stay open.
      await heapSink.down();
      const heap = [];
      for (const sdk of order) {
        log(`rep ${rep + 1}/${REPS} D ${sdk.name}: heap with the collector down`);
        const h = await heapUnderOutage(browser, site, heapSink, sdk, rep);
        heap.push({ sdk, ...h });
        push(results.web, sdk.name, 'heapIssued', h.issued);
        push(results.web, sdk.name, 'heapBytes', h.heapBytes);
        push(results.web, sdk.name, 'heapPer1000', h.heapPer1000);
      }
      const b = await bTask;
      for (const [name, r] of Object.entries(b)) for (const k of Object.keys(r)) push(results.web, name, k, r[k]);

      // C. A 10 s outage, all SDKs at once; the heap pages' collector comes back meanwhile
      //    and we watch how many of their calls each SDK had kept.
      log(`rep ${rep + 1}/${REPS} C: 10 s outage`);
      let heapUpAt = 0;
      const history = [];
      const watch = setInterval(() => {
        if (heapUpAt) history.push({ t: Date.now(), counts: heap.map((h) => heapSink.count(h.run, h.sdk.name).unique) });
      }, 1000);
      const c = await outage(browser, site, sink, sdks, rep, {
        onDown: () => {
          heapSink.up().then(() => (heapUpAt = Date.now()));
        },
      });
      for (const [name, r] of Object.entries(c)) for (const k of Object.keys(r)) push(results.web, name, k, r[k]);
      while (!heapUpAt || Date.now() - heapUpAt < HEAP_WINDOW) await sleep(500);
      clearInterval(watch);
      const final = heap.map((h) => heapSink.count(h.run, h.sdk.name));
      const tenAgo = history.filter((x) => x.t <= Date.now() - 10000).pop();
      heap.forEach((h, i) => {
        const kept = final[i].unique;
        // Still delivering at the end of the window: it held the events; stalled below the
        // number of calls: the rest were dropped.
        const progressing = tenAgo ? kept > tenAgo.counts[i] : true;
        push(results.web, h.sdk.name, 'heapKept', kept);
        push(results.web, h.sdk.name, 'heapKeptAll', kept >= h.issued || progressing ? 1 : 0);
        push(results.web, h.sdk.name, 'heapDuplicates', final[i].duplicates);
      });
      await Promise.all(heap.map((h) => h.ctx.close()));
      await mpTask;
    }
  } finally {
    await browser.close().catch(() => undefined);
    await Promise.all([site.close(), sink.close(), heapSink.close(), mpSink.close()]);
  }

  results.meta.durationS = Math.round((Date.now() - started) / 1000);
  results.meta.heapWindowMs = HEAP_WINDOW;
  results.blocked = Object.fromEntries(Object.entries(results.blocked).map(([k, v]) => [k, Array.from(new Set(v))]));
  results.errors = Object.fromEntries(Object.entries(results.errors).map(([k, v]) => [k, Array.from(new Set(v))]));
  const { markdown, summary } = renderResults(results, all);
  if (!flag('--no-write')) {
    writeFileSync(ROOT + 'bench/RESULTS.md', markdown);
    writeFileSync(ROOT + 'bench/chart.svg', renderChart(results, all));
    mkdirSync(ROOT + 'bench/.cache', { recursive: true });
    writeFileSync(ROOT + 'bench/.cache/results.json', JSON.stringify(results, (k, v) => (k === 'fileBodies' ? undefined : v), 1));
    log('wrote bench/RESULTS.md and bench/chart.svg');
  }
  console.log(summary);
  log(`done in ${results.meta.durationS} s`);
}

/** Re-renders the reports from the last run's raw data (after a change to the report code). */
async function render() {
  const results = JSON.parse(readFileSync(ROOT + 'bench/.cache/results.json', 'utf8'));
  const all = await sdkDefinitions();
  const { markdown, summary } = renderResults(results, all);
  writeFileSync(ROOT + 'bench/RESULTS.md', markdown);
  writeFileSync(ROOT + 'bench/chart.svg', renderChart(results, all));
  console.log(summary);
}

/**
 * Scenario A only (load + 1,000 calls until delivered), for quick CPU work on one SDK:
 * prints each repetition and the medians; writes nothing but, on request, a V8 CPU
 * profile (--profile: bench/.cache/<sdk>-<rep>.cpuprofile, opens in DevTools'
 * Performance panel) or the raw Chromium trace with the timeline categories (--trace:
 * bench/.cache/<sdk>-<rep>.trace.json). Both add CPU of their own: take figures without them.
 */
async function throughput() {
  if (!existsSync(ROOT + 'dist/tutti.min.js')) throw new Error('dist/tutti.min.js is missing; build it first');
  const all = await sdkDefinitions();
  const sdks = all.concat(REQUEST_FLOOR).filter((s) => (ONLY ? ONLY.includes(s.name) : s.name === 'tutti'));
  // --compare DIR: another Tutti build (DIR/tutti.min.js, e.g. a copy of the last commit's)
  // measured in the same runs, alternating with this one, so both see the same machine load.
  if (value('--compare')) {
    const tutti = all.find((s) => s.name === 'tutti');
    sdks.push({
      ...tutti,
      name: 'tutti-ref',
      label: 'Tutti (--compare build)',
      mount: ['/sdk/tutti-ref/', value('--compare')],
      head: (env) => tutti.head({ ...env, prefix: '/tutti-ref' }).replace('/sdk/tutti/', '/sdk/tutti-ref/'),
    });
  }
  const [site, sink] = await Promise.all([startSite(), startSink()]);
  const browser = await launch();
  const rows = {};
  const keys = ['cpuMs', 'cpuTasks', 'scriptMs', 'loadCpuMs', 'requests', 'delivered', 'duplicates', 'deliveryMs', 'bodyBytes', 'wireBytes'];
  const options = {
    profile: flag('--profile'),
    keepTrace: flag('--trace'),
    categories: flag('--trace')
      ? ['toplevel', 'blink.user_timing', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'IndexedDB', 'loading', 'blink']
      : undefined,
  };
  mkdirSync(ROOT + 'bench/.cache', { recursive: true });
  try {
    await loadAndThroughput(browser, site, sink, { name: 'baseline', baseline: true, head: () => '<script>__ready();</script>' }, 'warm');
    for (let rep = 0; rep < REPS; rep++) {
      for (const sdk of rep % 2 ? sdks.slice().reverse() : sdks) {
        const r = await loadAndThroughput(browser, site, sink, sdk, `t${rep}`, options);
        const base = `${ROOT}bench/.cache/${sdk.name}-${rep}`;
        if (r.cpuProfile) writeFileSync(base + '.cpuprofile', JSON.stringify(r.cpuProfile));
        if (r.traceBuffer) writeFileSync(base + '.trace.json', r.traceBuffer);
        for (const k of keys) push(rows, sdk.name, k, r[k]);
        log(`${sdk.name} rep ${rep + 1}/${REPS}: ` + keys.map((k) => `${k} ${typeof r[k] === 'number' ? Math.round(r[k] * 10) / 10 : r[k]}`).join(', '));
      }
    }
  } finally {
    await browser.close().catch(() => undefined);
    await Promise.all([site.close(), sink.close()]);
  }
  for (const [name, r] of Object.entries(rows)) {
    console.log(`${name} (median of ${REPS}): ` + keys.map((k) => `${k} ${Math.round(median(r[k]) * 10) / 10}`).join(', '));
  }
}

(flag('--render') ? render() : flag('--throughput') ? throughput() : main()).then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
