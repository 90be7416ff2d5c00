// wx.request transport: at most 2 SDK requests at once (the app has 10 in all), failures
// as status 0, Retry-After and the answer body passed to the core, timeouts.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wxTransport } from '../../adapters/miniprogram/transport';
import { createRuntime } from './wx-runtime';

let server: Server;
let base = '';
const bodies: Buffer[] = [];
let open = 0;
let maxOpen = 0;

const read = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
  });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    const body = await read(req);
    bodies.push(body);
    const url = new URL(req.url || '/', 'http://x');
    const wait = Number(url.searchParams.get('wait') || 0);
    setTimeout(() => {
      open--;
      if (url.pathname === '/retry') {
        res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' });
        res.end('{"error":"slow down"}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, type: req.headers['content-type'], size: body.length }));
      }
    }, wait);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('wxTransport', () => {
  it('keeps to 2 concurrent requests and leaves the host its slots', async () => {
    const rt = createRuntime();
    const t = wxTransport(rt.wx, 2);
    maxOpen = 0;
    // The host app holds 8 slow requests of its own.
    const host = Array.from(
      { length: 8 },
      () => new Promise((resolve) => rt.wx.request({ url: `${base}/host?wait=300`, method: 'GET', success: resolve, fail: resolve })),
    );
    const sends = Array.from({ length: 12 }, (_, i) => t.send(`${base}/batch?wait=20`, `{"n":${i}}`, {}));
    const results = await Promise.all(sends);
    await Promise.all(host);
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(rt.maxConcurrent).toBe(10);
    expect(rt.requests.filter((r) => /exceed max task count/.test(r.outcome || ''))).toEqual([]);
    const sdk = rt.requests.filter((r) => r.url.indexOf('/batch') >= 0);
    // No more than 2 SDK requests overlapped at any moment.
    for (const r of sdk) {
      const overlapping = sdk.filter((o) => o.startedAt <= r.startedAt && (o.endedAt ?? Infinity) > r.startedAt);
      expect(overlapping.length).toBeLessThanOrEqual(2);
    }
  });

  it('the runtime refuses an 11th concurrent request, as WeChat does', async () => {
    const rt = createRuntime();
    const outcomes = await Promise.all(
      Array.from(
        { length: 11 },
        () => new Promise<string>((resolve) => rt.wx.request({ url: `${base}/x?wait=100`, method: 'GET', success: () => resolve('ok'), fail: (e: { errMsg: string }) => resolve(e.errMsg) })),
      ),
    );
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(10);
    expect(outcomes).toContain('request:fail exceed max task count');
  });

  it('passes status, Retry-After and the body text to the core', async () => {
    const t = wxTransport(createRuntime().wx);
    const ok = await t.send(`${base}/batch`, '{"a":1}', { headers: { 'X-Test': '1' } });
    expect(ok.status).toBe(200);
    expect(typeof ok.body).toBe('string');
    expect(JSON.parse(ok.body as string)).toEqual({ ok: true, type: 'text/plain;charset=UTF-8', size: 7 });
    const retry = await t.send(`${base}/retry`, '{}', {});
    expect(retry).toEqual({ status: 429, retryAfter: '7', body: '{"error":"slow down"}' });
  });

  it('sends a binary body as bytes', async () => {
    const t = wxTransport(createRuntime().wx);
    const bytes = new Uint8Array([31, 139, 8, 0, 1, 2, 3]);
    const res = await t.send(`${base}/batch`, bytes.subarray(1, 5), {});
    expect(JSON.parse(res.body as string).size).toBe(4);
    expect(Array.from(bodies[bodies.length - 1])).toEqual([139, 8, 0, 1]);
  });

  it('turns fail, offline, refused connections and timeouts into status 0', async () => {
    const rt = createRuntime({ offline: true });
    const t = wxTransport(rt.wx);
    expect(await t.send(`${base}/batch`, '{}', {})).toEqual({ status: 0 });
    rt.setOffline(false);
    expect(await t.send('http://127.0.0.1:1/v1/batch', '{}', {})).toEqual({ status: 0 });
    const started = Date.now();
    expect(await t.send(`${base}/batch?wait=3000`, '{}', { timeout: 200 })).toEqual({ status: 0 });
    expect(Date.now() - started).toBeLessThan(2000);
    // A request that throws synchronously still resolves and frees its slot.
    rt.wx.request = () => {
      throw new Error('boom');
    };
    expect(await Promise.all([t.send(base, '', {}), t.send(base, '', {}), t.send(base, '', {})])).toEqual([{ status: 0 }, { status: 0 }, { status: 0 }]);
  });
});
