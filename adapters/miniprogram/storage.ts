// Identity and session state in `wx.*StorageSync`, under keys prefixed `tutti_` so the
// SDK's entries are easy to tell apart from the host app's. WeChat throws when a key
// exceeds 1 MB or the mini-program's 10 MB are used up; a failed write keeps the value in
// memory so the SDK carries on for this launch, and never throws into the host.
import type { KeyValueStore } from '../../src/platform';
import { wxCall, type Wx } from './wx';

export const PREFIX = 'tutti_';

/** The storage key of an SDK key (the core already names most of its keys `tutti_*`). */
export const storageKey = (key: string) => (key.indexOf(PREFIX) === 0 ? key : PREFIX + key);

/** Reads a stored string; '' and anything not a string count as absent (WeChat returns '' for a missing key). */
export function readString(w: Wx, key: string): string | null {
  const v = wxCall(w, 'getStorageSync', key);
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Writes a string; false when WeChat refused it (size limits, storage unavailable). */
export function writeString(w: Wx, key: string, value: string): boolean {
  try {
    w.setStorageSync(key, value);
    return true;
  } catch {
    return false;
  }
}

/** Removes a key; a failure leaves a value the next write overwrites or the SDK ignores. */
export const dropKey = (w: Wx, key: string) => wxCall(w, 'removeStorageSync', key);

// One cache per wx object, so two instances (the singleton and a createTutti one) agree.
// The outbox (outbox.ts) also notes there the outbox names its instances hold.
const caches = new WeakMap<Wx, Map<string, string | null>>();

/** The memory of this JS runtime (one wx per runtime; one per fake runtime in tests). */
export function cacheOf(w: Wx): Map<string, string | null> {
  let c = caches.get(w);
  if (!c) caches.set(w, (c = new Map()));
  return c;
}

export function wxKV(w: Wx): KeyValueStore {
  // Memory is the source of truth for this launch; storage is what the next launch sees.
  // Reads are cached because every getStorageSync is a synchronous bridge call.
  const c = cacheOf(w);
  // Writes wait for the end of the current task: the core rewrites the session key on
  // every event, and a burst of 100 track() calls then costs one synchronous bridge call
  // instead of 100. The latest value is written; a removal in between wins.
  const dirty = new Set<string>();
  const write = () => {
    dirty.forEach((k) => writeString(w, storageKey(k), c.get(k) as string));
    dirty.clear();
  };
  return {
    get(key) {
      if (!c.has(key)) c.set(key, readString(w, storageKey(key)));
      return c.get(key) as string | null;
    },
    set(key, value) {
      c.set(key, value);
      if (!dirty.size) Promise.resolve().then(write);
      dirty.add(key);
    },
    remove(key) {
      c.set(key, null);
      dirty.delete(key);
      dropKey(w, storageKey(key));
    },
  };
}
