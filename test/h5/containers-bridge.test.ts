// The H5 build in Chromium with mobile emulation: the container each in-app browser is
// recognised as, the flush when a phone hides the page, and the native-bridge transport
// (a fake host app injected with addInitScript, as Android's addJavascriptInterface and
// iOS's WKScriptMessageHandler inject theirs before page scripts run).
import type { Page, Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { UA } from './user-agents';
import { flush, h5Html, hide, phone, ready, sleep, until, useH5World } from './world';

const w = useH5World();

const batchRequests = () => w.collector.requests.filter((r) => r.method === 'POST' && r.path === '/v1/batch');

describe('container detection on the example landing page', () => {
  it.each([
    ['WeChat (Android)', 'wechat', UA.wechatAndroid],
    ['Alipay', 'alipay', UA.alipay],
    ['Douyin', 'douyin', UA.douyin],
    ['WeChat mini-program web-view', 'wechat-miniprogram-webview', UA.miniprogramAndroid],
    ['mobile Chrome', 'browser', UA.androidChrome],
  ])('%s → context.container %s on every event', async (_name, container, ua) => {
    const ctx = await w.browser.newContext(phone(ua));
    const page = await ctx.newPage();
    await page.goto(`${w.collector.url}/?utm_source=${container}&utm_medium=social`);
    const aid = await ready(page);
    await page.tap('#claim-bar');
    await flush(page);
    const events = await until('page view and claim', () => {
      const list = w.collector.events({ anonymousId: aid });
      return list.length >= 2 && list;
    });
    // Web Vitals and Slot Viewed (the example page has a personalization slot) carry the same context.
    expect(events.map((e: any) => e.event || e.type).filter((n: string) => n !== 'Web Vitals' && n !== 'Slot Viewed').sort()).toEqual(['Coupon Claimed', 'page']);
    for (const e of events) {
      expect(e.context.container).toBe(container);
      expect(e.context.channel).toBe('h5');
      expect(e.context.userAgent).toBe(ua);
      expect(e.context.screen).toEqual({ width: 412, height: 915, density: 2.625 });
      expect(e.context.locale).toBe('zh-CN');
      expect(e.context.timezone).toBe('Asia/Shanghai');
    }
    // The example page shows the container of the last event it sent.
    await until('the debug panel', async () => (await page.textContent('#t-container')) === container);
  });

  it('iOS mini-program web-view: events after WeixinJSBridgeReady say so, though the UA does not', async () => {
    const ctx = await w.browser.newContext(phone(UA.miniprogramIos, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3 }));
    const page = await ctx.newPage();
    await page.goto(w.page('ios-mp.html', h5Html({})));
    const aid = await ready(page);
    await flush(page);
    await page.evaluate(() => {
      // What WeChat does once its JS bridge is up in a mini-program web-view.
      (window as any).__wxjs_environment = 'miniprogram';
      document.dispatchEvent(new Event('WeixinJSBridgeReady'));
      (window as any).tutti.track('Late Event');
    });
    await flush(page);
    const events = await until('both events', () => {
      const list = w.collector.events({ anonymousId: aid });
      return list.length >= 2 && list;
    });
    expect(events.find((e: any) => e.type === 'page').context.container).toBe('wechat');
    expect(events.find((e: any) => e.event === 'Late Event').context.container).toBe('wechat-miniprogram-webview');
  });
});

describe('leaving the page on a phone', () => {
  it('visibilitychange to hidden (switching apps, no pagehide) sends what is queued at once, with sendBeacon', async () => {
    const ctx = await w.browser.newContext(phone(UA.wechatIos));
    const page = await ctx.newPage();
    const kinds: string[] = [];
    page.on('request', (r: Request) => r.url().endsWith('/v1/batch') && kinds.push(r.resourceType()));
    await page.goto(w.page('hide.html', h5Html({ 'flush-interval': 60000 })));
    const aid = await ready(page);
    await page.evaluate(() => (window as any).tutti.track('Before Switching Apps', { n: 1 }));
    await sleep(300);
    expect(batchRequests()).toEqual([]); // a minute to go before the timer would send
    await hide(page);
    const got = await until('the beacon batch', () => {
      const list = w.collector.events({ anonymousId: aid });
      return list.length >= 2 && list;
    });
    expect(got.map((e: any) => e.event || e.type).sort()).toEqual(['Before Switching Apps', 'page']);
    expect(kinds).toEqual(['ping']); // navigator.sendBeacon
    expect(await page.evaluate(() => (window as any).__errors)).toEqual([]);
  });
});

/** Installs a fake host-app bridge before any page script; messages land in window.__bridged. */
async function withBridge(kind: 'android' | 'ios' | 'broken'): Promise<Page> {
  const ctx = await w.browser.newContext(phone(kind === 'ios' ? UA.iosAppWebview : UA.androidAppWebview));
  await ctx.addInitScript((k: string) => {
    const received: string[] = ((window as any).__bridged = []);
    const handler = {
      postMessage(body: string) {
        if (k === 'broken') throw new Error('bridge method not exposed');
        if (typeof body !== 'string') throw new Error('the app accepts strings only');
        received.push(body);
      },
    };
    if (k === 'ios') (window as any).webkit = { messageHandlers: { tutti: handler } };
    else (window as any).TuttiBridge = handler;
  }, kind);
  return ctx.newPage();
}
const bridged = async (page: Page) => (await page.evaluate(() => (window as any).__bridged as string[])).map((s) => JSON.parse(s));

describe('native bridge transport', () => {
  it('Android (window.TuttiBridge): batches go to the app as JSON strings, none over HTTP; decide stays on HTTP', async () => {
    const page = await withBridge('android');
    await page.goto(`${w.collector.url}/?utm_source=wechat&utm_medium=social&utm_campaign=spring`); // a campaign the demo rules personalize
    const aid = await ready(page);
    await page.tap('#claim');
    await flush(page);
    const bodies = await until('a bridged batch', async () => {
      const b = await bridged(page);
      return b.flatMap((x) => x.batch).length >= 2 && b;
    });
    expect(bodies[0]).toMatchObject({ writeKey: 'demo-key', sentAt: expect.any(String) });
    const events = bodies.flatMap((b) => b.batch);
    expect(events.map((e: any) => e.event || e.type).filter((n: string) => n !== 'Web Vitals' && n !== 'Slot Viewed').sort()).toEqual(['Coupon Claimed', 'page']);
    for (const e of events) expect(e).toMatchObject({ anonymousId: aid, context: { channel: 'h5', container: 'app-webview' } });
    expect(await page.textContent('#t-delivery')).toContain('native bridge');

    // Personalization needs an answer now: /v1/decide goes over HTTP as usual.
    // (the page's own slots already asked once at load; count this call's request alone)
    const decideBefore = w.collector.requests.filter((r) => r.path === '/v1/decide').length;
    const decisions = await page.evaluate(() => (window as any).tutti.personalize(['hero']));
    expect(decisions.hero).toMatchObject({ experimentId: 'spring-hero-copy', content: { type: 'text' } });
    expect(w.collector.requests.filter((r) => r.path === '/v1/decide').length).toBe(decideBefore + 1);
    expect(batchRequests()).toEqual([]);

    // The app owns delivery from here: it posts the bodies to its collector unchanged.
    // (Late events such as web vitals may have been bridged since: count what is posted.)
    const raws = await page.evaluate(() => (window as any).__bridged as string[]);
    for (const raw of raws) {
      const res = await fetch(`${w.collector.url}/v1/batch`, { method: 'POST', headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, body: raw });
      expect(res.status).toBe(200);
      await res.text();
    }
    const posted = raws.flatMap((raw) => JSON.parse(raw).batch);
    expect(posted.length).toBeGreaterThanOrEqual(events.length);
    expect(w.collector.events({ anonymousId: aid }).length).toBe(posted.length);
  });

  it('iOS (webkit.messageHandlers.tutti): large (gzip-sized) batches arrive as plain JSON, and the hide flush goes to the app', async () => {
    const page = await withBridge('ios');
    await page.goto(w.page('ios-bridge.html', h5Html({ 'flush-interval': 60000 })));
    await ready(page);
    await page.evaluate(() => {
      for (let i = 0; i < 12; i++) (window as any).tutti.track('Big Event', { i, note: 'x'.repeat(300) });
    });
    await flush(page); // > 1 KB: gzipped over HTTP, but never while there is a bridge: the app gets a JSON string
    const first = await until('the big batch', async () => (await bridged(page)).flatMap((b) => b.batch).length >= 13);
    expect(first).toBe(true);
    await page.evaluate(() => (window as any).tutti.track('Last Words'));
    await hide(page);
    const all = (await bridged(page)).flatMap((b) => b.batch);
    // Synchronously on visibilitychange: no waiting needed.
    expect(all.map((e: any) => e.event || e.type).filter((n: string) => n !== 'Big Event')).toEqual(['page', 'Last Words']);
    expect(all.filter((e: any) => e.event === 'Big Event').map((e: any) => e.properties.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    await sleep(200);
    expect(batchRequests()).toEqual([]);
  });

  it('a bridge that throws: the batch goes over HTTP instead and nothing is lost or thrown into the page', async () => {
    const page = await withBridge('broken');
    await page.goto(w.page('broken.html', h5Html({ 'flush-interval': 100 })));
    const aid = await ready(page);
    await page.evaluate(() => (window as any).tutti.track('Still Counted'));
    await flush(page);
    const got = await until('the HTTP batch', () => {
      const list = w.collector.events({ anonymousId: aid });
      return list.length >= 2 && list;
    });
    expect(got.map((e: any) => e.event || e.type).sort()).toEqual(['Still Counted', 'page']);
    expect(await page.evaluate(() => (window as any).__errors)).toEqual([]);
  });
});
