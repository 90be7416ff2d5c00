// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://shop.example.com/home"}
// The slot controller against a scripted instance: batching, deadline, cache, SPA slots,
// declared slots, events. (jsdom has no IntersectionObserver, so views go through the
// getBoundingClientRect fallback here; Chromium covers the observer.)
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { enableSlots, type SlotsController } from '../../adapters/web/personalize/index';
import type { Decision, Tutti } from '../../src/types';

type Answer = Record<string, Decision> | Promise<Record<string, Decision>>;

const text = (variantId: string, t: string, extra: Partial<Decision> = {}): Decision => ({ variantId, content: { type: 'text', text: t }, ...extra });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fakeTutti(answer: (ids: string[]) => Answer, personalization: Record<string, unknown> = {}) {
  const calls: string[][] = [];
  const tracked: Array<[string, Record<string, unknown>]> = [];
  const t = {
    options: { writeKey: 'wk', endpoint: 'https://c.example.com', personalization: { slots: 'auto', timeout: 2000, antiFlicker: true, ...personalization } },
    personalize: vi.fn(async (ids: string[]) => {
      calls.push(ids.slice());
      return answer(ids);
    }),
    track: (event: string, props: Record<string, unknown>) => void tracked.push([event, props]),
    getAnonymousId: () => 'aid-1',
    getUserId: () => null,
  } as unknown as Tutti;
  return { t, calls, tracked, events: (name: string) => tracked.filter(([e]) => e === name).map(([, p]) => p) };
}

let controller: SlotsController | undefined;
const start = (t: Tutti, since?: number) => (controller = enableSlots(t, since ? { since } : {}));
const slot = (id: string) => document.querySelector(`[data-tutti-slot="${id}"]`) as HTMLElement;
const hidden = (id: string) => slot(id).hasAttribute('data-tutti-pending');
/** Every slot fully on screen for the getBoundingClientRect fallback. */
function onScreen() {
  vi.spyOn(Element.prototype, 'getBoundingClientRect').mockReturnValue({ top: 10, left: 10, bottom: 110, right: 210, width: 200, height: 100, x: 10, y: 10, toJSON() {} });
}

beforeEach(() => {
  sessionStorage.clear();
  history.replaceState(null, '', '/home');
  document.body.innerHTML = '<div data-tutti-slot="hero">default hero</div><p>text</p><div data-tutti-slot="promo"><b>default promo</b></div>';
});
afterEach(() => {
  controller?.stop();
  controller = undefined;
  vi.restoreAllMocks();
});

describe('slot controller', () => {
  it('asks once for every slot on the page, hides them meanwhile, renders the answers', async () => {
    let release!: (v: Record<string, Decision>) => void;
    const f = fakeTutti(() => new Promise((r) => (release = r)));
    start(f.t);
    await sleep(5);
    expect(f.calls).toEqual([['hero', 'promo']]);
    expect(hidden('hero') && hidden('promo')).toBe(true);
    expect(document.querySelector('style[data-tutti-slots]')!.textContent).toBe('[data-tutti-slot][data-tutti-pending]{visibility:hidden}');
    release({ hero: text('A', 'Hello A', { experimentId: 'exp1' }) });
    await sleep(0);
    expect(slot('hero').textContent).toBe('Hello A');
    expect(slot('hero').getAttribute('data-tutti-variant')).toBe('A');
    // No decision for promo: the default stays, shown at once.
    expect(slot('promo').innerHTML).toBe('<b>default promo</b>');
    expect(slot('promo').getAttribute('data-tutti-variant')).toBe('default');
    expect(hidden('hero') || hidden('promo')).toBe(false);
  });

  it('never hides longer than the timeout; a late answer is not rendered but cached for the next page view', async () => {
    let release!: (v: Record<string, Decision>) => void;
    const f = fakeTutti(() => new Promise((r) => (release = r)), { timeout: 150 });
    const t0 = Date.now();
    start(f.t);
    await vi.waitFor(() => expect(hidden('hero')).toBe(false), { timeout: 1000, interval: 5 });
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(waited).toBeLessThan(400);
    expect(slot('hero').textContent).toBe('default hero');
    release({ hero: text('A', 'late', { ttl: 60 }) });
    await sleep(0);
    expect(slot('hero').textContent).toBe('default hero');
    // Next page view (same tab): the cached decision renders without a request.
    controller!.stop();
    document.body.innerHTML = '<div data-tutti-slot="hero">default hero</div>';
    const g = fakeTutti(() => ({}));
    start(g.t);
    await sleep(5);
    expect(slot('hero').textContent).toBe('late');
    expect(g.calls).toEqual([]);
  });

  it('the deadline counts from `since` (when the boot hid the slots)', async () => {
    const f = fakeTutti(() => new Promise(() => undefined), { timeout: 150 });
    start(f.t, Date.now() - 140);
    await sleep(40);
    expect(hidden('hero')).toBe(false);
  });

  it('slots an SPA adds later: one more request for all of them; a slot decided in this page view is reused', async () => {
    const f = fakeTutti((ids) => Object.fromEntries(ids.map((id) => [id, text('v-' + id, 'variant ' + id)])));
    start(f.t);
    await sleep(5);
    const box = document.createElement('section');
    box.innerHTML = '<div data-tutti-slot="reco">r</div><div><div data-tutti-slot="footer">f</div></div><div data-tutti-slot="hero">again</div>';
    document.body.appendChild(box);
    await vi.waitFor(() => expect(slot('reco').textContent).toBe('variant reco'), { timeout: 1000, interval: 5 });
    expect(f.calls).toEqual([['hero', 'promo'], ['reco', 'footer']]);
    expect(document.querySelectorAll('[data-tutti-variant="v-hero"]').length).toBe(2);
    // An attribute set later also makes a slot.
    const late = document.createElement('div');
    document.body.appendChild(late);
    await sleep(5);
    late.setAttribute('data-tutti-slot', 'side');
    await vi.waitFor(() => expect(late.textContent).toBe('variant side'), { timeout: 1000, interval: 5 });
    expect(f.calls.length).toBe(3);
  });

  it('a new SPA page view asks again for slots that appear on it', async () => {
    const f = fakeTutti((ids) => Object.fromEntries(ids.map((id) => [id, text('v', 'x')])));
    start(f.t);
    await sleep(5);
    history.pushState(null, '', '/product/1');
    document.body.innerHTML = '<div data-tutti-slot="hero">d</div>';
    await vi.waitFor(() => expect(f.calls.length).toBe(2), { timeout: 1000, interval: 5 });
    expect(f.calls[1]).toEqual(['hero']);
  });

  it('serves cached decisions with a ttl without any request', async () => {
    const f = fakeTutti(() => ({ hero: text('A', 'cached A', { ttl: 120 }), promo: text('P', 'no ttl') }));
    start(f.t);
    await vi.waitFor(() => expect(slot('hero').textContent).toBe('cached A'), { interval: 5 });
    controller!.stop();
    document.body.innerHTML = '<div data-tutti-slot="hero">default hero</div>';
    const g = fakeTutti(() => ({}));
    const heard: string[] = [];
    (g.t as unknown as { decided: (id: string, d: { variantId: string }) => void }).decided = (id, d) => heard.push(id + ':' + d.variantId);
    start(g.t);
    await sleep(5);
    expect(slot('hero').textContent).toBe('cached A');
    expect(g.calls).toEqual([]);
    // on('decision') listeners (json content, custom rendering) hear cached decisions too
    expect(heard).toEqual(['hero:A']);
    // Another person in the same tab gets no cached decision.
    controller!.stop();
    document.body.innerHTML = '<div data-tutti-slot="hero">default hero</div>';
    const h = fakeTutti(() => ({}));
    (h.t as { getUserId: () => string }).getUserId = () => 'u2';
    start(h.t);
    await sleep(5);
    expect(h.calls).toEqual([['hero']]);
  });

  it('an identify() or reset() while the decide is in flight: that answer is neither shown nor cached for the new person', async () => {
    let release!: (v: Record<string, Decision>) => void;
    const f = fakeTutti(() => new Promise((r) => (release = r)));
    const who = { aid: 'aid-1', uid: 'alice' as string | null };
    Object.assign(f.t, { getAnonymousId: () => who.aid, getUserId: () => who.uid });
    start(f.t);
    await sleep(5);
    Object.assign(who, { aid: 'aid-2', uid: null }); // alice logs out
    release({ hero: text('A', 'Hello Alice', { ttl: 120 }) });
    await vi.waitFor(() => expect(hidden('hero')).toBe(false), { interval: 5 });
    expect(slot('hero').textContent).toBe('default hero');
    // The next page view, still logged out: no cached decision of Alice's.
    controller!.stop();
    document.body.innerHTML = '<div data-tutti-slot="hero">default hero</div>';
    const g = fakeTutti(() => ({}));
    Object.assign(g.t, { getAnonymousId: () => 'aid-2', getUserId: () => null });
    start(g.t);
    await sleep(5);
    expect(slot('hero').textContent).toBe('default hero');
    expect(g.calls).toEqual([['hero']]);
  });

  it('an anonymous visitor who signs in while the decide is in flight is the same person: the answer is shown', async () => {
    let release!: (v: Record<string, Decision>) => void;
    const f = fakeTutti(() => new Promise((r) => (release = r)));
    const who = { aid: 'aid-1', uid: null as string | null };
    Object.assign(f.t, { getAnonymousId: () => who.aid, getUserId: () => who.uid });
    start(f.t);
    await sleep(5);
    who.uid = 'bob'; // identify('bob'): same anonymous ID, no reset
    release({ hero: text('A', 'Hello', { ttl: 120 }) });
    await vi.waitFor(() => expect(slot('hero').textContent).toBe('Hello'), { interval: 5 });
  });

  it('after reset() in the same page view, a slot rendered again is decided again, not given the previous person\'s decision', async () => {
    const who = { aid: 'aid-1', uid: 'alice' as string | null };
    const f = fakeTutti((ids) => Object.fromEntries(ids.map((id) => [id, text('v-' + who.uid, 'for ' + who.uid)])));
    Object.assign(f.t, { getAnonymousId: () => who.aid, getUserId: () => who.uid });
    start(f.t);
    await vi.waitFor(() => expect(slot('hero').textContent).toBe('for alice'), { interval: 5 });
    Object.assign(who, { aid: 'aid-2', uid: null }); // logout; the SPA re-renders the header, same URL
    document.body.innerHTML = '<div data-tutti-slot="hero">default hero</div>';
    await vi.waitFor(() => expect(f.calls.length).toBe(2), { interval: 5 });
    await vi.waitFor(() => expect(slot('hero').textContent).toBe('for null'), { interval: 5 });
  });

  it('json decisions reach listeners only: the slot keeps its DOM, the variant is still reported', async () => {
    onScreen();
    const f = fakeTutti(() => ({ hero: { variantId: 'J', experimentId: 'e', content: { type: 'json', data: { a: 1 } } } }));
    start(f.t);
    await vi.waitFor(() => expect(slot('hero').getAttribute('data-tutti-variant')).toBe('J'), { interval: 5 });
    expect(slot('hero').textContent).toBe('default hero');
    await vi.waitFor(() => expect(f.events('Slot Viewed')).toContainEqual({ slotId: 'hero', variantId: 'J', experimentId: 'e' }), { interval: 10 });
  });

  it('declared slot IDs are fetched at once; only those slots are handled', async () => {
    document.body.innerHTML = '<div data-tutti-slot="other" data-tutti-pending>o</div>';
    const f = fakeTutti((ids) => Object.fromEntries(ids.map((id) => [id, text('v', 'declared ' + id)])), { slots: ['hero', 'promo'] });
    start(f.t);
    await sleep(5);
    expect(f.calls).toEqual([['hero', 'promo']]);
    expect(hidden('other')).toBe(false); // hidden by markup, not ours: released
    expect(slot('other').textContent).toBe('o');
    const el = document.createElement('div');
    el.setAttribute('data-tutti-slot', 'promo');
    document.body.appendChild(el);
    await vi.waitFor(() => expect(el.textContent).toBe('declared promo'), { interval: 5 });
    expect(f.calls.length).toBe(1);
  });

  it('Slot Viewed once per slot per page view (default included), Slot Clicked on every click of a settled slot', async () => {
    onScreen();
    const f = fakeTutti(() => ({ hero: text('A', 'Hi', { experimentId: 'exp1' }) }));
    start(f.t);
    await vi.waitFor(() => expect(f.events('Slot Viewed').length).toBe(2), { timeout: 2000, interval: 10 });
    expect(f.events('Slot Viewed')).toEqual(
      expect.arrayContaining([
        { slotId: 'hero', variantId: 'A', experimentId: 'exp1' },
        { slotId: 'promo', variantId: 'default' },
      ]),
    );
    window.dispatchEvent(new Event('scroll'));
    await sleep(150);
    expect(f.events('Slot Viewed').length).toBe(2);
    slot('hero').click();
    (slot('promo').querySelector('b') as HTMLElement).click();
    slot('hero').click();
    expect(f.events('Slot Clicked')).toEqual([
      { slotId: 'hero', variantId: 'A', experimentId: 'exp1' },
      { slotId: 'promo', variantId: 'default' },
      { slotId: 'hero', variantId: 'A', experimentId: 'exp1' },
    ]);
    // A new SPA page view: the slots still on screen are viewed again.
    history.pushState(null, '', '/other');
    document.body.appendChild(document.createElement('i'));
    await vi.waitFor(() => expect(f.events('Slot Viewed').length).toBe(4), { timeout: 2000, interval: 10 });
  });

  it('a slot off screen, or less than half visible, is not viewed', async () => {
    vi.spyOn(Element.prototype, 'getBoundingClientRect').mockReturnValue({ top: 5000, left: 0, bottom: 5100, right: 200, width: 200, height: 100, x: 0, y: 5000, toJSON() {} });
    const f = fakeTutti(() => ({}));
    start(f.t);
    await sleep(250);
    expect(f.events('Slot Viewed')).toEqual([]);
    // Scrolled so that only 40 % is visible: still not viewed.
    const innerH = window.innerHeight;
    vi.spyOn(Element.prototype, 'getBoundingClientRect').mockReturnValue({ top: innerH - 40, left: 0, bottom: innerH + 60, right: 200, width: 200, height: 100, x: 0, y: innerH - 40, toJSON() {} });
    window.dispatchEvent(new Event('scroll'));
    await sleep(150);
    expect(f.events('Slot Viewed')).toEqual([]);
    vi.spyOn(Element.prototype, 'getBoundingClientRect').mockReturnValue({ top: innerH - 60, left: 0, bottom: innerH + 40, right: 200, width: 200, height: 100, x: 0, y: innerH - 60, toJSON() {} });
    window.dispatchEvent(new Event('scroll'));
    await vi.waitFor(() => expect(f.events('Slot Viewed').length).toBe(2), { interval: 10 });
  });

  it('a background tab views nothing until it is shown', async () => {
    onScreen();
    const state = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    const f = fakeTutti(() => ({}));
    start(f.t);
    await sleep(250);
    expect(f.events('Slot Viewed')).toEqual([]);
    state.mockReturnValue('visible');
    document.dispatchEvent(new Event('visibilitychange'));
    expect(f.events('Slot Viewed').map((p) => p.slotId).sort()).toEqual(['hero', 'promo']);
  });

  it('clicks on a pending slot are not counted; a failing decide keeps the defaults without throwing', async () => {
    const f = fakeTutti(() => Promise.reject(new Error('network down')));
    (f.t as { personalize: unknown }).personalize = vi.fn(() => new Promise((_, rej) => setTimeout(() => rej(new Error('down')), 30)));
    start(f.t);
    await sleep(5);
    slot('hero').click();
    expect(f.events('Slot Clicked')).toEqual([]);
    await vi.waitFor(() => expect(hidden('hero')).toBe(false), { interval: 5 });
    expect(slot('hero').textContent).toBe('default hero');
    expect(slot('hero').getAttribute('data-tutti-variant')).toBe('default');
  });

  it('enableSlots is idempotent per instance; stop() shows pending slots', async () => {
    const f = fakeTutti(() => new Promise(() => undefined));
    const a = start(f.t);
    expect(enableSlots(f.t)).toBe(a);
    await sleep(5);
    expect(hidden('hero')).toBe(true);
    a.stop();
    expect(hidden('hero')).toBe(false);
    expect(f.calls.length).toBe(1);
  });

  it('after stop(), a slot rendered later with data-tutti-pending in its markup is not hidden', async () => {
    const f = fakeTutti(() => ({}));
    start(f.t).stop();
    document.body.innerHTML = '<div data-tutti-slot="hero" data-tutti-pending>next route</div>';
    await sleep(5);
    expect(getComputedStyle(slot('hero')).visibility).not.toBe('hidden');
  });

  it('after stop(), an answer still in flight neither renders nor reports', async () => {
    onScreen();
    let release!: (v: Record<string, Decision>) => void;
    const f = fakeTutti(() => new Promise((r) => (release = r)));
    const c = start(f.t);
    await sleep(5);
    c.stop();
    release({ hero: text('A', 'too late') });
    await sleep(250);
    expect(slot('hero').textContent).toBe('default hero');
    expect(f.tracked).toEqual([]);
  });

  it('antiFlicker: false never hides', async () => {
    const f = fakeTutti(() => new Promise(() => undefined), { antiFlicker: false });
    start(f.t);
    await sleep(5);
    expect(hidden('hero')).toBe(false);
  });
});
