// The persisted outbox (SPEC §8): IndexedDB first, then one bounded localStorage key,
// then memory. A layer that fails (private mode, blocked storage, quota, a hung
// IndexedDB) hands over to the next for the rest of the page's life, so storage
// trouble can cost persistence but never tracking.
import { delMany, entries, setMany, type UseStore } from 'idb-keyval';
import type { OutboxStore, QueuedEvent } from '../../../src/platform';
import { deadline } from './idb';
import { lsGet, lsRemove, lsSet } from './local-storage';

/** Oldest first: by call time, then by the per-device sequence for calls in one millisecond. */
export function byAge(list: QueuedEvent[]): QueuedEvent[] {
  const seq = (r: QueuedEvent) => Number(r.event && r.event.context && r.event.context.sequence) || 0;
  const ts = (r: QueuedEvent) => (r.event && r.event.timestamp) || '';
  return list.sort((a, b) => (ts(a) < ts(b) ? -1 : ts(a) > ts(b) ? 1 : seq(a) - seq(b)));
}

/**
 * Records in IndexedDB keyed "<namespace>|<messageId>", so tabs writing at once never
 * overwrite each other and instances with other write keys never see these records.
 *
 * Removals are also noted synchronously in localStorage until IndexedDB confirms them:
 * events handed to sendBeacon are removed while the page unloads, and an IndexedDB
 * delete issued then may never commit; without the note the next page would send
 * those events a second time.
 */
export function idbOutbox(store: UseStore, ns: string, ms = 5000): OutboxStore {
  const prefix = ns + '|';
  const notes = 'tutti_sent_' + ns;
  const noted = (): Record<string, 1> => {
    const out: Record<string, 1> = {};
    try {
      for (const id of JSON.parse(lsGet(notes) || '[]')) out[id] = 1;
    } catch {
      // unreadable notes: nothing is filtered
    }
    return out;
  };
  const note = (ids: string[], add: boolean) => {
    const all = noted();
    for (const id of ids) add ? (all[id] = 1) : delete all[id];
    const list = Object.keys(all).slice(-5000);
    list.length ? lsSet(notes, JSON.stringify(list)) : lsRemove(notes);
  };
  const del = (ids: string[]) => deadline(delMany(ids.map((id) => prefix + id), store), ms).then(() => note(ids, false));
  const mine = () => entries<IDBValidKey, QueuedEvent>(store).then((list) => list.filter((e) => String(e[0]).indexOf(prefix) === 0));
  return {
    put: (records) => (records.length ? deadline(setMany(records.map((r) => [prefix + r.id, r]), store), ms) : Promise.resolve()),
    remove(ids) {
      if (!ids.length) return Promise.resolve();
      note(ids, true);
      return del(ids);
    },
    all: () =>
      deadline(mine(), ms).then((list) => {
        const gone = noted();
        const stale = list.filter((e) => gone[e[1].id]).map((e) => e[1].id);
        // Finish what an unloading page started; notes of records no longer stored go.
        if (stale.length) del(stale).catch(() => undefined);
        else if (Object.keys(gone).length) lsRemove(notes);
        return byAge(list.filter((e) => !gone[e[1].id]).map((e) => e[1]));
      }),
    clear: () => deadline(mine().then((list) => delMany(list.map((e) => e[0]), store)), ms).then(() => lsRemove(notes)),
  };
}

/**
 * All records as one JSON array under one key. Bounded (oldest dropped first) so the
 * SDK never fills the host site's 5 MB quota: peers that did broke their hosts
 * (LESSONS §3.2). Writes made in one task are merged into a single read-modify-write.
 */
export function localStorageOutbox(key = 'tutti_outbox', maxRecords = 1000, maxChars = 1e6): OutboxStore {
  type Op = (list: QueuedEvent[]) => QueuedEvent[];
  let ops: Op[] = [];
  let pending: Promise<void> | undefined;

  const read = (): QueuedEvent[] => {
    try {
      const v = JSON.parse(lsGet(key) || '[]');
      return Array.isArray(v) ? v : [];
    } catch {
      return [];
    }
  };

  const commit = () => {
    pending = undefined;
    const batch = ops;
    ops = [];
    let list = read();
    for (const op of batch) list = op(list);
    list = byAge(list).slice(-maxRecords);
    let json = JSON.stringify(list);
    while (json.length > maxChars) {
      list = list.slice(Math.ceil(list.length / 4));
      json = JSON.stringify(list);
    }
    if (!list.length) return lsRemove(key);
    // Quota full (other data of the host): keep the newest half rather than nothing.
    if (!lsSet(key, json) && !lsSet(key, JSON.stringify(list.slice(list.length >> 1)))) {
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
      return byAge(read());
    },
    clear: () => schedule(() => []),
  };
}

/** Tries each layer in order; the first failure of a layer moves every later call to the next one. */
export function fallbackOutbox(layers: OutboxStore[], warn: (...a: unknown[]) => void): OutboxStore {
  let i = 0;
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
    put: (r) => run((s) => s.put(r)),
    remove: (ids) => run((s) => s.remove(ids)),
    all: () => run((s) => s.all()),
    clear: () => run((s) => s.clear()),
  };
}
