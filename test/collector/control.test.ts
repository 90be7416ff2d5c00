// The test controls of the handle (fail, delay, down/up, reset) that other suites use to
// simulate a collector outage, throttling or a slow network.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCollector } from '../../examples/collector/index';
import type { CollectorHandle } from '../../examples/collector/index';
import { KEY, ev, postBatch, send } from './helpers';

let c: CollectorHandle;

beforeAll(async () => {
  c = await startCollector({ port: 0, dbPath: ':memory:', writeKeys: [KEY], quiet: true });
});
afterAll(() => c.close());
beforeEach(() => c.reset());

describe('fail()', () => {
  it('answers the next `times` batches with the status and Retry-After, storing nothing', async () => {
    c.fail({ status: 503, retryAfter: '7', times: 2 });
    const first = await postBatch(c.url, [ev(), ev()], { headers: { Origin: 'http://a.example' } });
    expect(first.status).toBe(503);
    expect(first.headers['retry-after']).toBe('7');
    // CORS still applies, so a browser SDK can read the status and Retry-After.
    expect(first.headers['access-control-allow-origin']).toBe('http://a.example');
    expect((await postBatch(c.url, [ev()])).status).toBe(503);
    expect(c.stats().events).toBe(0);
    const third = await postBatch(c.url, [ev()]);
    expect(third.status).toBe(200);
    expect(c.stats().events).toBe(1);
    expect(c.requests.filter((r) => r.path === '/v1/batch').map((r) => [r.status, r.events])).toEqual([
      [503, 2],
      [503, 1],
      [200, 1],
    ]);
  });

  it('counts concurrent requests exactly', async () => {
    c.fail({ status: 500, times: 3 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => postBatch(c.url, [ev()])));
    expect(answers.filter((a) => a.status === 500)).toHaveLength(3);
    expect(c.stats().events).toBe(5);
  });

  it('fails until cleared when no count is given; only batches fail', async () => {
    c.fail({ status: 429 });
    for (let i = 0; i < 5; i++) expect((await postBatch(c.url, [ev()])).status).toBe(429);
    expect((await send(c.url, '/v1/decide', { writeKey: KEY, anonymousId: 'a', slots: [] })).status).toBe(200);
    expect((await send(c.url, '/v1/batch', undefined, { method: 'OPTIONS' })).status).toBe(204);
    c.fail(null);
    expect((await postBatch(c.url, [ev()])).status).toBe(200);
  });
});

describe('delay()', () => {
  it('delays batch and decide answers, not preflights', async () => {
    c.delay(400);
    let t = Date.now();
    expect((await postBatch(c.url, [ev()])).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(390);
    t = Date.now();
    await send(c.url, '/v1/decide', { writeKey: KEY, anonymousId: 'a', slots: ['hero'] });
    expect(Date.now() - t).toBeGreaterThanOrEqual(390);
    t = Date.now();
    await send(c.url, '/v1/batch', undefined, { method: 'OPTIONS' });
    expect(Date.now() - t).toBeLessThan(350);
    c.delay(0);
    t = Date.now();
    await postBatch(c.url, [ev()]);
    expect(Date.now() - t).toBeLessThan(350);
  });
});

describe('down() / up()', () => {
  it('refuses connections while down and comes back on the same port', async () => {
    await postBatch(c.url, [ev()]);
    await c.down();
    await expect(postBatch(c.url, [ev()])).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await c.down(); // idempotent
    await c.up();
    const res = await postBatch(c.url, [ev()]);
    expect(res.status).toBe(200);
    expect(c.stats().events).toBe(2);
    expect(new URL(c.url).port).toBe(String(c.port));
  });

  it('drops idle keep-alive connections too, so an outage is total', async () => {
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await postBatch(c.url, [ev()], { agent })).status).toBe(200);
      await c.down();
      await expect(postBatch(c.url, [ev()], { agent })).rejects.toBeTruthy();
      await c.up();
      expect((await postBatch(c.url, [ev()], { agent })).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});

describe('reset()', () => {
  it('wipes events, profiles, counters, the request log and test controls', async () => {
    const e = ev({ type: 'identify', event: undefined, userId: 'u-9', traits: { a: 1 } });
    await postBatch(c.url, [e, e]);
    c.fail({ status: 500 });
    c.delay(50);
    const log = c.requests;
    c.reset();
    expect(c.events()).toEqual([]);
    expect(c.profile('u-9')).toBeNull();
    expect(c.stats()).toMatchObject({ events: 0, duplicates: 0, rejected: 0, batchRequests: 0, requests: 0 });
    expect(c.requests).toBe(log); // the same array, emptied in place
    expect(c.requests).toHaveLength(0);
    // The same messageId is new again after a reset.
    expect((await postBatch(c.url, [e])).json).toMatchObject({ accepted: 1, duplicates: 0 });
  });
});

describe('close()', () => {
  it('stops the server and can be called twice', async () => {
    const other = await startCollector({ port: 0, dbPath: ':memory:', quiet: true });
    await postBatch(other.url, [ev()], { writeKey: 'demo-key' });
    await other.close();
    await other.close();
    await expect(send(other.url, '/v1/stats')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('fails to start on a taken port without leaking the database', async () => {
    await expect(startCollector({ port: c.port, dbPath: ':memory:', quiet: true })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
