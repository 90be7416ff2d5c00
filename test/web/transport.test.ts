// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { byteLength, webTransport } from '../../adapters/web/lib/transport';

interface Call {
  url: string;
  init: RequestInit;
  read: boolean;
  answer(status?: number, body?: string, headers?: Record<string, string>): void;
  fail(): void;
}

/** A fetch whose responses the test releases one by one; records whether bodies were read. */
function controllableFetch() {
  const calls: Call[] = [];
  const fetch = vi.fn((url: string, init: RequestInit) => {
    return new Promise<Response>((resolve, reject) => {
      const call: Call = {
        url,
        init,
        read: false,
        answer(status = 200, body = '', headers = {}) {
          resolve({
            status,
            headers: new Headers(headers),
            text: async () => ((call.read = true), body),
          } as unknown as Response);
        },
        fail: () => reject(new TypeError('network')),
      };
      init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      calls.push(call);
    });
  });
  vi.stubGlobal('fetch', fetch);
  return calls;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('byteLength', () => {
  it('counts UTF-8 bytes of strings and raw bytes', () => {
    expect(byteLength('abc')).toBe(3);
    expect(byteLength('é')).toBe(2);
    expect(byteLength('中文')).toBe(6);
    expect(byteLength('😀')).toBe(4);
    expect(byteLength(new Uint8Array(7))).toBe(7);
  });
});

describe('web transport: fetch', () => {
  it('posts text/plain (no CORS preflight), returns status, Retry-After and body, and reads the body', async () => {
    const calls = controllableFetch();
    const t = webTransport();
    const p = t.send('https://c.example/v1/batch', '{"a":1}', { headers: {} });
    await tick();
    expect(calls[0].init.method).toBe('POST');
    expect((calls[0].init.headers as Record<string, string>)['Content-Type']).toBe('text/plain;charset=UTF-8');
    expect(calls[0].init.credentials).toBe('omit');
    calls[0].answer(429, '{"x":1}', { 'Retry-After': '7' });
    expect(await p).toEqual({ status: 429, retryAfter: '7', body: '{"x":1}' });
    expect(calls[0].read).toBe(true);
  });

  it('uses keepalive while the body fits the page budget, counting in-flight bytes until the body is read', async () => {
    const calls = controllableFetch();
    const t = webTransport(1000);
    const a = t.send('u', 'x'.repeat(600), {});
    const b = t.send('u', 'y'.repeat(600), {});
    await tick();
    expect(calls[0].init.keepalive).toBe(true);
    expect(calls[1].init.keepalive).toBe(false); // 600 + 600 > 1000
    expect(t.inflight()).toBe(600);
    calls[0].answer(200);
    await a;
    expect(t.inflight()).toBe(0);
    const c = t.send('u', 'z'.repeat(600), {});
    await tick();
    expect(calls[2].init.keepalive).toBe(true);
    calls[1].answer(200);
    calls[2].answer(200);
    await Promise.all([b, c]);
    expect(t.inflight()).toBe(0);
  });

  it('releases the budget on network errors too, and reports status 0', async () => {
    const calls = controllableFetch();
    const t = webTransport(1000);
    const p = t.send('u', 'x'.repeat(500), {});
    await tick();
    calls[0].fail();
    expect(await p).toEqual({ status: 0 });
    expect(t.inflight()).toBe(0);
  });

  it('gives up after the timeout with status 0', async () => {
    controllableFetch();
    const t = webTransport();
    const started = Date.now();
    expect(await t.send('u', 'x', { timeout: 30 })).toEqual({ status: 0 });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('passes extra headers (e.g. Content-Encoding) and byte bodies through', async () => {
    const calls = controllableFetch();
    const t = webTransport();
    const body = new Uint8Array([1, 2, 3]);
    const p = t.send('u', body, { headers: { 'Content-Encoding': 'gzip' } });
    await tick();
    expect(calls[0].init.body).toBe(body);
    expect((calls[0].init.headers as Record<string, string>)['Content-Encoding']).toBe('gzip');
    calls[0].answer(200);
    await p;
  });

  it('a fetch cut off by the page unloading is not reported as a network error (no backoff before the unload flush)', async () => {
    const calls = controllableFetch();
    const t = webTransport();
    let settled: unknown;
    const p = t.send('u', 'x', {}).then((r) => (settled = r));
    await tick();
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    calls[0].fail(); // Chromium rejects open fetches as the page goes
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBeUndefined();
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })); // back from the bfcache
    expect(await p).toEqual({ status: 0 });
  });

  it('never throws when fetch itself is missing or throws synchronously', async () => {
    vi.stubGlobal('fetch', () => {
      throw new Error('boom');
    });
    expect(await webTransport().send('u', 'x', {})).toEqual({ status: 0 });
  });
});

describe('web transport: beacon (page going away)', () => {
  it('hands the body to sendBeacon synchronously as a text/plain Blob and reports 202', async () => {
    const calls = controllableFetch();
    const beacon = vi.fn(() => true);
    vi.stubGlobal('navigator', { ...navigator, sendBeacon: beacon });
    const res = webTransport().send('https://c.example/v1/batch', '{"b":2}', { beacon: true, headers: {} });
    expect(beacon).toHaveBeenCalledTimes(1); // before any await
    const [url, blob] = beacon.mock.calls[0] as unknown as [string, Blob];
    expect(url).toBe('https://c.example/v1/batch');
    expect(blob.type).toBe('text/plain;charset=utf-8');
    expect(await blob.text()).toBe('{"b":2}');
    expect(await res).toEqual({ status: 202 });
    expect(calls.length).toBe(0);
  });

  it('falls back to keepalive fetch when sendBeacon refuses', async () => {
    const calls = controllableFetch();
    vi.stubGlobal('navigator', { ...navigator, sendBeacon: () => false });
    const res = webTransport().send('u', 'x', { beacon: true });
    expect(calls.length).toBe(1); // started synchronously
    expect(calls[0].init.keepalive).toBe(true);
    calls[0].answer(200);
    expect((await res).status).toBe(200);
  });

  it('skips sendBeacon for bodies that need headers (it cannot send them)', async () => {
    const calls = controllableFetch();
    const beacon = vi.fn(() => true);
    vi.stubGlobal('navigator', { ...navigator, sendBeacon: beacon });
    webTransport().send('u', 'x', { beacon: true, headers: { Authorization: 'k' } });
    expect(beacon).not.toHaveBeenCalled();
    expect(calls[0].init.keepalive).toBe(true);
    calls[0].answer(200);
  });

  it('counts accepted beacons against the keepalive budget', async () => {
    const calls = controllableFetch();
    vi.stubGlobal('navigator', { ...navigator, sendBeacon: () => true });
    const t = webTransport(100);
    const before = t.inflight(); // the page-wide count: earlier beacons may still be held
    expect(await t.send('u', 'x'.repeat(80), { beacon: true })).toEqual({ status: 202 });
    expect(t.inflight()).toBe(before + 80);
    // a fetch that would not fit next to the beacon goes without keepalive
    t.send('u', 'y'.repeat(50), {});
    await tick();
    expect(calls[0].init.keepalive).toBe(false);
    calls[0].answer(200);
  });

  it('reports status 0 (keep the events for the next load) when neither beacon nor keepalive can take it', async () => {
    const calls = controllableFetch();
    vi.stubGlobal('navigator', { ...navigator, sendBeacon: () => false });
    const t = webTransport(100);
    const first = t.send('u', 'x'.repeat(80), {});
    expect(await t.send('u', 'y'.repeat(50), { beacon: true })).toEqual({ status: 0 });
    expect(calls.length).toBe(1);
    calls[0].answer(200);
    await first;
  });
});
