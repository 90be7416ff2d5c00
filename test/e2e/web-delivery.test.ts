// End-to-end delivery in real headless Chromium: the unload flush, outages across
// reloads, server refusals (429 with Retry-After, 400) and several tabs sharing one
// IndexedDB outbox without ever sending an event twice.
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../bench/lib/chromium.mjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { batches, pageAttrs, sleep, useWorld, waitFor, type Ev } from './helpers';
import { scriptPage } from './site';

const w = useWorld();
let ctx: BrowserContext;

beforeEach(async () => {
  ctx = await w.browser.newContext();
});

const attrs = (extra: Record<string, string | number | boolean> = {}) => pageAttrs(w, extra);
const events = (filter: Record<string, string> = {}): Ev[] => w.collector.events(filter);
const ready = (page: Page) => page.waitForFunction(() => (window as any).tutti && (window as any).tutti.getSessionId() !== '', null, { timeout: 5000 });
const track = (page: Page, name: string, n: number) =>
  page.evaluate(
    ([name, n]) => {
      for (let i = 0; i < (n as number); i++) (window as any).tutti.track(name, { i });
    },
    [name, n] as const,
  );
/** Every stored event exactly once, and the collector never saw a messageId twice. */
function expectNoDuplicates() {
  const ids = events().map((e) => e.messageId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(w.collector.stats().duplicates).toBe(0);
}

describe('web delivery in Chromium', () => {
  it('20 events then an immediate navigation: all 20 arrive by beacon', async () => {
    const page = await ctx.newPage();
    // batch-size 50: the 20 events are still queued when the page goes, so only the unload flush can send them
    await page.goto(w.site.page('/shop.html', scriptPage(attrs({ 'auto-pageview': false, 'batch-size': 50 }))));
    await ready(page);
    const away = w.site.page('/elsewhere.html', '<!doctype html><title>no SDK here</title>');
    await page.evaluate((away) => {
      for (let i = 0; i < 20; i++) (window as any).tutti.track('Before Leaving', { i });
      location.href = away; // well before the 3 s flush interval
    }, away);
    await page.waitForURL(away);
    await waitFor('all 20 events', () => events({ event: 'Before Leaving' }).length === 20, 5000);
    expect(events({ event: 'Before Leaving' }).map((e) => e.properties.i).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(batches(w.collector).every((r) => r.encoding === null)).toBe(true); // beacons carry no Content-Encoding
    // Back on the site: the beaconed events count as delivered and are not sent again.
    await page.goto(w.site.page('/shop.html', scriptPage(attrs({ 'auto-pageview': false, 'batch-size': 50 }))));
    await ready(page);
    await page.evaluate(() => (window as any).tutti.flush());
    await sleep(1000);
    expect(batches(w.collector).reduce((n, r) => n + r.events, 0)).toBe(20);
    expectNoDuplicates();
  });

  it('default settings: 20 events (a full batch, sent at once) then an immediate navigation, 5 times: all 100 arrive', async () => {
    // The 20th event starts a regular send; the page leaves while that send is being
    // prepared. The unload flush must still get those events out.
    const page = await ctx.newPage();
    const url = w.site.page('/shop-default.html', scriptPage(attrs({ 'auto-pageview': false })));
    const away = w.site.page('/elsewhere.html', '<!doctype html><title>no SDK here</title>');
    for (let round = 0; round < 5; round++) {
      await page.goto(url);
      await ready(page);
      await page.evaluate(
        ([away, round]) => {
          for (let i = 0; i < 20; i++) (window as any).tutti.track('Leaving ' + round, { i });
          location.href = away as string;
        },
        [away, round] as const,
      );
      await page.waitForURL(away);
    }
    await waitFor('all 100 events', () => events({ type: 'track' }).length === 100, 5000).catch((e) => {
      const got = [0, 1, 2, 3, 4].map((r) => events({ event: 'Leaving ' + r }).length);
      throw new Error(`${e.message}; per round: ${got.join(', ')}`);
    });
    const ids = events().map((e) => e.messageId);
    expect(new Set(ids).size).toBe(100);
    // Chromium announces the navigation when it starts (Navigation API), so the SDK hands
    // the batch to sendBeacon before a regular send begins: the next page load has nothing
    // unconfirmed to send again. (Without that API a request still in flight when the
    // page goes cannot be confirmed and may be sent twice: at-least-once.)
    expect(w.collector.stats().duplicates).toBe(0);
  });

  it('leaving while the device is offline: the events are kept for the next page instead of handed to a beacon that cannot go', async () => {
    const url = w.site.page('/offline-leave.html', scriptPage(attrs({ 'auto-pageview': false })));
    const page = await ctx.newPage();
    await page.goto(url);
    await ready(page);
    await track(page, 'Offline Leave', 5);
    // Offline: navigator.onLine is false, and nothing reaches the collector (Playwright's
    // offline mode alone lets the browser's own beacon requests out).
    await ctx.setOffline(true);
    await w.collector.down();
    // The renderer learns of it asynchronously: leave only once the page itself is offline.
    await page.waitForFunction(() => !navigator.onLine, null, { timeout: 5000 });
    await page.goto('about:blank'); // the unload flush runs offline (sendBeacon still says true)
    await sleep(500);
    await w.collector.up();
    await ctx.setOffline(false);
    await page.goto(url);
    await ready(page);
    await waitFor('the 5 events', () => events({ event: 'Offline Leave' }).length === 5, 8000);
    expectNoDuplicates();
  });

  it('regular sends over 1 KB go gzipped; small ones as plain JSON; no Referer header', async () => {
    const page = await ctx.newPage();
    const headers: Array<Promise<Record<string, string>>> = [];
    page.on('request', (r) => void (r.url().includes('/v1/batch') && headers.push(r.allHeaders())));
    await page.goto(w.site.page('/gzip.html', scriptPage(attrs({ 'auto-pageview': false }))));
    await ready(page);
    await track(page, 'Zipped', 20); // a full batch: sent at once, well over 1 KB
    await waitFor('the batch of 20', () => events({ event: 'Zipped' }).length === 20, 5000);
    await track(page, 'Small', 1);
    await page.evaluate(() => (window as any).tutti.flush());
    await waitFor('the small batch', () => events({ event: 'Small' }).length === 1, 5000);
    const sent = batches(w.collector);
    expect(sent.map((r) => r.encoding)).toEqual(['gzip', null]);
    // The events carry their page; the requests do not repeat it in a Referer header.
    const seen = await Promise.all(headers);
    expect(seen).toHaveLength(2);
    for (const h of seen) expect(h.referer).toBeUndefined();
  });

  it('collector down → reload → collector up: nothing is lost, nothing doubled', async () => {
    await w.collector.down();
    const url = w.site.page('/offline.html', scriptPage(attrs({ 'retry-base-delay': 200, 'retry-max-delay': 1000 })));
    const page = await ctx.newPage();
    await page.goto(url);
    await ready(page);
    await track(page, 'Offline', 10);
    await page.evaluate(() => (window as any).tutti.flush()); // fails: network error
    await sleep(300);
    const stored = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const open = indexedDB.open('tutti');
          open.onsuccess = () => {
            // Records are stored in chunks (arrays); other values (the ID mirror) count as one.
            const req = open.result.transaction('outbox').objectStore('outbox').getAll();
            req.onsuccess = () => resolve(req.result.reduce((n: number, v: unknown) => n + (Array.isArray(v) ? v.length : 1), 0));
          };
        }),
    );
    expect(stored).toBeGreaterThanOrEqual(11); // page view + 10 events persisted in IndexedDB
    await page.reload();
    await ready(page);
    await sleep(500);
    expect(events().length).toBe(0);
    await w.collector.up();
    await waitFor('10 events and 2 page views', () => events({ event: 'Offline' }).length === 10 && events({ type: 'page' }).length === 2, 10000);
    await sleep(500);
    expectNoDuplicates();
  });

  it('429 with Retry-After: waits as told, then delivers once', async () => {
    w.collector.fail({ status: 429, retryAfter: '1', times: 1 });
    const page = await ctx.newPage();
    await page.goto(w.site.page('/throttled.html', scriptPage(attrs({ 'auto-pageview': false, 'retry-base-delay': 50 }))));
    await ready(page);
    await track(page, 'Throttled', 3);
    await page.evaluate(() => (window as any).tutti.flush());
    await waitFor('the retried batch', () => events({ event: 'Throttled' }).length === 3, 6000);
    const tries = batches(w.collector);
    expect(tries.map((r) => r.status)).toEqual([429, 200]);
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(950); // Retry-After: 1 (s), not the 50 ms backoff
    expectNoDuplicates();
  });

  it('400: reported through on("failed"), not retried, and later events still flow', async () => {
    w.collector.fail({ status: 400, times: 1 });
    const page = await ctx.newPage();
    await page.goto(w.site.page('/refused.html', scriptPage(attrs({ 'auto-pageview': false, 'retry-base-delay': 50 }))));
    await ready(page);
    await page.evaluate(() => {
      const win = window as any;
      win.__failed = [];
      win.tutti.on('failed', (info: any) => win.__failed.push([info.status, info.events.map((e: any) => e.event)]));
      win.tutti.track('Refused');
      return win.tutti.flush();
    });
    await sleep(800);
    expect(await page.evaluate(() => (window as any).__failed)).toEqual([[400, ['Refused']]]);
    expect(batches(w.collector).map((r) => r.status)).toEqual([400]);
    await page.evaluate(() => {
      (window as any).tutti.track('After 400');
      return (window as any).tutti.flush();
    });
    await waitFor('the next event', () => events({ event: 'After 400' }).length === 1);
    expect(events({ event: 'Refused' }).length).toBe(0);
  });

  it('IndexedDB failing mid-session (quota): the events it then kept in localStorage reach the collector from the next page, once', async () => {
    await w.collector.down();
    // A long backoff: nothing is retried (or beaconed) while the collector is down.
    const url = w.site.page('/quota.html', scriptPage(attrs({ 'retry-base-delay': 8000 })));
    const page = await ctx.newPage();
    await page.goto(url);
    await ready(page);
    await sleep(300); // the page view is persisted in IndexedDB
    await page.evaluate(() => {
      IDBObjectStore.prototype.put = function () {
        throw new DOMException('quota', 'QuotaExceededError');
      };
    });
    await track(page, 'After Quota', 5);
    await page.evaluate(() => (window as any).tutti.flush()); // network error: the events stay queued
    await sleep(300);
    await w.collector.up();
    await page.reload(); // IndexedDB works again on the next page
    await waitFor('the 5 events and 2 page views', () => events({ event: 'After Quota' }).length === 5 && events({ type: 'page' }).length === 2, 8000);
    await sleep(1000);
    expectNoDuplicates();
  });

  it("the page deleting Tutti's IndexedDB database (a sign-out that clears storage) is not blocked by the SDK's open connection, and tracking goes on", async () => {
    await w.collector.down();
    const url = w.site.page('/delete-db.html', scriptPage(attrs({ 'retry-base-delay': 8000 })));
    const page = await ctx.newPage();
    await page.goto(url);
    await ready(page);
    await sleep(300); // the page view is persisted
    const deleted = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const req = indexedDB.deleteDatabase('tutti');
          req.onsuccess = () => resolve('deleted');
          req.onerror = () => resolve('error');
          setTimeout(() => resolve('still blocked after 2 s'), 2000);
        }),
    );
    expect(deleted).toBe('deleted');
    await track(page, 'After Delete', 3);
    await page.evaluate(() => (window as any).tutti.flush()); // the collector is down: kept
    await sleep(300);
    await w.collector.up();
    await page.reload(); // what was tracked after the deletion was persisted
    await waitFor('the 3 events', () => events({ event: 'After Delete' }).length === 3, 8000);
    expect(await page.evaluate(() => (window as any).__errors)).toEqual([]);
  });

  it('outage, a page of the same site takes over and delivers the queue, then Back (bfcache): the restored page does not send it again', async () => {
    await w.collector.down();
    const sitePage = (name: string) => w.site.page(name, scriptPage(attrs({ 'auto-pageview': false, 'cookie-domain': '', 'retry-base-delay': 2000, 'retry-max-delay': 2000 })));
    const first = sitePage('/bf1.html');
    const second = sitePage('/bf2.html');
    // Playwright turns the back/forward cache off by default: this browser keeps it.
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS], ignoreDefaultArgs: ['--disable-back-forward-cache'] });
    try {
      const context = await browser.newContext();
      // The site's pages are no-store, which Chromium caches only while no cookie changed: the ID is there already.
      await context.addCookies([{ name: 'tutti_aid', value: '0c48b5e0-85a9-48d7-a1cb-ecb798a07995', url: first }]);
      const page = await context.newPage();
      await page.goto(first);
      await ready(page);
      await page.evaluate(() => addEventListener('pageshow', (e) => e.persisted && ((window as any).__restored = true)));
      await track(page, 'Before Back', 5);
      await page.evaluate(() => (window as any).tutti.flush()); // network error: a known outage, so no beacon on leaving
      await w.collector.up();
      await page.goto(second); // adopts the first page's events (it gave up its tab lock) and sends them
      await ready(page);
      await waitFor('the 5 events, from the second page', () => events({ event: 'Before Back' }).length === 5, 8000);
      await page.goBack({ waitUntil: 'commit' }); // no load event on a restore
      await page.waitForFunction(() => (window as any).__restored, null, { timeout: 5000 }); // restored from the back/forward cache
      await sleep(3000); // the first page's backoff has run out
      await page.evaluate(() => (window as any).tutti.flush());
      expectNoDuplicates();
    } finally {
      await browser.close();
    }
  });

  for (const locks of [true, false]) {
    it(`two tabs through an outage (${locks ? 'Web Locks' : 'localStorage leases'}): each delivers its own events, none twice`, async () => {
      if (!locks) await ctx.addInitScript(() => delete (Navigator.prototype as any).locks);
      await w.collector.down();
      const url = w.site.page('/tabs.html', scriptPage(attrs({ 'retry-base-delay': 300, 'retry-max-delay': 800 })));
      const a = await ctx.newPage();
      const b = await ctx.newPage();
      await Promise.all([a.goto(url), b.goto(url)]);
      await Promise.all([ready(a), ready(b)]);
      expect(await a.evaluate(() => 'locks' in navigator)).toBe(locks);
      await Promise.all([track(a, 'Tab A', 10), track(b, 'Tab B', 10)]);
      await sleep(1500); // several failed attempts by both tabs
      await w.collector.up();
      await waitFor(
        'every event of both tabs',
        () => events({ event: 'Tab A' }).length === 10 && events({ event: 'Tab B' }).length === 10 && events({ type: 'page' }).length === 2,
        10000,
      );
      await sleep(1500); // time for any duplicate to show up
      expectNoDuplicates();
    });
  }

  for (const locks of [true, false]) {
    it(`a tab closed during an outage (${locks ? 'Web Locks' : 'localStorage leases'}): exactly one of the next pages adopts its events`, async () => {
      if (!locks) await ctx.addInitScript(() => delete (Navigator.prototype as any).locks);
      await w.collector.down();
      // A long backoff: no retry (and no unload beacon) happens while the collector is down.
      const url = w.site.page('/adopt.html', scriptPage(attrs({ 'retry-base-delay': 8000 })));
      const a = await ctx.newPage();
      const b = await ctx.newPage();
      await Promise.all([a.goto(url), b.goto(url)]);
      await Promise.all([ready(a), ready(b)]);
      await Promise.all([track(a, 'Closed Tab', 10), track(b, 'Open Tab', 10)]);
      await Promise.all([a.evaluate(() => (window as any).tutti.flush()), b.evaluate(() => (window as any).tutti.flush())]);
      await a.close();
      await w.collector.up();
      const c = await ctx.newPage();
      // Two pages start at once; both look for orphaned events (A's, and B's previous load).
      await Promise.all([b.reload(), c.goto(url)]);
      await waitFor(
        'the orphaned events and four page views (A, B, B again, C)',
        () => events({ event: 'Closed Tab' }).length === 10 && events({ event: 'Open Tab' }).length === 10 && events({ type: 'page' }).length === 4,
        15000, // returns as soon as they are in; the margin is for a loaded CI machine
      );
      await sleep(1500);
      expectNoDuplicates();
    });
  }

  for (const [outage, locks] of [['down', true], ['503', true], ['down', false]] as const) {
    it(`a tab closed during an outage (collector ${outage === 'down' ? 'unreachable' : 'answering 503'}, ${locks ? 'Web Locks' : 'localStorage leases'}): the tab left open delivers its events once the collector recovers, without a reload, once`, async () => {
      if (!locks) await ctx.addInitScript(() => delete (Navigator.prototype as any).locks);
      if (outage === 'down') await w.collector.down();
      else w.collector.fail({ status: 503 });
      const url = w.site.page('/adopt-live.html', scriptPage(attrs({ 'retry-base-delay': 300, 'retry-max-delay': 800 })));
      const a = await ctx.newPage();
      const b = await ctx.newPage();
      await Promise.all([a.goto(url), b.goto(url)]);
      await Promise.all([ready(a), ready(b)]);
      await Promise.all([track(a, 'Closed Tab', 10), track(b, 'Open Tab', 10)]);
      // Both tabs have failed: the collector is known to be down, so A's unload beacon is skipped.
      await Promise.all([a.evaluate(() => (window as any).tutti.flush()), b.evaluate(() => (window as any).tutti.flush())]);
      const loads = await b.evaluate(() => performance.getEntriesByType('navigation').length + ':' + performance.timeOrigin);
      await a.close();
      await sleep(1000);
      expect(events().length).toBe(0);
      if (outage === 'down') await w.collector.up();
      else w.collector.fail(null);
      await waitFor(
        "the closed tab's events, from the tab left open",
        () => events({ event: 'Closed Tab' }).length === 10 && events({ event: 'Open Tab' }).length === 10 && events({ type: 'page' }).length === 2,
        12000, // as above
      ).catch((e) => {
        throw new Error(`${e.message}; got ${events({ event: 'Closed Tab' }).length} of A's, ${events({ event: 'Open Tab' }).length} of B's`);
      });
      expect(await b.evaluate(() => performance.getEntriesByType('navigation').length + ':' + performance.timeOrigin)).toBe(loads); // not reloaded
      await sleep(1500); // time for any duplicate to show up
      expectNoDuplicates();
      expect(await b.evaluate(() => (window as any).__errors)).toEqual([]);
    });
  }
});
