// Static files for the demo site, the built SDK (dist/) and e2e tests: a URL prefix maps
// to a folder. Only files inside the folder are ever served (no `..`, no encoded
// slashes, no symlinks leading out), with a proper Content-Type and nosniff.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

interface Mount {
  prefix: string;
  root: string;
}

/** Serves one request; resolves to the status sent, or null when no mount has the file. */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<number | null>;

function inside(root: string, target: string): boolean {
  return target === root || target.startsWith(root.endsWith(sep) ? root : root + sep);
}

export function createStaticHandler(mounts: Record<string, string>): StaticHandler {
  const list: Mount[] = Object.entries(mounts)
    .map(([prefix, folder]) => ({ prefix: '/' + prefix.replace(/^\/+|\/+$/g, ''), root: resolve(folder) }))
    // Longest prefix first, so '/dist' wins over '/'.
    .sort((a, b) => b.prefix.length - a.prefix.length);

  return async (req, res, pathname) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return null;
    for (const { prefix, root } of list) {
      const under = prefix === '/' ? pathname : pathname === prefix || pathname.startsWith(prefix + '/') ? pathname.slice(prefix.length) : null;
      if (under === null) continue;
      let rel: string;
      try {
        rel = decodeURIComponent(under);
      } catch {
        return null;
      }
      if (rel.includes('\0')) return null;
      let file = resolve(root, '.' + (rel.startsWith('/') ? rel : '/' + rel));
      if (!inside(root, file)) return null;
      try {
        let info = await stat(file);
        if (info.isDirectory()) {
          // Relative links in an index page need the trailing slash.
          if (!pathname.endsWith('/')) {
            res.writeHead(301, { Location: pathname + '/', 'Content-Length': 0 });
            res.end();
            return 301;
          }
          file = resolve(file, 'index.html');
          info = await stat(file);
        }
        if (!info.isFile()) continue;
        // A symlink inside the folder must not lead outside it.
        const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
        if (!inside(realRoot, realFile)) return null;
        res.writeHead(200, {
          'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
          'Content-Length': info.size,
          'Cache-Control': 'no-cache',
          'X-Content-Type-Options': 'nosniff',
        });
        if (req.method === 'HEAD') res.end();
        else createReadStream(file).on('error', () => res.destroy()).pipe(res);
        return 200;
      } catch {
        continue; // not in this mount: try a shorter prefix
      }
    }
    return null;
  };
}

/**
 * A bare static server (the demo site on its own origin, so CORS to the collector is
 * real). With `spaFallback`, extension-less paths that match no file get that page, so
 * a reload of a pushState URL (/teas) still opens the single-page app.
 */
export function startStaticServer(
  mounts: Record<string, string>,
  port: number,
  host = '127.0.0.1',
  spaFallback?: string,
): Promise<Server> {
  const handle = createStaticHandler(mounts);
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    handle(req, res, pathname)
      .then((status) => (status === null && spaFallback && !extname(pathname) ? handle(req, res, spaFallback) : status))
      .then((status) => {
        if (status === null) {
          res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end('not found');
        }
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen(server);
    });
  });
}
