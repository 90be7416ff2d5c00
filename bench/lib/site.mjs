// The "customer site" of the benchmark: pages held in memory and each SDK's browser
// build (and its lazy chunks) under /sdk/<name>/, on its own origin as in production.
// Every file served is logged, so the size figures cover exactly what a page loaded.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';

export async function startSite() {
  const pages = new Map();
  const files = new Map(); // exact path -> Buffer (e.g. a minified copy)
  const mounts = []; // [prefix, dir]
  const served = []; // { path, body }

  async function resolveFile(pathname) {
    if (files.has(pathname)) return files.get(pathname);
    for (const [prefix, dir] of mounts) {
      if (!pathname.startsWith(prefix)) continue;
      const file = normalize(join(dir, decodeURIComponent(pathname.slice(prefix.length))));
      if (!file.startsWith(dir)) return null;
      try {
        return await readFile(file);
      } catch {
        return null;
      }
    }
    return null;
  }

  const server = createServer(async (req, res) => {
    const u = new URL(req.url || '/', 'http://site');
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
    served.push({ path: u.pathname, body });
    // Cached like a CDN file would be: repeat visits and second pages do not refetch.
    res.writeHead(200, {
      'Content-Type': u.pathname.endsWith('.json') ? 'application/json' : 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=3600',
      'Access-Control-Allow-Origin': '*',
    });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    served,
    page(path, content) {
      pages.set(path, content);
      return url + path;
    },
    mount(prefix, dir) {
      mounts.push([prefix, normalize(dir)]);
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
