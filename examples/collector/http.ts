// HTTP routing of the collector: the ingest routes (ingest.ts, with CORS for browsers),
// the read API the UI uses (read.ts), the UI itself and optional static mounts. Every
// request is logged for tests and benchmarks.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { batch, decideRoute } from './ingest';
import { read } from './read';
import { sendJson } from './respond';
import type { HttpContext } from './respond';
import type { RequestRecord } from './types';

export type { HttpContext } from './respond';

/** Routes that browsers call cross-origin; only these get CORS headers. */
const INGEST = new Set(['/v1/batch', '/v1/decide']);
/** Read routes are same-origin only: no CORS, so other sites cannot read the collected data. */
const READ = /^\/v1\/(events|stats|attribution|profiles(\/[^/]+)?)$/;
const REQUEST_LOG_CAP = 100_000;

const UI_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

export function createHandler(ctx: HttpContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://collector.local');
    } catch {
      req.resume();
      res.writeHead(400, { 'Content-Length': 0 }).end();
      return;
    }
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const encoding = req.headers['content-encoding']?.trim().toLowerCase() || null;
    const record: RequestRecord = { method: req.method ?? '', path, status: 0, bytes: 0, encoding, at: Date.now(), events: 0 };
    if (ctx.requests.length >= REQUEST_LOG_CAP) ctx.requests.splice(0, REQUEST_LOG_CAP / 10);
    ctx.requests.push(record);
    ctx.store.count('requests');
    route(ctx, req, res, url, path, record).catch((err: Error) => {
      ctx.log(`error on ${req.method} ${path}: ${err.stack ?? err.message}`);
      if (!res.headersSent) void sendJson(ctx, res, record, 500, { error: 'internal error' });
      else res.destroy();
    });
  };
}

async function route(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, url: URL, path: string, record: RequestRecord): Promise<void> {
  const method = req.method ?? 'GET';
  if (INGEST.has(path)) {
    cors(req, res);
    if (method === 'OPTIONS') return preflight(req, res, record);
    if (method !== 'POST') return sendJson(ctx, res, record, 405, { error: 'use POST' }, { Allow: 'POST, OPTIONS' });
    return path === '/v1/batch' ? batch(ctx, req, res, record) : decideRoute(ctx, req, res, record);
  }
  if (READ.test(path)) {
    if (method !== 'GET') return sendJson(ctx, res, record, 405, { error: 'use GET' }, { Allow: 'GET' });
    return read(ctx, res, url, path, record);
  }
  if (path.startsWith('/v1/')) return sendJson(ctx, res, record, 404, { error: 'no such endpoint' });

  // Pages: UI assets, then static mounts (an e2e site may own '/'), then the UI at '/'.
  if ((path === '/ui' || path.startsWith('/ui/')) && (record.status = (await ui(ctx, req, res, url.pathname)) ?? 0)) return;
  if (ctx.staticFiles && (record.status = (await ctx.staticFiles(req, res, url.pathname)) ?? 0)) return;
  if (path === '/' && (record.status = (await ui(ctx, req, res, '/ui/index.html')) ?? 0)) return;
  record.status = 404;
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 9 });
  res.end('not found');
}

/** The collector's own UI, under a strict CSP (it renders collected data, so no inline code at all). */
async function ui(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<number | null> {
  res.setHeader('Content-Security-Policy', UI_CSP);
  const status = await ctx.ui(req, res, path);
  if (status === null) res.removeHeader('Content-Security-Policy');
  return status;
}

/**
 * CORS for the ingest routes. The origin is echoed with credentials allowed because
 * `navigator.sendBeacon` always sends credentials; the collector sets no cookies and
 * authenticates by write key, so no ambient authority is exposed by it.
 */
function cors(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  res.setHeader('Vary', 'Origin');
  if (origin) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
  } else {
    res.setHeader('Access-Control-Allow-Origin', '*');
  }
  // Lets the SDK's fetch read Retry-After cross-origin (not a safelisted response header).
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
}

const ALLOWED_HEADERS = ['Content-Type', 'Content-Encoding', 'Authorization'];

function preflight(req: IncomingMessage, res: ServerResponse, record: RequestRecord): void {
  // Also allow whatever else the page asks for: `contract.headers` may add custom ones,
  // and none of them carries authority here (the write key is checked on the request).
  const asked = (req.headers['access-control-request-headers'] ?? '').split(',').map((h) => h.trim()).filter((h) => /^[\w-]+$/.test(h));
  const allowed = [...ALLOWED_HEADERS, ...asked.filter((h) => !ALLOWED_HEADERS.some((a) => a.toLowerCase() === h.toLowerCase()))];
  const headers: Record<string, string> = {
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
    'Access-Control-Allow-Headers': allowed.join(', '),
    // Chromium's cap: the browser then skips the preflight for two hours.
    'Access-Control-Max-Age': '7200',
    'Content-Length': '0',
  };
  // Chromium's Private Network Access asks before a public page may call a local collector.
  if (req.headers['access-control-request-private-network'] === 'true') headers['Access-Control-Allow-Private-Network'] = 'true';
  record.status = 204;
  req.resume();
  res.writeHead(204, headers);
  res.end();
}
