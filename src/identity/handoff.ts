// Checks identity handoff parameters (SPEC §6: tutti_aid, tutti_uid, tutti_ts from
// linkUrl on another domain or container). Plugged into the core by the platforms whose
// pages are opened from such links (web, H5, tutti/core); mini-programs do not carry it.
import type { ResolvedOptions } from '../types';
import { cleanName } from '../lib/sanitize';
import { isUuid } from '../lib/uuid';
import { isPlaceholderId } from './placeholder';

/** Handoff parameters older than this are ignored (SPEC §6: fresh means under 2 minutes). */
const MAX_AGE = 120000;
/** Tolerated clock skew between the linking and the landing device. */
const SKEW = 60000;

/** The IDs to adopt, as `mode` (options.acceptHandoff) allows, or null when the parameters are absent, stale or malformed. */
export function handoffIds(
  params: Record<string, string>,
  mode: ResolvedOptions['acceptHandoff'],
  warn: (...a: unknown[]) => void,
): { aid: string; uid: string | null } | null {
  if (!mode || !params) return null;
  const age = Date.now() - Number(params.tutti_ts);
  const aid = params.tutti_aid;
  if (!isUuid(aid) || !(age <= MAX_AGE && age >= -SKEW)) {
    if (aid) warn('stale or malformed handoff ignored');
    return null;
  }
  const uid = mode === 'all' ? cleanName(params.tutti_uid, 'handoff user ID', warn, true, 128) : null;
  return { aid, uid: uid && !isPlaceholderId(uid) ? uid : null };
}

export type HandoffCheck = typeof handoffIds;
