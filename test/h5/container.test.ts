// Container detection (context.container): the user-agent table, and the WeChat
// mini-program marker that appears only once WeChat's JS bridge is ready.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { containerDetector, containerOf } from '../../adapters/h5/container';
import { UA } from './user-agents';

describe('containerOf(userAgent)', () => {
  it.each([
    ['wechatAndroid', 'wechat'],
    ['wechatIos', 'wechat'],
    ['miniprogramAndroid', 'wechat-miniprogram-webview'],
    ['miniprogramIos', 'wechat'], // needs __wxjs_environment, below
    ['wecom', 'wecom'],
    ['qq', 'qq'],
    ['alipay', 'alipay'],
    ['douyin', 'douyin'],
    ['toutiao', 'douyin'],
    ['weibo', 'weibo'],
    ['xiaohongshu', 'xiaohongshu'],
    ['dingtalk', 'dingtalk'],
    ['androidAppWebview', 'app-webview'],
    ['iosAppWebview', 'app-webview'],
    ['iosSafari', 'browser'],
    ['iosChrome', 'browser'],
    ['androidChrome', 'browser'],
    ['qqBrowser', 'browser'], // QQ Browser is a browser, not the QQ app
    ['desktopSafari', 'browser'],
    ['desktopFirefox', 'browser'],
    ['desktopChrome', 'browser'],
  ] as const)('%s → %s', (name, expected) => {
    expect(containerOf(UA[name])).toBe(expected);
  });

  it('answers browser for an empty or odd user agent', () => {
    expect(containerOf('')).toBe('browser');
    expect(containerOf('curl/8.0')).toBe('browser');
  });
});

describe('containerDetector()', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('re-reads __wxjs_environment per call: iOS mini-program web-views say so only after WeixinJSBridgeReady', () => {
    const w: Record<string, unknown> = {};
    vi.stubGlobal('window', w);
    vi.stubGlobal('navigator', { userAgent: UA.miniprogramIos });
    const detect = containerDetector();
    expect(detect()).toBe('wechat');
    w.__wxjs_environment = 'miniprogram';
    expect(detect()).toBe('wechat-miniprogram-webview');
  });

  it('never throws, even when navigator is unreadable', () => {
    vi.stubGlobal('window', {});
    vi.stubGlobal('navigator', undefined);
    expect(containerDetector()()).toBe('browser');
  });
});
