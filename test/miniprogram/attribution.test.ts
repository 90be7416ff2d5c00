// Campaigns from launch/show queries and scenes, and share attribution, end to end.
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/lib/query';
import { collectorSuite, sleep, until } from './harness';

const suite = collectorSuite();
const start = suite.start;
const events = (aid: string, event?: string) => suite.collector.events({ anonymousId: aid, event });
const first = (aid: string, event: string) => until(() => events(aid, event)[0], 8000, event);

describe('campaign from launch and show', () => {
  it('reads UTM from a scanned QR code URL (q) and the scene as context', async () => {
    const q = encodeURIComponent('https://brand.example/mp?utm_source=poster&utm_medium=offline&utm_campaign=expo&gdt_vid=g1');
    const { rt, tutti } = await start();
    rt.launch({ path: 'pages/index/index', query: { q, scancode_time: '1700000000' }, scene: 1011 });
    const launched = await first(tutti.getAnonymousId(), 'Mini App Launched');
    expect(launched.context.campaign).toEqual({ source: 'poster', medium: 'offline', name: 'expo', gdt_vid: 'g1' });
    expect(launched.context.miniprogram.scene).toBe(1011);
    expect(launched.properties.query.q).toBe(q);
  });

  it('reads UTM from a wxacode scene parameter', async () => {
    const { rt, tutti } = await start();
    rt.launch({ path: 'pages/index/index', query: { scene: encodeURIComponent('utm_source=store&utm_campaign=mall') }, scene: 1047 });
    const launched = await first(tutti.getAnonymousId(), 'Mini App Launched');
    expect(launched.context.campaign).toEqual({ source: 'store', name: 'mall' });
  });

  it('decodes percent-encoded UTM values of the launch query (WeChat passes query values undecoded)', async () => {
    const { rt, tutti } = await start();
    // A share path or QR path written as /pages/index/index?utm_campaign=%E6%98%A5%E8%8A%82...
    const query = { utm_source: 'moments', utm_campaign: encodeURIComponent('春节 大促'), utm_content: encodeURIComponent('a&b') };
    rt.launch({ path: 'pages/index/index', query, scene: 1007 });
    const launched = await first(tutti.getAnonymousId(), 'Mini App Launched');
    expect(launched.context.campaign).toEqual({ source: 'moments', name: '春节 大促', content: 'a&b' });
    expect(launched.properties.query).toEqual(query);
  });

  it('falls back to the scene medium, keeps the campaign when the user comes back, starts a new one on a new entry', async () => {
    const { rt, tutti } = await start();
    rt.launch({ path: 'pages/index/index', scene: 1045 });
    const aid = tutti.getAnonymousId();
    const launched = await first(aid, 'Mini App Launched');
    expect(launched.context.campaign).toEqual({ source: 'wechat', medium: 'cpc' });
    const session = launched.context.session.id;
    // Back through the recent list: direct traffic, the ad keeps the credit and the session goes on.
    rt.hide();
    rt.show({ scene: 1089 });
    tutti.track('After Return');
    const after = await first(aid, 'After Return');
    expect(after.context.campaign).toEqual({ source: 'wechat', medium: 'cpc' });
    expect(after.context.session.id).toBe(session);
    expect(after.context.miniprogram.scene).toBe(1089);
    // A chat share card is a new touch: new campaign, new session, same first campaign.
    rt.hide();
    rt.show({ scene: 1007, path: 'pages/item/item', query: { id: '1' } });
    tutti.track('After Share Card');
    const shared = await first(aid, 'After Share Card');
    expect(shared.context.campaign).toEqual({ source: 'wechat', medium: 'share' });
    expect(shared.context.session.id).not.toBe(session);
    expect(shared.context.firstCampaign).toEqual({ source: 'wechat', medium: 'cpc' });
    expect(tutti.getCampaign()).toEqual({ first: { source: 'wechat', medium: 'cpc' }, last: { source: 'wechat', medium: 'share' } });
  });

  it('labels a first visit from the recent list when there is no live session', async () => {
    const { rt, tutti } = await start();
    rt.launch({ path: 'pages/index/index', scene: 1089 });
    const launched = await first(tutti.getAnonymousId(), 'Mini App Launched');
    expect(launched.context.campaign).toEqual({ source: 'wechat', medium: 'recent' });
  });
});

describe('share attribution', () => {
  it('adds tutti_sharer and tutti_depth to the shared path, keeps the host’s answer, and sends Share', async () => {
    const { rt, tutti, host } = await start();
    rt.launch({ path: 'pages/index/index' });
    const page = rt.navigateTo('pages/item/item?id=42');
    const aid = tutti.getAnonymousId();
    const result = rt.share('app_message', 'button');
    expect(result).toEqual({ title: 'Item', imageUrl: 'https://img.example/42.png', path: `/pages/item/item?id=42&tutti_sharer=${aid}&tutti_depth=1` });
    expect(result.path).not.toContain('tutti_aid');
    const call = host.calls.find((c) => c.name === 'item.onShareAppMessage')!;
    expect(call.self).toBe(page);
    expect(call.args).toEqual([{ from: 'button', target: undefined }]);
    const timeline = rt.share('timeline');
    expect(timeline).toEqual({ title: 'Item', query: `id=42&tutti_sharer=${aid}&tutti_depth=1` });
    const shares = await until(() => events(aid, 'Share').length === 2 && events(aid, 'Share'));
    expect(shares.map((e) => e.properties)).toEqual([
      { method: 'app_message', from: 'button', path: 'pages/item/item', shareDepth: 1 },
      { method: 'timeline', path: 'pages/item/item', shareDepth: 1 },
    ]);
  });

  it('adds no ID to a shared path without consent (pending or denied), as linkUrl and H5 shareUrl do; once granted it does', async () => {
    const { rt, tutti } = await start({ init: { consent: 'pending' } });
    rt.launch({ path: 'pages/index/index' });
    rt.navigateTo('pages/item/item?id=42');
    expect(rt.share('app_message', 'button').path).toBe('/pages/item/item?id=42');
    expect(rt.share('timeline').query).toBe('id=42');
    tutti.setConsent('denied');
    expect(rt.share('app_message', 'button').path).toBe('/pages/item/item?id=42');
    tutti.setConsent('granted');
    expect(rt.share('app_message', 'button').path).toBe(`/pages/item/item?id=42&tutti_sharer=${tutti.getAnonymousId()}&tutti_depth=1`);
  });

  it('does not turn sharing on for pages that never enabled it', async () => {
    const { rt } = await start();
    rt.launch({ path: 'pages/index/index' });
    rt.navigateTo('pages/plain/plain');
    expect(() => rt.share()).toThrow(/share menu is disabled/);
    expect(() => rt.share('timeline')).toThrow(/share menu is disabled/);
  });

  it('keeps the promise form of the share answer (WeChat’s `promise` field)', async () => {
    const { rt, tutti } = await start({
      itemShare: () => ({ title: 'Sync', path: '/pages/item/item?id=1', promise: new Promise((r) => setTimeout(() => r({ title: 'Async', path: '/pages/item/item?id=2' }), 20)) }),
    });
    rt.launch({ path: 'pages/item/item' });
    const out = rt.share();
    const aid = tutti.getAnonymousId();
    expect(out.title).toBe('Sync');
    expect(out.path).toBe(`/pages/item/item?id=1&tutti_sharer=${aid}&tutti_depth=1`);
    expect(await out.promise).toEqual({ title: 'Async', path: `/pages/item/item?id=2&tutti_sharer=${aid}&tutti_depth=1` });
  });

  it('shares from a Component page, whose handler gives no path', async () => {
    const { rt, tutti } = await start();
    rt.launch({ path: 'pages/comp/comp', query: { tab: '3' } });
    expect(rt.share()).toEqual({ title: 'Comp', path: `/pages/comp/comp?tab=3&tutti_sharer=${tutti.getAnonymousId()}&tutti_depth=1` });
  });

  it('shares through handlers a Component page gets from a Behavior (its own handler winning a name clash)', async () => {
    const { rt, tutti } = await start({
      pages: (rt, g) => {
        const sharing = g.Behavior({
          methods: { onShareAppMessage: () => ({ title: 'Behavior' }), onShareTimeline: () => ({ title: 'Behavior TL' }) },
        });
        // Taro / uni-app style: the page's share comes from a behavior, possibly one included by another.
        rt.define('pages/bshare/bshare', () => g.Component({ behaviors: [g.Behavior({ behaviors: [sharing] })] }));
        rt.define('pages/bown/bown', () => g.Component({ behaviors: [sharing], methods: { onShareAppMessage: () => ({ title: 'Own' }) } }));
      },
    });
    rt.launch({ path: 'pages/bshare/bshare', query: { tab: '3' } });
    const aid = tutti.getAnonymousId();
    expect(rt.share()).toEqual({ title: 'Behavior', path: `/pages/bshare/bshare?tab=3&tutti_sharer=${aid}&tutti_depth=1` });
    expect(rt.share('timeline')).toEqual({ title: 'Behavior TL', query: `tab=3&tutti_sharer=${aid}&tutti_depth=1` });
    rt.navigateTo('pages/bown/bown?x=1');
    expect(rt.share('app_message', 'button')).toEqual({ title: 'Own', path: `/pages/bown/bown?x=1&tutti_sharer=${aid}&tutti_depth=1` });
    // Its timeline share still comes from the behavior.
    expect(rt.share('timeline')).toEqual({ title: 'Behavior TL', query: `x=1&tutti_sharer=${aid}&tutti_depth=1` });
    const shares = await until(() => events(aid, 'Share').length === 4 && events(aid, 'Share'));
    expect(shares.map((e) => e.properties)).toEqual([
      { method: 'app_message', from: 'menu', path: 'pages/bshare/bshare', shareDepth: 1 },
      { method: 'timeline', path: 'pages/bshare/bshare', shareDepth: 1 },
      { method: 'app_message', from: 'button', path: 'pages/bown/bown', shareDepth: 1 },
      { method: 'timeline', path: 'pages/bown/bown', shareDepth: 1 },
    ]);
  });

  it('wraps the shares of pages registered before the SDK import (App() and pages first)', async () => {
    const { rt, tutti, host } = await start({ importAt: 'after' });
    rt.launch({ path: 'pages/index/index' });
    const aid = tutti.getAnonymousId();
    expect(rt.share()).toEqual({ title: 'Home', path: `/pages/index/index?from=share&tutti_sharer=${aid}&tutti_depth=1` });
    rt.navigateTo('pages/item/item?id=42');
    expect(rt.share('app_message', 'button')).toEqual({ title: 'Item', imageUrl: 'https://img.example/42.png', path: `/pages/item/item?id=42&tutti_sharer=${aid}&tutti_depth=1` });
    expect(rt.share('timeline')).toEqual({ title: 'Item', query: `id=42&tutti_sharer=${aid}&tutti_depth=1` });
    expect(host.count('item.onShareAppMessage')).toBe(1);
    // Sharing stays off where the page never enabled it.
    rt.navigateTo('pages/plain/plain');
    expect(() => rt.share()).toThrow(/share menu is disabled/);
    const shares = await until(() => events(aid, 'Share').length >= 3 && events(aid, 'Share'));
    await sleep(100);
    expect(events(aid, 'Share').map((e) => e.properties)).toEqual([
      { method: 'app_message', from: 'menu', path: 'pages/index/index', shareDepth: 1 },
      { method: 'app_message', from: 'button', path: 'pages/item/item', shareDepth: 1 },
      { method: 'timeline', path: 'pages/item/item', shareDepth: 1 },
    ]);
    expect(shares).toHaveLength(3);
  });

  it('a page module or behavior evaluated before the import shares with the parameters; pages registered after count once', async () => {
    const early: Record<string, unknown> = {};
    const { rt, tutti } = await start({
      // app.js requires a page module (or a shared behavior) before the SDK.
      early: (rt, g) => {
        rt.define('pages/early/early', () => g.Page({ onShareAppMessage: () => ({ title: 'Early' }) }));
        early.sharing = g.Behavior({ methods: { onShareAppMessage: () => ({ title: 'Early behavior' }) } });
      },
      pages: (rt, g) => {
        rt.define('pages/bearly/bearly', () => g.Component({ behaviors: [early.sharing] }));
        // A framework that binds the page's handlers to the instance on load: the bound copy
        // wraps the registered (already wrapped) handler.
        rt.define('pages/bound/bound', () =>
          g.Page({
            onLoad(this: any) {
              this.onShareAppMessage = this.onShareAppMessage.bind(this);
            },
            onShareAppMessage: () => ({ title: 'Bound' }),
          }),
        );
      },
    });
    rt.launch({ path: 'pages/early/early' });
    const aid = tutti.getAnonymousId();
    const params = `tutti_sharer=${aid}&tutti_depth=1`;
    expect(rt.share()).toEqual({ title: 'Early', path: `/pages/early/early?${params}` });
    rt.navigateTo('pages/bearly/bearly?b=1');
    expect(rt.share()).toEqual({ title: 'Early behavior', path: `/pages/bearly/bearly?b=1&${params}` });
    rt.navigateTo('pages/item/item?id=42');
    expect(rt.share()).toEqual({ title: 'Item', imageUrl: 'https://img.example/42.png', path: `/pages/item/item?id=42&${params}` });
    rt.navigateTo('pages/bound/bound');
    expect(rt.share()).toEqual({ title: 'Bound', path: `/pages/bound/bound?${params}` });
    await until(() => events(aid, 'Share').length >= 4);
    await sleep(100);
    expect(events(aid, 'Share').map((e) => e.properties.path)).toEqual(['pages/early/early', 'pages/bearly/bearly', 'pages/item/item', 'pages/bound/bound']);
  });

  it('keeps the page’s encoded query as it is in the default share path', async () => {
    const { rt, tutti } = await start();
    const name = encodeURIComponent('春节');
    rt.launch({ path: 'pages/index/index' });
    // The page options hold the value as written in the URL (WeChat does not decode them).
    rt.navigateTo(`pages/comp/comp?tab=${name}`);
    const aid = tutti.getAnonymousId();
    expect(rt.share()).toEqual({ title: 'Comp', path: `/pages/comp/comp?tab=${name}&tutti_sharer=${aid}&tutti_depth=1` });
  });

  it('keeps the page’s encoded query as it is in a default timeline query', async () => {
    const { rt, tutti } = await start({
      pages: (rt, g) => rt.define('pages/tl/tl', () => g.Page({ onShareTimeline: () => ({ title: 'TL' }) })),
    });
    const name = encodeURIComponent('a b&c');
    rt.launch({ path: 'pages/index/index' });
    rt.navigateTo(`pages/tl/tl?k=${name}`);
    const aid = tutti.getAnonymousId();
    expect(rt.share('timeline')).toEqual({ title: 'TL', query: `k=${name}&tutti_sharer=${aid}&tutti_depth=1` });
  });

  it('attributes the recipient’s launch to the sharer, and counts depth across hops', async () => {
    const a = await start();
    a.rt.launch({ path: 'pages/index/index' });
    a.rt.navigateTo('pages/item/item?id=42');
    const sharer = a.tutti.getAnonymousId();
    const shared = a.rt.share() as { path: string };
    a.rt.kill();

    // Another person, another phone, opens the card (scene 1007).
    const [path, search] = shared.path.slice(1).split('?');
    const b = await start({ entry: { path, query: parseQuery('?' + search), scene: 1007 } });
    b.rt.launch();
    const recipient = b.tutti.getAnonymousId();
    expect(recipient).not.toBe(sharer);
    const launched = await first(recipient, 'Mini App Launched');
    expect(launched.properties).toMatchObject({ sharer, shareDepth: 1, scene: 1007, path: 'pages/item/item', query: { id: '42' } });
    expect(launched.context.campaign).toEqual({ source: 'wechat', medium: 'share', sharer, shareDepth: '1' });
    // The recipient shares onward: depth 2, and the sharer is now the recipient.
    const onward = b.rt.share() as { path: string };
    expect(parseQuery(onward.path)).toEqual({ id: '42', tutti_sharer: recipient, tutti_depth: '2' });
    await sleep(10);
    const share = await first(recipient, 'Share');
    expect(share.properties.shareDepth).toBe(2);
  });
});
