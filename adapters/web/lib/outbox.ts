// The persisted outbox (SPEC §8): IndexedDB first, then one bounded localStorage key,
// then memory. A layer that fails (private mode, blocked storage, quota, a hung
// IndexedDB) hands over to the next for the rest of the page's life, so storage
// trouble can cost persistence but never tracking.
import { promisifyRequest, type UseStore } from 'idb-keyval';
import type { OutboxStore, QueuedEvent } from '../../../src/platform';
import { parseJson, stringify } from '../../../src/lib/json';
import { listen } from './dom';
import { deadline } from './idb';
import { lsGet, lsRemove, lsSet } from './local-storage';

/** Oldest first: by call time, then by the per-device sequence for calls in one millisecond. */
export function byAge(list: QueuedEvent[]): QueuedEvent[] {
  const seq = (r: QueuedEvent) => Number(r.event && r.event.context && r.event.context.sequence) || 0;
  const ts = (r: QueuedEvent) => (r.event && r.event.timestamp) || '';
  return list.sort((a, b) => (ts(a) < ts(b) ? -1 : ts(a) > ts(b) ? 1 : seq(a) - seq(b)));
}

/** The JSON array stored under `key`: [] when absent, unreadable or not an array. */
function lsArray<T>(key: string): T[] {
  const v = parseJson(lsGet(key));
  return Array.isArray(v) ? v : [];
}

/** How long removals wait to share one IndexedDB transaction, ms. */
const REMOVE_DELAY = 1000;

/**
 * Records in IndexedDB, stored in chunks: one value holds the records of one `put` (at
 * most `size` of them), under the key "<namespace>|<first record's id>". One request per
 * chunk instead of one per event is what makes a burst of calls cheap: each IndexedDB
 * request and transaction costs the page's main thread. Chunks are written by one tab
 * only, so tabs writing at once never overwrite each other, and instances with other
 * write keys never see these records. Values of a single record (older versions) are
 * read as chunks of one.
 *
 * Which chunk holds which record is known from this instance's own writes and from
 * `all()`; a removal rewrites or deletes the chunks concerned. Removals of one second
 * share one transaction (a burst delivered in 50 requests costs one or two, not 50). A
 * crash in that second can only send those events again (at-least-once; the collector
 * dedups on messageId).
 *
 * While the page is hidden or going away, removed ids are also noted synchronously in
 * localStorage until IndexedDB confirms them: events handed to sendBeacon are removed
 * while the page unloads, and no IndexedDB write is certain to commit then; without the
 * note the next page would send those events a second time.
 *
 * In a page only (platform.ts uses it only there): it listens to the page's lifecycle.
 */
export function idbOutbox(store: UseStore, ns: string, ms = 5000, size = 20): OutboxStore {
  const prefix = ns + '|';
  const notes = 'tutti_sent_' + ns;
  /** Chunk key → its records, and record id → its chunk key. */
  const chunks = new Map<string, QueuedEvent[]>();
  const where = new Map<string, string>();
  /**
   * Keys this instance wrote (true: its index of them is newer than any read; other
   * chunks are as last read) or deleted (false, until written: a read meanwhile must
   * not bring them back).
   */
  const mine = new Map<string, boolean>();
  /** Changes not written yet (key → chunk, or null to delete), the ids they remove, whether those are noted, and the write that waits for more. */
  let writes = new Map<string, QueuedEvent[] | null>();
  let removed: string[] = [];
  let removedNoted = false;
  let soon: Promise<void> | undefined;
  let leaving = false;
  let listed = false;

  const noted = (): Record<string, 1> => {
    const out: Record<string, 1> = {};
    for (const id of lsArray<string>(notes)) out[id] = 1;
    return out;
  };
  const note = (ids: string[], add: boolean) => {
    if (!ids.length) return;
    const all = noted();
    for (const id of ids) add ? (all[id] = 1) : delete all[id];
    const list = Object.keys(all).slice(-5000);
    list.length ? lsSet(notes, stringify(list)) : lsRemove(notes);
  };

  const set = (key: string, list: QueuedEvent[] | null) => {
    writes.set(key, list);
    mine.set(key, !!list);
    if (list) {
      chunks.set(key, list);
      for (const r of list) where.set(r.id, key);
    } else chunks.delete(key);
  };
  /** Takes ids out of their chunks: a chunk left empty is deleted, any other is stored again under its new first id. */
  const take = (ids: string[]): string[] => {
    const unknown: string[] = [];
    const touched = new Set<string>();
    for (const id of ids) {
      const key = where.get(id);
      where.delete(id);
      key && chunks.has(key) ? touched.add(key) : unknown.push(id);
    }
    touched.forEach((key) => {
      const rest = (chunks.get(key) as QueuedEvent[]).filter((r) => where.get(r.id) === key);
      set(key, null);
      if (rest.length) set(prefix + rest[0].id, rest);
    });
    return unknown;
  };
  /** Writes every pending change in one transaction; notes of the ids it deletes go once it commits. */
  const write = (): Promise<void> => {
    const w = writes;
    const ids = removed;
    const n = removedNoted;
    writes = new Map();
    removed = [];
    removedNoted = false;
    if (!w.size) return Promise.resolve();
    return deadline(
      store('readwrite', (s) => {
        w.forEach((list, key) => (list ? s.put(list, key) : s.delete(key)));
        return promisifyRequest(s.transaction);
      }),
      ms,
    ).then(() => {
      // Reads from now on see these deletions.
      w.forEach((list, key) => list || writes.has(key) || mine.delete(key));
      n && note(ids, false);
    }, (e) => {
      // Not written (quota, connection lost: the chain falls back to localStorage, and
      // the next page may read IndexedDB again): the notes stand for these deletions.
      note(ids, true);
      throw e;
    });
  };
  const away = () => leaving || document.visibilityState === 'hidden';
  /** Notes ids until their deletion is written. */
  const noteRemoved = (ids: string[]) => {
    note(ids, true);
    removedNoted = true;
  };
  /** Removes ids soon, together with later removals (at once: finishing an unloading page's removals). */
  const drop = (ids: string[], now: boolean): Promise<void> => {
    const unknown = take(ids);
    const known = ids.filter((id) => unknown.indexOf(id) < 0);
    for (const id of known) removed.push(id);
    // Where an id is stored is unknown (this instance never read it): its note stays until
    // an `all()` finds it gone. Once the store was listed, an id it did not hold is not
    // here (it was stored after IndexedDB failed): no note.
    listed || note(unknown, true);
    if (away()) noteRemoved(known);
    if (now) {
      removedNoted = true;
      return write();
    }
    // (A write made meanwhile by put() takes these changes along.)
    return (soon ||= new Promise((r) => setTimeout(r, REMOVE_DELAY)).then(() => {
      soon = undefined;
      return write();
    }));
  };
  // No IndexedDB write on the way out (it may never commit, and a page frozen in the
  // back/forward cache with a transaction open blocks the next page's): the notes
  // stand for it, and the next page's all() finishes the deletion.
  const leave = () => removed.length && noteRemoved(removed);
  listen(window, 'pagehide', () => ((leaving = true), leave()), true);
  listen(window, 'pageshow', () => (leaving = false), true);
  listen(window, 'visibilitychange', () => document.visibilityState === 'hidden' && leave(), true);

  /** This namespace's records in IndexedDB (keys and values come from one transaction, so they line up); the index of other instances' chunks is refreshed from them. */
  const read = () =>
    store('readonly', (s) => Promise.all([promisifyRequest(s.getAllKeys()), promisifyRequest<Array<QueuedEvent | QueuedEvent[]>>(s.getAll())])).then(([keys, values]) => {
      const out: QueuedEvent[] = [];
      chunks.forEach((records, key) => {
        if (mine.has(key)) return;
        chunks.delete(key);
        for (const r of records) if (where.get(r.id) === key) where.delete(r.id);
      });
      for (let i = 0; i < keys.length; i++) {
        const key = String(keys[i]);
        const v = values[i];
        if (key.indexOf(prefix) !== 0 || mine.get(key) === false) continue;
        const records = (Array.isArray(v) ? v : [v]).filter((r) => r && r.id);
        if (!mine.has(key)) {
          chunks.set(key, records);
          for (const r of records) if (!mine.get(where.get(r.id) as string)) where.set(r.id, key);
        }
        for (const r of records) if (where.get(r.id) === key) out.push(r);
      }
      return out;
    });

  return {
    put(records) {
      if (!records.length) return Promise.resolve();
      take(records.map((r) => r.id));
      for (let i = 0; i < records.length; i += size) {
        const list = records.slice(i, i + size);
        set(prefix + list[0].id, list);
      }
      return write();
    },
    remove: (ids) => (ids.length ? drop(ids, false) : Promise.resolve()),
    all: () =>
      ((listed = true), deadline(read(), ms)).then((list) => {
        const gone = noted();
        const stale = list.filter((r) => gone[r.id]).map((r) => r.id);
        // Finish what an unloading page started; notes of records no longer stored go.
        if (stale.length) drop(stale, true).catch(() => undefined);
        else lsRemove(notes);
        return byAge(list.filter((r) => !gone[r.id]));
      }),
    clear: () =>
      deadline(
        read().then(() => {
          take(Array.from(where.keys()));
          return write();
        }),
        ms,
      ).then(() => lsRemove(notes)),
  };
}

/**
 * All records as one JSON array under one key. Bounded (oldest dropped first) so the
 * SDK never fills the host site's 5 MB quota: peers that did broke their hosts
 * (LESSONS §3.2). Writes made in one task are merged into a single read-modify-write.
 */
export function localStorageOutbox(key: string, maxRecords = 1000, maxChars = 1e6): OutboxStore {
  type Op = (list: QueuedEvent[]) => QueuedEvent[];
  let ops: Op[] = [];
  let pending: Promise<void> | undefined;

  const commit = () => {
    pending = undefined;
    const batch = ops;
    ops = [];
    let list = lsArray<QueuedEvent>(key);
    for (const op of batch) list = op(list);
    list = byAge(list).slice(-maxRecords);
    let json = stringify(list);
    while (json.length > maxChars) {
      list = list.slice(Math.ceil(list.length / 4));
      json = stringify(list);
    }
    if (!list.length) return lsRemove(key);
    // Quota full (other data of the host): keep the newest half rather than nothing.
    if (!lsSet(key, json) && !lsSet(key, stringify(list.slice(list.length >> 1)))) {
      throw new Error('localStorage unavailable');
    }
  };

  const schedule = (op: Op): Promise<void> => {
    ops.push(op);
    return pending || (pending = Promise.resolve().then(commit));
  };

  return {
    put: (records) =>
      schedule((list) => {
        const ids: Record<string, number> = {};
        list.forEach((r, i) => (ids[r.id] = i));
        for (const r of records) {
          if (r.id in ids) list[ids[r.id]] = r;
          else ids[r.id] = list.push(r) - 1;
        }
        return list;
      }),
    remove: (ids) => {
      const gone: Record<string, 1> = {};
      for (const id of ids) gone[id] = 1;
      return schedule((list) => list.filter((r) => !gone[r.id]));
    },
    all: async () => {
      await pending;
      return byAge(lsArray<QueuedEvent>(key));
    },
    clear: () => schedule(() => []),
  };
}

/** Tries each layer in order; the first failure of a layer moves every later call to the next one. */
export function fallbackOutbox(layers: OutboxStore[], warn: (...a: unknown[]) => void): OutboxStore {
  let i = 0;
  // Records whose put is not confirmed yet, and when each unconfirmed put started. A page
  // leaving while a put waits over a second (a hung IndexedDB takes 5 s to fail over, and
  // with the collector down no beacon takes them) also puts them in the next layer, where
  // the next page finds them. Those copies (`spared`) are taken out again once the records
  // are stored where they were going or removed (delivered): left there, the next page
  // would send them a second time. A working store answers in milliseconds: nothing is
  // copied then.
  const waiting = new Map<string, QueuedEvent>();
  const starts: number[] = [];
  const spared = new Set<string>();
  let leaving = false;
  const unspare = (ids: string[]) => {
    const s = ids.filter((id) => spared.delete(id));
    s.length && layers[i + 1] && layers[i + 1].remove(s).catch(() => undefined);
  };
  const spare = () =>
    leaving &&
    waiting.size &&
    Date.now() - Math.min(...starts) > 1e3 &&
    layers[i + 1] &&
    (waiting.forEach((_, id) => spared.add(id)), layers[i + 1].put(Array.from(waiting.values())).catch(() => undefined));
  listen(window, 'pagehide', () => ((leaving = true), spare()), true);
  listen(window, 'pageshow', () => (leaving = false), true);
  const run = async <T>(op: (s: OutboxStore) => Promise<T>): Promise<T> => {
    for (;;) {
      const layer = i;
      try {
        return await op(layers[layer]);
      } catch (e) {
        if (layer >= layers.length - 1) throw e;
        if (i === layer) {
          i = layer + 1;
          warn('outbox storage failed; falling back', e);
        }
      }
    }
  };
  return {
    put: (r) => {
      const at = Date.now();
      starts.push(at);
      for (const x of r) waiting.set(x.id, x);
      spare();
      const layer = i;
      return run((s) => s.put(r))
        .then(() => void (i === layer && unspare(r.map((x) => x.id))))
        .finally(() => (starts.splice(starts.indexOf(at), 1), r.forEach((x) => waiting.delete(x.id))));
    },
    // Also from the layers that failed: what they stored before failing is still there, and
    // a next page reading them again would send those events a second time.
    remove: (ids) => (ids.forEach((id) => waiting.delete(id)), unspare(ids), layers.slice(0, i).map((l) => l.remove(ids).catch(() => undefined)), run((s) => s.remove(ids))),
    // Records a previous page kept in a later layer (its IndexedDB failed) are moved up
    // into the layer in use: read from nowhere else, they would never be sent.
    all: () =>
      run(async (s) => {
        for (const l of layers.slice(layers.indexOf(s) + 1)) {
          const more = await l.all();
          if (more.length) await s.put(more), await l.remove(more.map((r) => r.id));
        }
        return s.all();
      }),
    // Every layer: none may keep records once consent is denied.
    clear: () => Promise.all(layers.map((l) => l.clear().catch(() => undefined))).then(() => undefined),
  };
}
