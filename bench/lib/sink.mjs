// The benchmark's catch-all collection endpoint. Every SDK (Tutti included) sends here,
// each under its own path prefix (/tutti, /segment, ...), so every figure is measured the
// same way at the same place: requests, bytes as received (request line + headers + body),
// and the benchmark events found in each body, whatever the SDK's wire format (JSON,
// gzip, base64, form fields, image-beacon query strings, JSON inside a string field).
// It answers 200 with the small body each SDK expects, answers CORS preflights (and
// credentialed requests: the page's origin, Allow-Credentials), serves the minimal
// "remote settings" some SDKs insist on fetching, and can go down (connection refused)
// and come back.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { gunzipSync, inflateSync, brotliDecompressSync } from 'node:zlib';

/** Benchmark events carry `bench_run` and `bench_seq` properties; this finds them anywhere in a decoded body. */
function collect(value, out, depth = 0) {
  if (!value || typeof value !== 'object' || depth > 12) return;
  if (Array.isArray(value)) {
    for (const v of value) collect(v, out, depth + 1);
    return;
  }
  if ('bench_seq' in value && 'bench_run' in value) {
    out.push(`${value.bench_run}:${value.bench_seq}`);
    return;
  }
  // Snowplow's tracker protocol holds a self-describing event as a string field:
  // ue_pr (JSON text) or ue_px (base64url of it).
  for (const k of ['ue_pr', 'ue_px']) if (typeof value[k] === 'string') collect(decodeText(value[k]), out, depth + 1);
  for (const k in value) collect(value[k], out, depth + 1);
}

const looksJson = (s) => /^\s*[[{]/.test(s);

/** Decodes one text layer: JSON, base64(JSON), urlencoded form fields whose values are either. */
function decodeText(text, depth = 0) {
  if (depth > 4 || !text) return [];
  if (looksJson(text)) {
    try {
      return [JSON.parse(text)];
    } catch {
      /* not JSON after all */
    }
  }
  // application/x-www-form-urlencoded or a query string: decode each field.
  if (/^[\w$.-]+=/.test(text)) {
    const out = [];
    for (const [, v] of new URLSearchParams(text)) out.push(...decodeText(v, depth + 1));
    if (out.length) return out;
  }
  // base64 (standard or URL-safe) of JSON or of gzip.
  if (/^[A-Za-z0-9+/=_-]{8,}$/.test(text.trim())) {
    const buf = Buffer.from(text.trim().replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return decodeBuffer(buf, depth + 1);
  }
  return [];
}

function decodeBuffer(buf, depth = 0) {
  if (!buf || !buf.length) return [];
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      return decodeBuffer(gunzipSync(buf), depth + 1);
    } catch {
      return [];
    }
  }
  return decodeText(buf.toString('utf8'), depth + 1);
}

function decodeRequest(req, url, body) {
  const enc = (req.headers['content-encoding'] || '').toLowerCase();
  let raw = body;
  try {
    if (enc === 'gzip' || enc === 'x-gzip') raw = gunzipSync(body);
    else if (enc === 'deflate') raw = inflateSync(body);
    else if (enc === 'br') raw = brotliDecompressSync(body);
  } catch {
    raw = body;
  }
  const values = decodeBuffer(raw);
  // Image beacons and some GETs put the payload in the query string.
  for (const [k, v] of url.searchParams) if (/^(data|data_list|d|ue_pr|ue_px)$/.test(k)) values.push(...decodeText(v));
  const ids = [];
  for (const v of values) collect(v, ids);
  return ids;
}

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** The answer (body, and headers besides CORS) each SDK expects from a successful upload. */
function answer(sdk, url, events, req) {
  if (sdk === 'amplitude') return { type: 'application/json', body: JSON.stringify({ code: 200, events_ingested: events, payload_size_bytes: 0, server_upload_time: Date.now() }) };
  if (sdk === 'mixpanel') return { type: 'application/json', body: url.searchParams.get('verbose') === '1' ? '{"status":1,"error":null}' : '1' };
  if (sdk === 'posthog') return { type: 'application/json', body: '{"status":1}' };
  if (sdk === 'sensors' && /\.gif$/.test(url.pathname)) return { type: 'image/gif', body: GIF };
  if (sdk === 'rudder') return { type: 'text/plain', body: 'OK' };
  // A Snowplow collector: a 1×1 GIF for GET /i (tp1), `ok` for POST …/tp2, and its
  // network user ID cookie `sp` (kept when the request has one), which the browser then
  // sends with every later request of the credentialed tracker.
  if (sdk === 'snowplow') {
    const sp = /(?:^|;\s*)sp=([\w-]+)/.exec(req.headers.cookie || '')?.[1] || randomUUID();
    const headers = { 'Set-Cookie': `sp=${sp}; Max-Age=31536000; Path=/; SameSite=None; Secure` };
    return /\/i$/.test(url.pathname) ? { type: 'image/gif', body: GIF, headers } : { type: 'text/plain', body: 'ok', headers };
  }
  return { type: 'application/json', body: '{}' };
}

/**
 * Starts the sink. `settings[sdk]` answers GETs under `/{sdk}-settings/` (remote
 * configuration the SDK would otherwise fetch from its vendor's CDN).
 */
export async function startSink({ settings = {} } = {}) {
  const log = []; // every request: { sdk, method, path, status, bytes, bodyBytes, ids, at }
  let server = null;
  let port = 0;
  const sockets = new Set();

  function handler(req, res) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url || '/', 'http://sink');
      const sdk = url.pathname.split('/')[1] || '';
      // Bytes as they crossed the wire: request line, headers, blank line, body.
      let head = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2) head += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      const record = { sdk, method: req.method, path: url.pathname, status: 200, bytes: Buffer.byteLength(head) + 2 + body.length, bodyBytes: body.length, encoding: req.headers['content-encoding'] || null, ids: [], at: Date.now() };
      log.push(record);
      const origin = req.headers.origin;
      const cors = origin
        ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' }
        : { 'Access-Control-Allow-Origin': '*' };
      if (req.method === 'OPTIONS') {
        record.status = 204;
        res.writeHead(204, {
          ...cors,
          'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
          'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] || 'Content-Type',
          'Access-Control-Max-Age': '7200',
          'Content-Length': '0',
        });
        return res.end();
      }
      const setting = sdk.endsWith('-settings') ? settings[sdk.slice(0, -'-settings'.length)] : undefined;
      if (setting !== undefined) {
        const text = typeof setting === 'function' ? setting(url) : JSON.stringify(setting);
        res.writeHead(200, { ...cors, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        return res.end(text);
      }
      record.ids = decodeRequest(req, url, body);
      const a = answer(sdk, url, record.ids.length, req);
      res.writeHead(200, { ...cors, ...a.headers, 'Content-Type': a.type, 'Content-Length': Buffer.byteLength(a.body), 'Cache-Control': 'no-store' });
      res.end(a.body);
    });
  }

  function listen() {
    return new Promise((resolve, reject) => {
      const s = createServer(handler);
      s.keepAliveTimeout = 5000;
      s.on('connection', (sock) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = s.address().port;
        server = s;
        resolve();
      });
    });
  }
  await listen();
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    log,
    /** Benchmark events of run `run` received so far: unique, duplicates, and the requests that carried them. */
    count(run, sdk) {
      const seen = new Map();
      for (const r of log) {
        if (sdk && r.sdk !== sdk) continue;
        for (const id of r.ids) if (id.startsWith(run + ':')) seen.set(id, (seen.get(id) || 0) + 1);
      }
      let duplicates = 0;
      for (const n of seen.values()) duplicates += n - 1;
      return { unique: seen.size, duplicates };
    },
    /** Requests of `sdk` from log index `from` on: uploads and their CORS preflights (method OPTIONS); settings fetches are logged under `{sdk}-settings`. */
    requests(sdk, from = 0) {
      return log.slice(from).filter((r) => r.sdk === sdk);
    },
    /** Connection refused from now on, as when the collector is down. */
    async down() {
      if (!server) return;
      const s = server;
      server = null;
      await new Promise((resolve) => {
        s.close(() => resolve());
        for (const sock of sockets) sock.destroy();
      });
    },
    async up() {
      if (!server) await listen();
    },
    async close() {
      await this.down();
    },
  };
}
