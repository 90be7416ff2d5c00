// Identity handoff on landing (SPEC §6): adopt `tutti_aid`/`tutti_uid`/`tutti_ts` from
// the URL (the core checks freshness and `acceptHandoff`), then take them out of the
// address bar so a copied or shared link never carries this person's IDs onward.
import { parseQuery, withoutParams } from '../../../src/lib/query';
import { attempt, win } from './dom';

export const HANDOFF_PARAMS = ['tutti_aid', 'tutti_uid', 'tutti_ts'];

/** Returns true when handoff parameters were present (and have been removed). */
export function adoptHandoffFromUrl(adopt: (params: Record<string, string>) => unknown): boolean {
  if (!win()) return false;
  const params = parseQuery(location.search);
  if (!HANDOFF_PARAMS.some((k) => k in params)) return false;
  // The core's adoptHandoff never throws (it guards itself).
  adopt(params);
  attempt(() => history.replaceState(history.state, '', withoutParams(location.href, HANDOFF_PARAMS)));
  return true;
}
