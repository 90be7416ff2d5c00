// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://www.example.com/"}
// No IndexedDB: the outbox persists in localStorage, bounded (1,000 records, 1M chars) so
// it never fills the host's quota. Events left out by the bound lose their persistence
// only: the queue holds them in memory and still delivers them during the page, so none
// is lost, and none is reported via `dropped`.
import { afterAll, describe, expect, it, vi } from 'vitest';

let down = true;
const delivered = new Set<string>();
vi.stubGlobal(
  'fetch',
  vi.fn(async (_url: string, init: RequestInit) => {
    if (down) throw new TypeError('collector unreachable');
    const body = init.body instanceof Uint8Array ? (await import('node:zlib')).gunzipSync(init.body).toString('utf8') : String(init.body);
    for (const e of JSON.parse(body).batch) delivered.add(e.event);
    return { status: 200, headers: new Headers(), text: async () => '{}' } as unknown as Response;
  }),
);
afterAll(() => vi.unstubAllGlobals());

describe('localStorage outbox over its bound', () => {
  it('events beyond what localStorage keeps are still delivered during the page, and none is reported dropped', async () => {
    expect(typeof indexedDB).toBe('undefined');
    const { createTutti } = await import('../../adapters/web/index');
    const t = createTutti({ writeKey: 'wk', endpoint: 'https://c.example.com', webVitals: false, autoPageview: false, batchSize: 100, flushInterval: 60000 });
    const dropped = vi.fn();
    t.on('dropped', dropped);
    const pad = 'x'.repeat(900); // about 1.5 KB per record: 1,100 of them pass 1M chars
    for (let i = 0; i < 1100; i++) t.track('E' + i, { pad });
    await new Promise((r) => setTimeout(r, 50));
    const key = Object.keys(localStorage).find((k) => k.indexOf('tutti_outbox_') === 0)!;
    const kept = JSON.parse(localStorage.getItem(key)!);
    expect(localStorage.getItem(key)!.length).toBeLessThanOrEqual(1e6);
    expect(kept.length).toBeLessThan(1100); // the bound cut the oldest
    expect(kept[kept.length - 1].event.event).toBe('E1099');
    down = false; // the collector is back
    await t.flush();
    expect(delivered.size).toBe(1100);
    expect(dropped).not.toHaveBeenCalled();
    expect(localStorage.getItem(key)).toBeNull();
  });
});
