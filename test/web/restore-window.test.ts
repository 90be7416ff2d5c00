// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://www.example.com/"}
// A first visit (no tutti_aid cookie, nothing in localStorage) with IndexedDB present:
// init waits for IndexedDB to say whether it holds a lost anonymous ID (SPEC §6 restore).
// Methods whose answer is a promise must wait for that too, not settle before anything ran.
import { afterAll, describe, expect, it, vi } from 'vitest';

/** A working IndexedDB in memory whose every request answers after `delay` ms. */
function slowIndexedDB(delay: number) {
  const data = new Map<unknown, unknown>();
  const later = <T extends object>(target: T, ...events: string[]): T => {
    setTimeout(() => events.forEach((e) => (target as Record<string, () => void>)[e]?.()), delay);
    return target;
  };
  const request = (result: unknown) => later({ result }, 'onsuccess');
  const db = {
    createObjectStore: () => undefined,
    transaction() {
      const tx = later({}, 'oncomplete');
      const store = {
        transaction: tx,
        get: (k: unknown) => request(data.get(k)),
        put: (v: unknown, k: unknown) => (data.set(k, v), request(k)),
        delete: (k: unknown) => (data.delete(k), request(undefined)),
        getAllKeys: () => request(Array.from(data.keys())),
        getAll: () => request(Array.from(data.values())),
      };
      return { objectStore: () => store };
    },
  };
  return { open: () => later({ result: db }, 'onupgradeneeded', 'onsuccess') };
}

vi.stubGlobal('indexedDB', slowIndexedDB(30));
const posted: Array<{ url: string; body: any }> = [];
vi.stubGlobal(
  'fetch',
  vi.fn(async (url: string, init: RequestInit) => {
    posted.push({ url, body: JSON.parse(String(init.body)) });
    const answer = url.endsWith('/v1/decide') ? { decisions: { hero: { variantId: 'v1', content: { type: 'text', text: 'Hi' } } } } : {};
    return { status: 200, headers: new Headers(), text: async () => JSON.stringify(answer) } as unknown as Response;
  }),
);
afterAll(() => vi.unstubAllGlobals());

const options = { writeKey: 'wk', endpoint: 'https://c.example.com', webVitals: false, autoPageview: false };

describe('first visit: calls made while init reads IndexedDB', () => {
  it('flush() resolves only once the events tracked before it were delivered', async () => {
    const { createTutti } = await import('../../adapters/web/index');
    const t = createTutti(options);
    t.track('Signed Up');
    await t.flush();
    const sent = posted.filter((p) => p.url.endsWith('/v1/batch')).flatMap((p) => p.body.batch);
    expect(sent.map((e: any) => e.event)).toEqual(['Signed Up']);
  });

  it('personalize() asks the collector instead of answering {} at once', async () => {
    document.cookie = 'tutti_aid=; Max-Age=0; Path=/';
    localStorage.clear();
    const { createTutti } = await import('../../adapters/web/index');
    const t = createTutti({ ...options, writeKey: 'wk2' });
    const decisions = await t.personalize(['hero']);
    expect(decisions.hero && decisions.hero.variantId).toBe('v1');
    expect(posted.find((p) => p.url.endsWith('/v1/decide'))!.body.anonymousId).toBe(t.getAnonymousId());
  });
});
