// wx storage: the key/value store and the chunked outbox, against WeChat's limits
// (1 MB per key, 10 MB in all, both throwing) as the fake runtime enforces them.
import { describe, expect, it } from 'vitest';
import { wxKV } from '../../adapters/miniprogram/storage';
import { wxOutbox } from '../../adapters/miniprogram/outbox';
import type { QueuedEvent } from '../../src/platform';
import { createRuntime, KEY_LIMIT, Storage, TOTAL_LIMIT } from './wx-runtime';

function record(i: number, pad = 900): QueuedEvent {
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return {
    id,
    attempts: 0,
    event: {
      type: 'track',
      event: 'Viewed',
      properties: { i, pad: 'x'.repeat(pad) },
      anonymousId: 'a',
      userId: null,
      messageId: id,
      timestamp: new Date(0).toISOString(),
      context: { library: { name: 'tutti', version: '0' }, channel: 'miniprogram' },
    },
  };
}

/** The outbox namespace of one instance (its writeKey@endpoint), and its keys. */
const NS = 'mp-key@https://collect.example.com';
const OB = 'tutti_ob_' + NS;
const CHUNK = /^tutti_ob_mp-key@https:\/\/collect\.example\.com_\d+$/;

const ids = (list: QueuedEvent[]) => list.map((r) => r.event.properties!.i);

describe('the fake runtime enforces WeChat storage limits', () => {
  it('throws like WeChat past 1 MB per key and 10 MB in all', () => {
    const rt = createRuntime();
    expect(() => rt.wx.setStorageSync('big', 'x'.repeat(KEY_LIMIT))).toThrow(/setStorageSync:fail/);
    for (let i = 0; i < 10; i++) rt.wx.setStorageSync('k' + i, 'y'.repeat(KEY_LIMIT - 100));
    expect(() => rt.wx.setStorageSync('one-more', 'z'.repeat(200000))).toThrow('setStorageSync:fail exceed storage max size 10MB');
    expect(rt.storage.size()).toBeLessThanOrEqual(TOTAL_LIMIT);
  });
});

describe('wxKV', () => {
  it('prefixes keys with tutti_ once and survives a relaunch', async () => {
    const storage = new Storage();
    const kv = wxKV(createRuntime({ storage }).wx);
    kv.set('tutti_aid', 'A');
    kv.set('flag', '1');
    await Promise.resolve();
    expect(Array.from(storage.map.keys()).sort()).toEqual(['tutti_aid', 'tutti_flag']);
    const again = wxKV(createRuntime({ storage }).wx);
    expect(again.get('tutti_aid')).toBe('A');
    expect(again.get('flag')).toBe('1');
    again.remove('flag');
    expect(again.get('flag')).toBeNull();
    expect(storage.map.has('tutti_flag')).toBe(false);
  });

  it('writes a key once per burst: 100 events cost one storage write of the session, not 100', async () => {
    const storage = new Storage();
    const rt = createRuntime({ storage });
    let writes = 0;
    const set = rt.wx.setStorageSync;
    rt.wx.setStorageSync = (k: string, v: unknown) => {
      writes++;
      return set(k, v);
    };
    const kv = wxKV(rt.wx);
    // What the core does per event: the session key with the sequence number.
    for (let i = 1; i <= 100; i++) kv.set('tutti_ses', 's|0|' + i);
    expect(kv.get('tutti_ses')).toBe('s|0|100');
    await Promise.resolve();
    expect(writes).toBe(1);
    expect(wxKV(createRuntime({ storage }).wx).get('tutti_ses')).toBe('s|0|100');
    // A removal right after a write wins.
    kv.set('tutti_uid', 'u1');
    kv.remove('tutti_uid');
    await Promise.resolve();
    expect(storage.map.has('tutti_uid')).toBe(false);
    expect(wxKV(createRuntime({ storage }).wx).get('tutti_uid')).toBeNull();
  });

  it('keeps a value in memory when storage is full, and never throws', () => {
    const rt = createRuntime();
    for (let i = 0; i < 10; i++) rt.wx.setStorageSync('host' + i, 'y'.repeat(KEY_LIMIT - 100));
    const kv = wxKV(rt.wx);
    expect(() => kv.set('tutti_aid', 'A'.repeat(5000))).not.toThrow();
    expect(kv.get('tutti_aid')).toBe('A'.repeat(5000));
    rt.wx.getStorageSync = () => {
      throw new Error('getStorageSync:fail');
    };
    expect(wxKV(rt.wx).get('tutti_other')).toBeNull();
  });
});

describe('wxOutbox', () => {
  it('splits records across keys under the per-key limit and restores them in order', async () => {
    const storage = new Storage();
    const box = wxOutbox(createRuntime({ storage }).wx, NS, { chunkBytes: 20000 });
    for (let i = 0; i < 100; i++) await box.put([record(i)]);
    const keys = Array.from(storage.map.keys()).filter((k) => CHUNK.test(k));
    expect(keys.length).toBeGreaterThan(3);
    for (const k of keys) expect(storage.map.get(k)!.length).toBeLessThan(25000);
    const again = wxOutbox(createRuntime({ storage }).wx, NS, { chunkBytes: 20000 });
    expect(ids(await again.all())).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('replaces a record in place and deletes emptied chunks', async () => {
    const storage = new Storage();
    const box = wxOutbox(createRuntime({ storage }).wx, NS, { chunkBytes: 5000 });
    await box.put([record(0), record(1), record(2), record(3), record(4), record(5)]);
    await box.put([{ ...record(1), attempts: 3 }]);
    await box.remove([record(2).id, record(3).id, record(4).id, record(5).id]);
    const again = await wxOutbox(createRuntime({ storage }).wx, NS, { chunkBytes: 5000 }).all();
    expect(ids(again)).toEqual([0, 1]);
    expect(again[1].attempts).toBe(3);
    expect(Array.from(storage.map.keys()).filter((k) => k.indexOf('tutti_ob_') === 0).length).toBe(1);
    await box.clear();
    expect(Array.from(storage.map.keys()).filter((k) => k.indexOf('tutti_ob') === 0)).toEqual([]);
  });

  it('keeps to its budget: the oldest chunks leave storage, every record stays in memory', async () => {
    const storage = new Storage();
    const box = wxOutbox(createRuntime({ storage }).wx, NS, { chunkBytes: 10000, maxChunks: 3 });
    for (let i = 0; i < 60; i++) await box.put([record(i)]);
    expect(ids(await box.all())).toHaveLength(60);
    const chunks = Array.from(storage.map.keys()).filter((k) => CHUNK.test(k));
    expect(chunks.length).toBe(3);
    const persisted = ids(await wxOutbox(createRuntime({ storage }).wx, NS).all());
    // What survives a relaunch is the newest records, in order.
    expect(persisted.length).toBeGreaterThanOrEqual(16);
    expect(persisted).toEqual(Array.from({ length: persisted.length }, (_, k) => 60 - persisted.length + k));
  });

  it('keeps to its budget in bytes when events hold Chinese text (3 bytes per character in UTF-8)', async () => {
    const storage = new Storage();
    const box = wxOutbox(createRuntime({ storage }).wx, NS, { chunkBytes: 10000, maxChunks: 3 });
    for (let i = 0; i < 60; i++) {
      const r = record(i, 0);
      r.event.properties!.pad = '春节大促'.repeat(200);
      await box.put([r]);
    }
    expect(ids(await box.all())).toHaveLength(60);
    let used = 0;
    for (const [k, v] of storage.map) if (CHUNK.test(k)) used += Buffer.byteLength(k + v, 'utf8');
    // 3 keys of at most 10,000 bytes (plus the key names): the host app keeps the rest.
    expect(used).toBeLessThanOrEqual(3 * (10000 + OB.length + 4));
  });

  it('survives a full device storage: no throw, older chunks make room, then memory only', async () => {
    const storage = new Storage();
    const rt = createRuntime({ storage });
    // The host app uses almost all of its 10 MB.
    for (let i = 0; i < 9; i++) rt.wx.setStorageSync('host' + i, 'y'.repeat(KEY_LIMIT - 100));
    rt.wx.setStorageSync('host9', 'y'.repeat(KEY_LIMIT - 100 - 150000));
    const box = wxOutbox(rt.wx, NS, { chunkBytes: 30000 });
    for (let i = 0; i < 300; i++) await expect(box.put([record(i)])).resolves.toBeUndefined();
    expect(ids(await box.all())).toHaveLength(300);
    expect(storage.size()).toBeLessThanOrEqual(TOTAL_LIMIT);
    // The host's own data was never touched.
    expect(Array.from(storage.map.keys()).filter((k) => k.indexOf('host') === 0)).toHaveLength(10);
    const persisted = ids(await wxOutbox(createRuntime({ storage }).wx, NS).all());
    expect(persisted.length).toBeGreaterThan(0);
    expect(persisted[persisted.length - 1]).toBe(299);
    await box.remove(ids(await box.all()).map((i) => record(i as number).id));
    expect(await box.all()).toEqual([]);
  });

  it('counts the records it holds in memory only, so a relaunch after a kill knows how many were lost', async () => {
    const full = async () => {
      const storage = new Storage();
      const rt = createRuntime({ storage });
      for (let i = 0; i < 9; i++) rt.wx.setStorageSync('host' + i, 'y'.repeat(KEY_LIMIT - 100));
      rt.wx.setStorageSync('host9', 'y'.repeat(KEY_LIMIT - 100 - 150000));
      const box = wxOutbox(rt.wx, NS, { chunkBytes: 30000 });
      for (let i = 0; i < 300; i++) await box.put([record(i)]);
      return { storage, box };
    };
    const relaunch = async (storage: Storage) => {
      const box = wxOutbox(createRuntime({ storage }).wx, NS);
      return { persisted: ids(await box.all()), lost: box.lost ? box.lost.count : 0 };
    };

    // Killed with records in memory only: the next launch finds the newest records and the number of the others.
    const killed = await full();
    const next = await relaunch(killed.storage);
    expect(next.persisted.length).toBeGreaterThan(0);
    expect(next.persisted[next.persisted.length - 1]).toBe(299);
    expect(next.lost).toBe(300 - next.persisted.length);
    expect(killed.storage.map.get(OB + '_lost')).toBeUndefined(); // read once
    // The launch after that has nothing more to report.
    expect((await relaunch(killed.storage)).lost).toBe(0);

    // The process lived on and sent the records that were in memory only: nothing lost.
    const lived = await full();
    const inMemory = ids(await lived.box.all()).slice(0, next.lost);
    await lived.box.remove(inMemory.map((i) => record(i as number).id));
    const after = await relaunch(lived.storage);
    expect(after.lost).toBe(0);
    expect(after.persisted).toEqual(next.persisted);

    // Consent denied (clear): those events were given up on purpose, nothing to report.
    const cleared = await full();
    await cleared.box.clear();
    expect(Array.from(cleared.storage.map.keys()).filter((k) => k.indexOf('tutti_') === 0)).toEqual([]);
  });

  it('adopts chunks missing from a stale index and ignores corrupt ones', async () => {
    const storage = new Storage();
    const rt = createRuntime({ storage });
    rt.wx.setStorageSync(OB + '_7', JSON.stringify([record(7)]));
    rt.wx.setStorageSync(OB + '_3', '{not json');
    rt.wx.setStorageSync(OB, '[3]');
    const box = wxOutbox(rt.wx, NS);
    expect(ids(await box.all())).toEqual([7]);
    await box.put([record(8)]);
    expect(ids(await wxOutbox(createRuntime({ storage }).wx, NS).all())).toEqual([7, 8]);
    expect(storage.map.has(OB + '_3')).toBe(false);
  });

  it('keeps one outbox per writeKey@endpoint: instances never overwrite or adopt each other\'s records', async () => {
    const storage = new Storage();
    const names = [NS, 'other-key@https://collect.example.com', 'mp-key@https://eu.collect.example.com'];
    const boxes = names.map((ns) => wxOutbox(createRuntime({ storage }).wx, ns, { chunkBytes: 5000 }));
    for (let i = 0; i < 30; i++) for (const [b, box] of boxes.entries()) await box.put([record(100 * b + i)]);
    await boxes[1].remove([record(100).id]);
    // Relaunch: each instance finds exactly its own records, in order.
    const again = names.map((ns) => wxOutbox(createRuntime({ storage }).wx, ns));
    const range = (from: number, n: number) => Array.from({ length: n }, (_, k) => from + k);
    expect(ids(await again[0].all())).toEqual(range(0, 30));
    expect(ids(await again[1].all())).toEqual(range(101, 29));
    expect(ids(await again[2].all())).toEqual(range(200, 30));
    await again[1].clear();
    expect(ids(await wxOutbox(createRuntime({ storage }).wx, NS).all())).toEqual(range(0, 30));
  });

  it('adopts the keys a release named after the endpoint with its trailing slashes (resolveOptions now drops them)', async () => {
    const storage = new Storage();
    // Left by a release that named the outbox after the endpoint as configured, next to another app key.
    storage.set(OB + '/_0', JSON.stringify(JSON.stringify([record(1)])));
    storage.set(OB + '//#1_0', JSON.stringify(JSON.stringify([record(2)])));
    storage.set('tutti_aid', JSON.stringify('a'));
    const box = wxOutbox(createRuntime({ storage }).wx, NS);
    expect(ids(await box.all())).toEqual([1, 2]);
    expect(Array.from(storage.map.keys()).filter((k) => k.indexOf('tutti_ob_') === 0)).toEqual([OB + '_0', OB + '_1']);
    const again = wxOutbox(createRuntime({ storage }).wx, NS);
    expect(ids(await again.all())).toEqual([1, 2]);
    // Another endpoint that merely starts the same is another outbox.
    const other = wxOutbox(createRuntime({ storage }).wx, NS + '/v2');
    expect(await other.all()).toEqual([]);
  });

  it('gives two instances with the same writeKey@endpoint their own outbox, and lets a relaunch with one instance adopt both', async () => {
    const storage = new Storage();
    const w = createRuntime({ storage }).wx;
    const [app, plugin] = [wxOutbox(w, NS, { chunkBytes: 5000 }), wxOutbox(w, NS, { chunkBytes: 5000 })];
    for (let i = 0; i < 20; i++) {
      await app.put([record(i)]);
      await plugin.put([record(100 + i)]);
    }
    await plugin.remove([record(100).id]);
    const range = (from: number, n: number) => Array.from({ length: n }, (_, k) => from + k);
    expect(ids(await app.all())).toEqual(range(0, 20));
    expect(ids(await plugin.all())).toEqual(range(101, 19));
    // Relaunch with both: each finds its own records, none are held twice.
    const w2 = createRuntime({ storage }).wx;
    const both = [wxOutbox(w2, NS), wxOutbox(w2, NS)];
    expect(ids(await both[0].all())).toEqual(range(0, 20));
    expect(ids(await both[1].all())).toEqual(range(101, 19));
    // Relaunch with the app's instance only: it adopts the plugin's records, once.
    const alone = wxOutbox(createRuntime({ storage }).wx, NS);
    expect(ids(await alone.all())).toEqual(range(0, 20).concat(range(101, 19)));
    expect(ids(await wxOutbox(createRuntime({ storage }).wx, NS + '#1').all())).toEqual([]);
    expect(ids(await wxOutbox(createRuntime({ storage }).wx, NS).all())).toEqual(range(0, 20).concat(range(101, 19)));
  });

  it('counts the records in memory only per instance: only the instance that lost them reports them', async () => {
    const storage = new Storage();
    const rt = createRuntime({ storage });
    // One instance over its budget (records in memory only), another one within it.
    const over = wxOutbox(rt.wx, NS, { chunkBytes: 5000, maxChunks: 1 });
    const within = wxOutbox(rt.wx, 'other-key@https://collect.example.com');
    for (let i = 0; i < 20; i++) await over.put([record(i)]);
    await within.put([record(100)]);
    await within.remove([record(100).id]);
    const lostOver = wxOutbox(createRuntime({ storage }).wx, NS);
    const lostWithin = wxOutbox(createRuntime({ storage }).wx, 'other-key@https://collect.example.com');
    const persisted = ids(await lostOver.all());
    await lostWithin.all();
    expect(lostOver.lost && lostOver.lost.count).toBe(20 - persisted.length);
    expect(lostWithin.lost).toBeUndefined();
  });

  it('upgrade: the shared outbox of the previous release (tutti_ob_<n>) is adopted once, by the first instance that loads', async () => {
    const storage = new Storage();
    // What the previous release left: two chunks and a loss count under the shared keys,
    // next to a chunk of this release with the same number.
    const old = createRuntime({ storage }).wx;
    old.setStorageSync('tutti_ob_0', JSON.stringify([record(0), record(1)]));
    old.setStorageSync('tutti_ob_1', JSON.stringify([record(2)]));
    old.setStorageSync('tutti_ob_lost', '4');
    old.setStorageSync(OB + '_0', JSON.stringify([record(10)]));
    const first = wxOutbox(createRuntime({ storage }).wx, NS);
    expect(ids(await first.all())).toEqual([10, 0, 1, 2]);
    expect(first.lost && first.lost.count).toBe(4);
    // Moved to the instance's own keys: the shared ones are gone, nothing else adopts them.
    expect(Array.from(storage.map.keys()).filter((k) => /^tutti_ob_(\d+|lost)$/.test(k))).toEqual([]);
    const second = wxOutbox(createRuntime({ storage }).wx, 'other-key@https://collect.example.com');
    expect(await second.all()).toEqual([]);
    expect(second.lost).toBeUndefined();
    // The next launch finds them once (not lost, not twice), and sending removes them for good.
    const next = wxOutbox(createRuntime({ storage }).wx, NS);
    expect(ids(await next.all())).toEqual([10, 0, 1, 2]);
    expect(next.lost).toBeUndefined();
    await next.remove([0, 1, 2, 10].map((i) => record(i).id));
    expect(await wxOutbox(createRuntime({ storage }).wx, NS).all()).toEqual([]);
    expect(Array.from(storage.map.keys()).filter((k) => k.indexOf('tutti_ob') === 0)).toEqual([]);
  });

  it('upgrade with a full device storage: the adopted chunks are moved, not lost', async () => {
    const storage = new Storage();
    const rt = createRuntime({ storage });
    const chunk = (from: number) => JSON.stringify(Array.from({ length: 50 }, (_, k) => record(from + k)));
    for (let c = 0; c < 4; c++) rt.wx.setStorageSync('tutti_ob_' + c, chunk(50 * c));
    // The host app fills the rest: a copy of the chunks next to the old ones would not fit.
    for (let i = 0; i < 9; i++) rt.wx.setStorageSync('host' + i, 'y'.repeat(KEY_LIMIT - 100));
    rt.wx.setStorageSync('host9', 'y'.repeat(TOTAL_LIMIT - storage.size() - 2000));
    const box = wxOutbox(rt.wx, NS);
    expect(ids(await box.all())).toHaveLength(200);
    const next = wxOutbox(createRuntime({ storage }).wx, NS);
    expect(ids(await next.all())).toEqual(Array.from({ length: 200 }, (_, k) => k));
    expect(next.lost).toBeUndefined();
  });

  it('puts its chunks and the identity keys back as soon as the host calls wx.clearStorageSync, and leaves the host its exceptions', async () => {
    const rt = createRuntime();
    const kv = wxKV(rt.wx);
    kv.set('tutti_aid', 'aid-1');
    await Promise.resolve();
    const box = wxOutbox(rt.wx, NS);
    await box.put([record(1), record(2)]);
    rt.wx.setStorageSync('host', 'h');
    expect(rt.wx.clearStorageSync()).toBeUndefined();
    // The host's key is gone; the SDK's are back, before any hide.
    expect(Array.from(rt.storage.map.keys()).sort()).toEqual(['tutti_aid', OB + '_0']);
    expect(ids(await wxOutbox(createRuntime({ storage: rt.storage }).wx, NS).all())).toEqual([1, 2]);
    // A clear that throws still throws at the host, and the SDK's keys stay.
    const rt2 = createRuntime();
    rt2.wx.clearStorageSync = () => {
      throw new Error('clearStorageSync:fail');
    };
    const box2 = wxOutbox(rt2.wx, NS);
    await box2.put([record(3)]);
    expect(() => rt2.wx.clearStorageSync()).toThrow('clearStorageSync:fail');
    expect(ids(await box2.all())).toEqual([3]);
  });

  it('never rejects when every storage call throws', async () => {
    const rt = createRuntime();
    for (const k of ['getStorageSync', 'setStorageSync', 'removeStorageSync', 'getStorageInfoSync']) {
      rt.wx[k] = () => {
        throw new Error(k + ':fail');
      };
    }
    const box = wxOutbox(rt.wx, NS);
    await box.put([record(1), record(2)]);
    await box.remove([record(1).id]);
    expect(ids(await box.all())).toEqual([2]);
    await box.clear();
    expect(await box.all()).toEqual([]);
  });
});
