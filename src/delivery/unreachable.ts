// An endpoint no request can reach: a relative URL where there is no page to resolve it
// against (Node, a mini-program's wx.request). Sent anyway, every batch would fail as a
// network error, and those are retried forever; refused here, each event fails once
// (status 400 via `failed`) after one debug warning.
import type { Transport } from '../types';

/** A transport refusing every batch when `endpoint` is relative, else undefined (use the real one). */
export function unreachable(endpoint: string, warn: (...a: unknown[]) => void): Transport | undefined {
  if (/^\w+:/.test(endpoint)) return undefined;
  warn('relative endpoint');
  return { send: async () => ({ status: 400 }) };
}
