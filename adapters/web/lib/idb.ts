// IndexedDB through idb-keyval (≈0.6 KB): async, large, and not counted against the
// host page's localStorage quota. Absent in Node and some private modes; a broken
// IndexedDB may also never answer, hence the deadline on every operation. In a sandboxed
// iframe `indexedDB.open` throws SecurityError synchronously, and idb-keyval opens on
// first use, inside each call: the store turns that throw into a rejection, which every
// caller already handles.
import { promisifyRequest, type UseStore } from 'idb-keyval';

/**
 * An idb-keyval store (its createStore, plus one thing): a connection that blocks the
 * database's deletion or upgrade (the page signing out, another tab) closes, and the next
 * call opens a new one. Undefined where IndexedDB is unavailable. The SDK's one store:
 * 'outbox' in the database 'tutti' (it holds the anonymous ID's mirror too).
 */
export function openIdb(): UseStore | undefined {
  try {
    // Where IndexedDB is not defined at all (Node), reading it throws: caught below.
    if (!indexedDB) return undefined;
    let dbp: Promise<IDBDatabase> | undefined;
    const open = () => {
      const req = indexedDB.open('tutti');
      req.onupgradeneeded = () => req.result.createObjectStore('outbox');
      // (A failed open stays failed: its callers fall back to other storage for the page.)
      return (dbp = promisifyRequest(req).then((d) => ((d.onversionchange = d.onclose = () => (d.close(), (dbp = undefined))), d)));
    };
    return (mode, fn) => new Promise((r) => r((dbp || open()).then((d) => fn(d.transaction('outbox', mode).objectStore('outbox')))));
  } catch {
    return undefined;
  }
}

/** Rejects when `p` has not settled within `ms`, so a hung IndexedDB triggers the fallback. */
export function deadline<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    // resolve/reject return nothing, so this second then() runs once p settled either way.
    p.then(resolve, reject).then(() => clearTimeout(t));
  });
}
