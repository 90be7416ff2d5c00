// The "customer site" of the end-to-end suites: a tiny static server on its own port,
// so pages and the collector are different origins as in production. Pages are HTML
// strings registered per test; /dist/* serves the built SDK, optionally delayed
// (?delay=ms) to make the async snippet's queue observable.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';

export interface Site {
  url: string;
  /** Serves `html` at `path` (e.g. '/a.html'). */
  page(path: string, html: string): string;
  /** Paths requested so far. */
  hits: string[];
  close(): Promise<void>;
}

const DIST = join(process.cwd(), 'dist');

export async function startSite(): Promise<Site> {
  const pages = new Map<string, string>();
  const hits: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const u = new URL(req.url || '/', 'http://x');
    hits.push(u.pathname);
    try {
      const html = pages.get(u.pathname);
      if (html !== undefined) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        return res.end(html);
      }
      if (u.pathname.startsWith('/dist/')) {
        const file = normalize(join(DIST, u.pathname.slice(6)));
        if (!file.startsWith(DIST)) throw new Error('outside dist');
        const body = await readFile(file);
        const delay = Number(u.searchParams.get('delay')) || 0;
        if (delay) await new Promise((r) => setTimeout(r, delay));
        res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
        return res.end(body);
      }
      res.writeHead(404).end();
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hits,
    page(path, html) {
      pages.set(path, html);
      return url + path;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
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
