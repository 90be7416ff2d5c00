// Synchronous key/value storage for the core (identity, session, campaign...).
// The anonymous ID is special (SPEC §6): a first-party cookie shared by subdomains,
// mirrored to localStorage and IndexedDB, restored from whichever survives (Safari
// and "clear cookies" often wipe only one of them). When stores disagree the cookie
// wins and the others are rewritten: localStorage winning is how peers ended up with
// different IDs per subdomain (LESSONS §2(b), §3.5).
import { promisifyRequest, type UseStore } from 'idb-keyval';
import type { KeyValueStore } from '../../../src/platform';
import { readCookie, TWO_YEARS, writeCookie } from './cookie';
import { lsGet, lsRemove, lsSet } from './local-storage';
import { storedId } from '../../../src/identity/placeholder';

export const AID_KEY = 'tutti_aid';

/**
 * Reads the IndexedDB mirror of the anonymous ID, as stored (rejects when unreadable): its
 * one caller, init, waits on it through deadline() and takes only a non-empty string.
 */
export const readIdbId = (store: UseStore): Promise<unknown> => store('readonly', (s) => promisifyRequest<unknown>(s.get(AID_KEY)));

export interface WebKVOptions {
  /** Cookie domain ('' = host only). */
  domain: string;
  /** IndexedDB mirror of the anonymous ID. */
  idb?: UseStore;
  /** The value read from IndexedDB before init, if any. */
  idbValue?: string;
}

export function webKV(o: WebKVOptions): KeyValueStore {
  // Memory copy of every key: the answer when all persistent stores refuse.
  const mem: Record<string, string> = {};
  // Keys whose last localStorage write failed: memory is fresher for those.
  const memOnly: Record<string, 1> = {};
  // The core writes session state on every event; localStorage.setItem costs ~25 µs, so
  // writes made in one task reach localStorage once, at its end (null = remove).
  // Other tabs could not see them any sooner: storage syncs between tabs asynchronously.
  let pending: Record<string, string | null> | undefined;
  const write = (key: string, value: string | null) => {
    if (!pending) {
      pending = {};
      Promise.resolve().then(() => {
        const list = pending as Record<string, string | null>; // set before this task ended
        pending = undefined;
        // Own keys only: a key added to Object.prototype by the page is no write of ours.
        for (const k of Object.keys(list)) {
          const v = list[k];
          if (v === null) lsRemove(k);
          else if (lsSet(k, v)) delete memOnly[k];
          else memOnly[k] = 1;
        }
      });
    }
    pending[key] = value;
  };
  let idbValue = o.idbValue;

  /** Writes the anonymous ID's cookie; '' deletes it. */
  const aidCookie = (value: string) => writeCookie(AID_KEY, value, o.domain, value ? TWO_YEARS : 0);
  const idbWrite = (value: string | null) => {
    const v = value || undefined;
    if (!o.idb || idbValue === v) return;
    idbValue = v;
    // Straight on the store (the outbox's one): no further idb-keyval helpers in the bundle.
    o.idb('readwrite', (s) => (value ? s.put(value, AID_KEY) : s.delete(AID_KEY), promisifyRequest(s.transaction))).catch(() => undefined);
  };

  return {
    get(key) {
      if (key === AID_KEY) {
        const cookie = readCookie(AID_KEY);
        const local = lsGet(AID_KEY);
        // A placeholder in a mirror is no copy, as in the cookie (readCookie).
        const value = cookie || storedId(local) || storedId(idbValue) || mem[AID_KEY] || null;
        if (value) {
          if (cookie !== value) aidCookie(value);
          if (local !== undefined && local !== value) lsSet(AID_KEY, value);
          idbWrite(value);
          mem[AID_KEY] = value;
        }
        return value;
      }
      if (pending && key in pending) return pending[key];
      // localStorage answers when readable (another tab may have changed or removed
      // the key); memory only when it is unreadable or refused our last write.
      const v = memOnly[key] ? undefined : lsGet(key);
      return v !== undefined ? v : key in mem ? mem[key] : null;
    },
    set(key, value) {
      value = String(value);
      mem[key] = value;
      if (key === AID_KEY) {
        aidCookie(value);
        lsSet(AID_KEY, value);
        idbWrite(value);
      } else write(key, value);
    },
    remove(key) {
      delete mem[key];
      delete memOnly[key];
      if (key === AID_KEY) {
        lsRemove(key);
        aidCookie('');
        idbWrite(null);
      } else write(key, null);
    },
  };
}
