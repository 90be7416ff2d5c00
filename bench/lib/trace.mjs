// Main-thread CPU from a Chromium trace: the thread time (`tdur`, CPU time, not wall
// time) of every outermost top-level task on the page's renderer main thread. Wall-clock
// task time (CDP TaskDuration) is inflated whenever the OS deschedules the renderer, which
// on a 2-core machine running the browser, the servers and the benchmark happens a lot.

// `blink.user_timing` carries the page's performance.mark() calls: the benchmark marks
// its page (MARK), which tells us which renderer main thread is ours (Chromium runs
// other renderers too, e.g. for internal pages).
export const TRACE_CATEGORIES = ['toplevel', 'blink.user_timing'];
export const MARK = '__bench_page';

/** CPU ms of the renderer main thread that recorded MARK (else the busiest one) in `buffer`. */
export function mainThreadCpu(buffer) {
  const data = JSON.parse(buffer.toString('utf8'));
  const events = Array.isArray(data) ? data : data.traceEvents || [];
  let mains = new Set();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name' && e.args && e.args.name === 'CrRendererMain') mains.add(`${e.pid}:${e.tid}`);
  }
  const marked = events.find((e) => e.name === MARK && mains.has(`${e.pid}:${e.tid}`));
  if (marked) mains = new Set([`${marked.pid}:${marked.tid}`]);
  const byThread = new Map();
  for (const e of events) {
    if (e.ph !== 'X' || typeof e.dur !== 'number') continue;
    const key = `${e.pid}:${e.tid}`;
    if (!mains.has(key)) continue;
    let list = byThread.get(key);
    if (!list) byThread.set(key, (list = []));
    list.push(e);
  }
  let best = { cpuMs: 0, wallMs: 0, tasks: 0 };
  for (const list of byThread.values()) {
    list.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    let end = -Infinity;
    let cpu = 0;
    let wall = 0;
    let tasks = 0;
    for (const e of list) {
      if (e.ts < end) continue; // nested inside the current outermost task
      end = e.ts + e.dur;
      cpu += typeof e.tdur === 'number' ? e.tdur : e.dur;
      wall += e.dur;
      tasks++;
    }
    if (cpu / 1000 > best.cpuMs) best = { cpuMs: cpu / 1000, wallMs: wall / 1000, tasks };
  }
  return best;
}
