// End-to-end in real headless Chromium against the reference collector: loading,
// snippet replay, batching, campaigns across SPA navigations, identity persistence,
// bad input, consent and web vitals. Pages and collector are different origins.
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { batches, pageAttrs, sleep, useWorld, waitFor, type Ev } from './helpers';
import { scriptPage } from './site';

const w = useWorld();
let ctx: BrowserContext;

beforeEach(async () => {
  ctx = await w.browser.newContext();
});

const attrs = (extra: Record<string, string | number | boolean> = {}) => pageAttrs(w, { 'flush-interval': 200, ...extra });
const events = (filter: Record<string, string> = {}): Ev[] => w.collector.events(filter);
const pageErrors = (page: Page) => page.evaluate(() => (window as any).__errors as string[]);
const anonymousId = async (page: Page) => {
  await page.waitForFunction(() => (window as any).tutti && (window as any).tutti.getAnonymousId() !== '', null, { timeout: 5000 });
  return page.evaluate(() => (window as any).tutti.getAnonymousId() as string);
};

describe('web SDK in Chromium', () => {
  it('script tag: auto-inits from data attributes and sends the page view with web context', async () => {
    const url = w.site.page('/auto.html', scriptPage(attrs()));
    const page = await ctx.newPage();
    await page.goto(url + '?utm_source=e2e&utm_medium=test');
    await waitFor('the initial page view', () => events({ type: 'page' }).length === 1);
    await sleep(300);
    const pages = events({ type: 'page' });
    expect(pages.length).toBe(1); // no duplicate
    const e = pages[0];
    expect(e.context.channel).toBe('web');
    expect(e.context.library.name).toBe('tutti');
    expect(e.context.page).toMatchObject({ path: '/auto.html', title: 'Test page', search: '?utm_source=e2e&utm_medium=test' });
    expect(e.context.campaign).toMatchObject({ source: 'e2e', medium: 'test' });
    expect(e.context.screen.width).toBeGreaterThan(0);
    expect(e.context.userAgent).toContain('Chrome');
    expect(e.anonymousId).toBe(await anonymousId(page));
    expect(await pageErrors(page)).toEqual([]);
  });

  it('async snippet: calls made before the SDK loads are replayed in order with their original timestamps', async () => {
    const snippet = readFileSync('adapters/web/snippet.js', 'utf8')
      .replace('https://cdn.example.com/tutti/tutti.min.js', '/dist/tutti.min.js?delay=500')
      .replace('YOUR_WRITE_KEY', 'e2e')
      .replace('https://collect.example.com', w.collector.url)
      .replace("endpoint: '", "flushInterval: 200, webVitals: false, autoPageview: false, endpoint: '");
    const html = `<!doctype html><html><head><title>Snippet</title><script>${snippet}</script><script>
      window.__t = {};
      __t.a = Date.now(); tutti.track('Snippet A', { n: 1 }); __t.a2 = Date.now();
      __t.i = Date.now(); tutti.identify('user-snippet', { plan: 'pro' }); __t.i2 = Date.now();
      setTimeout(function () { __t.b = Date.now(); tutti.track('Snippet B'); __t.b2 = Date.now(); }, 150);
    </script></head><body></body></html>`;
    const page = await ctx.newPage();
    await page.goto(w.site.page('/snippet.html', html));
    await waitFor('the snippet events', () => events({ type: 'track' }).length === 2 && events({ type: 'identify' }).length === 1);
    const t = await page.evaluate(() => (window as any).__t);
    const sdkLoadedAt = await page.evaluate(() => {
      const e = performance.getEntriesByType('resource').find((r) => r.name.indexOf('tutti.min.js') >= 0) as PerformanceResourceTiming;
      return performance.timeOrigin + e.responseEnd;
    });
    const [a, b] = events({ type: 'track' });
    const [i] = events({ type: 'identify' });
    expect([a.event, b.event]).toEqual(['Snippet A', 'Snippet B']);
    // each event carries the time of its call (the stub reads the clock inside the call)
    const within = (ts: string, from: number, to: number) => expect(Date.parse(ts) >= from && Date.parse(ts) <= to).toBe(true);
    within(a.timestamp, t.a, t.a2);
    within(i.timestamp, t.i, t.i2);
    within(b.timestamp, t.b, t.b2);
    expect(t.b).toBeLessThan(sdkLoadedAt); // made while only the stub existed
    expect(a.context.sequence).toBeLessThan(i.context.sequence);
    expect(i.context.sequence).toBeLessThan(b.context.sequence);
    expect(b.userId).toBe('user-snippet');
  });

  it('batching: 45 events go as 20 + 20 + 5, not one request each', async () => {
    const url = w.site.page('/batch.html', scriptPage(attrs({ 'batch-size': 20, 'flush-interval': 60000, 'auto-pageview': false })));
    const page = await ctx.newPage();
    await page.goto(url);
    await page.evaluate(() => {
      for (let i = 0; i < 45; i++) (window as any).tutti.track('Batched', { i });
    });
    await waitFor('all 45', () => events({ event: 'Batched' }).length === 45);
    expect(batches(w.collector).map((r) => [r.status, r.events])).toEqual([
      [200, 20],
      [200, 20],
      [200, 5],
    ]);
    expect(events({ event: 'Batched' }).map((e) => e.properties.i)).toEqual(Array.from({ length: 45 }, (_, i) => i));
  });

  it('the landing campaign rides on every event across SPA navigations, with one page view per new page', async () => {
    const url = w.site.page('/spa.html', scriptPage(attrs()));
    const page = await ctx.newPage();
    await page.goto(url + '?utm_source=spring&utm_medium=email&utm_campaign=launch&gclid=g1');
    await anonymousId(page);
    await page.evaluate(async () => {
      const t = (window as any).tutti;
      const tick = () => new Promise((r) => setTimeout(r, 20));
      history.replaceState({}, '', '/spa.html'); // the app strips the tags: no page view
      await tick();
      history.pushState({}, '', '/spa/2');
      await tick();
      t.track('Clicked');
      history.pushState({}, '', '/spa/3?tab=reviews');
      await tick();
      history.pushState({}, '', '/spa/3?tab=reviews'); // same page again: no page view
      await tick();
      history.go(-2); // back over the duplicate entry, to /spa/2
      await new Promise((r) => addEventListener('popstate', r, { once: true }));
      await tick();
      await t.flush();
    });
    await waitFor('four page views and the click', () => events({ type: 'page' }).length === 4 && events({ event: 'Clicked' }).length === 1);
    const all = events();
    expect(events({ type: 'page' }).map((e) => e.context.page.path)).toEqual(['/spa.html', '/spa/2', '/spa/3', '/spa/2']);
    const session = all[0].context.session.id;
    for (const e of all) {
      expect(e.context.campaign).toMatchObject({ source: 'spring', medium: 'email', name: 'launch', gclid: 'g1' });
      expect(e.context.firstCampaign).toMatchObject({ source: 'spring' });
      expect(e.context.session.id).toBe(session);
    }
    expect(events({ type: 'page' })[1].context.page.referrer).toMatch(/\/spa\.html$/);
  });

  it('SPA page views carry the title the app sets after the URL (next frame, 150 ms later), with the navigation\'s time and place in the order', async () => {
    const url = w.site.page('/titles.html', scriptPage(attrs()));
    const page = await ctx.newPage();
    await page.goto(url);
    await anonymousId(page);
    const [navAt, navEnd] = await page.evaluate(async () => {
      const t = (window as any).tutti;
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const at: number[] = [];
      const end: number[] = [];
      at.push(Date.now());
      history.pushState({}, '', '/titles/frame');
      end.push(Date.now());
      requestAnimationFrame(() => (document.title = 'Frame title')); // react-helmet
      await sleep(300);
      at.push(Date.now());
      history.pushState({}, '', '/titles/late');
      end.push(Date.now());
      setTimeout(() => (document.title = 'Late title'), 150); // metadata after a fetch
      await sleep(400);
      at.push(Date.now());
      history.pushState({}, '', '/titles/same'); // keeps its title: counted after the bounded wait
      end.push(Date.now());
      await sleep(800);
      history.pushState({}, '', '/titles/order');
      t.track('Right After'); // in the navigation's task: still after its page view
      await t.flush();
      return [at, end];
    });
    await waitFor('five page views', () => events({ type: 'page' }).length === 5 && events({ event: 'Right After' }).length === 1);
    await sleep(300);
    const [view, after] = events().filter((e) => e.context.page.path === '/titles/order');
    expect([view.type, after.event]).toEqual(['page', 'Right After']);
    expect(view.context.sequence).toBeLessThan(after.context.sequence);
    const pages = events({ type: 'page' }).slice(0, 4);
    expect(pages.map((e) => [e.context.page.path, e.context.page.title, e.properties.title])).toEqual([
      ['/titles.html', 'Test page', 'Test page'],
      ['/titles/frame', 'Frame title', 'Frame title'],
      ['/titles/late', 'Late title', 'Late title'],
      ['/titles/same', 'Late title', 'Late title'],
    ]);
    // Each view's time is taken in the history call itself, not when it is sent (≥ 500 ms later).
    pages.slice(1).forEach((e, i) => {
      expect(Date.parse(e.timestamp)).toBeGreaterThanOrEqual(navAt[i]);
      expect(Date.parse(e.timestamp)).toBeLessThanOrEqual(navEnd[i]);
    });
    expect(await pageErrors(page)).toEqual([]);
  });

  it('the anonymous ID survives reloads, cleared cookies, and cleared cookies + localStorage (IndexedDB mirror)', async () => {
    const url = w.site.page('/id.html', scriptPage(attrs()));
    const page = await ctx.newPage();
    await page.goto(url);
    const id = await anonymousId(page);
    expect((await ctx.cookies()).find((c) => c.name === 'tutti_aid')).toMatchObject({ value: id, sameSite: 'Lax', path: '/' });

    await page.reload();
    expect(await anonymousId(page)).toBe(id);

    await ctx.clearCookies();
    await page.reload();
    expect(await anonymousId(page)).toBe(id);
    expect((await ctx.cookies()).find((c) => c.name === 'tutti_aid')?.value).toBe(id); // the cookie is rewritten

    await ctx.clearCookies();
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    expect(await anonymousId(page)).toBe(id);
    expect(await page.evaluate(() => localStorage.getItem('tutti_aid'))).toBe(id);

    await page.evaluate(() => (window as any).tutti.flush());
    await waitFor('the four page views', () => events({ type: 'page' }).length === 4);
    expect(new Set(events().map((e) => e.anonymousId))).toEqual(new Set([id]));
  });

  it('cross-domain linking: a click to a linkDomains site hands the anonymous ID over, and the URL is cleaned', async () => {
    // 127.0.0.1 and localhost are different sites with separate cookie jars.
    const other = w.site.url.replace('127.0.0.1', 'localhost');
    w.site.page('/to.html', scriptPage(attrs()));
    const from = w.site.page('/from.html', scriptPage(attrs({ 'link-domains': 'localhost' }), `<a id="go" href="${other}/to.html?ref=nav">partner</a>`));
    const page = await ctx.newPage();
    await page.goto(from);
    const id = await anonymousId(page);
    expect(await page.getAttribute('#go', 'href')).toBe(`${other}/to.html?ref=nav`); // nothing in the DOM before the click
    await page.click('#go');
    await page.waitForURL(/localhost/);
    expect(await anonymousId(page)).toBe(id);
    expect(page.url()).toBe(`${other}/to.html?ref=nav`); // tutti_aid / tutti_ts removed
    await page.evaluate(() => (window as any).tutti.flush());
    await waitFor('the page view on the other site', () => events({ type: 'page' }).some((e) => e.context.page.url.indexOf('localhost') >= 0));
    const landed = events({ type: 'page' }).find((e) => e.context.page.url.indexOf('localhost') >= 0)!;
    expect(landed.anonymousId).toBe(id);
    expect(landed.context.page.url).toBe(`${other}/to.html?ref=nav`);
    expect(await pageErrors(page)).toEqual([]);
  });

  it('cross-domain linking: new-tab opens carry the parameters, and the link in the page gets its own href back', async () => {
    const other = w.site.url.replace('127.0.0.1', 'localhost');
    w.site.page('/to.html', scriptPage(attrs()));
    const href = `${other}/to.html?ref=nav`;
    const from = w.site.page(
      '/from-tabs.html',
      scriptPage(
        attrs({ 'link-domains': 'localhost' }),
        `<a id="blank" href="${href}" target="_blank">new tab</a> <a id="plain" href="${href}">plain</a>
        <a id="spa" href="${href}">cancelled</a>
        <script>document.getElementById('spa').addEventListener('click', function (e) { e.preventDefault(); window.__read = this.href; });</script>`,
      ),
    );
    const page = await ctx.newPage();
    await page.goto(from);
    const id = await anonymousId(page);
    const opened = async (click: () => Promise<void>) => {
      const [tab] = await Promise.all([ctx.waitForEvent('page'), click()]);
      await tab.waitForLoadState();
      expect(await anonymousId(tab)).toBe(id); // the other site's own storage is empty: only the parameters carry the ID
      expect(tab.url()).toBe(href);
      await tab.close();
    };
    await opened(() => page.click('#blank'));
    await opened(() => page.click('#plain', { modifiers: ['ControlOrMeta'] }));
    await opened(() => page.click('#plain', { button: 'middle' }));
    await page.click('#spa');
    // The page's own handler, after ours, read the decorated URL.
    expect(await page.evaluate(() => (window as any).__read)).toMatch(/tutti_aid=.*tutti_ts=/);
    await sleep(100);
    for (const a of ['#blank', '#plain', '#spa']) expect(await page.getAttribute(a, 'href')).toBe(href);
    expect(await pageErrors(page)).toEqual([]);
  });

  it('bad input never reaches window.onerror and tracking keeps working', async () => {
    const url = w.site.page('/bad.html', scriptPage(attrs({ 'auto-pageview': false, debug: false })));
    const page = await ctx.newPage();
    await page.goto(url);
    await anonymousId(page);
    await page.evaluate(() => {
      const t = (window as any).tutti;
      const circular: any = { a: 1 };
      circular.self = circular;
      const hostile = new Proxy({}, { get: () => { throw new Error('hostile get'); }, ownKeys: () => { throw new Error('hostile keys'); } });
      const toJSON = { toJSON() { throw new Error('toJSON'); } };
      const calls: Array<() => unknown> = [
        () => t.track(123), () => t.track(undefined), () => t.track(null, null), () => t.track({}), () => t.track(''),
        () => t.track('Circular', circular), () => t.track('BigInt', { n: BigInt(10) }), () => t.track('Fn', { f() {} }),
        () => t.track('Huge', { s: 'x'.repeat(1000000) }), () => t.track('y'.repeat(100000)), () => t.track('Undef', { u: undefined }),
        () => t.track('Sym', { s: Symbol('s') }), () => t.track('Hostile', hostile), () => t.track('ToJSON', toJSON),
        () => t.track('Dates', { d: new Date(NaN), n: NaN, i: Infinity }), () => t.track(Symbol('e')),
        () => t.page(123, 'x'), () => t.page(circular), () => t.identify(null), () => t.identify('undefined'), () => t.identify(circular),
        () => t.identify(0), () => t.alias(), () => t.alias(circular), () => t.group(), () => t.group({}), () => t.setExternalId(),
        () => t.setExternalId('x', circular), () => t.reset(1), () => t.setConsent('maybe'), () => t.use(null), () => t.use({}),
        () => t.use({ name: 'bad', beforeSend() { throw new Error('plugin'); } }), () => t.on('nope', 3), () => t.on('sent', null),
        () => t.on('sent', () => { throw new Error('listener'); }), () => t.linkUrl(null), () => t.linkUrl(circular),
        () => t.personalize('x'), () => t.init(null), () => t.init('x'), () => t.flush(1), () => t.getCampaign(1),
      ];
      for (const c of calls) c(); // a throw here would fail the test through window.onerror
    });
    await page.evaluate(() => {
      (window as any).tutti.track('After Bad Input', { ok: true });
      return (window as any).tutti.flush();
    });
    await waitFor('the event after bad input', () => events({ event: 'After Bad Input' }).length === 1);
    await sleep(300);
    expect(await pageErrors(page)).toEqual([]);
    const circular = events({ event: 'Circular' })[0];
    expect(circular.properties.a).toBe(1);
    expect(events({ event: 'BigInt' })[0].properties.n).toBe('10');
    expect(events({ event: 'Huge' })[0].properties.s.length).toBeLessThan(100000);
  });

  it('in a sandboxed iframe (every storage API throws SecurityError) the SDK still initialises and delivers', async () => {
    const inner = scriptPage(
      attrs(),
      `<script>tutti.track('In Sandbox'); tutti.flush().then(function () { parent.postMessage({ aid: tutti.getAnonymousId(), errors: window.__errors }, '*'); });</script>`,
    ).replace('src="/dist/', `src="${w.site.url}/dist/`);
    const escaped = inner.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    const url = w.site.page('/sandbox.html', `<!doctype html><script>window.msgs = []; addEventListener('message', function (e) { msgs.push(e.data); });</script><iframe sandbox="allow-scripts" srcdoc="${escaped}"></iframe>`);
    const page = await ctx.newPage();
    await page.goto(url);
    await page.waitForFunction(() => (window as any).msgs.length > 0, null, { timeout: 5000 });
    const [msg] = await page.evaluate(() => (window as any).msgs);
    expect(msg.aid).toMatch(/^[0-9a-f-]{36}$/);
    expect(msg.errors).toEqual([]);
    const sent = events().filter((e) => e.context.page.url === 'about:srcdoc');
    expect(sent.map((e) => e.event || e.type).sort()).toEqual(['In Sandbox', 'page']);
    expect(new Set(sent.map((e) => e.anonymousId))).toEqual(new Set([msg.aid]));
  });

  it('consent pending keeps everything in memory; granted sends it all', async () => {
    const url = w.site.page('/consent.html', scriptPage(attrs({ consent: 'pending' })));
    const page = await ctx.newPage();
    await page.goto(url);
    await page.evaluate(() => (window as any).tutti.track('While Pending'));
    await sleep(1000);
    expect(batches(w.collector).length).toBe(0);
    expect((await ctx.cookies()).find((c) => c.name === 'tutti_aid')).toBeUndefined();
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.indexOf('tutti') === 0))).toEqual([]);
    await page.evaluate(() => (window as any).tutti.setConsent('granted'));
    await waitFor('the held events', () => events({ event: 'While Pending' }).length === 1 && events({ type: 'page' }).length === 1);
    const id = await anonymousId(page);
    expect(events({ event: 'While Pending' })[0].anonymousId).toBe(id);
    expect((await ctx.cookies()).find((c) => c.name === 'tutti_aid')?.value).toBe(id);
  });

  it('consent denied discards events, wipes identifiers and stays opted out across reloads', async () => {
    const url = w.site.page('/denied.html', scriptPage(attrs({ consent: 'pending' })));
    const page = await ctx.newPage();
    await page.goto(url);
    // On a first visit init waits up to 300 ms for IndexedDB (a lost ID may be there);
    // a reload before that would drop the buffered calls, so wait for the SDK to start.
    await page.waitForFunction(() => (window as any).tutti.getAnonymousId() !== '', undefined, { timeout: 5000 });
    await page.evaluate(() => {
      (window as any).tutti.track('Never Sent');
      (window as any).tutti.setConsent('denied');
      (window as any).tutti.track('Never Sent Either');
    });
    await page.reload();
    await page.evaluate(() => (window as any).tutti.track('Still Opted Out'));
    await sleep(1200);
    expect(batches(w.collector).length).toBe(0);
    expect(events().length).toBe(0);
    expect((await ctx.cookies()).find((c) => c.name === 'tutti_aid')).toBeUndefined();
    expect(await page.evaluate(() => localStorage.getItem('tutti_aid'))).toBeNull();
    // Not even the cached time zone: nothing but the opt-out flag is stored.
    expect(await page.evaluate(() => localStorage.getItem('tutti_tz'))).toBeNull();
    expect(await page.evaluate(() => localStorage.getItem('tutti_optout'))).toBe('1');
  });

  it('web vitals arrive as Web Vitals events, loaded from a separate file next to the SDK', async () => {
    const body = '<p style="font-size:40px">Largest text on the page</p><button id="b">tap</button>';
    const url = w.site.page('/vitals.html', scriptPage(attrs({ 'web-vitals': true }), body));
    const page = await ctx.newPage();
    await page.goto(url);
    await page.waitForFunction(() => !!(window as any).__tutti__?.vitals, null, { timeout: 5000 });
    await page.click('#b'); // an interaction: INP, and it finalises LCP
    await sleep(300);
    await page.goto(w.site.page('/after-vitals.html', '<!doctype html><title>next</title>')); // hidden: CLS/INP final
    await waitFor('FCP, TTFB and LCP', () => {
      const names = events({ event: 'Web Vitals' }).map((e) => e.properties.name);
      return ['FCP', 'TTFB', 'LCP'].every((n) => names.indexOf(n) >= 0);
    });
    const lcp = events({ event: 'Web Vitals' }).find((e) => e.properties.name === 'LCP')!;
    expect(lcp.properties).toMatchObject({ rating: expect.stringMatching(/good|needs-improvement|poor/), navigationType: expect.any(String) });
    expect(lcp.properties.value).toBeGreaterThan(0);
    expect(lcp.properties.id).toMatch(/^v\d-/);
    expect(w.site.hits).toContain('/dist/tutti.vitals.min.js');
    expect(readFileSync('dist/tutti.min.js', 'utf8')).not.toContain('largest-contentful-paint');
  });
});
