// The browser scenarios, in real Chromium (Debian's /usr/bin/chromium through
// playwright-core). Every page gets a fresh browser context (empty storage and cache,
// as a first visit) and a desktop Chrome user agent. Nothing leaves the machine: Chromium
// resolves no host name but 127.0.0.1 (OFFLINE below), and every attempt at another host
// is listed. No request is intercepted: a Playwright route would answer CORS preflights
// inside the browser (they would never reach the sink) and turn the HTTP cache off.
import { launchChromium } from './chromium.mjs';
import { benchPage } from './page.mjs';
import { TRACE_CATEGORIES, mainThreadCpu } from './trace.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The offline guard: every host name but 127.0.0.1 (`localhost`, other loopback and
 * public IP literals included) fails to resolve, so such a request fails at once
 * (net::ERR_NAME_NOT_RESOLVED) and never connects anywhere, preconnects and DNS
 * prefetches included.
 */
const OFFLINE = '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1';

/** The shared Chromium (chromium.mjs) with the offline guard, plus unrounded heap sizes, as the published heap figures were taken. */
export function launch() {
  return launchChromium(['--enable-precise-memory-info', OFFLINE]);
}

/** http(s)/ws(s) URLs not addressed to 127.0.0.1 (data:, blob: ... are not requests to a host). */
const elsewhere = (url) => /^(http|ws)s?:/.test(url) && !/^(http|ws)s?:\/\/127\.0\.0\.1[:/]/.test(url);

/** A fresh context + page; `blocked` collects every attempted request to another host (all fail: see OFFLINE). */
export async function openPage(browser, blocked = []) {
  const ua = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${browser.version()} Safari/537.36`;
  const ctx = await browser.newContext({ userAgent: ua });
  // Observed, not intercepted: the context's requests (pages, workers, beacons) and the page's WebSockets.
  ctx.on('request', (req) => elsewhere(req.url()) && blocked.push(req.url()));
  const page = await ctx.newPage();
  page.on('websocket', (ws) => elsewhere(ws.url()) && blocked.push(ws.url()));
  return { ctx, page };
}

/** Registers `sdk`'s files and its page for write key `key` sending to `sinkUrl`; returns the page URL. */
export async function sdkPage(site, sdk, sinkUrl, key, path = 'index', extra = {}) {
  const env = { site: site.url, sink: sinkUrl, key, ...extra };
  if (sdk.mount && !site.mounted?.has(sdk.name)) {
    site.mount(...sdk.mount);
    (site.mounted || (site.mounted = new Set())).add(sdk.name);
  }
  if (sdk.files) for (const [p, f] of await sdk.files(env)) site.file(p, f);
  return site.page(`/${sdk.name}/${key}/${path}.html`, benchPage(sdk.head ? sdk.head(env) : ''));
}

async function waitReady(page, timeout = 20000) {
  await page.waitForFunction(() => window.__b && window.__b.ready !== null, null, { timeout, polling: 20 });
}

/**
 * Waits until `n` events of `run` reached the sink, or nothing new arrived for `quiet` ms,
 * or `cap` ms passed. Returns the time of the last arrival that brought a new event.
 */
export async function awaitDelivery(sink, sdkName, run, n, { quiet = 8000, cap = 30000 } = {}) {
  const start = Date.now();
  let last = -1;
  let changed = Date.now();
  for (;;) {
    const c = sink.count(run, sdkName).unique;
    if (c !== last) {
      last = c;
      changed = Date.now();
    }
    if (c >= n || Date.now() - changed > quiet || Date.now() - start > cap) break;
    await sleep(25);
  }
  return lastArrival(sink, sdkName, run);
}

function lastArrival(sink, sdkName, run) {
  let at = 0;
  for (const r of sink.log) if (r.sdk === sdkName && r.ids.some((id) => id.startsWith(run + ':'))) at = Math.max(at, r.at);
  return at;
}

const metrics = async (cdp) => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));

function blocking(longtasks) {
  return { count: longtasks.length, totalMs: longtasks.reduce((a, [, d]) => a + d, 0), blockingMs: longtasks.reduce((a, [, d]) => a + Math.max(0, d - 50), 0) };
}

/**
 * Scenario A, one SDK at a time: load until ready (+0.5 s for deferred init work), then
 * 1,000 track() calls (10 tasks of 100) until all are delivered. CPU is traced in both.
 */
export async function loadAndThroughput(browser, site, sink, sdk, rep, { calls = 1000, cap = 10000, profile = false, categories = TRACE_CATEGORIES, keepTrace = false } = {}) {
  const blocked = [];
  const { ctx, page } = await openPage(browser, blocked);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Performance.enable');
    const url = await sdkPage(site, sdk, sink.url, `a${rep}`);
    // A same-site blank page first: the renderer process exists before tracing starts, so
    // the trace holds the SDK page's load, not the process start-up.
    await page.goto(site.page('/blank.html', '<!doctype html><title>blank</title>'));
    const served0 = site.served.length;

    await browser.startTracing(undefined, { categories: TRACE_CATEGORIES });
    await page.goto(url);
    await waitReady(page);
    await sleep(500);
    const loadTrace = mainThreadCpu(await browser.stopTracing());
    const m0 = await metrics(cdp);
    const b0 = await page.evaluate(() => ({ ready: __b.ready, longtasks: __b.longtasks.slice(), now: performance.now() }));
    const files = site.served.slice(served0).filter((f) => f.path.endsWith('.js'));
    const out = {
      readyMs: b0.ready,
      loadCpuMs: loadTrace.cpuMs,
      loadScriptMs: m0.ScriptDuration * 1000,
      loadTaskMs: m0.TaskDuration * 1000,
      loadLongTasks: blocking(b0.longtasks),
      heapAfterLoad: m0.JSHeapUsedSize,
      files: files.map((f) => f.path),
      fileBodies: files.map((f) => f.body),
    };
    if (sdk.baseline) return { ...out, blocked, errors };

    const run = `${sdk.name}-a${rep}`;
    const from = sink.log.length;
    await browser.startTracing(undefined, { categories });
    // A V8 sampling profile of the same span, on request (it costs CPU of its own, so
    // figures taken with it are not comparable with those taken without).
    if (profile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
    }
    const t0 = Date.now();
    const startedAt = await page.evaluate(
      ({ run, calls }) =>
        new Promise((resolve) => {
          const start = performance.now();
          let k = 0;
          (function step() {
            __burst(run, k * 100, 100);
            if (++k * 100 < calls) setTimeout(step, 0);
            else resolve(start);
          })();
        }),
      { run, calls },
    );
    const callsDone = Date.now();
    const arrival = await awaitDelivery(sink, sdk.name, run, calls, { quiet: 6000, cap: callsDone - t0 + cap });
    const cpuProfile = profile ? (await cdp.send('Profiler.stop')).profile : undefined;
    const traceBuffer = await browser.stopTracing();
    const trace = mainThreadCpu(traceBuffer);
    const m1 = await metrics(cdp);
    const lt = await page.evaluate((s) => __b.longtasks.filter(([t]) => t >= s), startedAt);
    const c = sink.count(run, sdk.name);
    const reqs = sink.requests(sdk.name, from);
    return {
      ...out,
      delivered: c.unique,
      duplicates: c.duplicates,
      cpuMs: trace.cpuMs,
      cpuTasks: trace.tasks,
      scriptMs: (m1.ScriptDuration - m0.ScriptDuration) * 1000,
      taskMs: (m1.TaskDuration - m0.TaskDuration) * 1000,
      callsMs: callsDone - t0,
      deliveryMs: arrival ? arrival - t0 : null,
      longTasks: blocking(lt),
      requests: reqs.length,
      preflights: reqs.filter((r) => r.method === 'OPTIONS').length,
      wireBytes: reqs.reduce((a, r) => a + r.bytes, 0),
      bodyBytes: reqs.reduce((a, r) => a + r.bodyBytes, 0),
      ...(cpuProfile ? { cpuProfile } : {}),
      ...(keepTrace ? { traceBuffer } : {}),
      blocked,
      errors,
    };
  } finally {
    await ctx.close();
  }
}

/**
 * Scenario B, all SDKs at once: 20 track() calls, then in the same task either a
 * navigation to another page of the site (which loads the SDK again) or, in another
 * context, the tab is closed right after the calls.
 */
export async function unloadDelivery(browser, site, sink, sdks, rep) {
  const results = {};
  await Promise.all(
    sdks.map(async (sdk) => {
      const r = (results[sdk.name] = {});
      // Navigation.
      {
        const { ctx, page } = await openPage(browser);
        try {
          const url = await sdkPage(site, sdk, sink.url, `b${rep}`);
          const next = await sdkPage(site, sdk, sink.url, `b${rep}`, 'next');
          await page.goto(url);
          await waitReady(page);
          await sleep(500);
          const run = `${sdk.name}-nav${rep}`;
          await page
            .evaluate(({ run, next }) => {
              __burst(run, 0, 20);
              location.href = next;
            }, { run, next })
            .catch(() => undefined); // the navigation may tear the evaluation down
          await awaitDelivery(sink, sdk.name, run, 20, { quiet: 6000, cap: 10000 });
          await sleep(1000); // late duplicates
          const c = sink.count(run, sdk.name);
          r.navDelivered = c.unique;
          r.navDuplicates = c.duplicates;
        } finally {
          await ctx.close();
        }
      }
      // Tab close.
      {
        const { ctx, page } = await openPage(browser);
        try {
          const url = await sdkPage(site, sdk, sink.url, `c${rep}`);
          await page.goto(url);
          await waitReady(page);
          await sleep(500);
          const run = `${sdk.name}-close${rep}`;
          await page.evaluate((run) => __burst(run, 0, 20), run);
          await page.close();
          await awaitDelivery(sink, sdk.name, run, 20, { quiet: 4000, cap: 6000 });
          await sleep(500);
          const c = sink.count(run, sdk.name);
          r.closeDelivered = c.unique;
          r.closeDuplicates = c.duplicates;
        } finally {
          await ctx.close();
        }
      }
    }),
  );
  return results;
}

/**
 * Scenario D, one SDK at a time, against `heapSink` kept down: 10,000 track() calls (tasks
 * of 100; stopped after `capMs` for SDKs whose calls are too slow to finish), 1.5 s to
 * settle, then the JS heap after a forced GC, minus the heap before the calls. The pages
 * stay open: the caller brings the sink back and counts what each SDK kept.
 */
export async function heapUnderOutage(browser, site, heapSink, sdk, rep, { calls = 10000, capMs = 5000 } = {}) {
  const { ctx, page } = await openPage(browser);
  const cdp = await ctx.newCDPSession(page);
  const url = await sdkPage(site, sdk, heapSink.url, `h${rep}`);
  await page.goto(url);
  await waitReady(page);
  await sleep(500);
  await cdp.send('HeapProfiler.collectGarbage');
  const h0 = (await cdp.send('Runtime.getHeapUsage')).usedSize;
  const run = `${sdk.name}-heap${rep}`;
  const issued = await page.evaluate(
    ({ run, calls, capMs }) =>
      new Promise((resolve) => {
        const start = performance.now();
        let k = 0;
        (function step() {
          __burst(run, k * 100, 100);
          k++;
          if (k * 100 < calls && performance.now() - start < capMs) setTimeout(step, 0);
          else resolve(k * 100);
        })();
      }),
    { run, calls, capMs },
  );
  await sleep(1500);
  await cdp.send('HeapProfiler.collectGarbage');
  const h1 = (await cdp.send('Runtime.getHeapUsage')).usedSize;
  return { ctx, run, issued, heapBytes: h1 - h0, heapPer1000: ((h1 - h0) / issued) * 1000 };
}

/**
 * Scenario C, all SDKs at once: the collector goes down for 10 s, during which each page
 * tracks 50 events (one every 200 ms); failed requests are counted in the browser. Then
 * the collector comes back and we wait (up to 25 s; 12 s without progress ends it) for the 50 events.
 */
export async function outage(browser, site, sink, sdks, rep, { onDown } = {}) {
  const pages = await Promise.all(
    sdks.map(async (sdk) => {
      const { ctx, page } = await openPage(browser);
      const url = await sdkPage(site, sdk, sink.url, `o${rep}`);
      await page.goto(url);
      await waitReady(page);
      const failures = [];
      const onFail = (req) => req.url().startsWith(sink.url) && failures.push(Date.now());
      page.on('requestfailed', onFail);
      page.on('response', (res) => res.url().startsWith(sink.url) && res.status() >= 400 && failures.push(Date.now()));
      return { sdk, ctx, page, failures, run: `${sdk.name}-outage${rep}` };
    }),
  );
  await sleep(1000);
  await sink.down();
  if (onDown) onDown();
  const t0 = Date.now();
  for (let i = 0; i < 50; i++) {
    await Promise.all(pages.map((p) => p.page.evaluate(({ run, i }) => __burst(run, i, 1), { run: p.run, i }).catch(() => undefined)));
    const next = t0 + (i + 1) * 200;
    await sleep(Math.max(0, next - Date.now()));
  }
  const t1 = Date.now();
  await sink.up();
  const upAt = Date.now();
  const arrivals = await Promise.all(pages.map((p) => awaitDelivery(sink, p.sdk.name, p.run, 50, { quiet: 12000, cap: 25000 })));
  await sleep(1000);
  const results = {};
  pages.forEach((p, i) => {
    const c = sink.count(p.run, p.sdk.name);
    results[p.sdk.name] = {
      outageDelivered: c.unique,
      outageDuplicates: c.duplicates,
      outageFailedRequests: p.failures.filter((t) => t >= t0 && t <= t1).length,
      // From the collector's return until all 50 were in.
      recoveryMs: c.unique >= 50 ? Math.max(0, arrivals[i] - upAt) : null,
    };
  });
  await Promise.all(pages.map((p) => p.ctx.close()));
  return results;
}

/**
 * Tutti's 1,000 calls once more, sent to the reference collector (examples/collector):
 * checks that Tutti's real backend stores every event the catch-all counted.
 */
export async function collectorCheck(browser, site, sdk, collector) {
  const before = collector.stats();
  const from = collector.requests.length;
  const { ctx, page } = await openPage(browser);
  try {
    await page.goto(await sdkPage(site, sdk, collector.url, 'collector', 'index', { prefix: '' }));
    await waitReady(page);
    await page.evaluate(() => __burst('collector', 0, 1000));
    const end = Date.now() + 15000;
    while (collector.events({ event: 'product_viewed' }).length < 1000 && Date.now() < end) await sleep(100);
    await sleep(500);
    const after = collector.stats();
    const reqs = collector.requests.slice(from).filter((r) => r.path === '/v1/batch' && r.method === 'POST');
    return {
      stored: collector.events({ event: 'product_viewed' }).length,
      rejected: after.rejected - before.rejected,
      duplicates: after.duplicates - before.duplicates,
      batchRequests: reqs.length,
      bodyBytes: reqs.reduce((a, r) => a + r.bytes, 0),
    };
  } finally {
    await ctx.close();
  }
}
