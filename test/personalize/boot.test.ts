// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://shop.example.com/"}
// The hook in the core bundle: createWebTutti({ loadSlots }) hides slots at init, loads
// the chunk only when the page has slots, never leaves a slot hidden when the chunk
// fails or hangs; and the script-tag loader that fetches dist/tutti.personalize.min.js.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWebTutti } from '../../adapters/web/lib/create';
import { scriptSlotsLoader, slotsUrl } from '../../adapters/web/personalize/script-loader';
import type { SlotsLoader } from '../../adapters/web/personalize/boot';
import type { SlotsModule, SlotsRegistry } from '../../adapters/web/personalize/shared';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const decideBodies: Array<{ slots: string[] }> = [];

beforeEach(() => {
  // Controllers of earlier tests would keep watching the document: stop them first.
  const reg = (window as { __tutti__?: SlotsRegistry }).__tutti__;
  (reg?.slotControllers || []).slice().forEach(([, c]) => c.stop());
  delete (window as { __tutti__?: unknown }).__tutti__;
  document.head.innerHTML = '';
  sessionStorage.clear();
  decideBodies.length = 0;
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const decide = String(url).endsWith('/v1/decide');
      if (decide) decideBodies.push(JSON.parse(String(init.body)));
      const body = decide ? JSON.stringify({ decisions: { hero: { variantId: 'A', content: { type: 'text', text: 'Personal hero' } } } }) : '{}';
      return new Response(body, { status: 200 });
    }),
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** The npm loader (a dynamic import, as adapters/web/index.ts would pass), counted. */
function countingLoader(impl?: () => Promise<SlotsModule>) {
  const calls = { n: 0 };
  const load = (() => {
    calls.n++;
    return impl ? impl() : import('../../adapters/web/personalize/index');
  }) as SlotsLoader;
  return { load, calls };
}

const init = (load: SlotsLoader, personalization: Record<string, unknown> = {}) =>
  createWebTutti({ loadSlots: load }).init({ writeKey: 'wk', endpoint: 'https://c.example.com', webVitals: false, autoPageview: false, personalization });
const hero = () => document.querySelector('[data-tutti-slot="hero"]') as HTMLElement;
const styleRule = () => document.querySelector('style[data-tutti-slots]')?.textContent;

describe('personalization hook in createWebTutti', () => {
  // Tests whose timers matter come first: timers of later tests cannot reach them.
  it('a chunk that fails to load releases the slots at once, without throwing', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero" data-tutti-pending>Default</div>';
    const { load } = countingLoader(() => Promise.reject(new Error('blocked by an extension')));
    expect(() => init(load, { timeout: 50 })).not.toThrow();
    await sleep(10);
    expect(hero().hasAttribute('data-tutti-pending')).toBe(false);
    expect(hero().textContent).toBe('Default');
    await sleep(50); // its safety timer is spent before the next test
  });

  it('a chunk that never arrives still never hides a slot longer than the timeout', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero" data-tutti-pending>Default</div>';
    const { load } = countingLoader(() => new Promise(() => undefined));
    const t0 = Date.now();
    init(load, { timeout: 120 });
    expect(hero().hasAttribute('data-tutti-pending')).toBe(true);
    await vi.waitFor(() => expect(hero().hasAttribute('data-tutti-pending')).toBe(false), { timeout: 1000, interval: 5 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
  });

  it('a page with slots: rule at init, slot hidden, chunk loaded once, one decide, rendered', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero" data-tutti-pending>Default</div><div data-tutti-slot="side">Side</div>';
    const { load, calls } = countingLoader();
    init(load);
    expect(styleRule()).toBe('[data-tutti-slot][data-tutti-pending]{visibility:hidden}');
    expect(document.querySelector('[data-tutti-slot="side"]')!.hasAttribute('data-tutti-pending')).toBe(true);
    await vi.waitFor(() => expect(hero().textContent).toBe('Personal hero'), { timeout: 2000, interval: 5 });
    expect(calls.n).toBe(1);
    expect(decideBodies.map((b) => b.slots)).toEqual([['hero', 'side']]);
    expect(document.querySelector('[data-tutti-slot="side"]')!.hasAttribute('data-tutti-pending')).toBe(false);
  });

  it('a page without slots never loads the chunk and removes the rule', async () => {
    document.body.innerHTML = '<p>nothing to personalize</p>';
    const { load, calls } = countingLoader();
    init(load);
    await sleep(50);
    expect(calls.n).toBe(0);
    expect(styleRule()).toBeUndefined();
    expect(decideBodies).toEqual([]);
  });

  it('declared slot IDs load the chunk even before the SPA renders any slot', async () => {
    document.body.innerHTML = '<main></main>';
    const { load, calls } = countingLoader();
    init(load, { slots: ['hero'] });
    await vi.waitFor(() => expect(decideBodies.map((b) => b.slots)).toEqual([['hero']]), { timeout: 2000, interval: 5 });
    expect(calls.n).toBe(1);
    document.querySelector('main')!.innerHTML = '<div data-tutti-slot="hero">Default</div>';
    await vi.waitFor(() => expect(hero().textContent).toBe('Personal hero'), { timeout: 2000, interval: 5 });
    expect(decideBodies.length).toBe(1);
  });

  it('antiFlicker: false adds no rule and hides nothing', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero">Default</div>';
    const { load } = countingLoader(() => new Promise(() => undefined));
    init(load, { antiFlicker: false });
    await sleep(10);
    expect(styleRule()).toBeUndefined();
    expect(hero().hasAttribute('data-tutti-pending')).toBe(false);
  });
});

describe('script-tag loader', () => {
  it('fetches tutti.personalize.min.js next to the SDK, once, with the nonce, and resolves when it registers', async () => {
    expect(slotsUrl('https://cdn.example.com/tutti/1.2/tutti.min.js?v=3#x')).toBe('https://cdn.example.com/tutti/1.2/tutti.personalize.min.js');
    const load = scriptSlotsLoader('https://cdn.example.com/tutti/tutti.personalize.min.js', 'abc');
    const a = load();
    const b = load();
    const scripts = document.querySelectorAll('script[src$="tutti.personalize.min.js"]');
    expect(scripts.length).toBe(1);
    expect((scripts[0] as HTMLScriptElement).nonce).toBe('abc');
    expect(load.nonce).toBe('abc');
    vi.resetModules();
    await import('../../adapters/web/personalize-script'); // what the file does when it runs
    const [ma, mb] = await Promise.all([a, b]);
    expect(typeof ma.enableSlots).toBe('function');
    expect(mb).toBe(ma);
    expect(await load()).toBe(ma); // already there: no new script
    expect(document.querySelectorAll('script[src$="tutti.personalize.min.js"]').length).toBe(1);
  });

  it('rejects every waiter when the script fails to load', async () => {
    const load = scriptSlotsLoader('https://cdn.example.com/missing.js');
    const both = Promise.allSettled([load(), load()]);
    (document.querySelector('script[src$="missing.js"]') as HTMLScriptElement).dispatchEvent(new Event('error'));
    expect((await both).map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('included by hand after the SDK is initialised, the file attaches itself to window.tutti', async () => {
    document.body.innerHTML = '<div data-tutti-slot="hero">Default</div>';
    const t = createWebTutti({}).init({ writeKey: 'wk', endpoint: 'https://c.example.com', webVitals: false, autoPageview: false });
    (window as { tutti?: unknown }).tutti = t;
    vi.resetModules();
    await import('../../adapters/web/personalize-script');
    await vi.waitFor(() => expect(hero().textContent).toBe('Personal hero'), { timeout: 2000, interval: 5 });
    delete (window as { tutti?: unknown }).tutti;
  });
});
