// Share-chain attribution on H5 pages (README, Share attribution), as in the mini-program:
// a landing with `tutti_sharer` / `tutti_depth` gives the campaign `sharer` and `shareDepth`,
// and shareUrl() builds the link this visitor shares onward with their own ID and depth + 1.
import type { CoreTutti } from '../../src/core';
import type { Landing } from '../../src/campaign/campaign';
import { shareOrigin } from '../../src/campaign/share';
import { parseQuery, withoutParams, withParams } from '../../src/lib/query';
import { attempt } from '../web/lib/dom';
import { HANDOFF_PARAMS } from '../web/lib/handoff';

const SHARE_PARAMS = ['tutti_sharer', 'tutti_depth'];

/**
 * Reads the share chain of a landing (`l`, from the web environment) into its campaign and
 * takes the parameters out of the address bar, as handoff parameters are, so a reload or a
 * re-share does not repeat them. Ignored: a sharer that is no UUID or is this visitor.
 * The share campaign `{ source, medium: 'share' }` is the fallback only without a referrer
 * (WeChat opens shared links without one): UTM, click IDs and an external referrer still
 * win and get `sharer` / `shareDepth` added; an internal referrer keeps the session's campaign.
 */
export function shareLanding<L extends Landing>(l: L | undefined, ownId: string, container: string): L | undefined {
  const params = parseQuery(l ? (l.url as string) : '');
  const from = shareOrigin(params);
  // 'wechat-miniprogram-webview' is WeChat too.
  const wechat = /^wechat/.test(container);
  if (from && from.sharer !== ownId) {
    l!.extra = { sharer: from.sharer, shareDepth: '' + from.shareDepth };
    if (!l!.referrer) l!.fallback = { source: wechat ? 'wechat' : 'share', medium: 'share' };
  }
  // Not in WeChat on iOS: there the JS-SDK checks wx.config's signature against the URL the
  // page was opened with, and a page signing location.href after this would fail it.
  // shareUrl() replaces them in the onward link anyway.
  if (SHARE_PARAMS.some((k) => k in params) && !(wechat && /iPhone|iPad|iPod/.test(navigator.userAgent)))
    attempt(() => history.replaceState(history.state, '', withoutParams(location.href, SHARE_PARAMS)));
  return l;
}

/**
 * Gives `t` its shareUrl(url?) (see H5Tutti in index.ts) unless it has one: also the page's
 * shared instance when a web copy (tutti.min.js, `tutti`) made it before this H5 copy ran.
 */
export function withShareUrl<T>(t: T): T {
  const c = t as unknown as CoreTutti & { shareUrl?: unknown };
  if (!c.shareUrl)
    c.shareUrl = (url?: unknown): unknown => {
      const u = url === undefined ? attempt(() => location.href) : url;
      // linkUrl gives '' for a URL that is no string, and leaves one as it is exactly when IDs
      // may not go into a URL (not initialised, consent not granted): the same rule.
      const linked = u ? c.linkUrl(u as string) : '';
      return !linked
        ? (c.warn('shareUrl: bad url', url), url)
        : linked === u
          ? u
          : // Never a handoff parameter: the recipient is another person. The depth is the one
            // this visitor arrived at (a digit string, or none: 0) + 1.
            withParams(withoutParams(u as string, HANDOFF_PARAMS), { tutti_sharer: c.getAnonymousId(), tutti_depth: String(+((c.getCampaign().last || {}).shareDepth || 0) + 1) });
    };
  return t;
}
