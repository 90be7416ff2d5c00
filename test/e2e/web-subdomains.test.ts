// End-to-end in real headless Chromium: two subdomains of one site, a.shop.test and
// b.shop.test (mapped to the 127.0.0.1 site server by --host-resolver-rules), share the
// anonymous ID's cookie on shop.test while each keeps its own localStorage and IndexedDB.
// A reset() (sign-out) on one must not leave the old user signed in on the other.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium } from '../../bench/lib/chromium.mjs';
import { pageAttrs, useWorld, waitFor, type Ev } from './helpers';
import { scriptPage } from './site';

const w = useWorld();
let browser: Browser;
let ctx: BrowserContext;

beforeAll(async () => {
  browser = await launchChromium(['--host-resolver-rules=MAP *.shop.test 127.0.0.1']);
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  ctx = await browser.newContext();
});
afterEach(async () => {
  await ctx.close();
});

/** The test page on subdomain `sub` of shop.test (same server, same port). */
function urlOn(sub: string): string {
  const url = new URL(w.site.page('/sub.html', scriptPage(pageAttrs(w, { 'flush-interval': 100, 'auto-pageview': false }))));
  url.hostname = sub + '.shop.test';
  return url.href;
}

async function open(sub: string): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(urlOn(sub));
  await page.waitForFunction(() => (window as any).tutti && (window as any).tutti.getAnonymousId() !== '', null, { timeout: 5000 });
  return page;
}

const ids = (page: Page) => page.evaluate(() => ({ aid: (window as any).tutti.getAnonymousId() as string, uid: (window as any).tutti.getUserId() as string | null }));
const track = (page: Page, name: string) => page.evaluate((n) => ((window as any).tutti.track(n), (window as any).tutti.flush()), name);
const sent = async (name: string): Promise<Ev> => {
  await waitFor(name, () => w.collector.events({ event: name }).length === 1);
  return w.collector.events({ event: name })[0];
};

describe('sign-out on another subdomain (Chromium)', () => {
  it('a reset() on a.shop.test: the next load of b.shop.test sends no old userId, and the cookie restored from the mirror is no sign-out', async () => {
    const b = await open('b');
    await b.evaluate(() => (window as any).tutti.identify('u1', { plan: 'pro' }));
    const before = await ids(b);
    expect(before.uid).toBe('u1');
    // One ID across the site: the cookie is on shop.test, not on the host.
    const cookies = await ctx.cookies('http://a.shop.test/');
    expect(cookies.find((c) => c.name === 'tutti_aid')).toMatchObject({ value: before.aid, domain: '.shop.test' });

    // The cookie cleared by the user (localStorage and IndexedDB keep the ID): the same user.
    await ctx.clearCookies();
    await b.reload();
    await b.waitForFunction(() => (window as any).tutti && (window as any).tutti.getAnonymousId() !== '');
    expect(await ids(b)).toEqual(before);

    const a = await open('a');
    expect((await ids(a)).aid).toBe(before.aid);
    await a.evaluate(() => ((window as any).tutti.identify('u1'), (window as any).tutti.reset()));
    const fresh = (await ids(a)).aid;
    expect(fresh).not.toBe(before.aid);

    await b.reload();
    await b.waitForFunction(() => (window as any).tutti && (window as any).tutti.getAnonymousId() !== '');
    expect(await ids(b)).toEqual({ aid: fresh, uid: null });
    await track(b, 'After Sign-out');
    const e = await sent('After Sign-out');
    expect(e.anonymousId).toBe(fresh);
    expect(e.userId ?? null).toBeNull();
  });
});
