// What a launch or show says about where the user came from: the query (with QR-code
// `q` and wxacode `scene` parameters decoded), the WeChat scene value as a campaign
// medium, and the share chain (`tutti_sharer`, `tutti_depth`).
import type { Campaign } from '../../src/types';
import { parseQuery } from '../../src/lib/query';
import { isUuid } from '../../src/lib/uuid';

/** Scene value → campaign medium (source is always 'wechat'). README lists the table. */
const MEDIA: Array<[string, number[]]> = [
  ['discover', [1001]],
  ['search', [1005, 1006, 1027, 1042, 1053, 1106]],
  ['share', [1007, 1008, 1036, 1044, 1096]],
  ['timeline', [1154, 1155]],
  ['qrcode', [1011, 1012, 1013, 1047, 1048, 1049]],
  ['barcode', [1025, 1031, 1032]],
  ['official_account', [1020, 1035, 1043, 1074, 1102]],
  ['article', [1058, 1082, 1091]],
  ['miniprogram', [1037, 1038]],
  ['url_scheme', [1065]],
  ['url_link', [1194]],
  ['h5_link', [1167]],
  ['cpc', [1045, 1046, 1067, 1068, 1084, 1095]],
  ['recent', [1089]],
  ['favorites', [1103, 1104]],
  ['desktop', [1023]],
  ['floating_window', [1131, 1187]],
  ['app', [1069]],
  ['message', [1014, 1107]],
];

/**
 * Scenes where the user came back on their own (recently used, My mini-programs,
 * desktop icon, floating window, back from another mini-program). They label a first
 * visit but must not replace the campaign that brought the user, as direct web traffic
 * never does.
 */
const RETURNS = [1001, 1023, 1038, 1089, 1103, 1104, 1131, 1187];

export function sceneMedium(scene: number | undefined): string {
  for (const [medium, scenes] of MEDIA) if (scenes.indexOf(scene as number) >= 0) return medium;
  return 'other';
}

export const isReturnScene = (scene: number | undefined) => RETURNS.indexOf(scene as number) >= 0;

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

export interface ShareOrigin {
  /** Anonymous ID of the person who shared the path that launched the app. */
  sharer: string;
  /** Hops from the original share: 1 = shared by the first sharer. */
  shareDepth: number;
}

/** The share chain a launch path carries (`tutti_sharer` must be a UUID: anything else is ignored). */
export function shareOrigin(params: Record<string, string>): ShareOrigin | undefined {
  const sharer = params.tutti_sharer;
  if (!isUuid(sharer)) return undefined;
  const depth = parseInt(params.tutti_depth, 10);
  return { sharer, shareDepth: depth > 0 && depth < 1000 ? depth : 1 };
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
