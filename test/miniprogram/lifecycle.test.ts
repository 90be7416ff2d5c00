// Lifecycle tracking end to end: the fake WeChat runtime drives App/Page/Component, the
// SDK sends with wx.request to the reference collector, and the tests read what arrived.
import { describe, expect, it, vi } from 'vitest';
import { collectorSuite, sleep, until } from './harness';
import { Storage } from './wx-runtime';

const suite = collectorSuite();
const start = suite.start;

const events = (aid: string) => suite.collector.events({ anonymousId: aid });
const names = (list: any[]) => list.map((e) => (e.type === 'track' ? e.event : `${e.type}:${e.name ?? ''}`));
async function arrived(aid: string, n: number) {
  return until(() => events(aid).length >= n && events(aid), 8000, `${n} events`);
}

describe('app and page lifecycle', () => {
  it('tracks launch, show, a screen per page show with referrer, and time on each page', async () => {
    const { rt, tutti } = await start({
      entry: { path: 'pages/index/index', query: { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring' }, scene: 1007 },
    });
    rt.launch();
    await sleep(30);
    rt.navigateTo('pages/item/item?id=42');
    await sleep(30);
    rt.navigateBack();
    const aid = tutti.getAnonymousId();
    const got = await arrived(aid, 7);
    expect(names(got)).toEqual([
      'Mini App Launched',
      'Mini App Shown',
      'screen:pages/index/index',
      'Page Left',
      'screen:pages/item/item',
      'Page Left',
      'screen:pages/index/index',
    ]);
    const [launched, shown, home, left, item, itemLeft, back] = got;
    expect(launched.properties).toMatchObject({ scene: 1007, path: 'pages/index/index', query: { utm_source: 'newsletter' } });
    expect(shown.properties).toMatchObject({ scene: 1007, path: 'pages/index/index' });
    expect(home.properties).toMatchObject({ path: 'pages/index/index', query: { utm_source: 'newsletter' } });
    expect(home.properties.referrer).toBeUndefined();
    expect(item.properties).toEqual({ path: 'pages/item/item', query: { id: '42' }, referrer: 'pages/index/index' });
    expect(back.properties.referrer).toBe('pages/item/item');
    expect(left.properties.path).toBe('pages/index/index');
    expect(left.properties.duration).toBeGreaterThanOrEqual(25);
    expect(itemLeft.properties.path).toBe('pages/item/item');
    for (const e of got) {
      expect(e.context.channel).toBe('miniprogram');
      expect(e.context.container).toBe('wechat-miniprogram');
      expect(e.context.campaign).toEqual({ source: 'newsletter', medium: 'email', name: 'spring' });
      expect(e.context.miniprogram).toMatchObject({ appId: 'wx0123456789abcdef', scene: 1007 });
    }
    expect(item.context.miniprogram).toEqual({ appId: 'wx0123456789abcdef', scene: 1007, path: 'pages/item/item', query: { id: '42' } });
    expect(home.context).toMatchObject({
      locale: 'zh_CN',
      screen: { width: 393, height: 852, density: 3 },
      os: { name: 'iOS', version: '17.4' },
      device: { manufacturer: 'Apple', model: 'iPhone 15' },
      app: { namespace: 'wx0123456789abcdef', version: '1.2.3' },
      wechat: { version: '8.0.49', sdkVersion: '3.4.5', envVersion: 'release' },
    });
    // The network type is asked asynchronously at init, then kept on every event.
    expect(item.context.network).toEqual({ type: 'wifi', wifi: true, cellular: false });
  });

  it('flushes on hide without waiting for the flush interval, with the foreground duration', async () => {
    const { rt, tutti } = await start({ init: { flushInterval: 600000 } });
    rt.launch({ path: 'pages/index/index', scene: 1089 });
    await sleep(120);
    const aid = tutti.getAnonymousId();
    expect(events(aid)).toHaveLength(0);
    rt.hide();
    const got = await arrived(aid, 5);
    expect(names(got)).toEqual(['Mini App Launched', 'Mini App Shown', 'screen:pages/index/index', 'Page Left', 'Mini App Hidden']);
    expect(got[4].properties.duration).toBeGreaterThanOrEqual(100);
    expect(got[4].properties.duration).toBeLessThan(5000);
    // Back to the foreground: Shown and a new screen of the same page.
    rt.show({ scene: 1089 });
    rt.hide();
    const more = await arrived(aid, 9);
    expect(names(more.slice(5))).toEqual(['Mini App Shown', 'screen:pages/index/index', 'Page Left', 'Mini App Hidden']);
  });

  it('leaves the host handlers’ arguments, this, return values and exceptions alone', async () => {
    const { rt, host, appOptions } = await start();
    const page = rt.launch({ path: 'pages/index/index', query: { a: '1' }, scene: 1001 });
    const launch = host.calls.find((c) => c.name === 'app.onLaunch')!;
    expect(launch.args).toEqual([{ path: 'pages/index/index', query: { a: '1' }, scene: 1001, referrerInfo: {} }]);
    expect(launch.self).toBe(rt.wx && (globalThis as any).getApp());
    const load = host.calls.find((c) => c.name === 'index.onLoad')!;
    expect(load.self).toBe(page);
    expect(load.args).toEqual([{ a: '1' }]);
    expect(rt.call(page, 'tap', 'x')).toBe('tap-return');
    expect(appOptions.onLaunch.call({}, {})).toBe('launch-return');
    // A handler that throws still throws to WeChat, and the SDK still saw the lifecycle.
    const { rt: rt2, tutti: t2 } = await start({
      pages: (r, g) =>
        r.define('pages/broken/broken', () =>
          g.Page({
            onShow() {
              throw new Error('host bug');
            },
          }),
        ),
    });
    rt2.launch({ path: 'pages/index/index' });
    expect(() => rt2.navigateTo('pages/broken/broken')).toThrow('host bug');
    const got = await until(() => events(t2.getAnonymousId()).find((e) => e.name === 'pages/broken/broken'));
    expect(got.type).toBe('screen');
  });

  it('counts a lifecycle fired twice by a framework once (uni-app / Taro quirk)', async () => {
    const { rt, tutti, host } = await start({ doubleLifecycle: true });
    rt.launch({ path: 'pages/index/index', scene: 1001 });
    rt.navigateTo('pages/comp/comp');
    rt.hide();
    rt.show();
    rt.hide();
    expect(host.count('app.onShow')).toBe(4);
    expect(host.count('index.onShow')).toBe(2);
    const aid = tutti.getAnonymousId();
    await arrived(aid, 11);
    await sleep(200);
    expect(names(events(aid))).toEqual([
      'Mini App Launched',
      'Mini App Shown',
      'screen:pages/index/index',
      'Page Left',
      'screen:pages/comp/comp',
      'Page Left',
      'Mini App Hidden',
      'Mini App Shown',
      'screen:pages/comp/comp',
      'Page Left',
      'Mini App Hidden',
    ]);
  });
});

describe('Component-built pages', () => {
  it('tracks a Component page once, ignores child components, and keeps behaviors working', async () => {
    const { rt, tutti, host } = await start();
    rt.launch({ path: 'pages/index/index' });
    rt.navigateTo('pages/comp/comp?tab=2');
    rt.navigateTo('pages/behave/behave');
    rt.navigateBack();
    expect(host.count('comp.onShow')).toBe(2);
    expect(host.count('comp.pageShow')).toBe(2);
    expect(host.count('card.show')).toBe(2);
    // The page's own onShow lives in a behavior: the SDK did not replace it.
    expect(host.count('behave.onShow')).toBe(1);
    expect(host.count('behave.onLoad')).toBe(1);
    const aid = tutti.getAnonymousId();
    const got = await arrived(aid, 9);
    const screens = got.filter((e) => e.type === 'screen').map((e) => [e.name, e.properties.referrer]);
    expect(screens).toEqual([
      ['pages/index/index', undefined],
      ['pages/comp/comp', 'pages/index/index'],
      ['pages/behave/behave', 'pages/comp/comp'],
      ['pages/comp/comp', 'pages/behave/behave'],
    ]);
    expect(got.find((e) => e.name === 'pages/comp/comp').properties.query).toEqual({ tab: '2' });
    // The behave page left when it was unloaded (lifetimes.detached).
    expect(got.filter((e) => e.event === 'Page Left').map((e) => e.properties.path)).toEqual(['pages/index/index', 'pages/comp/comp', 'pages/behave/behave']);
  });

  it('ignores a child component’s own methods named onLoad / onShow / onHide (a popup’s API, say)', async () => {
    const { rt, tutti, host } = await start({
      pages: (rt, g) => {
        const log = (name: string) => () => void host.calls.push({ name, self: undefined, args: [] });
        rt.define('components/popup', () => g.Component({ methods: { onLoad: log('popup.onLoad'), onShow: log('popup.onShow'), onHide: log('popup.onHide') } }));
        rt.define('pages/pop/pop', () => g.Page({}), ['components/popup']);
      },
    });
    rt.launch({ path: 'pages/pop/pop' });
    const popup = rt.pages[0].__children[0];
    // The page opens and closes its popup through the popup's own methods.
    rt.call(popup, 'onLoad', { id: '1' });
    rt.call(popup, 'onShow');
    rt.call(popup, 'onHide');
    rt.call(popup, 'onShow');
    tutti.track('Marker');
    const aid = tutti.getAnonymousId();
    await until(() => events(aid).some((e) => e.event === 'Marker'), 8000, 'Marker');
    expect(host.count('popup.onShow')).toBe(2);
    expect(names(events(aid))).toEqual(['Mini App Launched', 'Mini App Shown', 'screen:pages/pop/pop', 'Marker']);
    // The page on top is still the page: leaving it is counted for it.
    rt.navigateTo('pages/index/index');
    const left = await until(() => events(aid).find((e) => e.event === 'Page Left'), 8000, 'Page Left');
    expect(left.properties.path).toBe('pages/pop/pop');
    expect(events(aid).filter((e) => e.type === 'screen').map((e) => e.properties.referrer)).toEqual([undefined, 'pages/pop/pop']);
  });
});

describe('import order', () => {
  it('works when the SDK is imported after App() and the pages were registered', async () => {
    const entry = { path: 'pages/index/index', query: { utm_source: 'late', utm_medium: 'import' }, scene: 1047 };
    const { rt, tutti, host } = await start({ importAt: 'after', entry });
    rt.launch();
    rt.navigateTo('pages/item/item?id=1');
    rt.hide();
    rt.show({ scene: 1089 });
    expect(host.count('app.onLaunch')).toBe(1);
    const aid = tutti.getAnonymousId();
    const got = await arrived(aid, 9);
    expect(names(got)).toEqual([
      'Mini App Launched',
      'Mini App Shown',
      'screen:pages/index/index',
      'Page Left',
      'screen:pages/item/item',
      'Page Left',
      'Mini App Hidden',
      'Mini App Shown',
      'screen:pages/item/item',
    ]);
    expect(got[0].properties).toMatchObject({ scene: 1047, path: 'pages/index/index', query: entry.query });
    expect(got[0].context.campaign).toEqual({ source: 'late', medium: 'import' });
    expect(got[4].properties.referrer).toBe('pages/index/index');
  });

  it('without wx.onAppRoute, a late import still sees launches, shows and the page on top at each show', async () => {
    const { rt, tutti } = await start({ importAt: 'after', noAppRoute: true, entry: { path: 'pages/index/index', scene: 1001 } });
    rt.launch();
    rt.hide();
    rt.show();
    const aid = tutti.getAnonymousId();
    const got = await arrived(aid, 5);
    expect(names(got)).toEqual(['Mini App Launched', 'Mini App Shown', 'Mini App Hidden', 'Mini App Shown', 'screen:pages/index/index']);
  });

  it('a second copy of the SDK in the mini-program (a subpackage’s own miniprogram_npm) joins the first: every lifecycle event and track once', async () => {
    const { rt, tutti } = await start();
    vi.resetModules();
    const copy = (await import('../../adapters/miniprogram/index')).default;
    copy.init({ writeKey: 'mp-key', endpoint: suite.collector.url, flushInterval: 50 });
    rt.launch({ path: 'pages/index/index' });
    tutti.track('From Main');
    copy.track('From Subpackage');
    const aid = tutti.getAnonymousId();
    await arrived(aid, 5);
    await sleep(300);
    expect(names(events(aid))).toEqual(['Mini App Launched', 'Mini App Shown', 'screen:pages/index/index', 'From Main', 'From Subpackage']);
  });

  it('an instance made later hears the launch, the show and the current page with their own times', async () => {
    const { rt, createTutti } = await start({ init: false });
    rt.launch({ path: 'pages/index/index', scene: 1001 });
    const launchedAt = Date.now();
    await sleep(100);
    const second = createTutti({ writeKey: 'other', endpoint: suite.collector.url, flushInterval: 20 });
    const got = await arrived(second.getAnonymousId(), 3);
    expect(names(got)).toEqual(['Mini App Launched', 'Mini App Shown', 'screen:pages/index/index']);
    expect(Date.parse(got[0].timestamp)).toBeLessThanOrEqual(launchedAt);
  });
});

describe('outside WeChat', () => {
  it('imports and works without any WeChat global (SSR, a Taro/uni-app H5 build)', async () => {
    vi.resetModules();
    expect((globalThis as any).wx).toBeUndefined();
    const mod = await import('../../adapters/miniprogram/index');
    mod.default.init({ writeKey: 'ssr', endpoint: suite.collector.url, flushInterval: 10 });
    mod.default.track('Rendered');
    const got = await arrived(mod.default.getAnonymousId(), 1);
    expect(got[0].context.channel).toBe('miniprogram');
    expect(got[0].context.miniprogram).toEqual({});
  });
});

describe('identity', () => {
  it('holds events until the openid is set (waitForExternalId), then sends them all with it', async () => {
    const { rt, tutti } = await start({ init: { waitForExternalId: { type: 'wechat_openid', timeout: 5000 } } });
    rt.launch({ path: 'pages/index/index', scene: 1001 });
    tutti.track('Early Click');
    await sleep(300);
    const aid = tutti.getAnonymousId();
    expect(events(aid)).toHaveLength(0);
    tutti.setExternalId('wechat_openid', 'oOpenId123');
    const got = await arrived(aid, 5);
    const openid = { id: 'oOpenId123', type: 'wechat_openid', collection: 'users', encoding: 'none' };
    for (const e of got) expect(e.context.externalIds).toEqual([openid]);
    expect(names(got).sort()).toEqual(['Early Click', 'Mini App Launched', 'Mini App Shown', 'identify:', 'screen:pages/index/index'].sort());
  });

  it('does not lose events held for the openid when the app hides and is then killed', async () => {
    const storage = new Storage();
    const a = await start({ storage, init: { waitForExternalId: { type: 'wechat_openid', timeout: 60000 } } });
    a.rt.launch({ path: 'pages/index/index', scene: 1001 });
    a.tutti.track('Early Click');
    const aid = a.tutti.getAnonymousId();
    // No openid yet (login still pending): the user leaves and WeChat later kills the app.
    a.rt.hide();
    await sleep(150);
    a.rt.kill();
    const b = await start({ storage });
    b.rt.launch({ path: 'pages/index/index', scene: 1089 });
    const got = await until(() => names(events(aid)).indexOf('Early Click') >= 0 && events(aid), 8000, 'held events');
    expect(names(got)).toEqual(expect.arrayContaining(['Mini App Launched', 'Early Click', 'Mini App Hidden']));
  });

  it('a hold that fills up (over 1,000 calls before the openid) sends what it held without the openid rather than dropping the oldest', async () => {
    const { rt, tutti } = await start({ init: { waitForExternalId: { type: 'wechat_openid', timeout: 60000 } } });
    rt.launch({ path: 'pages/index/index', scene: 1001 });
    for (let i = 0; i < 1100; i++) tutti.track('Held', { i });
    tutti.setExternalId('wechat_openid', 'oOpenId123');
    const aid = tutti.getAnonymousId();
    const got = await until(() => events(aid).length >= 1104 && events(aid), 15000, 'every event');
    expect(got.filter((e) => e.event === 'Held')).toHaveLength(1100);
    expect(names(got)).toEqual(expect.arrayContaining(['Mini App Launched', 'Mini App Shown', 'screen:pages/index/index', 'identify:']));
  });

  it('sends without the openid once waitForExternalId times out', async () => {
    const { rt, tutti } = await start({ init: { waitForExternalId: { type: 'wechat_openid', timeout: 300 } } });
    rt.launch({ path: 'pages/index/index' });
    const got = await arrived(tutti.getAnonymousId(), 3);
    expect(got[0].context.externalIds).toBeUndefined();
  });

  it('links a web-view URL with the anonymous ID (linkUrl)', async () => {
    const { rt, tutti } = await start();
    rt.launch({ path: 'pages/index/index' });
    const url = tutti.linkUrl('https://h5.example/promo?x=1');
    expect(url).toMatch(new RegExp(`^https://h5\\.example/promo\\?x=1&tutti_aid=${tutti.getAnonymousId()}&tutti_ts=\\d+$`));
  });
});
