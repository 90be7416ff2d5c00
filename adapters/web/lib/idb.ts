// IndexedDB: async, large, and not counted against the host page's localStorage quota.
// Absent in Node and some private modes; a broken IndexedDB may also never answer,
// hence the deadline on every operation. The outbox and the anonymous ID's mirror need
// only one object store and a handful of requests, so they use IndexedDB directly
// through the two helpers below rather than a key/value library.

/** Runs fn on the object store inside a new transaction of that mode. */
export type IdbStore = <T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => T | PromiseLike<T>) => Promise<T>;

/** A request's result (or a transaction's completion) as a promise. */
export function idbDone<T>(r: IDBRequest<T> | IDBTransaction): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = r as IDBRequest<T> & IDBTransaction;
    req.onsuccess = req.oncomplete = () => resolve(req.result);
    req.onerror = req.onabort = () => reject(req.error);
  });
}

/**
 * The object store `store` of database `db` (created on first use), or undefined where
 * IndexedDB is unavailable. The connection is opened on the first operation and opened
 * again if the browser closes it.
 */
export function openIdb(db: string, store: string): IdbStore | undefined {
  try {
    if (typeof indexedDB === 'undefined' || !indexedDB) return undefined;
    let conn: Promise<IDBDatabase> | undefined;
    const connect = () => {
      // In an executor, an open() that throws (some private modes) is a rejection.
      const p = (conn = new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(db);
        req.onupgradeneeded = () => req.result.createObjectStore(store);
        idbDone(req).then(resolve, reject);
      }));
      p.then((d) => (d.onclose = () => (conn = undefined)), () => undefined);
      return p;
    };
    return (mode, fn) => (conn || connect()).then((d) => fn(d.transaction(store, mode).objectStore(store)));
  } catch {
    return undefined;
  }
}

/** Rejects when `p` has not settled within `ms`, so a hung IndexedDB triggers the fallback. */
export function deadline<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
