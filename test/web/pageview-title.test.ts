// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://shop.example.com/"}
// SPA page views and the new page's title: routers and head managers (react-helmet in a
// frame after the commit, Next.js metadata when its payload arrives, Angular's Title
// service) set document.title after the URL. The page view waits a bounded time for it,
// yet keeps the navigation's time and place in the event order.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTutti } from '../../adapters/web/index';
import type { Tutti, TuttiEvent } from '../../src/types';
import { recordFetch, sleep } from './helpers';

const rec = recordFetch();
let t: Tutti;
let seen = 0;

beforeAll(() => {
  document.title = 'Home';
  t = createTutti({ writeKey: 'wk', endpoint: 'https://collect.example.com', webVitals: false, flushInterval: 60000 });
});
afterAll(() => vi.unstubAllGlobals());
beforeEach(async () => {
  await t.flush();
  seen = all().length;
});

/** Events posted in batches (personalize() posts a decide request too). */
const all = () => rec.posted.flatMap((p) => p.body.batch || []);
/** Events posted since the test began, after flushing. */
async function sent(): Promise<TuttiEvent[]> {
  await t.flush();
  return all().slice(seen);
}
const pages = (es: TuttiEvent[]) => es.filter((e) => e.type === 'page');

describe('SPA page view titles', () => {
  it('carries a title set in the next frame after pushState, with the time of the navigation', async () => {
    const at = Date.now();
    history.pushState({}, '', '/frame');
    const end = Date.now();
    setTimeout(() => (document.title = 'Frame page'), 16); // react-helmet: requestAnimationFrame after the commit
    await sleep(60);
    const [view] = pages(await sent());
    expect(view.context.page).toMatchObject({ path: '/frame', title: 'Frame page' });
    expect(view.properties).toMatchObject({ path: '/frame', title: 'Frame page' });
    expect(Date.parse(view.timestamp)).toBeGreaterThanOrEqual(at);
    expect(Date.parse(view.timestamp)).toBeLessThanOrEqual(end); // taken in the history call itself, not when sent
  });

  it('carries a title set 150 ms later (Next.js metadata after its payload), still timed at the navigation', async () => {
    const at = Date.now();
    history.pushState({}, '', '/late');
    const end = Date.now();
    setTimeout(() => (document.title = 'Late page'), 150);
    await sleep(250);
    const es = pages(await sent());
    expect(es.length).toBe(1);
    expect(es[0].context.page).toMatchObject({ path: '/late', title: 'Late page' });
    expect(Date.parse(es[0].timestamp)).toBeGreaterThanOrEqual(at);
    expect(Date.parse(es[0].timestamp)).toBeLessThanOrEqual(end); // taken in the history call itself, not when sent
  });

  it('a navigation that keeps the title still makes exactly one page view, after the bounded wait', async () => {
    document.title = 'Same';
    const at = Date.now();
    history.pushState({}, '', '/same-1');
    const end = Date.now();
    await sleep(1200);
    const es = pages(await sent());
    expect(es.map((e) => [e.context.page!.path, e.context.page!.title])).toEqual([['/same-1', 'Same']]);
    expect(Date.parse(es[0].timestamp)).toBeGreaterThanOrEqual(at);
    expect(Date.parse(es[0].timestamp)).toBeLessThanOrEqual(end); // taken in the history call itself, not when sent
  });

  it('a track() right after the navigation comes after the page view, in order and time', async () => {
    history.pushState({}, '', '/product/7');
    t.track('Product Viewed', { id: 7 }); // in the same task as the navigation
    setTimeout(() => (document.title = 'Product 7'), 20);
    await sleep(60);
    history.pushState({}, '', '/product/8');
    await sleep(5);
    t.track('Image Zoomed'); // during the wait for /product/8's title
    await sleep(20);
    const es = await sent();
    expect(es.map((e) => e.event || e.type)).toEqual(['page', 'Product Viewed', 'page', 'Image Zoomed']);
    for (let i = 1; i < es.length; i++) {
      expect(es[i - 1].context.sequence! < es[i].context.sequence!).toBe(true);
      expect(Date.parse(es[i - 1].timestamp) <= Date.parse(es[i].timestamp)).toBe(true);
    }
    expect(es.map((e) => e.context.page!.path)).toEqual(['/product/7', '/product/7', '/product/8', '/product/8']);
    expect(es[2].context.page!.title).toBe('Product 7'); // sent before its title came: the price of the order
  });

  it('other calls made during the wait (identify, a manual page()) send the waiting page view first', async () => {
    history.pushState({}, '', '/account');
    await sleep(5);
    t.identify('u-42');
    t.page('Manual');
    const es = await sent();
    expect(es.map((e) => e.name || e.type)).toEqual(['page', 'identify', 'Manual']);
    expect(es[0].context.page!.path).toBe('/account');
    expect(es[0].userId).toBeNull(); // the view came before the identify
    expect(es[0].context.sequence! < es[1].context.sequence!).toBe(true);
    t.reset();
  });

  it('personalize() during the wait leaves the page view waiting for its title', async () => {
    history.pushState({}, '', '/offers');
    await sleep(5);
    await t.personalize(['hero']); // SPAs ask for the new page's slots on every route change
    document.title = 'Offers';
    await sleep(600);
    const es = pages(await sent());
    expect(es.map((e) => [e.context.page!.path, e.context.page!.title])).toEqual([['/offers', 'Offers']]);
  });

  it('flush() during the wait sends the waiting page view', async () => {
    history.pushState({}, '', '/flush-now');
    await sleep(5);
    await t.flush();
    expect(pages(all().slice(seen)).map((e) => e.context.page!.path)).toEqual(['/flush-now']);
    await sleep(1200);
    expect(pages(await sent()).length).toBe(1); // not again after the wait
  });

  it('hiding the page during the wait sends the page view at once, in the unload flush', async () => {
    history.pushState({}, '', '/hide-now');
    await sleep(5);
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    window.dispatchEvent(new Event('visibilitychange'));
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    await sleep(5);
    const posted = rec.posted.slice(-1)[0];
    expect(posted.keepalive).toBe(true);
    expect(pages(posted.body.batch).map((e) => e.context.page!.path)).toEqual(['/hide-now']);
    await sleep(1200);
    expect(pages(await sent()).length).toBe(1);
  });

  it('a second navigation during the wait: each page keeps its own URL, one view each', async () => {
    history.pushState({}, '', '/first');
    await sleep(20);
    history.pushState({}, '', '/second');
    document.title = 'Second';
    await sleep(20);
    const es = pages(await sent());
    expect(es.map((e) => e.context.page!.path)).toEqual(['/first', '/second']);
    expect(es.map((e) => e.properties!.path)).toEqual(['/first', '/second']);
    expect(es[1].context.page!.title).toBe('Second');
    expect(es[1].context.page!.referrer).toMatch(/\/first$/);
  });

  it('back (popstate) during the wait: each page keeps its own URL, one view each', async () => {
    history.pushState({}, '', '/p1');
    await sleep(20);
    history.pushState({}, '', '/p2');
    document.title = 'P2';
    await sleep(20);
    const popped = new Promise((r) => window.addEventListener('popstate', r, { once: true }));
    history.back(); // to /p1: its view waits for a title change that never comes
    await popped;
    await sleep(5);
    history.forward(); // back to /p2 while /p1's view still waits
    await new Promise((r) => window.addEventListener('popstate', r, { once: true }));
    await sleep(5);
    const es = pages(await sent());
    expect(es.map((e) => e.context.page!.path)).toEqual(['/p1', '/p2', '/p1', '/p2']);
    expect(es.map((e) => e.properties!.path)).toEqual(['/p1', '/p2', '/p1', '/p2']);
  });

  it('location.hash set during the wait, then a call before hashchange: each page keeps its URL and time', async () => {
    history.pushState({}, '', '/tabs');
    await sleep(40);
    const at = Date.now();
    const changed = new Promise((r) => window.addEventListener('hashchange', r, { once: true }));
    location.hash = '#/reviews'; // a hash route: hashchange comes later
    t.track('Tab Opened');
    await changed;
    await sleep(5);
    const es = await sent();
    expect(es.map((e) => [e.event || e.type, e.context.page!.url!.replace(location.origin, '')])).toEqual([
      ['page', '/tabs'],
      ['page', '/tabs#/reviews'],
      ['Tab Opened', '/tabs#/reviews'],
    ]);
    expect(Date.parse(es[1].timestamp)).toBeGreaterThanOrEqual(at);
  });

  it('push-then-replace in one task is still one page view, of the final URL', async () => {
    history.pushState({}, '', '/list');
    history.replaceState({}, '', '/list?sort=new');
    document.title = 'List';
    await sleep(20);
    const es = pages(await sent());
    expect(es.map((e) => e.context.page!.url)).toEqual(['https://shop.example.com/list?sort=new']);
  });
});
