// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://www.example.com/"}
// The page's keepalive budget (SPEC §8): Chromium refuses a beacon, or fails a keepalive
// fetch, once the bodies in flight would pass 64 KiB. The hidden-page flush must size its
// beacons to what is left next to keepalive fetches still in flight, so that as many
// events as possible leave with the page instead of waiting for a next visit.
import { afterAll, describe, expect, it, vi } from 'vitest';

const LIMIT = 65536;
/** Keepalive fetch bodies not answered yet, and bodies of beacons accepted (never released here). */
let keepalive = 0;
let beaconed = 0;
const refused: number[] = [];
const beacons: Array<{ batch: Array<{ event: string }> }> = [];
const fetched: Array<{ keepalive: boolean; batch: Array<{ event: string }> }> = [];
const hold: Array<() => void> = [];

vi.stubGlobal('CompressionStream', undefined); // plain bodies: sizes as written
vi.stubGlobal(
  'fetch',
  vi.fn((_url: string, init: RequestInit) => {
    const body = String(init.body);
    const size = new TextEncoder().encode(body).length;
    if (init.keepalive) {
      // The browser fails a keepalive request over the budget outright.
      if (keepalive + beaconed + size > LIMIT) return Promise.reject(new TypeError('keepalive budget'));
      keepalive += size;
    }
    fetched.push({ keepalive: !!init.keepalive, batch: JSON.parse(body).batch });
    // The collector answers only when the test says so.
    return new Promise((resolve) =>
      hold.push(() => {
        if (init.keepalive) keepalive -= size;
        resolve({ status: 200, headers: new Headers(), text: async () => '{}' } as unknown as Response);
      }),
    );
  }),
);
vi.stubGlobal('navigator', {
  ...navigator,
  onLine: true,
  sendBeacon(_url: string, data: Blob) {
    const size = data.size;
    if (keepalive + beaconed + size > LIMIT) return refused.push(size), false;
    beaconed += size;
    data.text().then((t) => beacons.push(JSON.parse(t)));
    return true;
  },
});
afterAll(() => vi.unstubAllGlobals());

const hide = () => {
  vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
  document.dispatchEvent(new Event('visibilitychange'));
  window.dispatchEvent(new Event('visibilitychange'));
};

describe('hidden-page flush next to a keepalive fetch in flight', () => {
  it('beacons fit what is left of the 64 KB budget: none is refused, and the events that fit leave with the page', async () => {
    const { createTutti } = await import('../../adapters/web/index');
    const t = createTutti({ writeKey: 'wk', endpoint: 'https://c.example.com', webVitals: false, autoPageview: false, batchSize: 100, flushInterval: 60000 });
    const pad = 'x'.repeat(900); // about 1 KB per event
    for (let i = 0; i < 20; i++) t.track('First ' + i, { pad });
    t.flush(); // about 31 KB (some 1.5 KB per event): one keepalive fetch, left unanswered
    for (let i = 0; i < 25 && !fetched.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(fetched.length).toBe(1);
    expect(fetched[0].keepalive).toBe(true);
    expect(keepalive).toBeGreaterThan(25000);
    for (let i = 0; i < 60; i++) t.track('Then ' + i, { pad });
    hide();
    await new Promise((r) => setTimeout(r, 20));
    // About 33 KB were left next to the fetch: that much went by beacon, none was refused.
    expect(refused).toEqual([]);
    const sent = beacons.flatMap((b) => b.batch.map((e) => e.event));
    expect(sent.length).toBeGreaterThanOrEqual(15);
    expect(sent[0]).toBe('Then 0');
    expect(keepalive + beaconed).toBeGreaterThan(LIMIT - 6000);
    hold.forEach((answer) => answer());
  });
});
