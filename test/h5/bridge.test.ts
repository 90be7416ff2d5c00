// The native-bridge transport on its own: what goes to the app, what stays on HTTP,
// and that a failing bridge never loses a batch.
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bridgeGzip, bridgeTransport, findBridge } from '../../adapters/h5/bridge';
import type { Transport } from '../../src/types';

const BATCH = 'https://collect.example.com/v1/batch';
const DECIDE = 'https://collect.example.com/v1/decide';
const body = JSON.stringify({ writeKey: 'k', sentAt: '2026-01-01T00:00:00.000Z', batch: [{ type: 'track', event: 'A', messageId: 'm1' }] });

function fakeHttp() {
  const sent: Array<{ url: string; body: string | Uint8Array }> = [];
  const http: Transport = {
    send: vi.fn(async (url, b) => {
      sent.push({ url, body: b });
      return { status: 200, body: '{}' };
    }),
  };
  return { http, sent };
}

afterEach(() => vi.unstubAllGlobals());

describe('native bridge transport', () => {
  it('Android: hands the batch JSON string to window.TuttiBridge.postMessage synchronously, no HTTP', async () => {
    const received: string[] = [];
    vi.stubGlobal('window', { TuttiBridge: { postMessage: (s: string) => received.push(s) } });
    const { http, sent } = fakeHttp();
    const p = bridgeTransport(http, BATCH, () => undefined).send(BATCH, body, { beacon: true });
    expect(received).toEqual([body]); // before the promise settles: unload flushes rely on it
    expect(await p).toMatchObject({ status: 200 });
    expect(sent).toEqual([]);
  });

  it('iOS: uses window.webkit.messageHandlers.tutti when there is no Android bridge', async () => {
    const received: string[] = [];
    vi.stubGlobal('window', { webkit: { messageHandlers: { tutti: { postMessage: (s: string) => received.push(s) } } } });
    const { http, sent } = fakeHttp();
    await bridgeTransport(http, BATCH, () => undefined).send(BATCH, body, {});
    expect(received).toEqual([body]);
    expect(sent).toEqual([]);
  });

  it('no batch is gzipped while there is a bridge, so the app gets the JSON string; without one, gzip as usual', async () => {
    const w: Record<string, unknown> = {};
    vi.stubGlobal('window', w);
    const zip = vi.fn(async (text: string) => new Uint8Array(gzipSync(text)));
    const gzip = bridgeGzip(zip);
    expect(await gzip(body)).toBeInstanceOf(Uint8Array);
    w.TuttiBridge = { postMessage: () => undefined };
    expect(await gzip(body)).toBeNull();
    expect(zip).toHaveBeenCalledTimes(1);
  });

  it('a batch gzipped before the bridge appeared goes over HTTP unchanged (nothing lost)', async () => {
    const received: string[] = [];
    vi.stubGlobal('window', { TuttiBridge: { postMessage: (s: string) => received.push(s) } });
    const { http, sent } = fakeHttp();
    const zipped = new Uint8Array(gzipSync(body));
    const headers = { 'Content-Encoding': 'gzip' };
    await bridgeTransport(http, BATCH, () => undefined).send(BATCH, zipped, { headers });
    expect(received).toEqual([]);
    expect(sent).toEqual([{ url: BATCH, body: zipped }]);
    expect(http.send).toHaveBeenCalledWith(BATCH, zipped, { headers });
  });

  it('decide requests (and any URL but the batch URL) stay on HTTP', async () => {
    const received: string[] = [];
    vi.stubGlobal('window', { TuttiBridge: { postMessage: (s: string) => received.push(s) } });
    const { http, sent } = fakeHttp();
    const res = await bridgeTransport(http, BATCH, () => undefined).send(DECIDE, '{"slots":["hero"]}', { timeout: 800 });
    expect(res.body).toBe('{}');
    expect(sent.map((s) => s.url)).toEqual([DECIDE]);
    expect(received).toEqual([]);
  });

  it('a throwing bridge sends the batch over HTTP instead (nothing lost), and warns', async () => {
    vi.stubGlobal('window', {
      TuttiBridge: {
        postMessage() {
          throw new Error('Java exception');
        },
      },
    });
    const { http, sent } = fakeHttp();
    const warn = vi.fn();
    await bridgeTransport(http, BATCH, warn).send(BATCH, body, { beacon: true });
    expect(sent.map((s) => s.body)).toEqual([body]);
    expect(http.send).toHaveBeenCalledWith(BATCH, body, { beacon: true }); // options unchanged
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('looks the bridge up per batch: injected late, removed later', async () => {
    const w: Record<string, unknown> = {};
    vi.stubGlobal('window', w);
    const { http, sent } = fakeHttp();
    const t = bridgeTransport(http, BATCH, () => undefined);
    await t.send(BATCH, body, {});
    const received: string[] = [];
    w.TuttiBridge = { postMessage: (s: string) => received.push(s) };
    await t.send(BATCH, body, {});
    delete w.TuttiBridge;
    await t.send(BATCH, body, {});
    expect(sent.length).toBe(2);
    expect(received.length).toBe(1);
  });

  it('ignores look-alikes without a postMessage function, and getters that throw', () => {
    vi.stubGlobal('window', { TuttiBridge: { postMessage: 'nope' }, webkit: { messageHandlers: {} } });
    expect(findBridge()).toBeUndefined();
    vi.stubGlobal('window', {
      get TuttiBridge() {
        throw new Error('denied');
      },
    });
    expect(findBridge()).toBeUndefined();
  });
});
