// Decisions kept for their `ttl` (seconds, set by the backend) in sessionStorage, so the
// next page view of this tab renders at once, with no request and no hidden slot.
// One key per write key + endpoint; the entry is bound to the person (anonymousId +
// userId) by a hash, so an identify() or reset() never shows one person's decisions
// to another and no identifier is written in clear. JSON decisions are not served from
// the cache: they reach the page only through `on('decision')`, which the core emits
// for decisions it fetched.
import type { Decision } from '../../../src/types';
import { stringify } from '../../../src/lib/json';

/** Slots remembered per person at most; the ones closest to expiry go first. */
const MAX_SLOTS = 50;
/** A decision larger than this (characters) is not worth a sessionStorage write. */
const MAX_CHARS = 20000;

export interface DecisionCache {
  get(slotId: string): Decision | undefined;
  put(slotId: string, decision: Decision): void;
}

interface Stored {
  /** Hash of the person the decisions are for. */
  u: string;
  /** slotId → [expires at (ms epoch), decision] */
  s: Record<string, [number, Decision]>;
}

/** Two 32-bit multiplicative hashes side by side: a short, stable, non-reversible label. */
export function hashText(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  return (a >>> 0).toString(36) + (b >>> 0).toString(36);
}

function session(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined; // sandboxed iframe, storage disabled
  }
}

export function decisionCache(namespace: string, person: () => string, storage: Storage | undefined = session()): DecisionCache {
  const key = 'tutti_slots_' + hashText(namespace);

  function read(u: string, now: number): Stored {
    try {
      const v = JSON.parse((storage && storage.getItem(key)) || 'null') as Stored | null;
      if (v && v.u === u && v.s && typeof v.s === 'object') {
        for (const id in v.s) if (!(v.s[id] && v.s[id][0] > now)) delete v.s[id];
        return v;
      }
    } catch {
      // unreadable: start over
    }
    return { u, s: {} };
  }

  return {
    get(slotId) {
      if (!storage) return undefined;
      const hit = read(hashText(person()), Date.now()).s[slotId];
      return hit ? hit[1] : undefined;
    },
    put(slotId, decision) {
      const ttl = Number(decision.ttl);
      if (!storage || !(ttl > 0) || decision.content.type === 'json') return;
      try {
        if (JSON.stringify(decision).length > MAX_CHARS) return;
        const now = Date.now();
        const v = read(hashText(person()), now);
        v.s[slotId] = [now + ttl * 1000, decision];
        const ids = Object.keys(v.s).sort((x, y) => v.s[y][0] - v.s[x][0]);
        for (const id of ids.slice(MAX_SLOTS)) delete v.s[id];
        storage.setItem(key, stringify(v));
      } catch {
        // quota or blocked storage: the next page view asks again
      }
    },
  };
}
