// Which app the H5 page runs in (SPEC §4 `context.container`), from the user agent.
// First match wins, so entries whose UA also carries another app's marker come first
// (WeCom's UA says MicroMessenger too). Unknown apps fall through to the generic
// web-view tests, and a plain mobile or desktop browser is 'browser'.
const CONTAINERS: Array<[string, RegExp]> = [
  // WeChat mini-program <web-view> (Android; iOS often says so only via __wxjs_environment, below).
  ['wechat-miniprogram-webview', /^(?=.*MicroMessenger\/)(?=.*miniProgram)/],
  // WeCom (企业微信): "wxwork/4.x" next to "MicroMessenger/".
  ['wecom', /wxwork\//i],
  // WeChat's in-app browser: "MicroMessenger/8.0.x".
  ['wechat', /MicroMessenger\//i],
  // The QQ app: "QQ/9.x". QQ Browser's "MQQBrowser/" is a browser and does not match.
  ['qq', /\bQQ\//],
  // Alipay: "AlipayClient/10.x" (its mini-program web-views too).
  ['alipay', /AlipayClient/i],
  // Douyin ("aweme_2x" / "aweme/"), Toutiao ("NewsArticle/"), other ByteDance apps ("BytedanceWebview/").
  ['douyin', /aweme|NewsArticle|BytedanceWebview/i],
  // Weibo: "Weibo (iPhone…__weibo__13.x…)".
  ['weibo', /weibo/i],
  // Xiaohongshu (RED): "xhsdiscover/8.x".
  ['xiaohongshu', /xhsdiscover/i],
  // DingTalk: "AliApp(DingTalk/7.x)".
  ['dingtalk', /DingTalk/i],
  // Any other app's web-view. Android System WebView marks itself with "; wv)"; a
  // WKWebView inside an iOS app is WebKit without Safari's "Safari/" token (every iOS
  // browser, Chrome and Firefox included, keeps it). iPadOS web-views say "Macintosh".
  ['app-webview', /; wv\)|^(?!.*Safari\/).*(iPhone|iPad|iPod|Macintosh).*AppleWebKit/],
];

export const MINIPROGRAM_WEBVIEW = 'wechat-miniprogram-webview';

/** The container named by a user agent string; 'browser' when no entry matches. */
export function containerOf(userAgent: string): string {
  for (const [name, test] of CONTAINERS) if (test.test(userAgent)) return name;
  return 'browser';
}

/**
 * The page's container, asked per event. The UA is matched once; WeChat's
 * `window.__wxjs_environment` is read each time because WeChat sets it only around
 * `WeixinJSBridgeReady`, after early events were made (one property read).
 */
export function containerDetector(): () => string {
  let fromUa: string | undefined;
  return () => {
    try {
      if ((window as { __wxjs_environment?: unknown }).__wxjs_environment === 'miniprogram') return MINIPROGRAM_WEBVIEW;
      return fromUa || (fromUa = containerOf(String(navigator.userAgent)));
    } catch {
      return 'browser';
    }
  };
}
