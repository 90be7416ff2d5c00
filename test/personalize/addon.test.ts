// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://shop.example.com/"}
// Personalization as an add-on: the SDK alone never touches slots; enableSlots (npm) and
// dist/tutti.personalize.min.js (script tag) work whichever loads first, hold marked
// slots hidden from the moment they run, and never leave a slot hidden past the timeout.
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWebTutti } from '../../adapters/web/lib/create';
import { pageSingleton } from '../../adapters/web/lib/registry';
import { enableSlots } from '../../adapters/web/personalize/index';
import type { SlotsRegistry } from '../../adapters/web/personalize/shared';
import type { Tutti } from '../../src/types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const decideBodies: Array<{ slots: string[] }> = [];
let decide: () => Promise<Response>;
type Win = Window & { tutti?: Tutti & { _q?: unknown[] }; __tutti__?: SlotsRegistry };
const w = window as unknown as Win;

beforeEach(() => {
  // Controllers of earlier tests would keep watching the document: stop them first.
  (w.__tutti__?.slotControllers || []).slice().forEach(([, c]) => c.stop());
  delete w.__tutti__;
  delete w.tutti;
  document.head.innerHTML = '';
  sessionStorage.clear();
  decideBodies.length = 0;
  decide = async () => new Response(JSON.stringify({ decisions: { hero: { variantId: 'A', content: { type: 'text', text: 'Personal hero' } } } }), { status: 200 });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      if (!String(url).endsWith('/v1/decide')) return new Response('{}', { status: 200 });
      decideBodies.push(JSON.parse(String(init.body)));
      return decide();
    }),
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});
// The last test's controllers would keep a measuring timer that fires after jsdom is torn
// down ("innerWidth is not defined", an unhandled error that fails the run).
afterAll(() => (w.__tutti__?.slotControllers || []).slice().forEach(([, c]) => c.stop()));

const OPTIONS = { writeKey: 'wk', endpoint: 'https://c.example.com', webVitals: false, autoPageview: false };
const options = (personalization: Record<string, unknown> = {}) => ({ ...OPTIONS, personalization });
const hero = () => document.querySelector('[data-tutti-slot="hero"]') as HTMLElement;
const pending = () => hero().hasAttribute('data-tutti-pending');
const styleRule = () => document.querySelector('style[data-tutti-slots]')?.textContent;
const RULE = '[data-tutti-slot][data-tutti-pending]{visibility:hidden}';
/** What dist/tutti.personalize.min.js does when it runs. */
async function runAddon(): Promise<void> {
  vi.resetModules();
  await import('../../adapters/web/personalize-script');
}

describe('the SDK without the add-on', () => {
  it('never hides, asks for or renders slots', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero" data-tutti-pending>Default</div>';
    createWebTutti().init(options());
    await sleep(30);
    expect(styleRule()).toBeUndefined();
    expect(decideBodies).toEqual([]);
    expect(hero().textContent).toBe('Default');
  });
});

describe('enableSlots (npm)', () => {
  // Tests whose timers matter come first: timers of later tests cannot reach them.
  it('before init: marked slots are held at once; the wait counts from there, not from init', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero" data-tutti-pending>Default</div>';
    decide = () => new Promise(() => undefined); // the collector never answers
    const t = createWebTutti();
    const t0 = Date.now();
    enableSlots(t);
    expect(styleRule()).toBe(RULE);
    await sleep(500); // init comes while the first hold (the default 800 ms) is still on
    t.init(options({ timeout: 600 }));
    await vi.waitFor(() => expect(pending()).toBe(false), { timeout: 3000, interval: 5 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(590);
    // Counted from init it would be 1,100 ms; 400 ms of margin for a busy machine's timers.
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(hero().textContent).toBe('Default');
    expect(hero().getAttribute('data-tutti-variant')).toBe('default');
  });

  it('before an init that never comes: nothing stays hidden past the default timeout', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero" data-tutti-pending>Default</div>';
    const t0 = Date.now();
    enableSlots(createWebTutti());
    expect(pending()).toBe(true);
    await vi.waitFor(() => expect(pending()).toBe(false), { timeout: 2000, interval: 10 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(790);
    expect(hero().textContent).toBe('Default');
  });

  it('an init that fails: once the hold ends, a slot rendered later with data-tutti-pending in its markup is not hidden', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero" data-tutti-pending>Default</div>';
    const t = createWebTutti();
    enableSlots(t);
    t.init({ endpoint: 'https://c.example.com' } as never); // no writeKey: init refuses, no controller ever starts
    await vi.waitFor(() => expect(pending()).toBe(false), { timeout: 2000, interval: 10 });
    // The SPA renders its next route's slot, marked as the README suggests.
    document.body.innerHTML = '<div data-tutti-slot="hero" data-tutti-pending>Route default</div>';
    await sleep(50);
    expect(getComputedStyle(hero()).visibility).not.toBe('hidden');
  });

  it('a page still parsing when the timeout ends: the default shown then stays, never hidden again nor swapped', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero" data-tutti-pending>Default</div>';
    const parsing = vi.spyOn(document, 'readyState', 'get').mockReturnValue('loading');
    const t = createWebTutti();
    enableSlots(t);
    t.init(options({ timeout: 300 })); // in time; only DOMContentLoaded is late (a slow script below)
    await vi.waitFor(() => expect(pending()).toBe(false), { timeout: 2000, interval: 5 });
    await sleep(100);
    const seen: string[] = [];
    const mo = new MutationObserver(() => seen.push((pending() ? 'hidden:' : '') + hero().textContent));
    mo.observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true });
    parsing.mockReturnValue('interactive');
    document.dispatchEvent(new Event('DOMContentLoaded'));
    await vi.waitFor(() => expect(hero().getAttribute('data-tutti-variant')).toBeTruthy(), { timeout: 2000, interval: 5 });
    await sleep(50);
    mo.disconnect();
    expect(hero().textContent).toBe('Default');
    expect(hero().getAttribute('data-tutti-variant')).toBe('default');
    expect(seen.filter((x) => x !== 'Default')).toEqual([]);
    expect(decideBodies.length).toBe(1); // still asked: the answer is cached for the next page
  });

  it('a page still parsing when the timeout ends: a decision cached by an earlier page does not swap in either', async () => {
    decide = async () => new Response(JSON.stringify({ decisions: { hero: { variantId: 'A', ttl: 60, content: { type: 'text', text: 'Personal hero' } } } }), { status: 200 });
    document.body.innerHTML = '<div data-tutti-slot="hero">Default</div>';
    const first = createWebTutti();
    enableSlots(first); // the earlier page view caches the decision
    first.init(options({ timeout: 300 }));
    await vi.waitFor(() => expect(hero().textContent).toBe('Personal hero'), { timeout: 2000, interval: 5 });
    (w.__tutti__?.slotControllers || []).slice().forEach(([, c]) => c.stop());
    delete w.__tutti__;
    // The next page view of the tab (same person), parsing slowly.
    document.body.innerHTML = '<div data-tutti-slot="hero" data-tutti-pending>Default</div>';
    const parsing = vi.spyOn(document, 'readyState', 'get').mockReturnValue('loading');
    const t = createWebTutti();
    enableSlots(t);
    t.init(options({ timeout: 300 }));
    expect(t.getAnonymousId()).toBe(first.getAnonymousId());
    await vi.waitFor(() => expect(pending()).toBe(false), { timeout: 2000, interval: 5 });
    parsing.mockReturnValue('interactive');
    document.dispatchEvent(new Event('DOMContentLoaded'));
    await vi.waitFor(() => expect(hero().getAttribute('data-tutti-variant')).toBeTruthy(), { timeout: 2000, interval: 5 });
    expect(hero().textContent).toBe('Default');
  });

  it('a longer timeout given at init extends the early hold', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero" data-tutti-pending>Default</div>';
    decide = () => new Promise(() => undefined);
    const t = createWebTutti();
    const t0 = Date.now();
    enableSlots(t);
    t.init(options({ timeout: 1000 }));
    await sleep(900);
    expect(pending()).toBe(true);
    await vi.waitFor(() => expect(pending()).toBe(false), { timeout: 1000, interval: 10 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
  });

  it('before init: one decide for every slot on the page, then rendered', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero" data-tutti-pending>Default</div><div data-tutti-slot="side">Side</div>';
    const t = createWebTutti();
    const c = enableSlots(t);
    expect(enableSlots(t)).toBe(c); // idempotent per instance
    t.init(options());
    await vi.waitFor(() => expect(hero().textContent).toBe('Personal hero'), { timeout: 2000, interval: 5 });
    expect(decideBodies.map((b) => b.slots)).toEqual([['hero', 'side']]);
    expect(document.querySelector('[data-tutti-slot="side"]')!.getAttribute('data-tutti-variant')).toBe('default');
  });

  it('after init works the same', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero">Default</div>';
    const t = createWebTutti().init(options());
    await sleep(5);
    enableSlots(t);
    expect(pending()).toBe(true);
    await vi.waitFor(() => expect(hero().textContent).toBe('Personal hero'), { timeout: 2000, interval: 5 });
    expect(decideBodies.length).toBe(1);
  });

  it('declared slot IDs are fetched before the SPA renders any slot', async () => {
    document.body.innerHTML = '<main></main>';
    const t = createWebTutti();
    enableSlots(t);
    t.init(options({ slots: ['hero'] }));
    await vi.waitFor(() => expect(decideBodies.map((b) => b.slots)).toEqual([['hero']]), { timeout: 2000, interval: 5 });
    document.querySelector('main')!.innerHTML = '<div data-tutti-slot="hero">Default</div>';
    await vi.waitFor(() => expect(hero().textContent).toBe('Personal hero'), { timeout: 2000, interval: 5 });
    expect(decideBodies.length).toBe(1);
  });

  it('antiFlicker: false at init takes the early rule away and hides nothing', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero">Default</div>';
    decide = () => new Promise(() => undefined);
    const t = createWebTutti();
    enableSlots(t);
    t.init(options({ antiFlicker: false }));
    await sleep(10);
    expect(styleRule()).toBeUndefined();
    expect(pending()).toBe(false);
  });
});

describe('dist/tutti.personalize.min.js (script tag)', () => {
  it('before the SDK: holds marked slots at once with its own nonce, and attaches to the page instance the SDK makes', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero" data-tutti-pending>Default</div>';
    vi.spyOn(document, 'currentScript', 'get').mockReturnValue(Object.assign(document.createElement('script'), { nonce: 'n0nce' }));
    await runAddon();
    expect(styleRule()).toBe(RULE);
    expect((document.querySelector('style[data-tutti-slots]') as HTMLStyleElement).nonce).toBe('n0nce');
    const t = pageSingleton(() => createWebTutti());
    expect(w.__tutti__!.plugins).toBeUndefined(); // handed over
    t.init(options());
    await vi.waitFor(() => expect(hero().textContent).toBe('Personal hero'), { timeout: 2000, interval: 5 });
    expect(decideBodies.length).toBe(1);
  });

  it('after the async snippet, before the SDK: the start is queued in the stub and replayed', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero" data-tutti-pending>Default</div>';
    const q: unknown[] = [];
    w.tutti = { _q: q } as unknown as Win['tutti'];
    for (const m of ['init', 'use']) (w.tutti as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => void q.push([m, a, Date.now()]);
    w.tutti!.init(options());
    await runAddon();
    expect(q.map((c) => (c as unknown[])[0])).toEqual(['init', 'use']);
    expect(styleRule()).toBe(RULE);
    await import('../../adapters/web/script'); // the SDK arrives and replays the queue
    await vi.waitFor(() => expect(hero().textContent).toBe('Personal hero'), { timeout: 2000, interval: 5 });
    expect(decideBodies.length).toBe(1);
  });

  it('after the SDK is initialised: attaches to window.tutti; a second copy does nothing', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero">Default</div>';
    w.tutti = createWebTutti().init(options());
    await runAddon();
    await runAddon();
    await vi.waitFor(() => expect(hero().textContent).toBe('Personal hero'), { timeout: 2000, interval: 5 });
    expect(decideBodies.length).toBe(1);
    expect(w.__tutti__!.slotControllers!.length).toBe(1);
  });
});
