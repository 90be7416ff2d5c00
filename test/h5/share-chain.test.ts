// Share chain mini-program → H5 → H5 end to end: the mini-program (fake WeChat runtime,
// real SDK, real wx.request to the collector) shares a page; its share parameters open an
// H5 page (script-tag build) in real Chromium with WeChat's user agent; that page's events
// carry the sharer; its shareUrl() opens the page for a second visitor one hop deeper.
import { afterEach, describe, expect, it } from 'vitest';
import { boot, type Booted } from '../miniprogram/harness';
import { UA } from './user-agents';
import { flush, h5Html, phone, ready, until, useH5World, type Page } from './world';

const w = useH5World();
let mp: Booted | undefined;

afterEach(() => {
  mp?.rt.kill();
  mp = undefined;
});

/** Opens `url` as a new visitor (own browser context) in WeChat; returns the page and its anonymous ID. */
async function visit(url: string): Promise<{ page: Page; aid: string }> {
  const ctx = await w.browser.newContext(phone(UA.wechatAndroid));
  const page = await ctx.newPage();
  await page.goto(url);
  const aid = await ready(page);
  await flush(page);
  return { page, aid };
}

const pageView = (aid: string) => until(`the page view of ${aid}`, () => w.collector.events({ anonymousId: aid, type: 'page' })[0]);

describe('share chain: mini-program → H5 → H5', () => {
  it('keeps who brought whom across the hop and one H5 share onward', async () => {
    mp = await boot({ endpoint: w.collector.url, appId: 'wx0123456789abcdef' });
    mp.rt.launch({ path: 'pages/index/index' });
    mp.rt.navigateTo('pages/item/item?id=42');
    const first = mp.tutti.getAnonymousId();
    const shared = mp.rt.share('app_message', 'button') as { path: string };
    const query = shared.path.slice(shared.path.indexOf('?') + 1);
    expect(query).toBe(`id=42&tutti_sharer=${first}&tutti_depth=1`);

    // The recipient opens the H5 version of that page with the same query.
    const url = w.page('item.html', h5Html({ 'flush-interval': 100 }));
    const second = await visit(`${url}?${query}`);
    expect(second.aid).not.toBe(first);
    expect(await second.page.evaluate(() => location.search)).toBe('?id=42');
    const landed = await pageView(second.aid);
    expect(landed.context.channel).toBe('h5');
    expect(landed.context.campaign).toEqual({ source: 'wechat', medium: 'share', sharer: first, shareDepth: '1' });
    // The page view is read after the parameters left the address bar.
    expect(landed.context.page.url).toBe(`${url}?id=42`);

    // What the page gives wx.updateAppMessageShareData({ link }).
    const link = await second.page.evaluate(() => (window as any).tutti.shareUrl() as string);
    expect(link).toBe(`${url}?id=42&tutti_sharer=${second.aid}&tutti_depth=2`);

    const third = await visit(link);
    expect(third.aid).not.toBe(second.aid);
    expect(third.aid).not.toBe(first);
    const deeper = await pageView(third.aid);
    expect(deeper.context.campaign).toEqual({ source: 'wechat', medium: 'share', sharer: second.aid, shareDepth: '2' });
    expect(await third.page.evaluate(() => (window as any).tutti.shareUrl())).toContain(`tutti_sharer=${third.aid}&tutti_depth=3`);
    for (const p of [second.page, third.page]) expect(await p.evaluate(() => (window as any).__errors)).toEqual([]);
  });
});
