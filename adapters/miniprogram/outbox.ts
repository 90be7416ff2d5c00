// The persisted outbox in wx storage, split across keys `tutti_ob_<n>` because WeChat
// caps a key at 1 MB and the whole mini-program at 10 MB (shared with the host app).
//
// Records are appended to the newest chunk until it holds CHUNK_CHARS characters of
// JSON (64 K characters stay under 1 MB even if every one is a 3-byte UTF-8 character),
// so one `put` rewrites one small chunk, not the whole queue. The outbox keeps at most
// `maxChunks` chunks (4 MB by default). When a write fails (quota exceeded) or the budget
// is reached, the oldest chunks leave storage first; their records stay in memory and are
// still sent during this launch, but a kill before that loses them (the backend sees the
// gap through `context.sequence`). A storage exception never reaches the core.
import type { OutboxStore, QueuedEvent } from '../../src/platform';
import { dropKey, readString, writeString } from './storage';
import type { Wx } from './wx';

const INDEX = 'tutti_ob';
const chunkKey = (n: number) => INDEX + '_' + n;
const MEMORY = -1;

export interface WxOutboxOptions {
  /** Characters of JSON per storage key. 65536 */
  chunkChars?: number;
  /** Storage keys the outbox may use. 64 (about 4 MB) */
  maxChunks?: number;
}

export function wxOutbox(w: Wx, opts: WxOutboxOptions = {}): OutboxStore {
  const chunkChars = opts.chunkChars || 65536;
  const maxChunks = opts.maxChunks || 64;
  /** All records, oldest first (a Map keeps insertion order; a replace keeps the position). */
  const records = new Map<string, QueuedEvent>();
  const sizes = new Map<string, number>();
  /** Record id → chunk number, or MEMORY when it lives only in memory. */
  const where = new Map<string, number>();
  /** Chunk number → its record ids and JSON size; numbers grow, so Map order is age order. */
  const chunks = new Map<number, { ids: Set<string>; chars: number }>();
  let next = 0;
  let loaded = false;

  function place(r: QueuedEvent, n: number, chars: number): void {
    records.set(r.id, r);
    sizes.set(r.id, chars);
    where.set(r.id, n);
    if (n === MEMORY) return;
    let c = chunks.get(n);
    if (!c) chunks.set(n, (c = { ids: new Set(), chars: 0 }));
    c.ids.add(r.id);
    c.chars += chars;
  }

  function unplace(id: string): number | undefined {
    const n = where.get(id);
    const c = n === undefined ? undefined : chunks.get(n);
    if (c) {
      c.ids.delete(id);
      c.chars -= sizes.get(id) || 0;
    }
    records.delete(id);
    sizes.delete(id);
    where.delete(id);
    return n;
  }

  /** Reads the chunks of the previous launch, including ones a failed index write left out. */
  function load(): void {
    if (loaded) return;
    loaded = true;
    const numbers: number[] = [];
    try {
      const listed = JSON.parse(readString(w, INDEX) || '[]');
      if (Array.isArray(listed)) for (const n of listed) if (typeof n === 'number') numbers.push(n);
    } catch {
      // a corrupt index: the key scan below still finds the chunks
    }
    try {
      const info = w.getStorageInfoSync && w.getStorageInfoSync();
      for (const k of (info && info.keys) || []) {
        const m = /^tutti_ob_(\d+)$/.exec(k);
        if (m && numbers.indexOf(+m[1]) < 0) numbers.push(+m[1]);
      }
    } catch {
      // getStorageInfoSync is missing on old base libraries: the index is enough
    }
    numbers.sort((a, b) => a - b);
    for (const n of numbers) {
      let list: unknown;
      try {
        list = JSON.parse(readString(w, chunkKey(n)) || '[]');
      } catch {
        list = [];
      }
      for (const r of Array.isArray(list) ? (list as QueuedEvent[]) : []) {
        if (r && typeof r.id === 'string' && r.event && !records.has(r.id)) place(r, n, JSON.stringify(r).length);
      }
      if (!chunks.has(n)) dropKey(w, chunkKey(n));
      next = Math.max(next, n + 1);
    }
  }

  /** Moves a chunk's records to memory and frees its key. */
  function evict(n: number): void {
    const c = chunks.get(n);
    if (!c) return;
    c.ids.forEach((id) => where.set(id, MEMORY));
    chunks.delete(n);
    dropKey(w, chunkKey(n));
  }

  function persist(dirty: Set<number>): void {
    // Over budget: the oldest chunks leave storage first.
    while (chunks.size > maxChunks) evict(chunks.keys().next().value as number);
    const before = JSON.stringify(Array.from(chunks.keys()));
    for (const n of Array.from(dirty).sort((a, b) => a - b)) {
      const c = chunks.get(n);
      if (!c) continue;
      if (!c.ids.size) {
        chunks.delete(n);
        dropKey(w, chunkKey(n));
        continue;
      }
      const body = JSON.stringify(Array.from(c.ids, (id) => records.get(id)));
      // Storage full: free the oldest other chunks until this newer one fits, or keep it in memory.
      while (!writeString(w, chunkKey(n), body)) {
        const oldest = Array.from(chunks.keys()).filter((m) => m !== n)[0];
        if (oldest === undefined || oldest > n) {
          evict(n);
          break;
        }
        evict(oldest);
      }
    }
    const index = JSON.stringify(Array.from(chunks.keys()));
    if (index !== before || dirty.size) writeString(w, INDEX, index);
  }

  function run<T>(fn: () => T, fallback: T): Promise<T> {
    try {
      load();
      return Promise.resolve(fn());
    } catch {
      return Promise.resolve(fallback);
    }
  }

  return {
    put(list) {
      return run(() => {
        const dirty = new Set<number>();
        for (const r of list) {
          if (!r || typeof r.id !== 'string') continue;
          const chars = JSON.stringify(r).length;
          const had = where.get(r.id);
          if (had !== undefined) {
            // A replaced record (one more attempt) keeps its place and its chunk.
            records.set(r.id, r);
            const c = chunks.get(had);
            if (c) c.chars += chars - (sizes.get(r.id) || 0);
            sizes.set(r.id, chars);
            if (c) dirty.add(had);
            continue;
          }
          // A new record goes to the newest chunk while it has room, else to a new one.
          const last = next - 1;
          const open = chunks.get(last);
          const n = open && open.chars + chars <= chunkChars ? last : next++;
          place(r, n, chars);
          dirty.add(n);
        }
        persist(dirty);
      }, undefined);
    },
    remove(ids) {
      return run(() => {
        const dirty = new Set<number>();
        for (const id of ids) {
          if (!records.has(id)) continue;
          const n = unplace(id);
          if (n !== undefined && n !== MEMORY) dirty.add(n);
        }
        if (dirty.size) persist(dirty);
      }, undefined);
    },
    all() {
      return run(() => Array.from(records.values()), [] as QueuedEvent[]);
    },
    clear() {
      return run(() => {
        chunks.forEach((_, n) => dropKey(w, chunkKey(n)));
        chunks.clear();
        records.clear();
        sizes.clear();
        where.clear();
        dropKey(w, INDEX);
      }, undefined);
    },
  };
}
