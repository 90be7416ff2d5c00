// The benchmark page: a minimal HTML document with an instrumentation prelude (long
// tasks, the ready mark, errors) before the SDK's own tags. The same prelude runs for
// every SDK and for the empty baseline page, whose costs are subtracted.

const PRELUDE = `<script>
window.__b = { longtasks: [], errors: [], ready: null, loadStart: performance.now() };
performance.mark('__bench_page'); // identifies this renderer in CPU traces (trace.mjs)
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) { __b.longtasks.push([e.startTime, e.duration]); });
  }).observe({ type: 'longtask', buffered: true });
} catch (e) {}
window.addEventListener('error', function (e) { __b.errors.push(String(e.message)); });
window.__ready = function () { if (__b.ready === null) __b.ready = performance.now(); };
window.__track = function () {};
/** The benchmark's track call: n events named like a real one, with five properties. */
window.__burst = function (run, from, n) {
  if (from === 0) performance.mark('__bench_page');
  for (var i = from; i < from + n; i++) {
    __track('product_viewed', { sku: 'SKU-' + i, price: 19.9, currency: 'CNY', category: 'shoes', position: i % 10, bench_run: run, bench_seq: i });
  }
};
</script>`;

export function benchPage(sdkHead) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Benchmark page</title>${PRELUDE}${sdkHead}</head>
<body><h1>Benchmark</h1><p>A page with one analytics SDK.</p><a id="next" href="/next.html">next</a></body></html>`;
}

export const NEXT_PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>Next</title></head><body>next page</body></html>';
