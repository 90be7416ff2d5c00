// The share chain a landing carries: `tutti_sharer` (the sharer's anonymous ID) and
// `tutti_depth` (hops from the first share). Written by the mini-program's share
// handlers and H5's shareUrl(); read on a mini-program launch or show and on an H5 landing.
import { isUuid } from '../lib/uuid';

export interface ShareOrigin {
  /** Anonymous ID of the person who shared the path or link this visit came from. */
  sharer: string;
  /** Hops from the original share: 1 = shared by the first sharer. */
  shareDepth: number;
}

/** The share chain in a landing's parameters (`tutti_sharer` must be a UUID: anything else is ignored; a depth outside 1..999 counts as 1). */
export function shareOrigin(params: Record<string, string>): ShareOrigin | undefined {
  const sharer = params.tutti_sharer;
  if (!isUuid(sharer)) return undefined;
  const depth = parseInt(params.tutti_depth, 10);
  return { sharer, shareDepth: depth > 0 && depth < 1000 ? depth : 1 };
}
