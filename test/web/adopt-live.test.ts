// @vitest-environment jsdom
// A tab that stays open takes over the events of tabs that closed or crashed, without a
// reload: the web outbox (localStorage, and IndexedDB chunks) and the Web Lock tabs, shared
// by two or three core instances as by the tabs of one site. A closed tab is one whose
// presence lock the browser dropped; its instance here can no longer reach the collector.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UseStore } from 'idb-keyval';
import { lockTabs } from '../../adapters/web/lib/tabs';
import { idbOutbox, localStorageOutbox } from '../../adapters/web/lib/outbox';
import { memoryKV } from '../../src/index';
import type { OutboxStore, TransportResponse, TuttiOptions } from '../../src/index';
import { make, scriptedTransport } from '../core/harness';

beforeEach(() => {
  localStorage.clear();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
  localStorage.clear();
});

/** Web Locks shared by the tabs of one origin; `kill(id)` is the browser dropping a dead tab's presence lock. */
function site() {
  const held: Array<{ name: string }> = [];
  const tails = new Map<string, Promise<unknown>>();
  const locks = {
    request(name: string, fn: () => Promise<unknown>) {
      const entry = { name };
      const run = (tails.get(name) || Promise.resolve()).then(() => (held.push(entry), fn()));
      const done = run.finally(() => held.indexOf(entry) >= 0 && held.splice(held.indexOf(entry), 1));
      tails.set(name, done.catch(() => undefined));
      return done;
    },
    query: async () => ({ held: held.slice(), pending: [] }),
  } as unknown as LockManager;
  return {
    tab: (id: string) => lockTabs(locks, id),
    kill(id: string) {
      const i = held.findIndex((l) => l.name === 'tutti-tab-' + id);
      if (i >= 0) held.splice(i, 1);
    },
  };
}

/** One IndexedDB object store behind idb-keyval's UseStore; values are copied in and out, as by structured clone. */
function fakeIdb(): UseStore {
  const data = new Map<IDBValidKey, unknown>();
  const later = <T>(result: T) => {
    const r: { result: T; onsuccess?: () => void; oncomplete?: () => void } = { result };
    setTimeout(() => (r.onsuccess || r.oncomplete || (() => undefined))(), 0);
    return r;
  };
  const store = {
    put: (v: unknown, k: IDBValidKey) => data.set(k, structuredClone(v)),
    delete: (k: IDBValidKey) => data.delete(k),
    getAllKeys: () => later(Array.from(data.keys())),
    getAll: () => later(Array.from(data.values(), (v) => structuredClone(v))),
    transaction: {} as unknown,
  };
  return (_mode, cb) => {
    store.transaction = later(undefined);
    return Promise.resolve(cb(store as unknown as IDBObjectStore));
  };
}

const outboxes: Array<[string, () => () => OutboxStore]> = [
  ['localStorage', () => () => localStorageOutbox('tutti_outbox_test')],
  [
    'IndexedDB',
    () => {
      const idb = fakeIdb();
      return () => idbOutbox(idb, 'test');
    },
  ],
];

/**
 * One tab's connection to the collector: `up` or not (503); with `hold`, the next request
 * stays unanswered until `held` is called; `dead`: a closed tab's, whose requests never end
 * (a closed tab runs no code: it retries and stores nothing). `delivered`: events of the
 * requests answered 2xx.
 */
function collector() {
  const delivered: Array<{ event?: string; messageId: string }> = [];
  const state = { up: false, dead: false, held: undefined as undefined | ((r: TransportResponse) => void), hold: false };
  const net = scriptedTransport(async (req) => {
    if (state.dead) await new Promise(() => undefined);
    const up = state.hold ? await new Promise<boolean>((r) => ((state.hold = false), (state.held = (res) => r(res.status === 200)))) : state.up;
    if (!up) return { status: 503 };
    delivered.push(...req.body.batch);
    return { status: 200, body: '{}' };
  });
  return Object.assign(state, { net, delivered, names: () => delivered.map((e) => e.event) });
}
type Collector = ReturnType<typeof collector>;

const retry = { baseDelay: 200, maxDelay: 400 };
/** Options of every instance here: no gzip (CompressionStream would answer in real time, not on the fake clock). */
const opts = (o: Partial<TuttiOptions> = {}): Partial<TuttiOptions> => ({ contract: { compress: false }, ...o });
/** Lets `p` settle while fake time runs (the fake IndexedDB answers on timers). */
async function settled<T>(p: Promise<T>): Promise<T> {
  await vi.advanceTimersByTimeAsync(50);
  return p;
}
/** Every messageId the collector took, from any tab, duplicates kept. */
const takenIds = (...cs: Collector[]) => cs.flatMap((c) => c.delivered.map((e) => e.messageId));

describe('adoption without a reload', () => {
  for (const [kind, storage] of outboxes) {
    it(`${kind}: a tab closed during an outage (beacon skipped): the open tab delivers its events once the collector answers again`, async () => {
      const outbox = storage();
      const kv = memoryKV();
      const tabs = site();
      const netA = collector(); // A closes before the collector is back: it never delivers
      const netB = collector();
      const a = make(opts({ retry }), { kv, outbox: outbox(), net: netA.net, tabs: tabs.tab('A') });
      const b = make(opts({ retry }), { kv, outbox: outbox(), net: netB.net, tabs: tabs.tab('B') });
      await vi.advanceTimersByTimeAsync(10);
      for (let i = 0; i < 5; i++) a.core.track('From A', { i });
      for (let i = 0; i < 3; i++) b.core.track('From B', { i });
      await settled(Promise.all([a.core.flush(), b.core.flush()])); // 503: both back off
      const fromA = (await settled(outbox().all())).filter((r) => r.event.event === 'From A').map((r) => r.id);
      expect(fromA).toHaveLength(5);
      tabs.kill('A'); // the user closes A
      netA.dead = true;
      await vi.advanceTimersByTimeAsync(1000);
      expect(netB.delivered).toHaveLength(0);
      netB.up = true; // the collector recovers; B is not reloaded
      await vi.advanceTimersByTimeAsync(3000);
      expect(netB.names().sort()).toEqual([...Array(5).fill('From A'), ...Array(3).fill('From B')]);
      const ids = takenIds(netA, netB);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(expect.arrayContaining(fromA));
      expect(await settled(outbox().all())).toEqual([]);
    });

    it(`${kind}: a crashed tab's events are taken over at the open tab's next successful send a minute after it last looked, not at every send`, async () => {
      const outbox = storage();
      const tabs = site();
      const netA = collector();
      const netB = collector();
      netB.up = true; // the collector never fails for B
      const a = make(opts(), { outbox: outbox(), net: netA.net, tabs: tabs.tab('A') });
      const boxB = outbox();
      let reads = 0;
      const counted: OutboxStore = { ...boxB, all: () => (reads++, boxB.all()) };
      const b = make(opts({ flushInterval: 100 }), { outbox: counted, net: netB.net, tabs: tabs.tab('B') });
      await vi.advanceTimersByTimeAsync(10);
      expect(reads).toBe(1); // the adoption at start
      for (let i = 0; i < 4; i++) a.core.track('Crashed', { i });
      await settled(a.core.flush()); // kept
      tabs.kill('A'); // A crashes
      netA.dead = true;
      for (let s = 0; s < 50; s += 5) {
        b.core.track('Live', { s });
        await vi.advanceTimersByTimeAsync(5000);
      }
      expect(netB.names()).toEqual(Array(10).fill('Live'));
      expect(reads).toBe(1); // ten sends, no outbox read
      await vi.advanceTimersByTimeAsync(11000); // a minute since B looked
      b.core.track('Live', { s: 61 });
      await vi.advanceTimersByTimeAsync(1000);
      expect(reads).toBe(2);
      expect(netB.names().filter((n) => n === 'Crashed')).toHaveLength(4);
      const ids = takenIds(netA, netB);
      expect(new Set(ids).size).toBe(ids.length);
    });
  }

  it('two open tabs recovering at once: the closed tab’s events are sent by one of them, once', async () => {
    const outbox = outboxes[1][1]();
    const tabs = site();
    const nets = [collector(), collector(), collector()];
    const [a, b, c] = ['A', 'B', 'C'].map((id, i) => make(opts({ retry: { baseDelay: 100, maxDelay: 100 } }), { outbox: outbox(), net: nets[i].net, tabs: tabs.tab(id) }));
    await vi.advanceTimersByTimeAsync(10);
    for (let i = 0; i < 6; i++) a.core.track('From A', { i });
    b.core.track('From B');
    c.core.track('From C');
    await settled(Promise.all([a.core.flush(), b.core.flush(), c.core.flush()]));
    tabs.kill('A');
    nets[0].dead = true;
    nets[1].up = nets[2].up = true;
    await vi.advanceTimersByTimeAsync(3000);
    const ids = takenIds(...nets);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(8);
    expect([...nets[1].names(), ...nets[2].names()].filter((n) => n === 'From A')).toHaveLength(6);
  });

  it('the open tab never takes its own delivered records back while their removal is not stored yet', async () => {
    const shared = localStorageOutbox('tutti_outbox_test');
    // Removals reach storage two seconds late (IndexedDB's are batched for a second).
    const slow: OutboxStore = { ...shared, remove: (ids) => new Promise((r) => setTimeout(r, 2000)).then(() => shared.remove(ids)) };
    const tabs = site();
    const net = collector();
    const b = make(opts({ retry, batchSize: 2 }), { outbox: slow, net: net.net, tabs: tabs.tab('B') });
    await vi.advanceTimersByTimeAsync(10);
    for (let i = 0; i < 6; i++) b.core.track('Mine', { i });
    await settled(b.core.flush());
    net.up = true; // the first success after failures looks for orphans
    await vi.advanceTimersByTimeAsync(5000);
    const ids = takenIds(net);
    expect(new Set(ids).size).toBe(6);
    expect(ids).toHaveLength(6);
  });

  it('consent denied wins: an answer arriving after the denial adopts nothing', async () => {
    const outbox = outboxes[0][1]();
    const tabs = site();
    const netB = collector();
    const b = make(opts({ retry }), { outbox: outbox(), net: netB.net, tabs: tabs.tab('B') });
    await vi.advanceTimersByTimeAsync(10);
    b.core.track('Before Denial');
    await settled(b.core.flush()); // 503
    netB.hold = true;
    await vi.advanceTimersByTimeAsync(1000); // the retry is in flight, unanswered
    expect(netB.held).toBeDefined();
    b.core.setConsent('denied');
    // Another tab, still granted, stores events and closes.
    const netA = collector();
    const a = make(opts(), { outbox: outbox(), net: netA.net, tabs: tabs.tab('A') });
    for (let i = 0; i < 3; i++) a.core.track('From A', { i });
    await settled(a.core.flush());
    tabs.kill('A');
    netA.dead = true;
    netB.held!({ status: 200 }); // the collector is back: a success after failures
    await vi.advanceTimersByTimeAsync(3000);
    expect(netB.names()).toEqual(['Before Denial']);
    expect((await settled(outbox().all())).map((r) => r.event.event)).toEqual(['From A', 'From A', 'From A']);
  });
});
