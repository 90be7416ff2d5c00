// End-to-end in real headless Chromium: what real sites do to the global environment
// (hostile *inputs* are web-basics' bad-input test). Prototype.js-era prototype
// pollution, globals replaced or wrapped before or after the SDK loads, restricted
// storage and a strict CSP: events still arrive, well-formed, at least once with unique
// messageIds; the SDK never reaches window.onerror / unhandledrejection, and the page's
// own code keeps working. (The sandboxed iframe, where every storage API throws, is
// web-basics' test.) Runs in about 20 s.
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
const ready = (page: Page) =>
  page.waitForFunction(() => (window as any).tutti && (window as any).tutti.getSessionId() !== '', null, { timeout: 5000 });
/** Every stored event once, and the collector never saw a messageId twice. */
function expectUnique() {
  const ids = events().map((e) => e.messageId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(w.collector.stats().duplicates).toBe(0);
}
/**
 * Records still stored in the page's outbox (IndexedDB 'tutti', chunk keys "<ns>|<first id>").
 * A reload before the removals of delivered events are written (they wait up to 1 s to share
 * one transaction) sends those events again: at-least-once, but not what these tests check.
 */
const storedRecords = (page: Page) =>
  page.evaluate(async () => {
    const n: number = await new Promise((done) => {
      const r = indexedDB.open('tutti');
      r.onerror = () => done(-1);
      r.onsuccess = () => {
        const q = r.result.transaction('outbox', 'readonly').objectStore('outbox').getAllKeys();
        q.onerror = () => done(-1);
        q.onsuccess = () => (done(q.result.filter((k) => String(k).indexOf('|') >= 0).length), r.result.close());
      };
    });
    return n;
  });
const removalsWritten = (page: Page) => waitFor('the removals of delivered events written', async () => (await storedRecords(page)) === 0, 8000);
/** Uncaught errors and unhandled rejections of a page from now on, across its navigations. */
function uncaught(page: Page): string[] {
  const list: string[] = [];
  page.on('pageerror', (e) => list.push(e.message));
  return list;
}
/** Opens a script-tag page whose `head` runs before the SDK and `body` after it. */
async function open(path: string, head: string, body = '', extra: Record<string, string | number | boolean> = {}, query = '', file = 'tutti.min.js') {
  const page = await ctx.newPage();
  await page.goto(w.site.page(path, scriptPage(attrs(extra), body, head).replace('/dist/tutti.min.js', '/dist/' + file)) + query);
  await ready(page);
  return page;
}
/** Tracks a few events in the page, flushes, and waits until they and the page view arrived. */
async function trackSome(page: Page, name: string, n = 3) {
  await page.evaluate(
    ([name, n]) => {
      for (let i = 0; i < (n as number); i++) (window as any).tutti.track(name, { i, list: [i, 'x', { deep: [true] }] });
      return (window as any).tutti.flush();
    },
    [name, n] as const,
  );
  await waitFor(`${n} × ${name}`, () => events({ event: name }).length === n);
}

describe('hostile host environments in Chromium', () => {
  for (const file of ['tutti.min.js', 'tutti.h5.min.js']) it(`Prototype.js-era pollution (${file}): Array/String/Date.prototype.toJSON and an enumerable Object.prototype.foo`, async () => {
    // Prototype 1.6 serialised arrays itself: Array#toJSON returns a *string*, and
    // JSON.stringify([1]) is then '"[1]"'. Its String#toJSON / Date#toJSON add quotes.
    const pollute = `<script>
      Array.prototype.toJSON = function () { var a = []; for (var i = 0; i < this.length; i++) a.push(JSON.stringify(this[i])); return '[' + a.join(', ') + ']'; };
      String.prototype.toJSON = function () { return '"' + this + '"'; };
      Date.prototype.toJSON = function () { return '"' + this.toISOString() + '"'; };
      Object.prototype.foo = 1;
    </script>`;
    const page = await open('/prototype.html', pollute, '', {}, '?utm_source=proto&utm_medium=cpc', file);
    await page.evaluate(() => {
      const t = (window as any).tutti;
      t.identify('u-proto', { tags: ['a', 'b'] });
      t.setExternalId('wechat_openid', 'o-1');
      t.track('Order Completed', { items: [{ sku: 'A', qty: 2 }], total: 3 });
    });
    await trackSome(page, 'Polluted');
    await page.reload(); // what the first page stored (touch ledger, traits) is read back
    await ready(page);
    await page.evaluate(() => (window as any).tutti.track('Order Completed', { again: [1] }));
    await trackSome(page, 'Polluted Again', 1);
    await waitFor('both conversions', () => events({ event: 'Order Completed' }).length === 2);
    const all = events();
    // No key from Object.prototype anywhere in what was sent.
    const walk = (v: any, path: string): void => {
      if (v && typeof v === 'object') for (const k of Object.keys(v)) (expect(k, path).not.toBe('foo'), walk(v[k], path + '.' + k));
    };
    all.forEach((e) => walk(e, e.event || e.type));
    const [first, second] = events({ event: 'Order Completed' });
    expect(first.properties.items).toEqual([{ sku: 'A', qty: 2 }]);
    expect(second.properties.again).toEqual([1]);
    expect(Array.isArray(first.context.touches)).toBe(true);
    expect(second.context.touches[0]).toMatchObject({ source: 'proto', medium: 'cpc' });
    expect(second.context.touches[0].clickIdType).toBeUndefined();
    expect(first.context.externalIds).toEqual([{ id: 'o-1', type: 'wechat_openid', collection: 'users', encoding: 'none' }]);
    expect(events({ event: 'Polluted' })[0].properties.list).toEqual([0, 'x', { deep: [true] }]);
    expect(events({ type: 'identify' })[0].traits.tags).toEqual(['a', 'b']);
    expect(all.every((e) => typeof e.anonymousId === 'string' && /Z$/.test(e.timestamp))).toBe(true);
    expect(all[0].context.channel).toBe(file === 'tutti.min.js' ? 'web' : 'h5');
    expect(batches(w.collector).every((r) => r.status === 200)).toBe(true);
    expectUnique();
    // The SDK wrote nothing of Object.prototype's into the page's storage.
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.indexOf('tutti') !== 0))).toEqual([]);
    expect(await pageErrors(page)).toEqual([]);
  });

  it('a monitoring tool wrapping fetch: a synchronous throw, then a promise that never settles', async () => {
    // Before the SDK: the first two calls throw. After it: the next call hangs for good.
    const wrapBefore = `<script>(function () { var f = window.fetch, n = 0;
      window.fetch = function () { if (++n <= 2) throw new TypeError('monitor: not ready'); return f.apply(this, arguments); }; })();</script>`;
    const page = await ctx.newPage();
    await page.clock.install();
    await page.goto(w.site.page('/fetch.html', scriptPage(attrs({ 'auto-pageview': false }), '', wrapBefore)));
    await ready(page);
    await page.evaluate(() => (window as any).tutti.track('Through Throwing Fetch'));
    // Two throws are two network errors: backoff, then the third call goes through.
    for (let i = 0; i < 40 && !events({ event: 'Through Throwing Fetch' }).length; i++) await page.clock.runFor(1000), await sleep(50);
    expect(events({ event: 'Through Throwing Fetch' }).length).toBe(1);
    await page.evaluate(() => {
      const f = window.fetch;
      let hung = false;
      window.fetch = function (this: unknown, ...a: Parameters<typeof fetch>) {
        if (!hung) return (hung = true), new Promise<Response>(() => undefined);
        return f.apply(this, a);
      } as typeof fetch;
      (window as any).tutti.track('Behind A Hung Fetch');
      (window as any).tutti.flush();
    });
    await sleep(300);
    await page.evaluate(() => (window as any).tutti.track('After The Hung One'));
    // The SDK gives up on a request after its 30 s timeout even when the wrapper ignores the abort signal.
    for (let i = 0; i < 90 && events({ event: 'After The Hung One' }).length + events({ event: 'Behind A Hung Fetch' }).length < 2; i++)
      await page.clock.runFor(1000), await sleep(50);
    expect(events({ event: 'Behind A Hung Fetch' }).length).toBe(1);
    expect(events({ event: 'After The Hung One' }).length).toBe(1);
    expectUnique();
    expect(await pageErrors(page)).toEqual([]);
  });

  for (const beacon of ['returns false', 'throws'] as const) {
    it(`navigator.sendBeacon ${beacon}: events tracked right before leaving still arrive`, async () => {
      const head = `<script>navigator.sendBeacon = function () { ${beacon === 'throws' ? "throw new TypeError('beacon blocked')" : 'return false'}; };</script>`;
      const page = await open('/beacon.html', head, '', { 'auto-pageview': false, 'batch-size': 50, 'flush-interval': 60000 });
      const errors = uncaught(page);
      const away = w.site.page('/away.html', '<!doctype html><title>no SDK here</title>');
      await page.evaluate((away) => {
        for (let i = 0; i < 5; i++) (window as any).tutti.track('Leaving', { i });
        location.href = away;
      }, away);
      await page.waitForURL(away);
      // They leave with the page by keepalive fetch (the navigation's own flush, or the
      // unload flush's fallback when the beacon says no) or, when that has not started
      // before the page is gone (a throwing beacon answers "not sent"), stay persisted.
      await sleep(1000);
      // A leaving page never reads that fetch's answer, so the next page of the site sends
      // them (again: at-least-once, same messageIds, kept once by the collector).
      await page.goto(w.site.page('/beacon.html', scriptPage(attrs({ 'auto-pageview': false }), '', head)));
      await ready(page);
      await page.evaluate(() => (window as any).tutti.flush());
      await waitFor('the 5 events', () => events({ event: 'Leaving' }).length === 5);
      expect(events({ event: 'Leaving' }).map((e) => e.properties.i).sort()).toEqual([0, 1, 2, 3, 4]);
      expect(new Set(events().map((e) => e.messageId)).size).toBe(5);
      expect(errors).toEqual([]);
      expect(await pageErrors(page)).toEqual([]);
    });
  }

  it('JSON.stringify wrapped before the SDK loads and again after it; history wrapped by routers before and after', async () => {
    const router = (tag: string) => `(function () { ['pushState', 'replaceState'].forEach(function (m) { var o = history[m];
      history[m] = function (s, t, u) { window.__this = window.__this || []; __this.push(this === history); o.apply(this, arguments); return '${tag}:' + u; }; }); })();`;
    const json = (tag: string) => `(function () { var s = JSON.stringify; JSON.stringify = function (v, r, i) { window['${tag}'] = (window['${tag}'] || 0) + 1; return s.call(this, v, r, i); }; })();`;
    const page = await open('/wrapped.html', `<script>${router('before')}${json('__jb')}</script>`, `<script>${router('after')}${json('__ja')}</script>`);
    const r = await page.evaluate(async () => {
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const out: unknown[] = [history.pushState({ a: 1 }, '', '/wrapped/2'), history.replaceState({ a: 2 }, '', '/wrapped/3')];
      await sleep(50);
      try {
        history.pushState({}, '', 'http://other.example/'); // the router's own error reaches the router's caller
      } catch (e) {
        out.push((e as Error).name);
      }
      out.push(history.state, location.pathname);
      (window as any).tutti.track('Wrapped');
      await (window as any).tutti.flush();
      return out;
    });
    expect(r).toEqual(['after:/wrapped/2', 'after:/wrapped/3', 'SecurityError', { a: 2 }, '/wrapped/3']);
    expect(await page.evaluate(() => (window as any).__this.every(Boolean))).toBe(true);
    await waitFor('the page views and the event', () => events({ type: 'page' }).length === 2 && events({ event: 'Wrapped' }).length === 1);
    expect(events({ type: 'page' }).map((e) => e.context.page.path)).toEqual(['/wrapped.html', '/wrapped/3']);
    expectUnique();
    expect(await pageErrors(page)).toEqual([]);
  });

  it('Promise replaced by a non-native polyfill (setTimeout-scheduled, as old polyfills were) and window.crypto missing', async () => {
    const polyfill = `<script>(function () {
      function P(ex) {
        var st = 0, val, q = [], done = false, self = this;
        function fin(s, v) { st = s; val = v; var l = q; q = []; l.forEach(function (f) { setTimeout(f, 0); }); }
        function res(v) {
          if (v === self) return fin(2, new TypeError('cycle'));
          if (v && (typeof v === 'object' || typeof v === 'function')) {
            var then; try { then = v.then; } catch (e) { return fin(2, e); }
            if (typeof then === 'function') { var c = false; try { then.call(v, function (x) { if (!c) { c = true; res(x); } }, function (x) { if (!c) { c = true; fin(2, x); } }); } catch (e) { if (!c) { c = true; fin(2, e); } } return; }
          }
          fin(1, v);
        }
        this.then = function (a, b) {
          return new P(function (ok, ko) {
            function run() { var h = st === 1 ? a : b; if (typeof h !== 'function') return (st === 1 ? ok : ko)(val); try { ok(h(val)); } catch (e) { ko(e); } }
            st ? setTimeout(run, 0) : q.push(run);
          });
        };
        try { ex(function (v) { if (!done) { done = true; res(v); } }, function (e) { if (!done) { done = true; fin(2, e); } }); } catch (e) { if (!done) { done = true; fin(2, e); } }
      }
      P.prototype.catch = function (b) { return this.then(undefined, b); };
      P.resolve = function (v) { return v instanceof P ? v : new P(function (ok) { ok(v); }); };
      P.reject = function (e) { return new P(function (ok, ko) { ko(e); }); };
      P.all = function (a) { return new P(function (ok, ko) { var l = Array.from(a), out = [], n = 0; if (!l.length) ok(out); l.forEach(function (p, i) { P.resolve(p).then(function (v) { out[i] = v; if (++n === l.length) ok(out); }, ko); }); }); };
      P.race = function (a) { return new P(function (ok, ko) { Array.from(a).forEach(function (p) { P.resolve(p).then(ok, ko); }); }); };
      window.Promise = P;
      Object.defineProperty(window, 'crypto', { value: undefined, configurable: true });
    })();</script>`;
    const page = await open('/polyfill.html', polyfill);
    expect(await page.evaluate(() => [String(Promise).indexOf('[native code]') < 0, typeof crypto])).toEqual([true, 'undefined']);
    await trackSome(page, 'Polyfilled', 30);
    await page.evaluate(() => (window as any).tutti.identify('u-poly'));
    // The page's own promises still work.
    expect(await page.evaluate(() => new Promise((r) => r(1)).then((v) => (v as number) + 1))).toBe(2);
    // flush() answers through the polyfill, so the page may not have read the collector's
    // answers yet: a reload then would send those events again (at-least-once).
    await removalsWritten(page);
    await page.reload();
    await ready(page);
    await trackSome(page, 'Polyfilled Again', 1);
    const all = events();
    expect(new Set(all.map((e) => e.anonymousId)).size).toBe(1);
    expect(all[0].anonymousId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(events({ event: 'Polyfilled Again' })[0].userId).toBe('u-poly');
    expectUnique();
    expect(await pageErrors(page)).toEqual([]);
  });

  it('document.cookie refused (getter empty, setter throws) and localStorage unreadable: the ID still survives reloads through IndexedDB', async () => {
    const lock = `<script>
      Object.defineProperty(document, 'cookie', { configurable: true, get: function () { return ''; }, set: function () { throw new DOMException('cookies off', 'SecurityError'); } });
      Object.defineProperty(window, 'localStorage', { configurable: true, get: function () { throw new DOMException('storage off', 'SecurityError'); } });
    </script>`;
    const page = await open('/locked.html', lock);
    const id = await page.evaluate(() => (window as any).tutti.getAnonymousId());
    await trackSome(page, 'Locked');
    // Removals of delivered events wait up to 1 s to share one IndexedDB transaction, and a
    // page leaving meanwhile notes them in localStorage: without localStorage, a reload in
    // that second sends them again (same messageIds: the collector keeps them once).
    await removalsWritten(page);
    await page.reload();
    await ready(page);
    expect(await page.evaluate(() => (window as any).tutti.getAnonymousId())).toBe(id);
    await trackSome(page, 'Locked Again', 1);
    expect(new Set(events().map((e) => e.anonymousId))).toEqual(new Set([id]));
    expectUnique();
    expect(await pageErrors(page)).toEqual([]);
  });

  for (const idb of ['errors', 'never answers'] as const) {
    it(`indexedDB.open ${idb}: events go out at once, and one kept through an outage reaches the collector from the next page`, async () => {
      const head = `<script>indexedDB.open = function () { var r = { error: new DOMException('blocked', 'UnknownError') };
        ${idb === 'errors' ? "setTimeout(function () { r.onerror && r.onerror(new Event('error')); }, 10);" : ''} return r; };</script>`;
      const page = await open('/idb.html', head);
      const id = await page.evaluate(() => (window as any).tutti.getAnonymousId());
      // Sending never waits for storage. (flush() does wait for its events to be stored: up
      // to 5 s with a hung IndexedDB, after which localStorage takes over for the page.)
      await page.evaluate(() => (window as any).tutti.track('No IDB', { list: [1] }));
      await waitFor('the event, at the flush interval', () => events({ event: 'No IDB' }).length === 1, 2000);
      await w.collector.down();
      await page.evaluate(() => (window as any).tutti.track('Kept'));
      // Left before a hung IndexedDB's 5 s deadline, with the collector known down (no beacon).
      await sleep(800);
      await w.collector.up();
      await page.reload();
      await ready(page);
      expect(await page.evaluate(() => (window as any).tutti.getAnonymousId())).toBe(id);
      await page.evaluate(() => (window as any).tutti.flush());
      await waitFor('the kept event', () => events({ event: 'Kept' }).length === 1, 10000);
      await sleep(300);
      expectUnique();
      expect(await pageErrors(page)).toEqual([]);
    });
  }

  it("a strict CSP (script-src 'self', connect-src the collector only): no violation, events and web vitals arrive", async () => {
    w.site.file('/csp/errors.js', Buffer.from(`window.__errors = []; window.onerror = function (m) { __errors.push(String(m)); };
      addEventListener('unhandledrejection', function (e) { __errors.push('rejection: ' + e.reason); });
      addEventListener('securitypolicyviolation', function (e) { __errors.push('csp: ' + e.violatedDirective + ' ' + e.blockedURI); });`));
    w.site.file('/csp/app.js', Buffer.from(`tutti.track('Under CSP', { list: [1] });`));
    const csp = `default-src 'self'; script-src 'self'; connect-src ${w.collector.url}`;
    const html = `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><title>CSP</title>
<script src="/csp/errors.js"></script><script src="/dist/tutti.min.js" data-write-key="e2e" data-endpoint="${w.collector.url}" data-flush-interval="200"></script>
<script src="/csp/app.js"></script></head><body><h1>Largest text on this page</h1><button id="b">tap</button></body></html>`;
    const page = await ctx.newPage();
    await page.goto(w.site.page('/csp.html', html));
    await ready(page);
    await page.click('#b');
    await waitFor('the event and a vital', () => events({ event: 'Under CSP' }).length === 1 && events({ event: 'Web Vitals' }).length > 0);
    expect(events({ event: 'Under CSP' })[0].properties.list).toEqual([1]);
    // Control: the policy is in force (an inline script is refused and reported).
    await page.evaluate(() => { const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.head.appendChild(s); });
    await sleep(100);
    const errors = await pageErrors(page);
    expect(errors.filter((e) => !/^csp: script-src-elem inline/.test(e))).toEqual([]);
    expect(errors.length).toBe(1);
    expectUnique();
  });
});
