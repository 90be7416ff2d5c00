// The persisted outbox in wx storage, split across keys `tutti_ob_<ns>_<n>` because WeChat
// caps a key at 1 MB and the whole mini-program at 10 MB (shared with the host app). `ns`
// is the instance's "<writeKey>@<endpoint>", so instances sending elsewhere (the singleton
// and a createTutti one) never overwrite, send or count each other's records, as on the
// web (there a hash of the same pair names the stores; here the pair itself costs fewer
// bytes). Identity (anonymous ID, session, sequence: storage.ts) stays one per device.
//
// Records are appended to the newest chunk until it holds `chunkBytes` bytes of JSON
// (UTF-8, so Chinese text counts three times its length), so one `put` rewrites one
// small chunk, not the whole queue. The outbox keeps at most `maxChunks` chunks (4 MB by
// default, whatever the language of the events). When a write fails (quota exceeded) or the budget
// is reached, the oldest chunks leave storage first; their records stay in memory and are
// still sent during this launch. While some are in memory only, their number is kept under
// `tutti_ob_<ns>_lost`: if WeChat kills the app before they are sent, the next launch finds it
// and the queue reports them via `dropped` (reason 'storage full'; the backend also sees
// the gap through `context.sequence`). A storage exception never reaches the core.
//
// The chunks of the previous launch are found by listing the storage keys
// (getStorageInfoSync, present since the first base library), so no index key is kept
// and a put costs one storage write.
//
// Two instances with the same write key and endpoint (the app's and a plugin package's)
// get distinct outboxes: the second one created in a launch is `<ns>#1`, the next `<ns>#2`.
// When an outbox loads, it also adopts the keys of a same-pair outbox that no instance of
// this launch holds (the second instance did not start this time, or starts later), so
// each record is held by one instance only and nothing waits for an instance that may
// never come back; they send to the same place under the same write key.
//
// Upgrade: releases before this one kept one outbox for all instances (`tutti_ob_<n>`,
// `tutti_ob_lost`). The first instance that loads (in a single-instance app, the app's
// only one) adopts those chunks and that count, moves them to its own keys and removes
// the old ones, so they are sent once. Which instance queued an old record is not stored
// in it: in an app with several instances, all old records go to the first one.
import type { OutboxStore, QueuedEvent } from '../../src/platform';
import { parseJson } from '../../src/lib/json';
import { utf8Length } from '../../src/queue/queue';
import { cacheOf, dropKey, readString, storageKey, writeString } from './storage';
import { wxCall, type Wx } from './wx';

/** The prefix of the release before outboxes were per instance (`tutti_ob_<n>`, `tutti_ob_lost`). */
const SHARED = 'tutti_ob';
/** The chunk number of a record that lives only in memory. */
const MEMORY = -1;

export interface WxOutboxOptions {
  /** Bytes (UTF-8) of JSON per storage key. 65536 */
  chunkBytes?: number;
  /** Storage keys the outbox may use. 64 (about 4 MB) */
  maxChunks?: number;
}

interface Slot {
  r: QueuedEvent;
  /** Chunk number, or MEMORY. */
  n: number;
}

/** `ns`: the instance's namespace (writeKey + endpoint), so instances never share keys. */
export function wxOutbox(w: Wx, ns: string, opts: WxOutboxOptions = {}): OutboxStore {
  // The outbox names held in this runtime, kept with the storage cache (no storage key
  // is named like an outbox). A second instance with the same write key and endpoint
  // gets `<ns>#1` (then #2, ...).
  const used = cacheOf(w);
  // resolveOptions drops the endpoint's trailing slashes: 'https://x/' and 'https://x' are
  // one outbox, so an update that adds or removes one orphans nothing.
  const base = SHARED + '_' + ns;
  let own = base;
  for (let i = 1; used.has(own); ) own = base + '#' + i++;
  used.set(own, null);
  /** A chunk's key, or (n = 'lost') the key counting records in memory only. */
  const key = (n: number | string) => own + '_' + n;
  const chunkBytes = opts.chunkBytes || 65536;
  const maxChunks = opts.maxChunks || 64;
  /** All records by id, oldest first (a Map keeps insertion order; a replace keeps the position). */
  const slots = new Map<string, Slot>();
  /**
   * Chunk number → bytes of JSON in it, exact once written (an estimate in between
   * only decides where a new record goes); numbers only grow, so Map order is age order.
   */
  const chunks = new Map<number, number>();
  let next = 0;
  let loaded = false;
  /** The count under key('lost'). */
  let marked = 0;

  /**
   * Reads the chunks the previous launch left: this instance's, then those of the release
   * whose instances shared one outbox, adopted by the first instance that loads (moved to
   * its own keys; their old keys go first, so the move needs no extra room).
   */
  function load(): void {
    if (loaded) return;
    loaded = true;
    const keys = storedKeys();
    const adopted = new Set<number>();
    let lost = 0;
    const all = keys.map((k) => /^(.*)_(\d+|lost)$/.exec(k) || []);
    // Own keys, then those of a same-named outbox no instance of this launch holds (the
    // plugin's instance did not start this time, or releases before this one kept the
    // endpoint's trailing slashes in the name), then the pre-upgrade shared ones.
    const names = all.map((m) => m[1]).filter((p) => p && !used.has(p) && p.replace(/\/*(#\d+)?$/, '') == base);
    for (const p of new Set([own, ...names, SHARED])) {
      const found = all.filter((m) => m[1] == p && m[2] != 'lost');
      for (const [k, , o] of found.sort((a, b) => +a[2] - +b[2])) {
        const n = p == own ? +o : next;
        const body = readString(w, k) || '';
        // Corrupt JSON parses as undefined: the chunk is dropped below.
        const list = parseJson(body);
        for (const r of Array.isArray(list) ? (list as QueuedEvent[]) : []) {
          if (r && typeof r.id === 'string' && r.event && !slots.has(r.id)) {
            slots.set(r.id, { r, n });
            chunks.set(n, utf8Length(body));
          }
        }
        if (p != own) adopted.add(n);
        if (p != own || !chunks.has(n)) dropKey(w, k);
        next = n + 1;
      }
      // The previous process died holding these in memory only.
      lost += +(readString(w, p + '_lost') as string) | 0;
      dropKey(w, p + '_lost');
    }
    if (lost) box.lost = { events: [], count: lost, reason: 'storage full' };
    persist(adopted);
  }

  /** Moves a chunk's records to memory and frees its key. */
  function evict(n: number): void {
    slots.forEach((s) => s.n === n && (s.n = MEMORY));
    chunks.delete(n);
    dropKey(w, key(n));
  }

  function persist(dirty: Set<number>): void {
    // Over budget: the oldest chunks leave storage first.
    while (chunks.size > maxChunks) evict(chunks.keys().next().value as number);
    for (const n of Array.from(dirty).sort((a, b) => a - b)) {
      if (!chunks.has(n)) continue;
      const list: QueuedEvent[] = [];
      slots.forEach((s) => s.n === n && list.push(s.r));
      if (!list.length) {
        evict(n);
        continue;
      }
      const body = JSON.stringify(list);
      chunks.set(n, utf8Length(body));
      // Storage full: free the oldest chunks until this newer one fits, or keep it in memory.
      // A chunk over 500 KB is one record the queue refuses as too large (and that may pass
      // WeChat's 1 MB per key once escaped): it alone stays in memory, the others stay put.
      while (!writeString(w, key(n), body)) {
        const oldest = (chunks.get(n) as number) > 5e5 ? n : (chunks.keys().next().value as number);
        evict(oldest);
        if (oldest === n) break;
      }
    }
    // key('lost'): how many records are in memory only (absent when none).
    let m = 0;
    slots.forEach((s) => s.n === MEMORY && m++);
    if (m !== marked) (marked = m) ? writeString(w, key('lost'), '' + m) : dropKey(w, key('lost'));
  }

  /** Every key in storage (getStorageInfoSync, present since the first base library). */
  const storedKeys = (): string[] => (wxCall(w, 'getStorageInfoSync') || {}).keys || [];

  /** Runs an operation on the loaded outbox; a storage exception resolves to `fallback`. */
  function run<T>(fn: () => T, fallback?: T): Promise<T> {
    try {
      load();
      return Promise.resolve(fn());
    } catch {
      return Promise.resolve(fallback as T);
    }
  }

  // Puts back the chunks and the SDK's other keys (identity, session, opt-out: the storage
  // cache) that the host app removed, typically with wx.clearStorageSync() at logout.
  // Memory is this launch's truth; without this the next launch would lose those events
  // unreported and start with another anonymous ID.
  const repair = () =>
    run(() => {
      const keys = storedKeys();
      const gone = (k: string) => keys.indexOf(k) < 0;
      used.forEach((v, k) => v && gone((k = storageKey(k))) && writeString(w, k, v));
      if (gone(key('lost'))) marked = 0;
      persist(new Set(Array.from(chunks.keys()).filter((n) => gone(key(n)))));
    });
  // Right after the host's wx.clearStorageSync(): the process may end before the next hide
  // (a foreground kill on low memory, an update applied after a cache clear), and writes in
  // between rewrite only the chunks they touch. wx's methods are not writable in WeChat,
  // but configurable. The host's exceptions and return value stay its own.
  const clear = w.clearStorageSync;
  if (typeof clear == 'function')
    try {
      Object.defineProperty(w, 'clearStorageSync', {
        configurable: true,
        writable: true,
        value: function (this: unknown) {
          try {
            return clear.apply(this, arguments);
          } finally {
            repair();
          }
        },
      });
    } catch {
      // a frozen wx: the hide still repairs
    }
  // On hide as well, where WeChat may kill the app: a clear the wrapper did not see (the
  // async wx.clearStorage, a framework that kept the original function).
  wxCall(w, 'onAppHide', repair);

  /** Marks the chunk of a record that changed; one in memory has nothing to rewrite. */
  const touch = (dirty: Set<number>, s: Slot) => s.n !== MEMORY && dirty.add(s.n);

  const box: OutboxStore = {
    put(list) {
      return run(() => {
        const dirty = new Set<number>();
        for (const r of list) {
          if (!r || typeof r.id !== 'string') continue;
          let s = slots.get(r.id);
          if (s) {
            // A replaced record (one more attempt) keeps its place and its chunk.
            s.r = r;
          } else {
            // A new record goes to the newest chunk while it has room, else to a new one.
            const bytes = utf8Length(JSON.stringify(r)) + 1;
            const last = next - 1;
            const n = chunks.has(last) && (chunks.get(last) as number) + bytes <= chunkBytes ? last : next++;
            chunks.set(n, (chunks.get(n) || 1) + bytes);
            slots.set(r.id, (s = { r, n }));
          }
          touch(dirty, s);
        }
        persist(dirty);
      });
    },
    remove(ids) {
      return run(() => {
        const dirty = new Set<number>();
        for (const id of ids) {
          const s = slots.get(id);
          if (!s) continue;
          slots.delete(id);
          touch(dirty, s);
        }
        persist(dirty);
      });
    },
    all() {
      return run(() => Array.from(slots.values(), (s) => s.r), [] as QueuedEvent[]);
    },
    clear() {
      return run(() => {
        chunks.forEach((_, n) => dropKey(w, key(n)));
        chunks.clear();
        slots.clear();
        persist(new Set());
      });
    },
  };
  return box;
}
