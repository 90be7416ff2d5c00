// The "customer site" of the end-to-end suites: the benchmark's static server
// (bench/lib/site.mjs) on its own port, so pages and the collector are different origins
// as in production. Pages are HTML strings registered per test; /dist/* serves the built
// SDK uncached, optionally delayed (?delay=ms) to make the async snippet's queue observable.
import { join } from 'node:path';
import { startSite as startStaticSite, type StaticSite } from '../../bench/lib/site.mjs';

export type Site = Pick<StaticSite, 'url' | 'page' | 'file' | 'hits' | 'close'>;

export async function startSite(): Promise<Site> {
  // no-store: every test page loads the SDK as built now, never a cached copy.
  const site = await startStaticSite({ fileHeaders: { 'Cache-Control': 'no-store' }, delay: true });
  site.mount('/dist/', join(process.cwd(), 'dist'));
  return site;
}

/** A page loading the script-tag build with `attrs` as data attributes, then `body`. */
export function scriptPage(attrs: Record<string, string | number | boolean>, body = '', head = ''): string {
  const data = Object.entries(attrs)
    .map(([k, v]) => ` data-${k}="${String(v).replace(/"/g, '&quot;')}"`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Test page</title>${head}
<script>window.__errors = []; window.onerror = function (m) { window.__errors.push(String(m)); };
window.addEventListener('unhandledrejection', function (e) { window.__errors.push('rejection: ' + e.reason); });</script>
<script src="/dist/tutti.min.js"${data}></script></head><body><h1>Test</h1>${body}</body></html>`;
}
