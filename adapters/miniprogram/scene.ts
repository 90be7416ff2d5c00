// What a launch or show says about where the user came from: the query (with QR-code
// `q` and wxacode `scene` parameters decoded), the WeChat scene value as a campaign
// medium, and the share chain (`tutti_sharer`, `tutti_depth`: src/campaign/share.ts, shared with H5).
import type { Campaign } from '../../src/types';
import { parseQuery } from '../../src/lib/query';
import type { ShareOrigin } from '../../src/campaign/share';

/** Scene value − 1000 → campaign medium (source is always 'wechat'). README lists the table. */
const MEDIA: Array<[string, number[]]> = [
  ['discover', [1]],
  ['search', [5, 6, 27, 42, 53, 106]],
  ['share', [7, 8, 36, 44, 96]],
  ['timeline', [154, 155]],
  ['qrcode', [11, 12, 13, 47, 48, 49]],
  ['barcode', [25, 31, 32]],
  ['official_account', [20, 35, 43, 74, 102]],
  ['article', [58, 82, 91]],
  ['miniprogram', [37, 38]],
  ['url_scheme', [65]],
  ['url_link', [194]],
  ['h5_link', [167]],
  ['cpc', [45, 46, 67, 68, 84, 95]],
  ['recent', [89]],
  ['favorites', [103, 104]],
  ['desktop', [23]],
  ['floating_window', [131, 187]],
  ['app', [69]],
  ['message', [14, 107]],
];

export function sceneMedium(scene: number | undefined): string {
  for (const [medium, scenes] of MEDIA) if (scenes.indexOf((scene as number) - 1000) >= 0) return medium;
  return 'other';
}

/**
 * Scenes where the user came back on their own (recently used, My mini-programs,
 * desktop icon, floating window, back from another mini-program). They label a first
 * visit but must not replace the campaign that brought the user, as direct web traffic
 * never does. Written as scene value − 1000, like MEDIA.
 */
export const isReturnScene = (scene: number | undefined) => [1, 23, 38, 89, 103, 104, 131, 187].indexOf((scene as number) - 1000) >= 0;

function decodeOnce(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The entry query as campaign parameters. WeChat hands query values over as written in
 * the path, still percent-encoded, so each is decoded once. Two of them hold more
 * parameters: `q`, the full URL of a scanned QR code, whose own query carries the UTM;
 * and `scene`, the `a=b&c=d` string given to wxacode.getUnlimited. Parameters written
 * directly on the path win over those decoded from `q` or `scene`.
 */
export function entryParams(query: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const q = query || {};
  for (const k in q) if (k !== 'q' && k !== 'scene' && q[k] != null) out[k] = decodeOnce(String(q[k]));
  for (const k of ['q', 'scene']) {
    // parseQuery reads both a URL's query and a bare `a=b&c=d`; a plain scene ID gives nothing.
    const nested = typeof q[k] === 'string' ? parseQuery(decodeOnce(q[k] as string)) : {};
    for (const n in nested) if (!(n in out)) out[n] = nested[n];
  }
  return out;
}

/** The fallback campaign for a scene: { source: 'wechat', medium }, plus the share that led here. */
export function sceneCampaign(scene: number | undefined, from?: ShareOrigin): Campaign {
  const c: Campaign = { source: 'wechat', medium: sceneMedium(scene) };
  if (from) {
    c.sharer = from.sharer;
    c.shareDepth = String(from.shareDepth);
  }
  return c;
}

export { shareOrigin, type ShareOrigin } from '../../src/campaign/share';
