// Classifies an external referrer. Search engines → medium 'organic', social sites →
// 'social', anything else → 'referral' with the referring site as source.
// A domain ending in '.' matches that label under any suffix (google.com.hk, yandex.ru).
import { hostOf, onDomain, siteOf } from '../lib/domain';
import { landingParams } from '../lib/query';
import type { Campaign } from '../types';
import { classifyLanding, DIRECT, type Landing } from './campaign';

// Tables as strings: 'source domain domain|source domain…' minifies to about half of the
// same nested array literal (no quotes and commas around every domain). The source is left
// out where it is the first domain's first label: 'bing.com' is 'bing bing.com', 'google.'
// is 'google google.' (domains always have a dot, sources never: find() tells them apart).
// so.toutiao.com is Toutiao's search; toutiao.com itself is a news feed (social, below).
const SEARCH = 'baidu.com|google.|bing.com|sogou.com|so.com|sm.cn|toutiao so.toutiao.com|yandex.|duckduckgo.com';

const SOCIAL =
  // Every mini-program web-view page has servicewechat.com as referrer: the visit comes from a WeChat mini-program.
  // weixin.qq.com covers its subdomains, official-account articles (mp.weixin.qq.com) among them.
  'wechat servicewechat.com weixin.qq.com wx.qq.com|weibo.com weibo.cn t.cn|xiaohongshu.com xhslink.com|' +
  'zhihu.com|douyin.com iesdouyin.com|qq.com|bilibili.com b23.tv|facebook.com fb.com|' +
  'toutiao.com|douban.com|kuaishou.com gifshow.com|twitter.com x.com t.co|linkedin.com lnkd.in';

// Payment and sign-in pages the visitor leaves for and comes back from (GA's "referral
// exclusions"): the return landing has them as referrer, but it is the same visit, so like
// internal referrers they neither start a session nor become a campaign, and the order stays
// with the campaign that brought the visitor. Checked before the tables above, which would
// call open.weixin.qq.com (WeChat OAuth) 'wechat' social and accounts.google.com 'google'
// organic. Any other provider: add it to linkDomains (README, Campaigns and sessions).
const ROUND_TRIPS =
  'alipay.com tenpay.com pay.weixin.qq.com 95516.com unionpay.com paypal.com ' +
  'open.weixin.qq.com graph.qq.com api.weibo.com accounts.google.com appleid.apple.com';

function find(host: string, table: string): string | undefined {
  for (const entry of table.split('|')) {
    const words = entry.split(' ');
    // The source word itself, when written, is no domain.
    const source = words[0].split('.')[0];
    for (const d of words) {
      if (d !== source && (d.slice(-1) === '.' ? ('.' + host).indexOf('.' + d) >= 0 : onDomain(host, d))) return source;
    }
  }
  return undefined;
}

/**
 * What a landing's referring host says: null for an internal one (the site's own registrable
 * domain, linkDomains, a payment or sign-in round trip: the session keeps its campaign), else
 * its campaign.
 */
export function classifyReferrer(refHost: string, host: string, linkDomains: string[]): Campaign | null {
  if (host && siteOf(refHost) === siteOf(host)) return null;
  // linkDomains are strings (resolveOptions), written as the user likes: '.Example.com'.
  for (const d of linkDomains.concat(ROUND_TRIPS.split(' '))) if (d && onDomain(refHost, d.toLowerCase().replace(/^\./, ''))) return null;
  // An external site: search, social, else a referral from that site.
  const search = find(refHost, SEARCH);
  if (search) return { source: search, medium: 'organic' };
  const social = find(refHost, SOCIAL);
  if (social) return { source: social, medium: onDomain(refHost, 'servicewechat.com') ? 'miniprogram' : 'social' };
  return { source: siteOf(refHost), medium: 'referral' };
}

/**
 * classifyLanding for landings given by URLs: the parameters come from the URL (query and
 * hash route) unless given, and the referrer is read (`host`: the platform's host name,
 * else the URL's). Plugged into the core by the platforms whose landings are URLs (web,
 * H5, tutti/core); mini-program landings bring their parameters and no referrer, so that
 * build carries neither the URL parsing nor the tables.
 */
export function classifyUrlLanding(l: Landing, host: string | undefined, linkDomains: string[]): Campaign | null {
  const url = l.url || '';
  const refHost = hostOf(l.referrer);
  return classifyLanding(l, l.params || landingParams(url), refHost ? classifyReferrer(refHost, host || hostOf(url), linkDomains) : DIRECT);
}

export type UrlLandingClassifier = typeof classifyUrlLanding;
