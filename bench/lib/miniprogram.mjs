// Mini-program figures: Tutti's mini-program build (dist/miniprogram/index.js) against
// Sensors Data's (sa-sdk-miniprogram/sensorsdata.min.js), each loaded as CommonJS into
// the fake WeChat runtime of test/miniprogram/wx-runtime.ts, the way DevTools' "build
// npm" output is required by app.js. Each mini-program "process" is its own JS context
// (node:vm) holding the runtime's globals (wx, App, Page, ...) and its own timers, so a
// kill really stops everything the SDK scheduled, as WeChat does, and one process's SDK
// can never reach the next process's wx.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const MP_SDKS = [
  {
    name: 'tutti',
    label: 'Tutti',
    file: join(ROOT, 'dist/miniprogram/index.js'),
    // Defaults, except auto screens (the fair match of Sensors' autoTrack off below).
    start(mod, endpoint) {
      const t = mod.default;
      t.init({ writeKey: 'bench', endpoint: endpoint + '/tutti', autoPageview: false });
      return (n, p) => t.track(n, p);
    },
  },
  {
    name: 'sensors',
    label: 'Sensors Data MP',
    file: join(ROOT, 'node_modules/sa-sdk-miniprogram/sensorsdata.min.js'),
    // Defaults (batch_send on: its default), automatic events off.
    start(sa, endpoint) {
      sa.init({
        server_url: endpoint + '/sensors/sa?project=default',
        show_log: false,
        autoTrack: { appLaunch: false, appShow: false, appHide: false, pageShow: false, pageShare: false, mpClick: false, mpFavorite: false, pageLeave: false },
      });
      return (n, p) => sa.track(n, p);
    },
  },
];

let runtimeModule;
async function runtimeLib() {
  if (!runtimeModule) runtimeModule = await tsImport(join(ROOT, 'test/miniprogram/wx-runtime.ts'), import.meta.url);
  return runtimeModule;
}

/**
 * Asynchronous wx APIs Sensors calls that the fake runtime (written for Tutti's needs)
 * lacks, answered from their synchronous twins the way WeChat does.
 */
function completeWx(wx) {
  const later = (fn) => setTimeout(fn, 0);
  const ok = (o, res) => later(() => {
    if (o && o.success) o.success(res);
    if (o && o.complete) o.complete(res);
  });
  if (!wx.getSystemInfo) wx.getSystemInfo = (o) => ok(o, { ...wx.getSystemInfoSync(), errMsg: 'getSystemInfo:ok' });
  if (!wx.getStorage) wx.getStorage = (o) => ok(o, { data: wx.getStorageSync(o.key), errMsg: 'getStorage:ok' });
  if (!wx.setStorage) wx.setStorage = (o) => {
    wx.setStorageSync(o.key, o.data);
    ok(o, { errMsg: 'setStorage:ok' });
  };
  if (!wx.setNavigationBarTitle) wx.setNavigationBarTitle = (o) => ok(o, { errMsg: 'setNavigationBarTitle:ok' });
}

/** A JS context with the runtime's globals and timers that die with it. */
function context(rt) {
  rt.install();
  const g = {};
  for (const k of ['wx', 'App', 'Page', 'Component', 'Behavior', 'getApp', 'getCurrentPages']) g[k] = globalThis[k];
  rt.uninstall();
  const timers = new Set();
  g.setTimeout = (fn, ms, ...args) => {
    const h = setTimeout(() => {
      timers.delete(h);
      fn(...args);
    }, ms);
    timers.add(h);
    return h;
  };
  g.clearTimeout = (h) => {
    timers.delete(h);
    clearTimeout(h);
  };
  g.setInterval = (fn, ms, ...args) => {
    const h = setInterval(fn, ms, ...args);
    timers.add(h);
    return h;
  };
  g.clearInterval = (h) => {
    timers.delete(h);
    clearInterval(h);
  };
  g.console = console;
  g.global = {}; // WeChat's module-shared `global` object (Sensors reads it)
  vm.createContext(g);
  return {
    g,
    kill() {
      for (const h of timers) clearTimeout(h); // clears intervals too
      timers.clear();
    },
  };
}

const sources = new Map();
/** Runs a CommonJS file in `ctx` the way the mini-program runtime runs `require()`d npm code. */
function requireIn(ctx, file) {
  let script = sources.get(file);
  if (!script) sources.set(file, (script = new vm.Script(`(function (exports, require, module) {${readFileSync(file, 'utf8')}\n})`, { filename: file })));
  const module = { exports: {} };
  script.runInContext(ctx.g)(module.exports, () => {
    throw new Error('no nested require in the benchmark');
  }, module);
  return module.exports;
}

/** Boots one mini-program process with `sdk` required first (as documented by both vendors). */
async function boot(sdk, endpoint, storage) {
  const { createRuntime } = await runtimeLib();
  const rt = createRuntime({ storage });
  completeWx(rt.wx);
  const ctx = context(rt);
  const mod = requireIn(ctx, sdk.file);
  const track = sdk.start(mod, endpoint);
  const g = ctx.g;
  g.App({ onLaunch() {}, onShow() {}, onHide() {} });
  rt.define('pages/index/index', () => g.Page({ data: {}, onShow() {} }));
  rt.launch({ path: 'pages/index/index', scene: 1001 });
  const kill = rt.kill;
  rt.kill = () => {
    kill();
    ctx.kill();
  };
  return { rt, track };
}

function burst(track, run, from, n) {
  for (let i = from; i < from + n; i++) {
    track('product_viewed', { sku: 'SKU-' + i, price: 19.9, currency: 'CNY', category: 'shoes', position: i % 10, bench_run: run, bench_seq: i });
  }
}

/** Waits until `n` events of `run` arrived, or nothing new arrived for `quiet` ms, or `cap` ms passed. */
async function settle(sink, sdk, run, n, { quiet = 8000, cap = 30000 } = {}) {
  const start = Date.now();
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const c = sink.count(run, sdk).unique;
    if (c !== last) {
      last = c;
      lastChange = Date.now();
    }
    if (c >= n || Date.now() - lastChange > quiet || Date.now() - start > cap) return Date.now() - start;
    await sleep(50);
  }
}

const failed = (requests, from, to) =>
  requests.filter((r) => r.startedAt >= from && r.startedAt <= to && r.outcome && !/^status 2/.test(r.outcome)).length;

/** One repetition of the mini-program scenarios for one SDK. */
export async function runMiniprogram(sdk, sink, rep) {
  const { Storage } = await runtimeLib();
  const out = {};

  // 1. 500 events, collector up.
  {
    const run = `mp-${sdk.name}-${rep}-bulk`;
    const storage = new Storage();
    const { rt, track } = await boot(sdk, sink.url, storage);
    await sleep(300); // launch-time work settles
    const from = sink.log.length;
    const t0 = Date.now();
    burst(track, run, 0, 500);
    out.bulkMs = await settle(sink, sdk.name, run, 500);
    const c = sink.count(run, sdk.name);
    const reqs = sink.requests(sdk.name, from);
    out.bulkDelivered = c.unique;
    out.bulkDuplicates = c.duplicates;
    out.bulkRequests = reqs.length;
    out.bulkBytes = reqs.reduce((a, r) => a + r.bytes, 0);
    out.bulkPeakConcurrency = rt.maxConcurrent;
    out.bulkWallMs = Date.now() - t0;
    rt.kill();
  }

  // 2. A 5 s collector outage with 25 events during it, then recovery in the same process.
  {
    const run = `mp-${sdk.name}-${rep}-outage`;
    const { rt, track } = await boot(sdk, sink.url, new Storage());
    await sleep(300);
    await sink.down();
    const t0 = Date.now();
    for (let i = 0; i < 25; i++) {
      burst(track, run, i, 1);
      await sleep(200);
    }
    const t1 = Date.now();
    out.outageFailedRequests = failed(rt.requests, t0, t1);
    await sink.up();
    await settle(sink, sdk.name, run, 25, { quiet: 10000, cap: 20000 });
    const c = sink.count(run, sdk.name);
    out.outageDelivered = c.unique;
    out.outageDuplicates = c.duplicates;
    rt.kill();
  }

  // 3. Events tracked while the collector is down, the app goes to the background and is
  //    killed; the next launch (collector back) should deliver them from storage.
  {
    const run = `mp-${sdk.name}-${rep}-relaunch`;
    const storage = new Storage();
    const a = await boot(sdk, sink.url, storage);
    await sleep(300);
    await sink.down();
    burst(a.track, run, 0, 50);
    await sleep(500);
    a.rt.hide();
    await sleep(500);
    a.rt.kill();
    await sink.up();
    const b = await boot(sdk, sink.url, storage);
    await settle(sink, sdk.name, run, 50, { quiet: 8000, cap: 15000 });
    const c = sink.count(run, sdk.name);
    out.relaunchDelivered = c.unique;
    out.relaunchDuplicates = c.duplicates;
    b.rt.kill();
  }
  return out;
}
