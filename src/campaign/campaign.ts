// Campaign of a landing: utm_* parameters, then ad click IDs, then a platform fallback
// (mini-program scene), then the referrer; nothing at all is 'direct'.
import type { Campaign } from '../types';

/** utm_<key> parameters, kept as campaign fields of the same name (utm_campaign as `name`). A comma-separated string gzips smaller than the array literal. */
const UTM = 'source,medium,campaign,term,content'.split(',');

/** Click IDs kept under their own names, with the network and medium they imply when no utm_* says otherwise. */
export const CLICK_IDS: Record<string, [source: string, medium: string]> = {
  gclid: ['google', 'cpc'],
  wbraid: ['google', 'cpc'],
  gbraid: ['google', 'cpc'],
  fbclid: ['facebook', 'social'],
  msclkid: ['bing', 'cpc'],
  ttclid: ['tiktok', 'cpc'],
  bd_vid: ['baidu', 'cpc'],
  qz_gdt: ['tencent', 'cpc'],
  gdt_vid: ['tencent', 'cpc'],
  clickid: ['oceanengine', 'cpc'],
  callback: ['oceanengine', 'cpc'],
};

export const DIRECT: Campaign = { source: 'direct', medium: '(none)' };

/**
 * Parameters that describe a campaign; the web adapter ignores replaceState calls that
 * only touch these. Pure: builds that do not use the list (mini-program) drop it.
 */
export const CAMPAIGN_PARAMS = /*#__PURE__*/ UTM.map((k) => 'utm_' + k).concat(Object.keys(CLICK_IDS));

export interface Landing {
  url?: string;
  referrer?: string;
  params?: Record<string, string>;
  fallback?: Campaign;
  /** Extra fields for any non-direct campaign of this landing (mini-program share: sharer, shareDepth). */
  extra?: Record<string, string>;
}

/**
 * What a landing says: a campaign, DIRECT, or null when it is an internal navigation
 * (own site or linkDomains) that must not touch the campaign at all. `params` are the
 * landing's query parameters; `referred` is what its referrer says (referrer.ts), DIRECT
 * when it has none or nobody reads it.
 */
export function classifyLanding(l: Landing, params: Record<string, string>, referred: Campaign | null): Campaign | null {
  // The query parameters first: utm_* (utm_campaign as `name`), then click IDs.
  let found: Campaign | null = null;
  for (const k of UTM) {
    const v = params['utm_' + k];
    if (v) (found || (found = {}))[k === 'campaign' ? 'name' : k] = v.slice(0, 256);
  }
  // An ad click never comes from the site itself: on an internal navigation (referred null),
  // parameters named like click IDs (a login page's `callback=/cart`) are the site's own.
  // Own keys only: a page may have added enumerable properties to Object.prototype.
  for (const id of referred ? Object.keys(CLICK_IDS) : []) {
    const v = params[id];
    // The click ID's network and medium fill in only what utm_* (or an earlier click ID) left out.
    if (v) found = Object.assign({ source: CLICK_IDS[id][0], medium: CLICK_IDS[id][1] }, found, { [id]: v.slice(0, 512) });
  }
  const c = found || (l.fallback && l.fallback.source ? l.fallback : null) || referred;
  return c && c !== DIRECT && l.extra ? Object.assign({}, c, l.extra) : c;
}

/** Same campaign: same utm values and click IDs (a new ad click is a new touch). */
export const sameCampaign = (a: Campaign | null | undefined, b: Campaign | null | undefined): boolean =>
  !a || !b ? a === b : Object.keys(a).concat(Object.keys(b)).every((k) => (a[k] || '') === (b[k] || ''));
