// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://www.example.com/"}
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UseStore } from 'idb-keyval';
import { webKV, AID_KEY } from '../../adapters/web/lib/kv';
import { readCookie, writeCookie } from '../../adapters/web/lib/cookie';
import { fallbackOutbox, idbOutbox, localStorageOutbox } from '../../adapters/web/lib/outbox';
import { memoryOutbox } from '../../src/queue/memory-outbox';
import type { OutboxStore, QueuedEvent } from '../../src/platform';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

/** An idb-keyval store backed by a Map, to observe the IndexedDB mirror without IndexedDB. */
function fakeIdb() {
  const data = new Map<IDBValidKey, unknown>();
  const request = <T>(value: T) => {
    const r: { result: T; onsuccess?: () => void; oncomplete?: () => void } = { result: value };
    setTimeout(() => (r.onsuccess || r.oncomplete || (() => undefined))(), 0);
    return r;
  };
  const objectStore = {
    get: (k: IDBValidKey) => request(data.get(k)),
    put: (v: unknown, k: IDBValidKey) => data.set(k, v),
    delete: (k: IDBValidKey) => data.delete(k),
    getAllKeys: () => request(Array.from(data.keys())),
    getAll: () => request(Array.from(data.values())),
    transaction: {} as unknown,
  };
  const store: UseStore = (_mode, cb) => {
    objectStore.transaction = request(undefined);
    return Promise.resolve(cb(objectStore as unknown as IDBObjectStore));
  };
  return { store, data };
}

const flushTimers = () => new Promise((r) => setTimeout(r, 5));

afterEach(() => vi.restoreAllMocks());

function clearAll() {
  localStorage.clear();
  writeCookie(AID_KEY, '', 'example.com', 0);
  writeCookie(AID_KEY, '', '', 0);
}

describe('key/value store: anonymous ID', () => {
  beforeEach(clearAll);
  afterEach(() => vi.restoreAllMocks());

  it('writes the ID to the cookie, localStorage and IndexedDB', async () => {
    const idb = fakeIdb();
    const kv = webKV({ domain: 'example.com', idb: idb.store });
    kv.set(AID_KEY, A);
    await flushTimers();
    expect(readCookie(AID_KEY)).toBe(A);
    expect(localStorage.getItem(AID_KEY)).toBe(A);
    expect(idb.data.get(AID_KEY)).toBe(A);
  });

  it('restores from localStorage when the cookie was cleared, and rewrites the cookie', () => {
    localStorage.setItem(AID_KEY, A);
    const kv = webKV({ domain: 'example.com' });
    expect(kv.get(AID_KEY)).toBe(A);
    expect(readCookie(AID_KEY)).toBe(A);
  });

  it('restores from the IndexedDB value when cookie and localStorage are both gone, and resyncs both', () => {
    const kv = webKV({ domain: 'example.com', idbValue: A });
    expect(kv.get(AID_KEY)).toBe(A);
    expect(readCookie(AID_KEY)).toBe(A);
    expect(localStorage.getItem(AID_KEY)).toBe(A);
  });

  it('a placeholder cookie value ("undefined", "null", written by page code) counts as no cookie: localStorage restores the ID', () => {
    for (const junk of ['undefined', 'null']) {
      document.cookie = AID_KEY + '=' + junk + '; Path=/';
      localStorage.setItem(AID_KEY, A);
      const kv = webKV({ domain: '' });
      expect(kv.get(AID_KEY)).toBe(A);
      expect(readCookie(AID_KEY)).toBe(A);
    }
  });

  it('a placeholder in the localStorage mirror ("undefined", "null") counts as no copy: IndexedDB restores the ID, and both are rewritten', () => {
    for (const junk of ['undefined', 'null']) {
      clearAll();
      localStorage.setItem(AID_KEY, junk);
      const kv = webKV({ domain: 'example.com', idbValue: A });
      expect(kv.get(AID_KEY)).toBe(A);
      expect(readCookie(AID_KEY)).toBe(A);
      expect(localStorage.getItem(AID_KEY)).toBe(A);
    }
  });

  it('the cookie wins when stores disagree (another subdomain changed it) and the mirrors follow', async () => {
    const idb = fakeIdb();
    localStorage.setItem(AID_KEY, B);
    writeCookie(AID_KEY, A, 'example.com', 60);
    const kv = webKV({ domain: 'example.com', idb: idb.store, idbValue: B });
    expect(kv.get(AID_KEY)).toBe(A);
    await flushTimers();
    expect(localStorage.getItem(AID_KEY)).toBe(A);
    expect(idb.data.get(AID_KEY)).toBe(A);
  });

  it('remove() clears every copy', async () => {
    const idb = fakeIdb();
    const kv = webKV({ domain: 'example.com', idb: idb.store });
    kv.set(AID_KEY, A);
    await flushTimers();
    kv.remove(AID_KEY);
    await flushTimers();
    expect(readCookie(AID_KEY)).toBeNull();
    expect(localStorage.getItem(AID_KEY)).toBeNull();
    expect(idb.data.has(AID_KEY)).toBe(false);
    expect(kv.get(AID_KEY)).toBeNull();
  });

  it('keeps the ID in memory for the page when cookies and localStorage are blocked', () => {
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('blocked', 'SecurityError');
    });
    vi.spyOn(Storage.prototype, 'getItem').mockImplementation(() => {
      throw new DOMException('blocked', 'SecurityError');
    });
    const desc = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!;
    Object.defineProperty(document, 'cookie', { configurable: true, get: () => '', set: () => undefined });
    try {
      const kv = webKV({ domain: 'example.com' });
      expect(() => kv.set(AID_KEY, A)).not.toThrow();
      expect(kv.get(AID_KEY)).toBe(A);
    } finally {
      delete (document as unknown as Record<string, unknown>).cookie;
      expect(Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')).toEqual(desc);
    }
  });
});

describe('key/value store: other keys', () => {
  beforeEach(clearAll);
  afterEach(() => vi.restoreAllMocks());

  it('live in localStorage (so other tabs see changes and removals)', async () => {
    const kv = webKV({ domain: '' });
    kv.set('tutti_ses', 'one');
    expect(kv.get('tutti_ses')).toBe('one');
    await Promise.resolve();
    expect(localStorage.getItem('tutti_ses')).toBe('one');
    localStorage.setItem('tutti_ses', 'two'); // another tab
    expect(kv.get('tutti_ses')).toBe('two');
    localStorage.removeItem('tutti_ses');
    expect(kv.get('tutti_ses')).toBeNull();
    expect(readCookie('tutti_ses')).toBeNull();
  });

  it('fall back to memory when localStorage refuses writes (quota) and never throw', async () => {
    const kv = webKV({ domain: '' });
    kv.set('tutti_cmp', 'old');
    await Promise.resolve();
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    expect(() => kv.set('tutti_cmp', 'new')).not.toThrow();
    await Promise.resolve();
    expect(localStorage.getItem('tutti_cmp')).toBe('old');
    expect(kv.get('tutti_cmp')).toBe('new');
  });

  it('writes of one task reach localStorage once, at the end of the task', async () => {
    const kv = webKV({ domain: '' });
    const spy = vi.spyOn(Storage.prototype, 'setItem');
    for (let i = 0; i < 100; i++) kv.set('tutti_ses', 's|' + i);
    kv.set('tutti_x', 'gone');
    kv.remove('tutti_x');
    expect(kv.get('tutti_ses')).toBe('s|99');
    expect(kv.get('tutti_x')).toBeNull();
    expect(spy).not.toHaveBeenCalled();
    await Promise.resolve();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(localStorage.getItem('tutti_ses')).toBe('s|99');
    expect(localStorage.getItem('tutti_x')).toBeNull();
  });
});

const rec = (n: number, extra = ''): QueuedEvent => ({
  id: 'm' + n,
  attempts: 0,
  event: {
    type: 'track',
    event: 'E' + n + extra,
    anonymousId: A,
    userId: null,
    messageId: 'm' + n,
    timestamp: new Date(1700000000000 + n).toISOString(),
    context: { library: { name: 'tutti', version: 't' }, channel: 'web', sequence: n },
  },
});

describe('outbox: localStorage layer', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => vi.restoreAllMocks());

  it('stores, replaces, removes and lists records oldest first', async () => {
    const box = localStorageOutbox('ob');
    await Promise.all([box.put([rec(3), rec(1)]), box.put([rec(2)])]);
    await box.put([{ ...rec(1), attempts: 2 }]);
    expect((await box.all()).map((r) => [r.id, r.attempts])).toEqual([
      ['m1', 2],
      ['m2', 0],
      ['m3', 0],
    ]);
    await box.remove(['m2', 'nope']);
    expect((await box.all()).map((r) => r.id)).toEqual(['m1', 'm3']);
    await box.clear();
    expect(await box.all()).toEqual([]);
    expect(localStorage.getItem('ob')).toBeNull();
  });

  it('merges the writes of one task into a single localStorage write', async () => {
    const box = localStorageOutbox('ob');
    const spy = vi.spyOn(Storage.prototype, 'setItem');
    await Promise.all(Array.from({ length: 50 }, (_, i) => box.put([rec(i)])));
    expect(spy).toHaveBeenCalledTimes(1);
    expect((await box.all()).length).toBe(50);
  });

  it('is bounded by record count, dropping the oldest', async () => {
    const box = localStorageOutbox('ob', 100);
    await box.put(Array.from({ length: 150 }, (_, i) => rec(i)));
    const all = await box.all();
    expect(all.length).toBe(100);
    expect(all[0].id).toBe('m50');
  });

  it('is bounded by size, so it never fills the host page quota', async () => {
    const box = localStorageOutbox('ob', 1000, 50000);
    await box.put(Array.from({ length: 200 }, (_, i) => rec(i, 'x'.repeat(1000))));
    expect(localStorage.getItem('ob')!.length).toBeLessThanOrEqual(50000);
    const all = await box.all();
    expect(all.length).toBeGreaterThan(10);
    expect(all[all.length - 1].id).toBe('m199');
  });

  it('sees records another tab added to the same key', async () => {
    const mine = localStorageOutbox('ob');
    const other = localStorageOutbox('ob');
    await mine.put([rec(1)]);
    await other.put([rec(2)]);
    expect((await mine.all()).map((r) => r.id)).toEqual(['m1', 'm2']);
  });

  it('rejects when localStorage refuses the write, so the chain falls back', async () => {
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    await expect(localStorageOutbox('ob').put([rec(1)])).rejects.toThrow();
  });
});

describe('outbox: fallback chain', () => {
  const failing = (calls: string[]): OutboxStore => ({
    put: async () => (calls.push('put'), Promise.reject(new Error('private mode'))),
    remove: () => Promise.reject(new Error('private mode')),
    all: () => Promise.reject(new Error('private mode')),
    clear: () => Promise.reject(new Error('private mode')),
  });

  it('moves to the next layer on the first failure and stays there', async () => {
    const calls: string[] = [];
    const mem = memoryOutbox();
    const warn = vi.fn();
    const box = fallbackOutbox([failing(calls), mem], warn);
    await box.put([rec(1)]);
    await box.put([rec(2)]);
    expect(calls).toEqual(['put']);
    expect((await mem.all()).map((r) => r.id)).toEqual(['m1', 'm2']);
    expect((await box.all()).map((r) => r.id)).toEqual(['m1', 'm2']);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('IndexedDB hung → localStorage full → memory: tracking data still kept', async () => {
    const hung = failing([]);
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    const box = fallbackOutbox([hung, localStorageOutbox('ob'), memoryOutbox()], () => undefined);
    await box.put([rec(1)]);
    await box.remove(['m1']);
    await box.put([rec(2)]);
    expect((await box.all()).map((r) => r.id)).toEqual(['m2']);
  });

  it('a page leaving while IndexedDB has not answered its puts (hung: 5 s to fail over) keeps those records in localStorage too, not the delivered ones', async () => {
    localStorage.clear();
    const never = new Promise<void>(() => undefined);
    const hung: OutboxStore = { put: () => never, remove: () => never, all: () => never.then(() => []), clear: () => never };
    const box = fallbackOutbox([hung, localStorageOutbox('ob'), memoryOutbox()], () => undefined);
    const t0 = Date.now();
    box.put([rec(1), rec(2)]);
    box.remove(['m1']); // delivered meanwhile
    window.dispatchEvent(new Event('pagehide')); // too soon to call IndexedDB hung
    window.dispatchEvent(new Event('pageshow'));
    await Promise.resolve();
    expect(await localStorageOutbox('ob').all()).toEqual([]);
    vi.spyOn(Date, 'now').mockReturnValue(t0 + 1500);
    window.dispatchEvent(new Event('pagehide'));
    box.put([rec(3)]); // saved on the way out
    vi.restoreAllMocks();
    window.dispatchEvent(new Event('pageshow')); // (not to leak into later tests)
    await Promise.resolve();
    expect((await localStorageOutbox('ob').all()).map((r) => r.id)).toEqual(['m2', 'm3']);
  });

  it('a record a previous page kept both in IndexedDB and, after IndexedDB failed, in localStorage is read once, and once delivered stays gone', async () => {
    localStorage.clear();
    const idb = fakeIdb();
    await idbOutbox(idb.store, 'ns').put([rec(1), rec(2)]);
    await localStorageOutbox('ob').put([{ ...rec(2), attempts: 1 }, rec(3)]);
    const layers = () => [idbOutbox(idb.store, 'ns'), localStorageOutbox('ob'), memoryOutbox()];
    const box = fallbackOutbox(layers(), () => undefined);
    expect((await box.all()).map((r) => r.id)).toEqual(['m1', 'm2', 'm3']);
    await box.remove(['m1', 'm2', 'm3']);
    await new Promise((r) => setTimeout(r, 1100)); // removals are written a second later
    expect(await fallbackOutbox(layers(), () => undefined).all()).toEqual([]);
  });

  /** IndexedDB that works until `broken.on`, then refuses everything (connection lost, InvalidStateError); `broken.puts`: only writes with puts fail (quota). */
  function breakable() {
    const idb = fakeIdb();
    const broken = { on: false, puts: false };
    const store: UseStore = (mode, cb) => {
      if (broken.on) return Promise.reject(new DOMException('closed', 'InvalidStateError'));
      if (!broken.puts || mode === 'readonly') return idb.store(mode, cb);
      // A transaction with a put aborts: none of its changes are applied.
      return idb.store(mode, (s) => {
        const real = { put: s.put, delete: s.delete };
        const deletes: IDBValidKey[] = [];
        let put = false;
        s.put = (() => (put = true)) as unknown as IDBObjectStore['put'];
        s.delete = ((k: IDBValidKey) => deletes.push(k)) as unknown as IDBObjectStore['delete'];
        const out = cb(s);
        Object.assign(s, real);
        if (put) return Promise.reject(new DOMException('full', 'QuotaExceededError'));
        for (const k of deletes) s.delete(k);
        return out;
      });
    };
    return { idb, broken, store };
  }

  for (const how of ['refuses everything', 'refuses only writes that store records (quota)'] as const) {
    it(`IndexedDB failing mid-page (${how}): events it held and the page then delivered are not read again by the next page`, async () => {
      localStorage.clear();
      const { idb, broken, store } = breakable();
      const box = fallbackOutbox([idbOutbox(store, 'ns', 50), localStorageOutbox('ob'), memoryOutbox()], () => undefined);
      expect(await box.all()).toEqual([]); // the queue lists the outbox at init
      await box.put([rec(1), rec(2)]);
      expect(idb.data.size).toBe(1);
      if (how === 'refuses everything') broken.on = true;
      else broken.puts = true;
      await box.put([rec(3)]); // IndexedDB fails: from now on localStorage
      expect(JSON.parse(localStorage.getItem('ob')!).map((r: QueuedEvent) => r.id)).toEqual(['m3']);
      // The queue still holds m1..m3 in memory and delivers them: all three acknowledged.
      await box.remove(['m1', 'm2', 'm3']);
      await new Promise((r) => setTimeout(r, 1200)); // IndexedDB removals are written a second later
      // Deleted, or noted in localStorage where IndexedDB refuses even deletions.
      const notes = JSON.parse(localStorage.getItem('tutti_sent_ns') || '[]');
      if (how === 'refuses everything') expect(notes).toEqual(expect.arrayContaining(['m1', 'm2']));
      else expect(notes).toEqual([]);
      // The next page: IndexedDB works again.
      broken.on = broken.puts = false;
      const next = fallbackOutbox([idbOutbox(store, 'ns'), localStorageOutbox('ob'), memoryOutbox()], () => undefined);
      expect((await next.all()).map((r) => r.id)).toEqual([]);
      await flushTimers();
      expect(idb.data.size).toBe(0);
      // (A note of a record IndexedDB never stored, m3, goes at the page after: none of its records is noted.)
      await idbOutbox(store, 'ns').all();
      expect(localStorage.getItem('tutti_sent_ns')).toBeNull();
    });
  }

  it('clear() (consent denied) also empties the localStorage layer a previous page fell back to: nothing of it is sent later', async () => {
    localStorage.clear();
    // The previous page's IndexedDB failed: its records went to localStorage.
    await localStorageOutbox('ob').put([rec(1)]);
    const idb = fakeIdb();
    const box = fallbackOutbox([idbOutbox(idb.store, 'ns'), localStorageOutbox('ob'), memoryOutbox()], () => undefined);
    await box.put([rec(2)]);
    await box.clear();
    expect(await box.all()).toEqual([]);
    expect(localStorage.getItem('ob')).toBeNull();
  });
});

describe('outbox: IndexedDB layer', () => {
  it('keys records per write key: instances sending elsewhere never see or clear them', async () => {
    const idb = fakeIdb();
    const mine = idbOutbox(idb.store, 'ns1');
    const theirs = idbOutbox(idb.store, 'ns2');
    idb.data.set(AID_KEY, A); // the anonymous ID mirror shares the store
    await mine.put([rec(2), rec(1)]);
    await theirs.put([rec(3)]);
    expect((await mine.all()).map((r) => r.id)).toEqual(['m1', 'm2']);
    expect((await theirs.all()).map((r) => r.id)).toEqual(['m3']);
    await mine.remove(['m1']);
    await theirs.clear();
    expect((await mine.all()).map((r) => r.id)).toEqual(['m2']);
    expect(await theirs.all()).toEqual([]);
    expect(idb.data.get(AID_KEY)).toBe(A);
  });

  it('a removal survives an IndexedDB delete that never commits (page unloaded): the next load skips the record', async () => {
    localStorage.clear();
    const idb = fakeIdb();
    const box = idbOutbox(idb.store, 'ns');
    await box.put([rec(1), rec(2)]);
    // the unloading page: its delete never reaches IndexedDB
    const dying = idbOutbox(((mode, cb) => (mode === 'readwrite' ? new Promise(() => undefined) : idb.store(mode, cb))) as UseStore, 'ns', 20);
    await dying.remove(['m1']).catch(() => undefined);
    expect(idb.data.has('ns|m1')).toBe(true);
    // the next page
    const next = idbOutbox(idb.store, 'ns');
    expect((await next.all()).map((r) => r.id)).toEqual(['m2']);
    await flushTimers();
    expect(idb.data.has('ns|m1')).toBe(false); // and the delete is finished
    expect(localStorage.getItem('tutti_sent_ns')).toBeNull();
  });

  it('stores a burst in chunks of 20 records, in one transaction', async () => {
    const idb = fakeIdb();
    let transactions = 0;
    const counted: UseStore = (mode, cb) => (mode === 'readwrite' && transactions++, idb.store(mode, cb));
    const box = idbOutbox(counted, 'ns');
    await box.put(Array.from({ length: 45 }, (_, i) => rec(i + 1)));
    expect(transactions).toBe(1);
    expect(Array.from(idb.data.keys())).toEqual(['ns|m1', 'ns|m21', 'ns|m41']);
    expect((idb.data.get('ns|m41') as QueuedEvent[]).map((r) => r.id)).toEqual(['m41', 'm42', 'm43', 'm44', 'm45']);
    expect((await box.all()).length).toBe(45);
  });

  it('a removal deletes emptied chunks and stores the rest of a chunk under its first remaining id', async () => {
    localStorage.clear();
    const idb = fakeIdb();
    const box = idbOutbox(idb.store, 'ns');
    await box.put([rec(1), rec(2), rec(3)]);
    await box.put([rec(4)]);
    await box.remove(['m1', 'm4']);
    expect(Array.from(idb.data.keys())).toEqual(['ns|m2']);
    await box.remove(['m3']);
    expect((idb.data.get('ns|m2') as QueuedEvent[]).map((r) => r.id)).toEqual(['m2']);
    // a replaced record moves to its own new chunk; no copy stays behind
    await box.put([{ ...rec(2), attempts: 1 }]);
    expect((await idbOutbox(idb.store, 'ns').all()).map((r) => [r.id, r.attempts])).toEqual([['m2', 1]]);
    expect(localStorage.getItem('tutti_sent_ns')).toBeNull();
  });

  it("another instance taking over records (a dead tab's) leaves no copy in the old chunk", async () => {
    const idb = fakeIdb();
    await idbOutbox(idb.store, 'ns').put([rec(1), rec(2), rec(3)]);
    const next = idbOutbox(idb.store, 'ns');
    const orphans = await next.all();
    await next.put(orphans.map((r) => ({ ...r, owner: 'tab2' })));
    await next.remove(['m1']);
    const stored = await idbOutbox(idb.store, 'ns').all();
    expect(stored.map((r) => [r.id, r.owner])).toEqual([
      ['m2', 'tab2'],
      ['m3', 'tab2'],
    ]);
  });

  it('removals while the page is visible share one transaction and need no localStorage note', async () => {
    localStorage.clear();
    const idb = fakeIdb();
    let transactions = 0;
    const counted: UseStore = (mode, cb) => (mode === 'readwrite' && transactions++, idb.store(mode, cb));
    const box = idbOutbox(counted, 'ns');
    await box.put([rec(1), rec(2), rec(3)]);
    const removals = [box.remove(['m1']), box.remove(['m2'])];
    expect(localStorage.getItem('tutti_sent_ns')).toBeNull();
    await Promise.all(removals);
    expect(transactions).toBe(2);
    expect(Array.from(idb.data.keys())).toEqual(['ns|m3']);
  });

  it('a page going away notes pending removals at once (no write that may not commit), and the next page finishes them', async () => {
    localStorage.clear();
    const idb = fakeIdb();
    let transactions = 0;
    const store: UseStore = (mode, cb) => (mode === 'readwrite' && transactions++, idb.store(mode, cb));
    const box = idbOutbox(store, 'ns', 20);
    await box.put([rec(1), rec(2), rec(3)]);
    box.remove(['m1']).catch(() => undefined);
    expect(localStorage.getItem('tutti_sent_ns')).toBeNull(); // visible: no note needed
    window.dispatchEvent(new Event('pagehide'));
    try {
      // removals made while leaving (the beacon flush) are noted at once too
      box.remove(['m2']).catch(() => undefined);
      expect(JSON.parse(localStorage.getItem('tutti_sent_ns')!)).toEqual(['m1', 'm2']);
      expect(transactions).toBe(1); // nothing written on the way out
      // the next page skips them, deletes them and drops the notes
      expect((await idbOutbox(idb.store, 'ns').all()).map((r) => r.id)).toEqual(['m3']);
      await flushTimers();
      expect(Array.from(idb.data.keys())).toEqual(['ns|m3']);
      expect(localStorage.getItem('tutti_sent_ns')).toBeNull();
    } finally {
      window.dispatchEvent(new Event('pageshow'));
    }
  });

  it('reads and removes records stored one per key by earlier versions', async () => {
    const idb = fakeIdb();
    idb.data.set('ns|m1', rec(1));
    idb.data.set('ns|m2', rec(2));
    const box = idbOutbox(idb.store, 'ns');
    expect((await box.all()).map((r) => r.id)).toEqual(['m1', 'm2']);
    await box.remove(['m1']);
    expect(Array.from(idb.data.keys())).toEqual(['ns|m2']);
  });

  it('a hung IndexedDB times out, and the chain falls back to localStorage', async () => {
    localStorage.clear();
    const hung: UseStore = () => new Promise(() => undefined);
    const box = fallbackOutbox([idbOutbox(hung, 'ns', 30), localStorageOutbox('ob')], () => undefined);
    const started = Date.now();
    await box.put([rec(1)]);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(JSON.parse(localStorage.getItem('ob')!).map((r: QueuedEvent) => r.id)).toEqual(['m1']);
  });
});

describe('outbox: name', () => {
  it('is one queue for an endpoint written with or without trailing slashes, so an update that changes only that orphans no event', async () => {
    const { namespace } = await import('../../adapters/web/lib/platform');
    const { resolveOptions } = await import('../../src/options');
    const ns = (endpoint: string) => namespace(resolveOptions({ writeKey: 'wk', endpoint }, () => undefined));
    expect(ns('https://c.example.com/')).toBe(ns('https://c.example.com'));
    expect(ns('https://c.example.com//')).toBe(ns('https://c.example.com'));
    // Another path or write key is another queue.
    expect(ns('https://c.example.com/eu')).not.toBe(ns('https://c.example.com'));
    expect(namespace(resolveOptions({ writeKey: 'wk2', endpoint: 'https://c.example.com' }, () => undefined))).not.toBe(ns('https://c.example.com'));
  });
});
