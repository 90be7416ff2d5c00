// POST /v1/batch: every answer the SDK's delivery logic depends on (SPEC §5).
import { Agent } from 'node:http';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCollector } from '../../examples/collector/index';
import type { CollectorHandle } from '../../examples/collector/index';
import { KEY, ev, postBatch, send } from './helpers';

let c: CollectorHandle;

beforeAll(async () => {
  c = await startCollector({ port: 0, dbPath: ':memory:', writeKeys: [KEY, 'second-key'], quiet: true });
});
afterAll(() => c.close());
beforeEach(() => c.reset());

describe('accepting batches', () => {
  it('stores a text/plain batch and answers a small 200', async () => {
    const events = [ev(), ev({ type: 'page', event: undefined, name: 'Home' })];
    const res = await postBatch(c.url, events);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true, accepted: 2, duplicates: 0 });
    expect(Number(res.headers['content-length'])).toBeLessThan(100);
    expect(c.events().map((e) => e.messageId)).toEqual(events.map((e) => e.messageId));
    expect(c.stats()).toMatchObject({ events: 2, duplicates: 0, rejected: 0, batchRequests: 1 });
  });

  it('accepts application/json and an empty batch', async () => {
    const res = await postBatch(c.url, [ev()], { headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(200);
    expect((await postBatch(c.url, [])).json).toEqual({ ok: true, accepted: 0, duplicates: 0 });
    expect(c.stats().events).toBe(1);
  });

  it('accepts gzip bodies (Content-Encoding: gzip) and records the encoding', async () => {
    const events = Array.from({ length: 30 }, () => ev({ properties: { text: 'x'.repeat(200) } }));
    const res = await postBatch(c.url, events, { gzip: true });
    expect(res.status).toBe(200);
    expect(c.stats().events).toBe(30);
    const rec = c.requests.find((r) => r.path === '/v1/batch')!;
    expect(rec.encoding).toBe('gzip');
    expect(rec.events).toBe(30);
    // The log keeps the bytes on the wire: compressed, far smaller than the JSON.
    expect(rec.bytes).toBeLessThan(JSON.stringify(events).length / 4);
  });

  it('accepts deflate, and gzip without the header (sendBeacon cannot set one)', async () => {
    const body = () => JSON.stringify({ writeKey: KEY, batch: [ev()] });
    expect((await send(c.url, '/v1/batch', deflateSync(body()), { headers: { 'Content-Encoding': 'deflate' } })).status).toBe(200);
    expect((await send(c.url, '/v1/batch', gzipSync(body()))).status).toBe(200);
    expect(c.stats().events).toBe(2);
  });

  it('takes the write key from HTTP Basic auth as Segment-compatible senders do', async () => {
    const auth = 'Basic ' + Buffer.from('second-key:').toString('base64');
    const res = await send(c.url, '/v1/batch', { batch: [ev()] }, { headers: { Authorization: auth } });
    expect(res.status).toBe(200);
  });

  it('fills a missing timestamp with the receive time and adds receivedAt', async () => {
    const e = ev({ timestamp: undefined });
    await postBatch(c.url, [e]);
    const [stored] = c.events();
    expect(Date.now() - Date.parse(stored.timestamp)).toBeLessThan(5000);
    expect(typeof stored.receivedAt).toBe('string');
  });
});

describe('refusing requests', () => {
  it('400 on malformed JSON, with the reason', async () => {
    const res = await send(c.url, '/v1/batch', '{"writeKey":"test-key","batch":[');
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/malformed JSON/);
  });

  it('400 on a malformed gzip body', async () => {
    const res = await send(c.url, '/v1/batch', Buffer.from('definitely not gzip'), { headers: { 'Content-Encoding': 'gzip' } });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/malformed gzip/);
    const truncated = gzipSync(JSON.stringify({ writeKey: KEY, batch: [ev()] })).subarray(0, 20);
    expect((await send(c.url, '/v1/batch', truncated, { headers: { 'Content-Encoding': 'gzip' } })).status).toBe(400);
  });

  it('401 on an unknown or missing write key', async () => {
    expect((await postBatch(c.url, [ev()], { writeKey: 'nope' })).status).toBe(401);
    const res = await send(c.url, '/v1/batch', { batch: [ev()] });
    expect(res.status).toBe(401);
    expect(res.json.error).toMatch(/write key/);
    expect(c.stats().events).toBe(0);
  });

  it('400 when batch is not an array, or the body not an object', async () => {
    const res = await send(c.url, '/v1/batch', { writeKey: KEY, batch: { type: 'track' } });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/batch must be an array/);
    expect((await send(c.url, '/v1/batch', '[1,2]')).status).toBe(400);
  });

  it('413 on a body over 1 MB, before and after decompression', async () => {
    const big = JSON.stringify({ writeKey: KEY, batch: [ev({ properties: { blob: 'y'.repeat(1_100_000) } })] });
    const res = await send(c.url, '/v1/batch', big);
    expect(res.status).toBe(413);
    // 1.1 MB of one letter gzips to ~1 KB: the limit also applies to what it expands to.
    const bomb = await send(c.url, '/v1/batch', gzipSync(big), { headers: { 'Content-Encoding': 'gzip' } });
    expect(bomb.status).toBe(413);
    expect(bomb.json.error).toMatch(/decompression/);
    expect(c.stats().events).toBe(0);
  });

  it('415 on other content types and encodings; 405 on GET; 404 on unknown endpoints', async () => {
    const body = JSON.stringify({ writeKey: KEY, batch: [ev()] });
    expect((await send(c.url, '/v1/batch', body, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
    expect((await send(c.url, '/v1/batch', body, { headers: { 'Content-Encoding': 'zstd' } })).status).toBe(415);
    const get = await send(c.url, '/v1/batch');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST, OPTIONS');
    expect((await send(c.url, '/v1/nothing')).status).toBe(404);
  });

  it('reads the body of refused requests, so a keep-alive connection stays usable', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const tooBig = await send(c.url, '/v1/batch', 'z'.repeat(1_200_000), { agent });
      expect(tooBig.status).toBe(413);
      const ok = await postBatch(c.url, [ev()], { agent });
      expect(ok.status).toBe(200);
      expect(ok.reusedSocket).toBe(true);
    } finally {
      agent.destroy();
    }
  });
});

describe('per-event validation and dedup', () => {
  it('stores the good events and lists the refused ones in a 200', async () => {
    const good1 = ev();
    const good2 = ev({ type: 'identify', event: undefined, userId: 'u-1', traits: { plan: 'pro' } });
    const noName = ev({ event: '' });
    const badType = ev({ type: 'purchase' });
    const noIds = ev({ anonymousId: null, userId: null });
    const badTime = ev({ timestamp: 'yesterday' });
    const res = await postBatch(c.url, [good1, noName, badType, good2, noIds, badTime, 42]);
    expect(res.status).toBe(200);
    expect(res.json.accepted).toBe(2);
    expect(res.json.rejected).toEqual([
      { messageId: noName.messageId, index: 1, reason: 'track requires an event name' },
      { messageId: badType.messageId, index: 2, reason: 'unknown type' },
      { messageId: noIds.messageId, index: 4, reason: 'anonymousId or userId required' },
      { messageId: badTime.messageId, index: 5, reason: 'invalid timestamp' },
      { messageId: null, index: 6, reason: 'event is not an object' },
    ]);
    expect(c.events().map((e) => e.messageId)).toEqual([good1.messageId, good2.messageId]);
    expect(c.stats().rejected).toBe(5);
  });

  it('refuses events without messageId and oversized events', async () => {
    const res = await postBatch(c.url, [ev({ messageId: undefined }), ev({ properties: { s: 'q'.repeat(40_000) } }), ev()]);
    expect(res.json.rejected.map((r: { reason: string }) => r.reason)).toEqual([
      'missing or invalid messageId',
      expect.stringMatching(/larger than/),
    ]);
    expect(c.stats().events).toBe(1);
  });

  it('counts the per-event limit in UTF-8 bytes: 12,000 Chinese characters (36,000 bytes) are over 32 KB', async () => {
    const wide = ev({ properties: { s: '中'.repeat(12_000) } });
    const fits = ev({ properties: { s: '中'.repeat(10_000) } });
    const res = await postBatch(c.url, [wide, fits]);
    expect(res.json.rejected).toEqual([{ messageId: wide.messageId, index: 0, reason: expect.stringMatching(/larger than 32768 bytes/) }]);
    expect(c.events().map((e) => e.messageId)).toEqual([fits.messageId]);
  });

  it('accepts an anonymous handoff alias (previousId, no userId)', async () => {
    const res = await postBatch(c.url, [ev({ type: 'alias', event: undefined, anonymousId: 'new', previousId: 'old' })]);
    expect(res.json.rejected).toBeUndefined();
    expect((await postBatch(c.url, [ev({ type: 'alias', event: undefined })])).json.rejected[0].reason).toBe('alias requires previousId');
  });

  it('dedups on messageId: a retried event counts as accepted, is stored once, and is counted', async () => {
    const a = ev();
    const b = ev();
    expect((await postBatch(c.url, [a, b])).json).toMatchObject({ accepted: 2, duplicates: 0 });
    // A retry of the same batch (new sentAt), plus a duplicate inside one batch.
    const retry = await postBatch(c.url, [{ ...a, sentAt: new Date().toISOString() }, b, ev({ messageId: 'same' }), ev({ messageId: 'same' })]);
    expect(retry.status).toBe(200);
    expect(retry.json).toMatchObject({ accepted: 4, duplicates: 3 });
    expect(c.events().map((e) => e.messageId)).toEqual([a.messageId, b.messageId, 'same']);
    expect(c.stats()).toMatchObject({ events: 3, duplicates: 3 });
  });
});

describe('CORS', () => {
  it('answers the preflight for gzip/JSON requests with a 2-hour max-age', async () => {
    const res = await send(c.url, '/v1/batch', undefined, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://shop.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, content-encoding',
      },
    });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers['access-control-allow-origin']).toBe('http://shop.example');
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    const allowed = res.headers['access-control-allow-headers']!.toLowerCase();
    expect(allowed).toContain('content-type');
    expect(allowed).toContain('content-encoding');
    expect(res.headers['access-control-max-age']).toBe('7200');
    // Custom headers a contract adds are allowed too.
    const custom = await send(c.url, '/v1/batch', undefined, {
      method: 'OPTIONS',
      headers: { Origin: 'http://shop.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-tutti-tenant' },
    });
    expect(custom.headers['access-control-allow-headers']).toBe('Content-Type, Content-Encoding, Authorization, x-tutti-tenant');
    // Preflights are not batches.
    expect(c.stats().batchRequests).toBe(0);
  });

  it('lets browsers read the answer of a simple request (credentials included, as sendBeacon sends)', async () => {
    const res = await postBatch(c.url, [ev()], { headers: { Origin: 'http://shop.example' } });
    expect(res.headers['access-control-allow-origin']).toBe('http://shop.example');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-expose-headers']).toContain('Retry-After');
    expect(res.headers.vary).toContain('Origin');
  });

  it('allows Private Network Access preflights', async () => {
    const res = await send(c.url, '/v1/decide', undefined, {
      method: 'OPTIONS',
      headers: { Origin: 'https://public.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Private-Network': 'true' },
    });
    expect(res.headers['access-control-allow-private-network']).toBe('true');
  });

  it('gives the read API no CORS headers, so other sites cannot read collected data', async () => {
    const res = await send(c.url, '/v1/events', undefined, { headers: { Origin: 'http://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('request log', () => {
  it('records every request with method, path, status, bytes, encoding, time and events', async () => {
    const before = Date.now();
    await postBatch(c.url, [ev(), ev()]);
    await send(c.url, '/v1/stats');
    await send(c.url, '/v1/batch', 'nope');
    expect(c.requests).toHaveLength(3);
    const [batch, stats, bad] = c.requests;
    expect(batch).toMatchObject({ method: 'POST', path: '/v1/batch', status: 200, encoding: null, events: 2 });
    expect(batch.bytes).toBeGreaterThan(200);
    expect(batch.at).toBeGreaterThanOrEqual(before);
    expect(stats).toMatchObject({ method: 'GET', path: '/v1/stats', status: 200, bytes: 0, events: 0 });
    expect(bad).toMatchObject({ status: 400, bytes: 4 });
    expect(c.stats().requests).toBe(3);
  });
});
