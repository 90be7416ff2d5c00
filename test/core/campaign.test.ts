// Campaigns (SPEC §4): utm_* and click IDs, referrer classes, internal referrers,
// session campaigns across page loads, first/last campaign, and the touch ledger that
// conversions and identify events carry.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryKV } from '../../src/index';
import type { Campaign, KeyValueStore, TuttiEvent, TuttiOptions } from '../../src/index';
import { make } from './harness';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

const T0 = Date.parse('2025-05-01T08:00:00.000Z');
const SITE = 'https://www.example.com/';
const MIN = 60000;
const HOUR = 60 * MIN;

/** One page load on `kv` landing on `url` from `referrer`; returns the events of `fn`. */
async function load(url: string, referrer = '', fn = (c: ReturnType<typeof make>['core']) => c.track('Viewed'), opts: Partial<TuttiOptions> = {}, kv: KeyValueStore = memoryKV(), host?: string) {
  const m = make(opts, { kv, landing: { url, referrer }, host });
  fn(m.core);
  await m.core.flush();
  return { ...m, list: m.net.events() as TuttiEvent[] };
}
const firstEvent = async (url: string, referrer = '', opts: Partial<TuttiOptions> = {}, host?: string) =>
  (await load(url, referrer, undefined, opts, memoryKV(), host)).list[0];

describe('utm parameters', () => {
  it('maps every utm_* to source, medium, name, term and content', async () => {
    const e = await firstEvent(SITE + 'spring?utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale&utm_term=running%20shoes&utm_content=hero');
    expect(e.context.campaign).toEqual({ source: 'newsletter', medium: 'email', name: 'spring_sale', term: 'running shoes', content: 'hero' });
  });

  it('ignores unrelated and empty parameters', async () => {
    const e = await firstEvent(SITE + '?utm_source=wechat&utm_medium=&page=2&utm_campaign=cny');
    expect(e.context.campaign).toEqual({ source: 'wechat', name: 'cny' });
  });

  it('an empty utm value does not hide a later non-empty one', async () => {
    const e = await firstEvent(SITE + '?utm_source=&utm_source=x&utm_medium=&utm_medium=cpc');
    expect(e.context.campaign).toEqual({ source: 'x', medium: 'cpc' });
    const h = await firstEvent(SITE + '#/promo?utm_campaign=&utm_campaign=spring&utm_source=wx');
    expect(h.context.campaign).toEqual({ source: 'wx', name: 'spring' });
  });

  it('the first non-empty value wins', async () => {
    const e = await firstEvent(SITE + '?utm_source=a&utm_source=b&utm_source=');
    expect(e.context.campaign).toEqual({ source: 'a' });
  });
});

describe('click IDs', () => {
  const cases: Array<[string, string | null, string | null]> = [
    ['gclid', 'google', 'cpc'],
    ['wbraid', 'google', 'cpc'],
    ['gbraid', 'google', 'cpc'],
    ['fbclid', 'facebook', null],
    ['msclkid', 'bing', 'cpc'],
    ['ttclid', 'tiktok', 'cpc'],
    ['bd_vid', 'baidu', 'cpc'],
    ['qz_gdt', 'tencent', 'cpc'],
    ['gdt_vid', 'tencent', 'cpc'],
    ['clickid', null, 'cpc'],
    ['callback', null, 'cpc'],
  ];

  it.each(cases)('keeps %s under its own name and infers source/medium without utm', async (id, source, medium) => {
    const e = await firstEvent(`${SITE}?${id}=Cj0K-abc_123`);
    const c = e.context.campaign!;
    expect(c[id]).toBe('Cj0K-abc_123');
    expect(c.source).toBeTruthy();
    expect(c.source).not.toBe('direct');
    expect(c.medium).toBeTruthy();
    if (source) expect(c.source).toBe(source);
    if (medium) expect(c.medium).toBe(medium);
  });

  it('utm values win over the inferred source/medium, the click ID is still kept', async () => {
    const e = await firstEvent(SITE + '?gclid=G1&utm_source=partner&utm_medium=display');
    expect(e.context.campaign).toMatchObject({ source: 'partner', medium: 'display', gclid: 'G1' });
  });

  it('a click ID beats the referrer', async () => {
    const e = await firstEvent(SITE + '?bd_vid=B1', 'https://www.baidu.com/s?wd=shoes');
    expect(e.context.campaign).toMatchObject({ source: 'baidu', medium: 'cpc', bd_vid: 'B1' });
  });
});

describe('referrers', () => {
  const organic: Array<[string, string]> = [
    ['https://www.baidu.com/s?wd=tutti', 'baidu'],
    ['https://m.baidu.com/from=844b/s?word=x', 'baidu'],
    ['https://www.google.com.hk/', 'google'],
    ['https://www.google.com/', 'google'],
    ['https://cn.bing.com/search?q=x', 'bing'],
    ['https://www.sogou.com/web?query=x', 'sogou'],
    ['https://www.so.com/s?q=x', 'so'],
    ['https://m.sm.cn/s?q=x', 'sm'],
    ['https://yandex.ru/search/?text=x', 'yandex'],
    ['https://duckduckgo.com/', 'duckduckgo'],
    ['https://so.toutiao.com/search?keyword=x', 'toutiao'],
  ];
  it.each(organic)('%s is organic search', async (ref, source) => {
    const e = await firstEvent(SITE, ref);
    expect(e.context.campaign).toEqual({ source, medium: 'organic' });
  });

  const social: Array<[string, string | null]> = [
    ['https://weibo.com/u/123', 'weibo'],
    ['https://m.weibo.cn/status/1', 'weibo'],
    ['https://www.xiaohongshu.com/explore/1', 'xiaohongshu'],
    ['https://xhslink.com/a/b', 'xiaohongshu'],
    ['https://www.zhihu.com/question/1', 'zhihu'],
    ['https://www.douyin.com/video/1', 'douyin'],
    ['https://mp.weixin.qq.com/s/abc', 'wechat'],
    ['https://www.qq.com/', 'qq'],
    ['https://www.bilibili.com/video/BV1', 'bilibili'],
    ['https://m.facebook.com/', 'facebook'],
    ['https://x.com/someone', null],
    ['https://twitter.com/someone', null],
    ['https://www.linkedin.com/feed/', 'linkedin'],
    ['https://weixin.qq.com/', 'wechat'],
    ['https://www.toutiao.com/article/1/', 'toutiao'],
    ['https://m.toutiao.com/i1/', 'toutiao'],
    ['https://www.douban.com/group/topic/1/', 'douban'],
    ['https://m.douban.com/movie/', 'douban'],
    ['https://www.kuaishou.com/short-video/1', 'kuaishou'],
    ['https://v.kuaishou.com/abc', 'kuaishou'],
    ['https://m.gifshow.com/fw/photo/1', 'kuaishou'],
  ];
  it.each(social)('%s is social', async (ref, source) => {
    const e = await firstEvent(SITE, ref);
    expect(e.context.campaign!.medium).toBe('social');
    if (source) expect(e.context.campaign!.source).toBe(source);
  });

  it('x.com and twitter.com are one source', async () => {
    const a = await firstEvent(SITE, 'https://x.com/a');
    const b = await firstEvent(SITE, 'https://twitter.com/a');
    expect(a.context.campaign!.source).toBe(b.context.campaign!.source);
  });

  it('does not mistake look-alike hosts for known sites', async () => {
    const a = await firstEvent(SITE, 'https://www.notbaidu.com/');
    expect(a.context.campaign).toEqual({ source: 'notbaidu.com', medium: 'referral' });
    const b = await firstEvent(SITE, 'https://www.dropbox.com/s/1');
    expect(b.context.campaign).toEqual({ source: 'dropbox.com', medium: 'referral' });
  });

  it('any other site is a referral with the site as source', async () => {
    const e = await firstEvent(SITE, 'https://blog.partner-store.com/post/42?ref=x');
    expect(e.context.campaign).toEqual({ source: 'partner-store.com', medium: 'referral' });
    const cn = await firstEvent(SITE, 'https://news.other.com.cn/a');
    expect(cn.context.campaign).toEqual({ source: 'other.com.cn', medium: 'referral' });
  });

  it('no referrer and no campaign parameters is direct', async () => {
    const e = await firstEvent(SITE + 'about');
    expect(e.context.campaign!.source).toBe('direct');
  });
});

describe('internal referrers', () => {
  it('a subdomain of the same registrable domain is never a campaign', async () => {
    const { list, core } = await load(SITE, 'https://shop.example.com/cart');
    const c = list[0].context.campaign;
    expect(c && c.medium).not.toBe('referral');
    expect(c && c.source).not.toBe('example.com');
    expect(core.getCampaign().first?.medium).not.toBe('referral');
    expect(core.getCampaign().last?.medium).not.toBe('referral');
  });

  it('works for two-level country suffixes', async () => {
    const { list } = await load('https://www.example.com.cn/', 'https://shop.example.com.cn/', undefined, {}, memoryKV(), 'www.example.com.cn');
    expect(list[0].context.campaign?.medium).not.toBe('referral');
  });

  it('a referrer on linkDomains is never a campaign', async () => {
    const { list } = await load(SITE, 'https://checkout.partner-pay.com/done', undefined, { linkDomains: ['partner-pay.com'] });
    expect(list[0].context.campaign?.medium).not.toBe('referral');
    expect(list[0].context.campaign?.source).not.toBe('partner-pay.com');
  });

  it('a click-ID-named parameter on an internal navigation (login?callback=/cart) is no ad click: session, campaign and touches stay', async () => {
    const kv = memoryKV();
    const a = await load(SITE + '?utm_source=news&utm_medium=email', '', undefined, {}, kv);
    vi.setSystemTime(T0 + MIN);
    const b = await load(SITE + 'login?callback=%2Fcart', 'https://www.example.com/cart', (c) => c.track('Order Completed'), {}, kv);
    const e = b.list[0];
    expect(e.context.session!.id).toBe(a.list[0].context.session!.id);
    expect(e.context.campaign).toEqual({ source: 'news', medium: 'email' });
    expect(e.context.touches!.map((t) => t.source)).toEqual(['news']);
    expect(b.core.getCampaign().last).toEqual({ source: 'news', medium: 'email' });
  });

  it('utm_* on an internal navigation still start a new campaign (its click IDs are left out)', async () => {
    const kv = memoryKV();
    await load(SITE + '?utm_source=news', '', undefined, {}, kv);
    vi.setSystemTime(T0 + MIN);
    const b = await load(SITE + 'promo?utm_source=banner&gclid=g1', 'https://www.example.com/', undefined, {}, kv);
    expect(b.list[0].context.campaign).toEqual({ source: 'banner' });
  });

  it('an internal referrer keeps the live session and its campaign', async () => {
    const kv = memoryKV();
    const a = await load(SITE + '?utm_source=news&utm_medium=email', '', undefined, {}, kv);
    vi.setSystemTime(T0 + MIN);
    const b = await load(SITE + 'product/1', 'https://shop.example.com/', undefined, {}, kv);
    vi.setSystemTime(T0 + 2 * MIN);
    const c = await load(SITE + 'thanks', 'https://pay.partner-pay.com/', undefined, { linkDomains: ['partner-pay.com'] }, kv);
    for (const e of [b.list[0], c.list[0]]) {
      expect(e.context.session!.id).toBe(a.list[0].context.session!.id);
      expect(e.context.session!.start).toBeUndefined();
      expect(e.context.campaign).toEqual({ source: 'news', medium: 'email' });
    }
  });
});

describe('payment and login round trips', () => {
  // The visitor leaves for a payment or sign-in page and comes back with it as referrer:
  // the order belongs to the campaign that brought them, not to 'alipay.com referral'.
  const returns = [
    'https://mclient.alipay.com/cashier/mobilepay.htm',
    'https://excashier.alipay.com/standard/auth.htm',
    'https://openauth.alipay.com/oauth2/publicAppAuthorize.htm',
    'https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb',
    'https://pay.weixin.qq.com/',
    'https://www.tenpay.com/',
    'https://cashier.95516.com/b2c/index.action',
    'https://www.unionpay.com/',
    'https://www.paypal.com/checkoutnow',
    'https://open.weixin.qq.com/connect/oauth2/authorize',
    'https://graph.qq.com/oauth2.0/show',
    'https://api.weibo.com/oauth2/authorize',
    'https://accounts.google.com/o/oauth2/auth',
    'https://appleid.apple.com/auth/authorize',
  ];

  it.each(returns)('a return from %s keeps the session, its campaign and the touches', async (ref) => {
    const kv = memoryKV();
    const a = await load(SITE + 'promo?utm_source=baidu&utm_medium=cpc&utm_campaign=618', '', undefined, {}, kv);
    vi.setSystemTime(T0 + 5 * MIN);
    const b = await load(SITE + 'order/done?out_trade_no=1&callback=x', ref, (c) => c.track('Order Completed'), {}, kv);
    const e = b.list[0];
    expect(e.context.session!.id).toBe(a.list[0].context.session!.id);
    expect(e.context.session!.start).toBeUndefined();
    expect(e.context.campaign).toEqual({ source: 'baidu', medium: 'cpc', name: '618' });
    expect(e.context.touches!.map((t) => t.source)).toEqual(['baidu']);
    expect(b.core.getCampaign().last).toEqual({ source: 'baidu', medium: 'cpc', name: '618' });
  });

  it.each(returns)('%s is never a campaign of its own (as an internal referrer: a first visit from it is direct)', async (ref) => {
    const { list, core } = await load(SITE, ref);
    expect(list[0].context.campaign).toEqual({ source: 'direct', medium: '(none)' });
    expect(core.getCampaign().last?.medium || '').not.toMatch(/referral|organic|social/);
  });

  it('their look-alikes and neighbours are still classified', async () => {
    expect((await firstEvent(SITE, 'https://www.notalipay.com/')).context.campaign).toEqual({ source: 'notalipay.com', medium: 'referral' });
    expect((await firstEvent(SITE, 'https://www.google.com/')).context.campaign).toEqual({ source: 'google', medium: 'organic' });
    expect((await firstEvent(SITE, 'https://weibo.com/u/1')).context.campaign).toEqual({ source: 'weibo', medium: 'social' });
    expect((await firstEvent(SITE, 'https://user.qzone.qq.com/1')).context.campaign).toEqual({ source: 'qq', medium: 'social' });
    expect((await firstEvent(SITE, 'https://www.apple.com/')).context.campaign).toEqual({ source: 'apple.com', medium: 'referral' });
  });
});

describe('session campaign', () => {
  it('is carried by every event of the session', async () => {
    const { list } = await load(SITE + '?utm_source=baidu&utm_medium=cpc&utm_campaign=brand', '', (c) => {
      c.page();
      c.track('Added to Cart');
      c.identify('u1');
      c.group('g1');
      c.alias('u2');
    });
    expect(list.length).toBe(5);
    for (const e of list) expect(e.context.campaign).toEqual({ source: 'baidu', medium: 'cpc', name: 'brand' });
  });

  it('direct traffic in a live session does not overwrite its campaign', async () => {
    const kv = memoryKV();
    const a = await load(SITE + '?utm_source=weibo&utm_medium=social&utm_campaign=launch', '', undefined, {}, kv);
    vi.setSystemTime(T0 + 10 * MIN);
    const b = await load(SITE, '', undefined, {}, kv);
    expect(b.list[0].context.campaign).toEqual({ source: 'weibo', medium: 'social', name: 'launch' });
    expect(b.list[0].context.session!.id).toBe(a.list[0].context.session!.id);
    expect(b.list[0].context.session!.start).toBeUndefined();
    expect(b.core.getCampaign().last).toEqual({ source: 'weibo', medium: 'social', name: 'launch' });
  });

  it('reloading the same campaign landing stays in the session', async () => {
    const kv = memoryKV();
    const url = SITE + '?utm_source=news&gclid=G1';
    const a = await load(url, '', undefined, {}, kv);
    vi.setSystemTime(T0 + MIN);
    const b = await load(url, '', undefined, {}, kv);
    expect(b.list[0].context.session!.id).toBe(a.list[0].context.session!.id);
    expect(b.list[0].context.session!.start).toBeUndefined();
  });

  it.each([
    ['a different utm', SITE + '?utm_source=news&utm_campaign=a', '', SITE + '?utm_source=news&utm_campaign=b', ''],
    ['a different click ID', SITE + '?gclid=G1', '', SITE + '?gclid=G2', ''],
    ['a new external referring domain', SITE, 'https://www.google.com/', SITE, 'https://www.zhihu.com/question/1'],
  ])('%s starts a new session', async (_label, url1, ref1, url2, ref2) => {
    const kv = memoryKV();
    const a = await load(url1, ref1, undefined, {}, kv);
    vi.setSystemTime(T0 + MIN);
    const b = await load(url2, ref2, undefined, {}, kv);
    const [ea, eb] = [a.list[0], b.list[0]];
    expect(eb.context.session!.id).not.toBe(ea.context.session!.id);
    expect(eb.context.session!.start).toBe(true);
    expect(eb.context.campaign).not.toEqual(ea.context.campaign);
    expect(b.core.getSessionId()).toBe(eb.context.session!.id);
  });

  it('a campaign landing in a direct session starts a new session', async () => {
    const kv = memoryKV();
    const a = await load(SITE, '', undefined, {}, kv);
    vi.setSystemTime(T0 + MIN);
    const b = await load(SITE + '?utm_source=sms', '', undefined, {}, kv);
    expect(b.list[0].context.session!.id).not.toBe(a.list[0].context.session!.id);
    expect(b.list[0].context.campaign).toEqual({ source: 'sms' });
  });

  it('inactivity longer than sessionTimeout starts a new session, shorter does not', async () => {
    const { core, net } = make({}, { landing: { url: SITE + '?utm_source=news', referrer: '' } });
    core.track('a');
    vi.setSystemTime(T0 + 29 * MIN);
    core.track('b');
    vi.setSystemTime(T0 + 29 * MIN + 31 * MIN);
    core.track('c');
    await core.flush();
    const [a, b, c] = net.events();
    expect(b.context.session!.id).toBe(a.context.session!.id);
    expect(c.context.session!.id).not.toBe(a.context.session!.id);
    expect(c.context.session!.start).toBe(true);
    expect(core.getSessionId()).toBe(c.context.session!.id);
  });

  it('honours a custom sessionTimeout', async () => {
    const { core, net } = make({ sessionTimeout: 5 * MIN });
    core.track('a');
    vi.setSystemTime(T0 + 6 * MIN);
    core.track('b');
    await core.flush();
    const [a, b] = net.events();
    expect(b.context.session!.id).not.toBe(a.context.session!.id);
  });

  it('a device clock set back (it ran a day ahead) does not keep one session alive until real time catches up', async () => {
    const kv = memoryKV();
    vi.setSystemTime(T0 + 24 * HOUR); // the phone's clock is a day ahead
    const a = await load(SITE, '', undefined, {}, kv);
    vi.setSystemTime(T0); // network time corrects it
    const b = await load(SITE, '', undefined, {}, kv);
    vi.setSystemTime(T0 + 2 * HOUR); // two idle hours later
    const c = await load(SITE, '', undefined, {}, kv);
    vi.setSystemTime(T0 + 2 * HOUR + 10 * MIN);
    const d = await load(SITE, '', undefined, {}, kv);
    expect(c.list[0].context.session!.id).not.toBe(b.list[0].context.session!.id);
    expect(c.list[0].context.session!.start).toBe(true);
    expect(d.list[0].context.session!.id).toBe(c.list[0].context.session!.id);
    expect(a.list[0].context.sequence! < d.list[0].context.sequence!).toBe(true);
  });

  it('an expired session followed by a direct landing starts a new session', async () => {
    const kv = memoryKV();
    const a = await load(SITE + '?utm_source=news', '', undefined, {}, kv);
    vi.setSystemTime(T0 + 45 * MIN);
    const b = await load(SITE, '', undefined, {}, kv);
    expect(b.list[0].context.session!.id).not.toBe(a.list[0].context.session!.id);
    expect(b.list[0].context.session!.start).toBe(true);
  });
});

describe('first and last campaign', () => {
  it('firstCampaign never changes once set', async () => {
    const kv = memoryKV();
    const first = { source: 'news', medium: 'email', name: 'welcome' };
    const a = await load(SITE + '?utm_source=news&utm_medium=email&utm_campaign=welcome', '', undefined, {}, kv);
    vi.setSystemTime(T0 + MIN);
    const b = await load(SITE + '?utm_source=baidu&utm_medium=cpc', '', undefined, {}, kv);
    vi.setSystemTime(T0 + 2 * MIN);
    const c = await load(SITE, 'https://www.zhihu.com/', undefined, {}, kv);
    vi.setSystemTime(T0 + 3 * HOUR);
    const d = await load(SITE, '', undefined, {}, kv);
    for (const m of [a, b, c, d]) {
      expect(m.list[0].context.firstCampaign).toEqual(first);
      expect(m.core.getCampaign().first).toEqual(first);
    }
    expect(c.list[0].context.campaign).toEqual({ source: 'zhihu', medium: 'social' });
  });

  it('getCampaign().last follows new campaigns but never becomes direct after one', async () => {
    const kv = memoryKV();
    const a = await load(SITE + '?utm_source=news', '', undefined, {}, kv);
    expect(a.core.getCampaign()).toEqual({ first: { source: 'news' }, last: { source: 'news' } });
    vi.setSystemTime(T0 + MIN);
    const b = await load(SITE, 'https://www.baidu.com/s?wd=x', undefined, {}, kv);
    expect(b.core.getCampaign().last).toEqual({ source: 'baidu', medium: 'organic' });
    vi.setSystemTime(T0 + 3 * HOUR); // session expired: a direct visit
    const c = await load(SITE, '', undefined, {}, kv);
    expect(c.list[0].context.campaign!.source).toBe('direct');
    expect(c.core.getCampaign()).toEqual({ first: { source: 'news' }, last: { source: 'baidu', medium: 'organic' } });
  });

  it('a first-ever direct visit is both first and last until a campaign arrives', async () => {
    const kv = memoryKV();
    const a = await load(SITE, '', undefined, {}, kv);
    expect(a.core.getCampaign().first!.source).toBe('direct');
    expect(a.core.getCampaign().last!.source).toBe('direct');
    vi.setSystemTime(T0 + MIN);
    const b = await load(SITE + '?utm_source=sms', '', undefined, {}, kv);
    expect(b.core.getCampaign().first!.source).toBe('direct');
    expect(b.core.getCampaign().last).toEqual({ source: 'sms' });
  });

  it('getCampaign() before init answers without throwing', () => {
    const { core } = make({}, { init: false });
    expect(core.getCampaign()).toEqual({ first: null, last: null });
  });
});

describe('touch ledger', () => {
  it('conversions and identify carry context.touches; other events do not', async () => {
    const { list } = await load(SITE + '?utm_source=news&utm_medium=email&utm_campaign=welcome&gclid=G1', '', (c) => {
      c.track('Product Viewed');
      c.page();
      c.track('Order Completed', { total: 10 });
      c.track('Signed Up');
      c.identify('u1');
      c.group('g1');
    });
    const byName = (e: TuttiEvent) => e.event || e.type;
    const withTouches = list.filter((e) => e.context.touches).map(byName);
    expect(withTouches).toEqual(['Order Completed', 'Signed Up', 'identify']);
    const touches = list.find((e) => e.event === 'Order Completed')!.context.touches!;
    expect(touches).toEqual([{ source: 'news', medium: 'email', name: 'welcome', clickIdType: 'gclid', channel: 'web', at: new Date(T0).toISOString() }]);
  });

  it('custom conversionEvents carry touches', async () => {
    const { list } = await load(
      SITE + '?utm_source=news',
      '',
      (c) => {
        c.track('Lead Submitted');
        c.track('Product Viewed');
      },
      { conversionEvents: ['Lead Submitted'] },
    );
    expect(list[0].context.touches!.length).toBe(1);
    expect(list[1].context.touches).toBeUndefined();
  });

  it('a tab open since before another tab\'s campaign landing keeps that touch when its own session renews', async () => {
    const kv = memoryKV(); // one site: the tabs share storage
    const a = make({}, { kv, landing: { url: SITE + '?utm_source=news', referrer: '' } });
    vi.setSystemTime(T0 + 5 * MIN);
    const b = make({}, { kv, landing: { url: SITE + '?utm_source=ads&gclid=g1', referrer: '' } });
    vi.setSystemTime(T0 + 50 * MIN); // both idle; then the user comes back to the first tab
    a.core.track('Order Completed');
    await a.core.flush();
    const [e] = a.net.events();
    expect(e.context.touches!.map((t) => t.source)).toEqual(['news', 'ads']);
    expect(a.core.getCampaign().last).toMatchObject({ source: 'ads' });
    expect(b.core.getCampaign().last).toMatchObject({ source: 'ads' });
  });

  it('keeps the last 10 touches, oldest first', async () => {
    const kv = memoryKV();
    for (let i = 1; i <= 12; i++) {
      vi.setSystemTime(T0 + i * MIN);
      await load(`${SITE}?utm_source=s${i}&utm_campaign=c${i}`, '', () => undefined, {}, kv);
    }
    vi.setSystemTime(T0 + 20 * MIN);
    const { list } = await load(SITE, '', (c) => c.track('Order Completed'), {}, kv);
    const touches = list[0].context.touches!;
    expect(touches.map((t) => t.name)).toEqual(['c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11', 'c12']);
    expect(touches.map((t) => t.at)).toEqual(touches.map((_t, i) => new Date(T0 + (i + 3) * MIN).toISOString()));
    for (const t of touches) expect(t.channel).toBe('web');
  });

  it('reloads of one campaign and internal navigation add no touches', async () => {
    const kv = memoryKV();
    const url = SITE + '?utm_source=news';
    await load(url, '', () => undefined, {}, kv);
    await load(url, '', () => undefined, {}, kv);
    await load(SITE + 'p/2', 'https://www.example.com/', () => undefined, {}, kv);
    await load(SITE + 'p/3', '', () => undefined, {}, kv);
    const { list } = await load(SITE, '', (c) => c.track('Order Completed'), {}, kv);
    expect(list[0].context.touches!.map((t) => t.source)).toEqual(['news']);
  });
});

describe('core.touch (mini-program style landings)', () => {
  const fallback: Campaign = { source: 'wechat', medium: 'scene_1007' };

  it('reads utm_* from params and ignores the fallback', async () => {
    const { core, net } = make();
    core.touch({ params: { utm_source: 'moments', utm_medium: 'share', utm_campaign: 'cny' }, fallback });
    core.track('x');
    await core.flush();
    expect(net.events()[0].context.campaign).toEqual({ source: 'moments', medium: 'share', name: 'cny' });
  });

  it('a click ID in params also beats the fallback', async () => {
    const { core, net } = make();
    core.touch({ params: { gdt_vid: 'wx123' }, fallback });
    core.track('x');
    await core.flush();
    expect(net.events()[0].context.campaign).toMatchObject({ gdt_vid: 'wx123', source: 'tencent' });
  });

  it('uses the fallback without utm or click IDs, and starts a session with it', async () => {
    const { core, net } = make();
    core.track('before');
    const sid = core.getSessionId();
    core.touch({ params: { page: 'home' }, fallback });
    core.track('after');
    await core.flush();
    const after = net.events()[1];
    expect(after.context.campaign).toEqual(fallback);
    expect(after.context.session!.id).not.toBe(sid);
    expect(after.context.session!.start).toBe(true);
  });

  it('a touch with neither keeps the live session campaign', async () => {
    const { core, net } = make();
    core.touch({ params: {}, fallback });
    const sid = core.getSessionId();
    core.touch({ params: {} });
    core.track('x');
    await core.flush();
    expect(net.events()[0].context.campaign).toEqual(fallback);
    expect(net.events()[0].context.session!.id).toBe(sid);
  });
  it('merges extra fields (share attribution) into any non-direct campaign, never into direct', async () => {
    const { core, net } = make();
    core.touch({ params: { utm_source: 'moments' }, fallback, extra: { sharer: 'aid-1', shareDepth: '2' } });
    core.track('x');
    await core.flush();
    expect(net.events()[0].context.campaign).toMatchObject({ source: 'moments', sharer: 'aid-1', shareDepth: '2' });
    const fresh = make();
    fresh.core.touch({ params: {}, extra: { sharer: 'aid-1' } });
    fresh.core.track('y');
    await fresh.core.flush();
    expect(fresh.net.events()[0].context.campaign).toEqual({ source: 'direct', medium: '(none)' });
  });
});

describe('mini-program web-view referrer', () => {
  it('servicewechat.com (every mini-program web-view) is wechat / miniprogram, not a referral', async () => {
    const { core, net } = make({}, { landing: { url: 'https://h5.example.com/', referrer: 'https://servicewechat.com/wx123/5/page-frame.html' }, host: 'h5.example.com' });
    core.track('x');
    await core.flush();
    expect(net.events()[0].context.campaign).toEqual({ source: 'wechat', medium: 'miniprogram' });
  });
});
