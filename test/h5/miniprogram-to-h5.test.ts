// Mini-program → H5 handoff end to end: the mini-program (fake WeChat runtime, real SDK,
// real wx.request to the collector) builds a <web-view src> with linkUrl; a real Chromium
// page with a WeChat mini-program web-view user agent and mobile emulation opens it (the
// example landing page, served by the reference collector); the collector stitches both
// channels into one profile. Then the same for web → web across domains.
import { afterEach, describe, expect, it } from 'vitest';
import type { Tutti } from '../../src/types';
import { boot, type Booted } from '../miniprogram/harness';
import { UA } from './user-agents';
import { flush, h5Html, phone, ready, until, useH5World } from './world';

const w = useH5World();
let mp: Booted | undefined;

// Runs before useH5World's afterEach (which closes the pages, then resets the collector).
afterEach(() => {
  mp?.rt.kill();
  mp = undefined;
});

const APPID = 'wx0123456789abcdef';
/** What WeChat sends as the referrer of a mini-program web-view page. */
const WEBVIEW_REFERRER = `https://servicewechat.com/${APPID}/3/page-frame.html`;

/** Boots a mini-program whose `pages/promo/promo` renders `<web-view src="{{src}}">` with src = linkUrl(h5Url). */
async function miniProgram(h5Url: string): Promise<Booted> {
  let sdk: Tutti | undefined;
  mp = await boot({
    endpoint: w.collector.url,
    appId: APPID,
    pages: (rt, g) =>
      rt.define('pages/promo/promo', () =>
        g.Page({
          data: { src: '' },
          onLoad(this: { setData(d: object): void }) {
            // The documented way: build the link when the web-view page loads, so it is fresh.
            this.setData({ src: (sdk as Tutti).linkUrl(h5Url) });
          },
        }),
      ),
  });
  sdk = mp.tutti;
  mp.rt.launch({ path: 'pages/index/index', query: { utm_source: 'moments', utm_medium: 'social', utm_campaign: 'spring' }, scene: 1154 });
  return mp;
}

const srcOf = (b: Booted): string => b.rt.pages[b.rt.pages.length - 1].data.src;
const params = (url: string) => Object.fromEntries(new URL(url).searchParams);

describe('mini-program → H5 web-view', () => {
  it('a signed-in member: same anonymous ID and user ID in the H5 page, one profile with both channels', async () => {
    const b = await miniProgram(`${w.collector.url}/?utm_source=miniprogram&utm_medium=banner&utm_campaign=spring-tasting`);
    const aid = b.tutti.getAnonymousId();
    b.tutti.setExternalId('wechat_openid', 'oMPopenid-0001');
    b.tutti.identify('member-42', { tier: 'gold', phone: '13800000000', email: 'li.lei@example.cn' });
    b.rt.navigateTo('pages/promo/promo');
    const src = srcOf(b);

    // The link carries IDs only: never traits, external IDs or anything else of the person.
    expect(Object.keys(params(src)).sort()).toEqual(['tutti_aid', 'tutti_ts', 'tutti_uid', 'utm_campaign', 'utm_medium', 'utm_source']);
    expect(params(src)).toMatchObject({ tutti_aid: aid, tutti_uid: 'member-42' });
    for (const secret of ['gold', '13800000000', 'li.lei', 'oMPopenid']) expect(src).not.toContain(secret);
    await b.tutti.flush();

    const ctx = await w.browser.newContext(phone(UA.miniprogramAndroid));
    const page = await ctx.newPage();
    await page.goto(src, { referer: WEBVIEW_REFERRER });
    expect(await ready(page)).toBe(aid);
    expect(await page.evaluate(() => (window as any).tutti.getUserId())).toBe('member-42');
    // Taken out of the address bar (replaceState): a reload or a share carries no IDs.
    await until('the address bar cleaned', async () => !(await page.evaluate(() => location.search)).includes('tutti_'));
    expect(params(page.url())).toEqual({ utm_source: 'miniprogram', utm_medium: 'banner', utm_campaign: 'spring-tasting' });

    await page.tap('#claim');
    await flush(page);
    const h5 = await until('the H5 page view and claim', () => {
      const list = w.collector.events({ anonymousId: aid }).filter((e: any) => e.context.channel === 'h5');
      return list.length >= 2 && list;
    });
    const pv = h5.find((e: any) => e.type === 'page');
    const claim = h5.find((e: any) => e.event === 'Coupon Claimed');
    for (const e of [pv, claim]) {
      expect(e.userId).toBe('member-42');
      expect(e.context.container).toBe('wechat-miniprogram-webview');
      expect(e.context.campaign).toMatchObject({ source: 'miniprogram', medium: 'banner', name: 'spring-tasting' });
      expect(e.context.userAgent).toBe(UA.miniprogramAndroid);
      expect(JSON.stringify(e)).not.toContain('tutti_aid');
    }
    expect(pv.context.page.url).not.toContain('tutti_');
    expect(pv.context.page.referrer).toBe(WEBVIEW_REFERRER);
    expect(pv.context.screen).toMatchObject({ width: 412, density: 2.625 }); // mobile emulation
    expect(claim.properties).toMatchObject({ coupon: 'spring-kit-9.9', placement: 'hero' });
    // One profile, whichever ID you ask with.
    const profile = w.collector.profile('member-42');
    expect(profile.channels.sort()).toEqual(['h5', 'miniprogram']);
    expect(profile.anonymousIds).toContain(aid);
    expect(profile.externalIds).toEqual([{ type: 'wechat_openid', id: 'oMPopenid-0001' }]);
    expect(w.collector.profile(aid).id).toBe(profile.id);
    expect(w.collector.profile('wechat_openid:oMPopenid-0001').id).toBe(profile.id);
    const names = profile.events.map((e: any) => `${e.context.channel}:${e.event || e.type}`);
    expect(names).toEqual(expect.arrayContaining(['miniprogram:Mini App Launched', 'miniprogram:identify', 'h5:page', 'h5:Coupon Claimed']));
  });

  // Needs the core change asked for in the H5 report: an anonymous ID minted at this very
  // load and never used links nothing, so adopting a handoff over it must not send an alias.
  // Today it does (a junk ID joins the profile). Remove `.fails` once the core has it.
  it('a first visit (no ID of its own yet) adopts without an alias: the profile has one anonymous ID', async () => {
    const b = await miniProgram(`${w.collector.url}/`);
    const aid = b.tutti.getAnonymousId();
    b.rt.navigateTo('pages/promo/promo');
    await b.tutti.flush();
    const ctx = await w.browser.newContext(phone(UA.miniprogramAndroid));
    const page = await ctx.newPage();
    await page.goto(srcOf(b), { referer: WEBVIEW_REFERRER });
    expect(await ready(page)).toBe(aid);
    await flush(page);
    await until('the H5 page view', () => w.collector.events({ anonymousId: aid, type: 'page' }).length === 1);
    expect(w.collector.events({ type: 'alias' })).toEqual([]);
    expect(w.collector.profile(aid).anonymousIds).toEqual([aid]);
  });

  it('an H5 page that already had its own anonymous ID adopts the mini-program one and aliases the old one', async () => {
    const ctx = await w.browser.newContext(phone(UA.miniprogramAndroid));
    const page = await ctx.newPage();
    // An earlier visit to the H5 page on this phone, straight from a chat link.
    await page.goto(`${w.collector.url}/?utm_source=chat`);
    const before = await ready(page);
    await flush(page);

    const b = await miniProgram(`${w.collector.url}/`); // anonymous in the mini-program: no tutti_uid
    const aid = b.tutti.getAnonymousId();
    b.rt.navigateTo('pages/promo/promo');
    const src = srcOf(b);
    expect(params(src).tutti_uid).toBeUndefined();
    await b.tutti.flush();

    await page.goto(src, { referer: WEBVIEW_REFERRER });
    expect(await ready(page)).toBe(aid);
    await flush(page);
    const alias = await until('the alias event', () => w.collector.events({ type: 'alias' })[0]);
    expect(alias).toMatchObject({ anonymousId: aid, previousId: before, userId: null });
    expect(alias.context.channel).toBe('h5');

    // The adopted ID persists: the next visit (no parameters) keeps it.
    await page.goto(`${w.collector.url}/`);
    expect(await ready(page)).toBe(aid);

    const profile = w.collector.profile(before);
    expect(profile.anonymousIds.sort()).toEqual([aid, before].sort());
    expect(profile.channels.sort()).toEqual(['h5', 'miniprogram']);
    expect(w.collector.profile(aid).id).toBe(profile.id);
  });
});

describe('web → web across domains (linkDomains)', () => {
  it('a click to a linked domain carries the IDs; the other site adopts them and strips them', async () => {
    // 127.0.0.1 and localhost are two sites to the browser (separate cookies and storage).
    const other = w.collector.url.replace('127.0.0.1', 'localhost');
    const target = w.page('target.html', h5Html({}));
    const linker = w.page(
      'linker.html',
      h5Html({ 'link-domains': 'localhost' }, `<a id="go" href="${other}/t/target.html?from=linker">to the shop</a>`),
    );
    const ctx = await w.browser.newContext(phone(UA.wechatIos));
    const page = await ctx.newPage();
    await page.goto(linker);
    const aid = await ready(page);
    await page.evaluate(() => (window as any).tutti.identify('member-7', { email: 'han.mei@example.cn' }));
    // Nothing in the DOM before the click: a copied link carries no IDs.
    expect(await page.getAttribute('#go', 'href')).toBe(`${other}/t/target.html?from=linker`);
    await Promise.all([page.waitForURL(/localhost/), page.tap('#go')]);
    expect(await ready(page)).toBe(aid);
    expect(await page.evaluate(() => (window as any).tutti.getUserId())).toBe('member-7');
    expect(page.url()).toBe(`${other}/t/target.html?from=linker`);
    expect(target).toContain('127.0.0.1');
    await flush(page);
    const landed = await until('the page view on the other site', () =>
      w.collector.events({ anonymousId: aid, type: 'page' }).find((e: any) => e.context.page.url.startsWith(other)),
    );
    expect(landed.userId).toBe('member-7');
    expect(JSON.stringify(landed)).not.toContain('han.mei');
  });
});
