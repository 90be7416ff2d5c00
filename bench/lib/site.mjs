// The "customer site" of the benchmark and of the end-to-end tests: a static server on
// an ephemeral 127.0.0.1 port, so pages and the collector (or sink) are different
// origins as in production. It serves HTML pages held in memory, single files held in
// memory, and folders mounted under a URL prefix (an SDK's build with its lazy chunks).
// Every path requested is logged (`hits`) and every file served with its body
// (`served`), so the size figures cover exactly what a page loaded. Plain .mjs so the
// bench runs without a build; site.d.mts types it for the tests.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

/** The bench's default: cached like a CDN file, so repeat visits and second pages do not refetch. */
const CDN_HEADERS = { 'Cache-Control': 'public, max-age=3600', 'Access-Control-Allow-Origin': '*' };

/**
 * @param {{ fileHeaders?: Record<string, string>, delay?: boolean }} [options]
 *   fileHeaders: sent with every file besides its Content-Type (default CDN_HEADERS);
 *   delay: honour `?delay=ms` on files, to hold a script back (the async snippet's queue).
 */
export async function startSite({ fileHeaders = CDN_HEADERS, delay = false } = {}) {
  const pages = new Map();
  const files = new Map(); // exact path -> Buffer (e.g. a minified copy)
  const mounts = []; // [prefix, absolute dir]
  const hits = []; // every path requested, served or not
  const served = []; // { path, body }

  async function resolveFile(pathname) {
    if (files.has(pathname)) return files.get(pathname);
    for (const [prefix, dir] of mounts) {
      if (!pathname.startsWith(prefix)) continue;
      try {
        const file = resolve(dir, '.' + sep + decodeURIComponent(pathname.slice(prefix.length)));
        if (!file.startsWith(dir + sep)) return null; // ../ out of the folder
        return await readFile(file);
      } catch {
        return null; // missing, a folder, or a malformed %-escape
      }
    }
    return null;
  }

  const server = createServer(async (req, res) => {
    const u = new URL(req.url || '/', 'http://site');
    hits.push(u.pathname);
    const html = pages.get(u.pathname);
    if (html !== undefined) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      return res.end(html);
    }
    const body = await resolveFile(u.pathname);
    if (!body) {
      res.writeHead(404, { 'Content-Length': 0 });
      return res.end();
    }
    const ms = delay ? Number(u.searchParams.get('delay')) || 0 : 0;
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    served.push({ path: u.pathname, body });
    res.writeHead(200, {
      'Content-Type': u.pathname.endsWith('.json') ? 'application/json' : 'text/javascript; charset=utf-8',
      ...fileHeaders,
    });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    hits,
    served,
    page(path, content) {
      pages.set(path, content);
      return url + path;
    },
    mount(prefix, dir) {
      mounts.push([prefix, resolve(dir)]);
    },
    file(path, buffer) {
      files.set(path, buffer);
    },
    resolveFile,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
