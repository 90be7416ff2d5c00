// Turns the raw repetitions into bench/RESULTS.md: medians, the ratio Tutti/peer next to
// every peer figure, the targets of issue 8 with pass/miss, and the run's machine.
import { max, median, min } from './stats.mjs';

const num = (v, digits = 0) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** Milliseconds: one decimal below 100. */
const ms = (v) => (v === null || v === undefined ? '–' : num(v, Math.abs(v) < 100 ? 1 : 0));
const ratio = (t, p) => (t === null || p === null || !Number.isFinite(t) || !Number.isFinite(p) || p === 0 ? '–' : t / p < 0.01 ? (t / p).toFixed(3) : (t / p).toFixed(2));

/** Derived per-SDK medians (and worst cases where a target says "every repetition"). */
export function figures(results) {
  const out = {};
  const base = results.web.baseline || {};
  const baseLoad = median(base.loadCpuMs || []) || 0;
  const baseScript = median(base.loadScriptMs || []) || 0;
  for (const [name, w] of Object.entries(results.web)) {
    if (name === 'baseline') continue;
    const get = (k) => w[k] || [];
    const perEvent = get('wireBytes').map((b, i) => (get('delivered')[i] ? b / get('delivered')[i] : null));
    const bodyPerEvent = get('bodyBytes').map((b, i) => (get('delivered')[i] ? b / get('delivered')[i] : null));
    const size = results.sizes[name] || {};
    out[name] = {
      raw: size.raw ?? null,
      gzip: size.gzip ?? null,
      brotli: size.brotli ?? null,
      fileCount: size.files ? size.files.length : null,
      readyMs: median(get('readyMs')),
      loadCpuMs: median(get('loadCpuMs')) === null ? null : median(get('loadCpuMs')) - baseLoad,
      loadScriptMs: median(get('loadScriptMs')) === null ? null : median(get('loadScriptMs')) - baseScript,
      loadLongTasks: median(get('loadLongTasks').map((l) => l.count)),
      loadBlockingMs: median(get('loadLongTasks').map((l) => l.blockingMs)),
      delivered: median(get('delivered')),
      deliveredMin: min(get('delivered')),
      cpuMs: median(get('cpuMs')),
      scriptMs: median(get('scriptMs')),
      taskMs: median(get('taskMs')),
      longTasks: median(get('longTasks').map((l) => l.count)),
      blockingMs: median(get('longTasks').map((l) => l.blockingMs)),
      callsMs: median(get('callsMs')),
      deliveryMs: median(get('deliveryMs')),
      requests: median(get('requests')),
      preflights: median(get('preflights')),
      wireBytes: median(get('wireBytes')),
      wirePerEvent: median(perEvent),
      bodyPerEvent: median(bodyPerEvent),
      duplicates: max(get('duplicates')),
      navDelivered: median(get('navDelivered')),
      navMin: min(get('navDelivered')),
      navDuplicates: max(get('navDuplicates')),
      closeDelivered: median(get('closeDelivered')),
      closeMin: min(get('closeDelivered')),
      closeDuplicates: max(get('closeDuplicates')),
      outageDelivered: median(get('outageDelivered')),
      outageMin: min(get('outageDelivered')),
      outageFailed: median(get('outageFailedRequests')),
      outageFailedMax: max(get('outageFailedRequests')),
      outageDuplicates: max(get('outageDuplicates')),
      recoveryMs: median(get('recoveryMs')),
      heapIssued: median(get('heapIssued')),
      heapPer1000: median(get('heapPer1000')),
      heapKept: median(get('heapKept')),
      heapKeptAll: min(get('heapKeptAll')) === 1,
      heapDuplicates: max(get('heapDuplicates')),
    };
  }
  return out;
}

function table(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map((h, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** A column: value of Tutti as is; value of a peer followed by (Tutti/peer). */
function cell(f, name, key, format, withRatio = true) {
  const v = f[name][key];
  if (name === 'tutti' || !withRatio) return format(v);
  return `${format(v)} (${ratio(f.tutti[key], v)})`;
}

function targets(f, peers) {
  const t = f.tutti;
  const rows = [];
  const best = (list, key) => list.filter((n) => f[n][key] !== null && f[n][key] > 0).sort((a, b) => f[a][key] - f[b][key])[0];

  const smallest = best(peers, 'gzip');
  if (smallest) {
    const r = t.gzip / f[smallest].gzip;
    rows.push(['Script-tag bundle (gzip) ≤ 1/3 of the smallest full-featured peer', `${num(t.gzip)} B`, `${f[smallest].label}: ${num(f[smallest].gzip)} B`, r.toFixed(2), r <= 1 / 3 ? 'pass' : `**miss** (${num(t.gzip - f[smallest].gzip / 3)} B over)`]);
  }
  const full = peers.filter((n) => f[n].deliveredMin === 1000);
  const cheapest = best(full, 'cpuMs');
  if (cheapest) {
    const r = t.cpuMs / f[cheapest].cpuMs;
    rows.push([
      'Main-thread CPU, 1,000 track() + delivery ≤ 1/20 of the best peer delivering all',
      `${ms(t.cpuMs)} ms`,
      `${f[cheapest].label}: ${ms(f[cheapest].cpuMs)} ms`,
      r.toFixed(3),
      r <= 1 / 20 && t.deliveredMin === 1000 ? 'pass' : `**miss** (${ms(t.cpuMs - f[cheapest].cpuMs / 20)} ms over)`,
    ]);
    const floor = f.floor;
    if (floor && floor.cpuMs !== null && floor.deliveredMin === 1000) {
      rows.push([
        `(for reference) the request floor: the same 1,000 events as ${num(floor.requests)} bare \`fetch\` POSTs of 20, answers read, no SDK (what batchSize 20 costs any SDK in this browser)`,
        `${ms(floor.cpuMs)} ms`,
        `target: ${ms(f[cheapest].cpuMs / 20)} ms`,
        (floor.cpuMs / f[cheapest].cpuMs).toFixed(3),
        floor.cpuMs > f[cheapest].cpuMs / 20 ? 'info: the floor alone is over the target' : 'info',
      ]);
    }
  }
  const leanWire = best(peers.filter((n) => f[n].delivered > 0), 'wirePerEvent');
  if (leanWire) {
    const r = t.wirePerEvent / f[leanWire].wirePerEvent;
    rows.push(['Wire bytes per event ≤ 1/2 of the best peer', `${num(t.wirePerEvent)} B`, `${f[leanWire].label}: ${num(f[leanWire].wirePerEvent)} B`, r.toFixed(2), r <= 0.5 ? 'pass' : `**miss** (${num(t.wirePerEvent - f[leanWire].wirePerEvent / 2)} B/event over)`]);
  }
  const leanFull = best(full.filter((n) => n !== leanWire), 'wirePerEvent');
  if (leanWire && leanFull && f[leanWire].deliveredMin !== 1000) {
    const r = t.wirePerEvent / f[leanFull].wirePerEvent;
    rows.push([`(for reference) wire bytes per event vs the best peer delivering all 1,000 (${f[leanWire].label} delivered ${num(f[leanWire].delivered)}, in small batches)`, `${num(t.wirePerEvent)} B`, `${f[leanFull].label}: ${num(f[leanFull].wirePerEvent)} B`, r.toFixed(2), 'info']);
  }
  const unloadOk = t.navMin === 20 && t.closeMin === 20;
  rows.push(['20/20 delivered on navigation and on tab close, every repetition', `nav ${num(t.navMin)}/20, close ${num(t.closeMin)}/20 (worst)`, '–', '–', unloadOk ? 'pass' : '**miss**']);
  const outageOk = t.outageMin === 50 && t.outageFailedMax <= 5;
  rows.push(['50/50 after a 10 s outage, ≤ 5 failed requests during it', `${num(t.outageMin)}/50 (worst), ${num(t.outageFailedMax)} failed (worst)`, '–', '–', outageOk ? 'pass' : '**miss**']);
  const keepers = peers.filter((n) => f[n].heapKeptAll);
  const lean = best(keepers, 'heapPer1000');
  if (lean) {
    const r = t.heapPer1000 / f[lean].heapPer1000;
    rows.push(['Heap per 1,000 queued events ≤ the leanest peer that holds every call', `${num(t.heapPer1000 / 1024)} KiB`, `${f[lean].label}: ${num(f[lean].heapPer1000 / 1024)} KiB`, r.toFixed(2), r <= 1 && t.heapKeptAll ? 'pass' : '**miss**']);
  } else {
    // Said, not left out: a run where no peer qualifies has no reference to compare with.
    rows.push(['Heap per 1,000 queued events ≤ the leanest peer that holds every call', `${num(t.heapPer1000 / 1024)} KiB${t.heapKeptAll ? ', every call held' : ''}`, 'none this run: no peer held every call in every repetition', '–', 'no reference']);
  }
  const leanest = best(peers, 'heapPer1000');
  if (leanest && leanest !== lean) {
    const r = t.heapPer1000 / f[leanest].heapPer1000;
    rows.push([`(for reference) heap per 1,000 calls vs the leanest peer of all, which was not shown to hold its calls`, `${num(t.heapPer1000 / 1024)} KiB`, `${f[leanest].label}: ${num(f[leanest].heapPer1000 / 1024)} KiB`, r.toFixed(2), 'info']);
  }
  return rows;
}

export function renderResults(results, sdks) {
  const f = figures(results);
  const names = sdks.map((s) => s.name).filter((n) => f[n]);
  for (const s of sdks) if (f[s.name]) f[s.name].label = s.label;
  const peers = names.filter((n) => n !== 'tutti');
  const label = (n) => (n === 'tutti' ? '**Tutti**' : f[n].label);
  const m = results.meta;
  const md = [];
  md.push('# Benchmark results');
  md.push('');
  md.push(`Generated by \`npm run bench\` (bench/run.mjs) on ${m.date.slice(0, 10)}: ${m.cpu}, ${m.memory}, ${m.os}; Node ${m.node}; Chromium ${m.chromium}; medians of ${m.reps} repetition${m.reps > 1 ? 's' : ''}; run time ${m.durationS} s.`);
  md.push('How each SDK is loaded and configured, and how every figure is measured: [README.md](README.md).');
  md.push('');
  md.push('In the tables, a peer\'s figure is followed by **(Tutti ÷ peer)**: below 1 means Tutti uses less (or delivers fewer, for counts).');
  md.push('');
  md.push('![main figures](chart.svg)');
  md.push('');
  md.push('## Targets (issue 8)');
  md.push('');
  md.push(table(['target', 'Tutti', 'reference peer', 'ratio', 'result'], targets(f, peers)));
  md.push('');

  md.push('## SDK versions and builds');
  md.push('');
  md.push(table(['SDK', 'version', 'build loaded by the page'], names.map((n) => [label(n), m.versions[n].version, m.versions[n].build])));
  md.push('');

  md.push('## Bytes the page loads (every SDK file, lazy chunks included)');
  md.push('');
  md.push(
    table(
      ['SDK', 'files', 'minified', 'gzip', 'brotli'],
      names.map((n) => [label(n), num(f[n].fileCount), cell(f, n, 'raw', num), cell(f, n, 'gzip', num), cell(f, n, 'brotli', num)]),
    ),
  );
  md.push('');
  md.push(`Files: ${names.map((n) => `${f[n].label}: ${(results.sizes[n]?.files || []).map((x) => '`' + x.path.replace(/^\/sdk\//, '') + '`').join(', ')}`).join('; ')}.`);
  md.push('');

  md.push('## Load and init (real Chromium, first visit)');
  md.push('');
  md.push(
    table(
      ['SDK', 'ready (ms from navigation start)', 'main-thread CPU (ms)', 'of which script (ms)', 'long tasks', 'blocking (ms)'],
      names.map((n) => [label(n), cell(f, n, 'readyMs', ms), cell(f, n, 'loadCpuMs', ms), cell(f, n, 'loadScriptMs', ms), cell(f, n, 'loadLongTasks', num, false), cell(f, n, 'loadBlockingMs', ms, false)]),
    ),
  );
  md.push('');
  md.push(`CPU figures are net of the same page without an SDK (baseline: ${ms(median(results.web.baseline?.loadCpuMs || []))} ms CPU, ${ms(median(results.web.baseline?.loadScriptMs || []))} ms script), measured until ready + 0.5 s.`);
  md.push('');

  md.push('## 1,000 track() calls until delivered');
  md.push('');
  md.push(
    table(
      ['SDK', 'delivered (worst)', 'main-thread CPU (ms)', 'script (ms)', 'long tasks', 'blocking (ms)', 'calls return (ms)', 'last event arrives (ms)'],
      names.map((n) => [
        label(n),
        `${num(f[n].delivered)} (${num(f[n].deliveredMin)})`,
        cell(f, n, 'cpuMs', ms),
        cell(f, n, 'scriptMs', ms),
        cell(f, n, 'longTasks', num, false),
        cell(f, n, 'blockingMs', ms, false),
        cell(f, n, 'callsMs', ms),
        cell(f, n, 'deliveryMs', ms),
      ]),
    ),
  );
  md.push('');
  md.push(
    table(
      ['SDK', 'requests', 'of which CORS preflights', 'bytes on the wire', 'wire bytes / event', 'body bytes / event', 'duplicates'],
      names.map((n) => [label(n), cell(f, n, 'requests', num), cell(f, n, 'preflights', num, false), cell(f, n, 'wireBytes', num), cell(f, n, 'wirePerEvent', num), cell(f, n, 'bodyPerEvent', num), num(f[n].duplicates)]),
    ),
  );
  md.push('');
  md.push('Wire bytes: request line + headers + body of every request as the collector received them (HTTP/1.1), CORS preflights included; answers are not counted. Per event: divided by the events delivered.');
  md.push('');

  md.push('## Leaving the page right after 20 track() calls');
  md.push('');
  md.push(
    table(
      ['SDK', 'navigation: delivered of 20 (worst)', 'duplicates', 'tab close: delivered of 20 (worst)', 'duplicates'],
      names.map((n) => [label(n), `${num(f[n].navDelivered)} (${num(f[n].navMin)})`, num(f[n].navDuplicates), `${num(f[n].closeDelivered)} (${num(f[n].closeMin)})`, num(f[n].closeDuplicates)]),
    ),
  );
  md.push('');

  md.push('## Collector down for 10 s, 50 events during the outage');
  md.push('');
  md.push(
    table(
      ['SDK', 'delivered of 50 (worst)', 'failed requests during the outage (worst)', 'duplicates', 'all 50 in, after recovery (ms)'],
      names.map((n) => [label(n), `${num(f[n].outageDelivered)} (${num(f[n].outageMin)})`, `${cell(f, n, 'outageFailed', num)} (${num(f[n].outageFailedMax)})`, num(f[n].outageDuplicates), cell(f, n, 'recoveryMs', ms)]),
    ),
  );
  md.push('');

  md.push('## JS heap with the collector down');
  md.push('');
  const win = Math.round((m.heapWindowMs || 30000) / 1000);
  md.push(
    table(
      ['SDK', 'calls made (of 10,000)', 'heap growth per 1,000 calls (KiB)', `delivered within ${win} s of recovery`, 'holds every call?'],
      names.map((n) => [
        label(n),
        num(f[n].heapIssued),
        cell(f, n, 'heapPer1000', (v) => num(v / 1024)),
        num(f[n].heapKept),
        f[n].heapKeptAll ? 'yes' : 'not shown',
      ]),
    ),
  );
  md.push('');
  md.push(
    `Calls are made in tasks of 100 for at most 5 s; SDKs whose calls are slower stop early, and their figure is per 1,000 calls made. Heap: CDP Runtime.getHeapUsage after a forced GC, before the calls and 1.5 s after them. "Holds every call": all calls were delivered within ${win} s of the collector's return, or deliveries were still progressing at the end of that window (in every repetition); "not shown": deliveries stopped short of the calls made (a cap, a rate limit, or dropped requests), or had not started by then (a long back-off).`,
  );
  md.push('');

  const mp = results.mp;
  const mpNames = Object.keys(mp);
  if (mpNames.length) {
    const g = (n, k) => median(mp[n][k] || []);
    const mpf = {};
    for (const n of mpNames) {
      mpf[n] = {
        label: results.meta.mpVersions[n] || n,
        bulkRequests: g(n, 'bulkRequests'),
        bulkPerEvent: median((mp[n].bulkBytes || []).map((b, i) => (mp[n].bulkDelivered[i] ? b / mp[n].bulkDelivered[i] : null))),
        bulkDelivered: g(n, 'bulkDelivered'),
        bulkMs: g(n, 'bulkMs'),
        bulkPeak: max(mp[n].bulkPeakConcurrency || []),
        bulkDuplicates: max(mp[n].bulkDuplicates || []),
        outageDelivered: g(n, 'outageDelivered'),
        outageMin: min(mp[n].outageDelivered || []),
        outageFailed: g(n, 'outageFailedRequests'),
        relaunchDelivered: g(n, 'relaunchDelivered'),
        relaunchMin: min(mp[n].relaunchDelivered || []),
        duplicates: max([...(mp[n].outageDuplicates || []), ...(mp[n].relaunchDuplicates || [])]),
      };
    }
    const mcell = (n, k, fmt) => (n === 'tutti' || !mpf.tutti ? fmt(mpf[n][k]) : `${fmt(mpf[n][k])} (${ratio(mpf.tutti[k], mpf[n][k])})`);
    md.push('## Mini-program (fake WeChat runtime, real HTTP)');
    md.push('');
    md.push(
      table(
        ['SDK', '500 events: requests', 'bytes / event', 'delivered (of 500)', 'time to deliver (ms)', 'peak wx.request', 'outage 5 s: delivered of 25 (worst)', 'failed requests during it', 'kill + relaunch: delivered of 50 (worst)', 'duplicates'],
        mpNames.map((n) => [
          n === 'tutti' ? '**Tutti**' : mpf[n].label,
          mcell(n, 'bulkRequests', num),
          mcell(n, 'bulkPerEvent', num),
          num(mpf[n].bulkDelivered),
          mcell(n, 'bulkMs', ms),
          num(mpf[n].bulkPeak),
          `${num(mpf[n].outageDelivered)} (${num(mpf[n].outageMin)})`,
          mcell(n, 'outageFailed', num),
          `${num(mpf[n].relaunchDelivered)} (${num(mpf[n].relaunchMin)})`,
          num(mpf[n].duplicates),
        ]),
      ),
    );
    md.push('');
  }

  if (results.core) {
    const c = results.core;
    md.push('## Tutti core in Node (bench/core.mjs)');
    md.push('');
    md.push(`${num(c.events)} track() calls with 5 properties: ${ms(c.medianMs)} ms median (best ${ms(c.minMs)} ms), ${((c.medianMs * 1000) / c.events).toFixed(2)} µs per event; ${num(c.bytesPerEvent)} B of heap per queued event${typeof c.fullQueueUs === 'number' ? `; ${c.fullQueueUs.toFixed(1)} µs per track() on a full 10,000-event queue (each call drops the oldest)` : ''}.`);
    md.push('');
  }

  if (results.collectorCheck) {
    const c = results.collectorCheck;
    md.push('## Tutti against the reference collector');
    md.push('');
    md.push(`The same 1,000 calls sent to examples/collector (instead of the catch-all endpoint), once: ${num(c.stored)} of 1,000 stored, ${num(c.rejected)} rejected, ${num(c.duplicates)} duplicates, ${num(c.batchRequests)} batch requests, ${num(c.bodyBytes)} body bytes as the collector counts them.`);
    md.push('');
  }
  const blocked = Object.entries(results.blocked || {}).filter(([, v]) => v.length);
  const errors = Object.entries(results.errors || {}).filter(([, v]) => v.length);
  md.push('## Sanity checks');
  md.push('');
  md.push(blocked.length ? `Requests to other hosts were attempted and blocked: ${blocked.map(([k, v]) => `${k}: ${v.slice(0, 3).join(', ')}`).join('; ')}.` : 'No SDK attempted a request to any host other than 127.0.0.1 (every such request would have been blocked and listed here).');
  md.push('');
  md.push(errors.length ? `Page errors: ${errors.map(([k, v]) => `${k}: ${v.slice(0, 3).join(' / ')}`).join('; ')}.` : 'No page errors.');
  md.push('');

  const summary = ['', 'Targets:', ...targets(f, peers).map((r) => `  ${r[4].replace(/\*/g, '').padEnd(8)} ${r[0]}: Tutti ${r[1]} vs ${r[2]} (ratio ${r[3]})`), ''].join('\n');
  return { markdown: md.join('\n'), summary, figures: f };
}
