// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://shop.example.com/products?utm_source=news"}
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { autoPageviews, pageKey } from '../../adapters/web/lib/pageviews';
import { CAMPAIGN_PARAMS } from '../../src/campaign/campaign';

/** Lets a navigation settle, then sends its page view without the wait for a title (pageview-title.test.ts has that). */
const tick = async () => {
  await sleep(5);
  pv();
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pv: (stop?: boolean) => void;
let views: string[];
let referrers: string[];
let stop: () => void;

beforeEach(() => {
  history.replaceState(null, '', '/products?utm_source=news');
  views = [];
  referrers = [];
  pv = autoPageviews({
    page: (_at, url = location.href) => views.push(url.replace(location.origin, '')),
    navigated: (from) => referrers.push(from),
    clickIds: CAMPAIGN_PARAMS,
  });
  stop = () => pv(true);
});
afterEach(() => stop());

describe('auto page views', () => {
  it('sends the initial page view once, synchronously', async () => {
    expect(views).toEqual(['/products?utm_source=news']);
    await tick();
    expect(views.length).toBe(1);
  });

  it('pushState to a new path is one page view, with the previous URL as referrer', async () => {
    history.pushState({}, '', '/products/42');
    await tick();
    expect(views).toEqual(['/products?utm_source=news', '/products/42']);
    expect(referrers).toEqual(['https://shop.example.com/products?utm_source=news']);
  });

  it('pushState to the same URL and replaceState that only strips tracking parameters send nothing', async () => {
    history.pushState({}, '', location.href);
    history.replaceState({}, '', '/products');
    history.replaceState({}, '', '/products?gclid=abc&tutti_ts=1');
    await tick();
    expect(views.length).toBe(1);
  });

  it('a query change that is not tracking-only is a new page', async () => {
    history.replaceState({}, '', '/products?page=2&utm_source=news');
    await tick();
    expect(views).toEqual(['/products?utm_source=news', '/products?page=2&utm_source=news']);
  });

  it('coalesces a push-then-replace in one task into one page view of the final URL', async () => {
    history.pushState({}, '', '/a');
    history.replaceState({}, '', '/a/b');
    await tick();
    expect(views.slice(1)).toEqual(['/a/b']);
  });

  it('popstate (back) counts when the page changes', async () => {
    history.pushState({}, '', '/next');
    await tick();
    const popped = new Promise((r) => window.addEventListener('popstate', r, { once: true }));
    history.back();
    await popped;
    await tick();
    expect(views).toEqual(['/products?utm_source=news', '/next', '/products?utm_source=news']);
  });

  it('hash routes count; in-page anchors do not', async () => {
    const hashchange = () => new Promise((r) => window.addEventListener('hashchange', r, { once: true }));
    let changed = hashchange();
    location.hash = '#section-2';
    await changed;
    await tick();
    expect(views.length).toBe(1);
    changed = hashchange();
    location.hash = '#/cart';
    await changed;
    await tick();
    expect(views.slice(1)).toEqual(['/products?utm_source=news#/cart']);
  });

  it('a replaceState that only strips utm_* from a hash route\'s query is no page view', async () => {
    history.pushState({}, '', '/#/promo?utm_source=wx&id=3');
    await tick();
    history.replaceState({}, '', '/#/promo?id=3');
    await tick();
    expect(views).toEqual(['/products?utm_source=news', '/#/promo?utm_source=wx&id=3']);
  });

  it('a page restored from the back/forward cache is a page view', () => {
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: false })); // a normal load: already counted
    expect(views.length).toBe(1);
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    expect(views.length).toBe(2);
  });

  it('a prerendered page (speculation rules) counts its view when the user actually opens it, not before', () => {
    stop();
    views = [];
    Object.defineProperty(document, 'prerendering', { configurable: true, get: () => true });
    pv = autoPageviews({ page: () => views.push(location.pathname), navigated: () => undefined, clickIds: CAMPAIGN_PARAMS });
    stop = () => pv(true);
    expect(views).toEqual([]); // never shown yet: maybe never will be
    Object.defineProperty(document, 'prerendering', { configurable: true, get: () => false });
    document.dispatchEvent(new Event('prerenderingchange'));
    expect(views).toEqual(['/products']);
    delete (document as unknown as Record<string, unknown>).prerendering;
  });

  it('stop() restores history methods it wrapped', () => {
    const wrapped = history.pushState;
    stop();
    expect(history.pushState).not.toBe(wrapped);
    history.pushState({}, '', '/after-stop');
    stop = () => undefined;
  });

  it('keeps working when another tool wraps history after us', async () => {
    const ours = history.pushState;
    let seen = 0;
    history.pushState = function (...args: Parameters<History['pushState']>) {
      seen++;
      return ours.apply(this, args);
    };
    history.pushState({}, '', '/wrapped');
    await tick();
    expect(seen).toBe(1);
    expect(views.slice(1)).toEqual(['/wrapped']);
    history.pushState = ours;
  });
});

describe('pageKey', () => {
  it('ignores utm_*, click IDs and tutti_* parameters, keeps the rest in order', () => {
    const k = (search: string, hash = '') => pageKey({ pathname: '/p', search, hash }, CAMPAIGN_PARAMS);
    expect(k('?utm_medium=x&id=3&fbclid=y&tutti_aid=z&bd_vid=1')).toBe('/p?id=3');
    expect(k('')).toBe('/p');
    expect(k('', '#top')).toBe('/p');
    expect(k('', '#!/route')).toBe('/p#!/route');
  });

  it('ignores them in a hash route\'s query too (H5 pages in WeChat carry utm_* there), so stripping them is no page view', () => {
    const k = (hash: string) => pageKey({ pathname: '/', search: '', hash }, CAMPAIGN_PARAMS);
    expect(k('#/promo?utm_source=wx&id=3&gclid=g')).toBe(k('#/promo?id=3'));
    expect(k('#/promo?utm_source=wx')).toBe(k('#/promo'));
    expect(k('#/promo?id=3')).not.toBe(k('#/promo?id=4'));
  });
});
