// @vitest-environment jsdom
// A page's monitoring tool may wrap fetch and drop its promise: every send path must still end.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { webTransport } from '../../adapters/web/lib/transport';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('a wrapped fetch that never settles', () => {
  it('regular send: fails at the timeout and releases the keepalive budget', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('fetch', () => new Promise(() => undefined));
    const t = webTransport();
    const p = t.send('https://c.example/v1/batch', 'x'.repeat(100), { beacon: false, headers: {}, timeout: 30000 });
    expect(t.inflight()).toBe(100);
    await vi.advanceTimersByTimeAsync(30001);
    expect(await p).toEqual({ status: 0 });
    expect(t.inflight()).toBe(0);
  });
  it('hidden-page send (sendBeacon refuses, or the contract has headers): fails at the timeout too and releases the budget', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('fetch', () => new Promise(() => undefined));
    Object.defineProperty(navigator, 'sendBeacon', { value: () => false, configurable: true });
    const t = webTransport();
    let done = false;
    t.send('https://c.example/v1/batch', 'x'.repeat(100), { beacon: true, headers: {}, timeout: 30000 }).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(600000);
    expect({ done, inflight: t.inflight() }).toEqual({ done: true, inflight: 0 });
  });
});
