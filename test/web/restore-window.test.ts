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
    // Larger batches go gzipped.
    const body = init.body instanceof Uint8Array ? (await import('node:zlib')).gunzipSync(init.body).toString('utf8') : String(init.body);
    posted.push({ url, body: JSON.parse(body) });
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

describe('first visit: the automatic page view of the landing page', () => {
  it('takes its place at the init() call: before the calls made right after init, with the init time', async () => {
    // A first visit: no cookie (set on the registrable domain by the instances above), no localStorage copy.
    document.cookie = 'tutti_aid=; Max-Age=0; Path=/; Domain=example.com';
    document.cookie = 'tutti_aid=; Max-Age=0; Path=/';
    localStorage.clear();
    expect(document.cookie).not.toContain('tutti_aid');
    history.replaceState(null, '', '/pricing?utm_source=news&utm_medium=email');
    posted.length = 0;
    const { createTutti } = await import('../../adapters/web/index');
    const before = Date.now();
    const t = createTutti({ ...options, writeKey: 'wk3', autoPageview: true });
    const after = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    t.track('CTA Clicked');
    await t.flush();
    await new Promise((r) => setTimeout(r, 20));
    await t.flush();
    const sent = posted.filter((p) => p.url.endsWith('/v1/batch') && p.body.writeKey === 'wk3').flatMap((p) => p.body.batch);
    expect(sent.map((e: any) => e.type + ':' + (e.event || e.properties.path))).toEqual(['page:/pricing', 'track:CTA Clicked']);
    const [page, click] = sent;
    expect(page.context.sequence).toBeLessThan(click.context.sequence);
    const at = Date.parse(page.timestamp);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);
    expect(at).toBeLessThan(Date.parse(click.timestamp));
    // Everything else as before: the session starts with the page view, the campaign is on both.
    expect(page.context.session.start).toBe(true);
    expect(click.context.session.start).toBeUndefined();
    expect(page.context.campaign).toMatchObject({ source: 'news', medium: 'email' });
    expect(click.context.campaign).toMatchObject({ source: 'news', medium: 'email' });
    // A router replacing the same page again is no second page view.
    history.replaceState(null, '', '/pricing?utm_source=news');
    await new Promise((r) => setTimeout(r, 10));
    await t.flush();
    expect(posted.filter((p) => p.body.writeKey === 'wk3').flatMap((p) => p.body.batch)).toHaveLength(2);
  });
});

describe('a placeholder in the localStorage mirror', () => {
  it("('undefined', written by page code, with the cookie gone) does not stop IndexedDB from restoring the ID", async () => {
    const { createTutti } = await import('../../adapters/web/index');
    const first = createTutti({ ...options, writeKey: 'wk4' });
    await first.flush();
    const id = first.getAnonymousId();
    expect(id).toBeTruthy();
    document.cookie = 'tutti_aid=; Max-Age=0; Path=/; Domain=example.com';
    document.cookie = 'tutti_aid=; Max-Age=0; Path=/';
    localStorage.setItem('tutti_aid', 'undefined');
    const next = createTutti({ ...options, writeKey: 'wk5' });
    await next.flush();
    expect(next.getAnonymousId()).toBe(id);
    expect(localStorage.getItem('tutti_aid')).toBe(id);
  });
});

describe('an init() without writeKey or endpoint on a first visit', () => {
  it('does not make a valid init() right after it count as a second one', async () => {
    // A tag or a wrapper calling init() before its options are ready, then with them.
    document.cookie = 'tutti_aid=; Max-Age=0; Path=/; Domain=example.com';
    document.cookie = 'tutti_aid=; Max-Age=0; Path=/';
    localStorage.clear();
    const { createTutti } = await import('../../adapters/web/index');
    const t = createTutti();
    t.init({} as never);
    t.init({ ...options, writeKey: 'wk6' });
    t.track('After Init');
    await t.flush();
    const sent = posted.filter((p) => p.body.writeKey === 'wk6').flatMap((p) => p.body.batch);
    expect(sent.map((e: any) => e.event)).toEqual(['After Init']);
  });
});
