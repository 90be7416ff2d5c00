// Delivery from a mini-program: request concurrency, outages, kill and relaunch, a full
// device storage. Figures (requests per 500 events, events after an outage) are printed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startCollector } from '../../examples/collector/index';
import { collectorSuite, sleep, until, type Booted } from './harness';
import { KEY_LIMIT, Storage, TOTAL_LIMIT, type RequestLog } from './wx-runtime';

const suite = collectorSuite();
const start = suite.start;
afterEach(async () => {
  suite.collector.fail(null);
  suite.collector.delay(0);
  await suite.collector.up();
});
const tracked = (aid: string, event: string) => suite.collector.events({ anonymousId: aid, event });

/** Most SDK batch requests in flight at the same moment. */
/** Launches on `storage`, goes offline, tracks `count` events named `name`, hides and lets the outbox reach storage. */
async function queueOffline(storage: Storage, name: string, count: number) {
  const a = await start({ storage });
  a.rt.launch({ path: 'pages/index/index' });
  const aid = a.tutti.getAnonymousId();
  await until(() => suite.collector.events({ anonymousId: aid }).length >= 3);
  a.rt.setOffline(true);
  for (let i = 0; i < count; i++) a.tutti.track(name, { i });
  a.rt.hide();
  await sleep(150);
  return { a, aid };
}

function peak(log: RequestLog[]): number {
  const batch = log.filter((r) => r.url.indexOf('/v1/batch') >= 0);
  let max = 0;
  for (const r of batch) {
    max = Math.max(max, batch.filter((o) => o.startedAt <= r.startedAt && (o.endedAt ?? Infinity) > r.startedAt).length);
  }
  return max;
}

describe('delivery', () => {
  it('sends 500 events with at most 2 requests in flight, each exactly once', async () => {
    const { rt, tutti } = await start({ init: { flushInterval: 20 } });
    rt.launch({ path: 'pages/index/index' });
    suite.collector.delay(15);
    const before = suite.collector.stats().batchRequests;
    for (let i = 0; i < 500; i++) tutti.track('Bulk', { i });
    const aid = tutti.getAnonymousId();
    await until(() => tracked(aid, 'Bulk').length === 500, 20000, '500 events');
    const requests = suite.collector.stats().batchRequests - before;
    expect(peak(rt.requests)).toBeLessThanOrEqual(2);
    expect(rt.maxConcurrent).toBeLessThanOrEqual(2);
    expect(suite.collector.stats().duplicates).toBe(0);
    expect(new Set(tracked(aid, 'Bulk').map((e) => e.properties.i)).size).toBe(500);
    console.log(`[figures] 500 events → ${requests} batch requests, peak concurrency ${peak(rt.requests)}`);
  });

  it('two instances in one mini-program share the 2 request slots', async () => {
    const { rt, tutti, createTutti } = await start({ init: { flushInterval: 600000 } });
    const other = createTutti({ writeKey: 'other-key', endpoint: suite.collector.url, flushInterval: 600000 });
    rt.launch({ path: 'pages/index/index' });
    suite.collector.delay(150);
    for (let i = 0; i < 600; i++) {
      tutti.track('Main', { i });
      other.track('Other', { i });
    }
    await sleep(50);
    // The hide flush of each instance sends its batches in parallel.
    rt.hide();
    await sleep(400);
    suite.collector.delay(0);
    const aid = tutti.getAnonymousId();
    await until(() => tracked(aid, 'Main').length === 600 && tracked(other.getAnonymousId(), 'Other').length === 600, 20000, '1200 events');
    expect(peak(rt.requests)).toBeLessThanOrEqual(2);
    expect(rt.maxConcurrent).toBeLessThanOrEqual(2);
  });

  it('hide flushes send in parallel but never more than 2 requests at once', async () => {
    const { rt, tutti } = await start({ init: { flushInterval: 600000 } });
    rt.launch({ path: 'pages/index/index' });
    suite.collector.delay(150);
    for (let i = 0; i < 1500; i++) tutti.track('Before Hide', { i });
    await sleep(50);
    // Quick background/foreground switches: each hide hands another batch to the transport.
    rt.hide();
    rt.show();
    rt.hide();
    rt.show();
    rt.hide();
    await sleep(400);
    suite.collector.delay(0);
    const aid = tutti.getAnonymousId();
    await until(() => tracked(aid, 'Before Hide').length === 1500, 20000, '1500 events after hides');
    expect(peak(rt.requests)).toBe(2);
    expect(rt.maxConcurrent).toBe(2);
    expect(rt.requests.filter((r) => /exceed/.test(r.outcome || ''))).toEqual([]);
  });

  it('keeps events through an outage and a kill: the relaunch delivers every one', async () => {
    const storage = new Storage();
    const { a, aid } = await queueOffline(storage, 'Offline', 120);
    // The outbox reached storage before the process died.
    expect(Array.from(storage.map.keys()).some((k) => k.indexOf(`tutti_ob_mp-key@${suite.collector.url}_`) === 0)).toBe(true);
    a.rt.kill();
    expect(tracked(aid, 'Offline')).toHaveLength(0);

    const b = await start({ storage });
    b.rt.launch({ path: 'pages/index/index', scene: 1089 });
    expect(b.tutti.getAnonymousId()).toBe(aid);
    await until(() => tracked(aid, 'Offline').length === 120, 10000, 'replayed events');
    await until(() => tracked(aid, 'Mini App Hidden').length === 1);
    expect(new Set(tracked(aid, 'Offline').map((e) => e.properties.i)).size).toBe(120);
    // Sequence numbers continue across the relaunch: the backend can prove nothing was lost.
    const seqs = suite.collector.events({ anonymousId: aid }).map((e) => e.context.sequence).sort((x: number, y: number) => x - y);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
    console.log(`[figures] outage + kill + relaunch: ${tracked(aid, 'Offline').length}/120 events delivered, ${suite.collector.stats().duplicates} duplicates`);
  });

  it('instances with another write key or endpoint keep their own outbox through an outage and a kill', async () => {
    const elsewhere = await startCollector({ port: 0, dbPath: ':memory:', writeKeys: '*' });
    try {
      const here = suite.collector;
      const duplicatesBefore = here.stats().duplicates;
      const storage = new Storage();
      // The singleton (mp-key → here), another write key to the same endpoint, the same write key to another endpoint.
      const instances = async () => {
        const b = await start({ storage });
        const other = b.createTutti({ writeKey: 'other-key', endpoint: here.url, flushInterval: 50 });
        const away = b.createTutti({ writeKey: 'mp-key', endpoint: elsewhere.url, flushInterval: 50 });
        return { b, all: { Main: b.tutti, Other: other, Away: away } };
      };
      const a = await instances();
      a.b.rt.launch({ path: 'pages/index/index' });
      const aid = a.b.tutti.getAnonymousId();
      // One person per device: every instance has the same anonymous ID.
      expect(a.all.Other.getAnonymousId()).toBe(aid);
      expect(a.all.Away.getAnonymousId()).toBe(aid);
      await until(() => here.events({ anonymousId: aid, event: 'Mini App Launched' }).length === 2 && elsewhere.events({ anonymousId: aid }).length >= 1);
      a.b.rt.setOffline(true);
      for (let i = 0; i < 20; i++) for (const [name, t] of Object.entries(a.all)) t.track(name, { i });
      a.b.rt.hide();
      await sleep(150);
      a.b.rt.kill();

      const b: { b: Booted } = await instances();
      b.b.rt.launch({ path: 'pages/index/index', scene: 1089 });
      const at = { Main: here, Other: here, Away: elsewhere };
      const got = (c: typeof here, name: string) => c.events({ anonymousId: aid, event: name });
      await until(() => Object.entries(at).every(([name, c]) => got(c, name).length >= 20), 10000, 'every instance\'s events').catch(() => undefined);
      await sleep(400);
      // Each instance's 20 events reached its own endpoint, under its own write key, once.
      const routes: Record<string, Set<string>> = {};
      for (const r of b.b.rt.requests) {
        if (!r.body || r.outcome !== 'status 200') continue;
        const body = JSON.parse(r.body);
        for (const e of body.batch) (routes[e.event] ||= new Set()).add(body.writeKey + ' ' + (r.url.indexOf(elsewhere.url) === 0 ? 'elsewhere' : 'here'));
      }
      const summary = (name: string) => ({
        here: new Set(got(here, name).map((e) => e.properties.i)).size,
        elsewhere: new Set(got(elsewhere, name).map((e) => e.properties.i)).size,
        routes: Array.from(routes[name] || []),
      });
      expect({ Main: summary('Main'), Other: summary('Other'), Away: summary('Away') }).toEqual({
        Main: { here: 20, elsewhere: 0, routes: ['mp-key here'] },
        Other: { here: 20, elsewhere: 0, routes: ['other-key here'] },
        Away: { here: 0, elsewhere: 20, routes: ['mp-key elsewhere'] },
      });
      expect(here.stats().duplicates - duplicatesBefore).toBe(0);
      expect(elsewhere.stats().duplicates).toBe(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('two instances with the same write key and endpoint keep separate outboxes: after an outage and a kill, every event arrives once', async () => {
    const here = suite.collector;
    const duplicatesBefore = here.stats().duplicates;
    const storage = new Storage();
    // The app's singleton and a plugin package's own instance, both 'mp-key' → here.
    const twins = async (second = true) => {
      const b = await start({ storage });
      const plugin = second ? b.createTutti({ writeKey: 'mp-key', endpoint: here.url, flushInterval: 50 }) : undefined;
      return { b, plugin };
    };
    const a = await twins();
    a.b.rt.launch({ path: 'pages/index/index' });
    const aid = a.b.tutti.getAnonymousId();
    await until(() => here.events({ anonymousId: aid, event: 'Mini App Launched' }).length === 2);
    a.b.rt.setOffline(true);
    for (let i = 0; i < 30; i++) {
      a.b.tutti.track('App Event', { i });
      a.plugin!.track('Plugin Event', { i });
    }
    a.b.rt.hide();
    await sleep(150);
    a.b.rt.kill();

    const sent = (rt: Booted['rt'], name: string) =>
      rt.requests.flatMap((r) => (r.body && r.outcome === 'status 200' ? JSON.parse(r.body).batch : [])).filter((e: { event: string }) => e.event === name);
    const delivered = (name: string) => new Set(here.events({ anonymousId: aid, event: name }).map((e) => e.properties.i)).size;
    // Relaunch with both instances: each event once.
    const b = await twins();
    b.b.rt.launch({ path: 'pages/index/index', scene: 1089 });
    await until(() => delivered('App Event') === 30 && delivered('Plugin Event') === 30, 10000, 'both instances\' events').catch(() => undefined);
    await sleep(300);
    expect({ app: delivered('App Event'), plugin: delivered('Plugin Event') }).toEqual({ app: 30, plugin: 30 });
    expect({ app: sent(b.b.rt, 'App Event').length, plugin: sent(b.b.rt, 'Plugin Event').length }).toEqual({ app: 30, plugin: 30 });
    expect(here.stats().duplicates - duplicatesBefore).toBe(0);

    // Another outage, and a relaunch where only the app's instance starts: it sends the plugin's events too.
    b.b.rt.setOffline(true);
    for (let i = 30; i < 40; i++) {
      b.b.tutti.track('App Event', { i });
      b.plugin!.track('Plugin Event', { i });
    }
    b.b.rt.hide();
    await sleep(150);
    b.b.rt.kill();
    const c = await twins(false);
    c.b.rt.launch({ path: 'pages/index/index', scene: 1089 });
    await until(() => delivered('App Event') === 40 && delivered('Plugin Event') === 40, 10000, 'the events of both').catch(() => undefined);
    await sleep(300);
    expect({ app: delivered('App Event'), plugin: delivered('Plugin Event') }).toEqual({ app: 40, plugin: 40 });
    expect(here.stats().duplicates - duplicatesBefore).toBe(0);
    expect(Array.from(storage.map.keys()).filter((k) => k.indexOf('tutti_ob_') === 0 && !/_lost$/.test(k))).toEqual([]);
  });

  it('an endpoint with a trailing slash: batches go to {endpoint}/v1/batch, decisions to /v1/decide, the outbox is named without the slashes', async () => {
    const endpoint = suite.collector.url + '//';
    const { rt, tutti } = await start({ init: { endpoint } });
    rt.launch({ path: 'pages/index/index' });
    rt.setOffline(true);
    tutti.track('Slash');
    await sleep(100);
    // One name with or without the slashes (a release that kept them in the name is adopted: see below).
    expect(Array.from(rt.storage.map.keys()).some((k) => k.indexOf(`tutti_ob_mp-key@${suite.collector.url}_`) === 0)).toBe(true);
    rt.setOffline(false);
    await until(() => tracked(tutti.getAnonymousId(), 'Slash').length === 1, 8000, 'the event');
    await tutti.personalize(['hero']);
    const urls = new Set(rt.requests.filter((r) => r.outcome === 'status 200').map((r) => r.url));
    expect(Array.from(urls).sort()).toEqual([suite.collector.url + '/v1/batch', suite.collector.url + '/v1/decide']);
  });

  it('an endpoint changed only by a trailing slash (an app update) keeps its outbox: events queued before the change arrive, each once', async () => {
    for (const [before, after] of [
      [suite.collector.url + '/', suite.collector.url],
      [suite.collector.url, suite.collector.url + '//'],
    ]) {
      const dups = suite.collector.stats().duplicates;
      const storage = new Storage();
      const a = await start({ storage, init: { endpoint: before } });
      a.rt.launch({ path: 'pages/index/index' });
      const aid = a.tutti.getAnonymousId();
      await until(() => suite.collector.events({ anonymousId: aid }).length >= 3);
      a.rt.setOffline(true);
      for (let i = 0; i < 10; i++) a.tutti.track('Slash Change', { i });
      a.rt.hide();
      await sleep(150);
      a.rt.kill();

      const b = await start({ storage, init: { endpoint: after } });
      b.rt.launch({ path: 'pages/index/index' });
      await until(() => tracked(aid, 'Slash Change').length === 10 && tracked(aid, 'Mini App Hidden').length === 1, 8000, `events queued with ${before}, sent with ${after}`);
      await sleep(200);
      expect(suite.collector.stats().duplicates).toBe(dups);
      // Nothing left behind under another name.
      expect(Array.from(storage.map.keys()).filter((k) => /^tutti_ob_/.test(k))).toEqual([]);
    }
  });

  it('upgrade: events the previous release persisted under the endpoint with its trailing slash are delivered exactly once', async () => {
    const dups = suite.collector.stats().duplicates;
    const storage = new Storage();
    const endpoint = suite.collector.url + '/';
    const a = await start({ storage, init: { endpoint } });
    a.rt.launch({ path: 'pages/index/index' });
    const aid = a.tutti.getAnonymousId();
    await until(() => suite.collector.events({ anonymousId: aid }).length >= 3);
    a.rt.setOffline(true);
    for (let i = 0; i < 10; i++) a.tutti.track('Old Name', { i });
    a.rt.hide();
    await sleep(150);
    a.rt.kill();
    // As the previous release named them: the endpoint as configured.
    for (const k of Array.from(storage.map.keys())) {
      const m = /^tutti_ob_mp-key@[^_]*?_(\d+|lost)$/.exec(k);
      const old = m && `tutti_ob_mp-key@${endpoint}_${m[1]}`;
      if (old && old !== k) {
        storage.set(old, storage.map.get(k) as string);
        storage.delete(k);
      }
    }
    expect(Array.from(storage.map.keys()).filter((k) => k.indexOf(`tutti_ob_mp-key@${endpoint}_`) === 0).length).toBeGreaterThan(0);

    const b = await start({ storage, init: { endpoint } });
    b.rt.launch({ path: 'pages/index/index' });
    await until(() => tracked(aid, 'Old Name').length === 10 && tracked(aid, 'Mini App Hidden').length === 1, 8000, 'the events under the old name');
    await sleep(200);
    expect(suite.collector.stats().duplicates).toBe(dups);
    expect(Array.from(storage.map.keys()).filter((k) => /^tutti_ob_/.test(k))).toEqual([]);
  });

  it('upgrade: events the previous release persisted (shared tutti_ob_<n> keys) are delivered exactly once', async () => {
    const storage = new Storage();
    const { a, aid } = await queueOffline(storage, 'Before Upgrade', 20);
    a.rt.kill();
    // The previous release stored the same chunks under keys shared by every instance.
    for (const [k, v] of Array.from(storage.map)) {
      const m = /^tutti_ob_.*_(\d+|lost)$/.exec(k);
      if (!m) continue;
      storage.delete(k);
      storage.set('tutti_ob_' + m[1], v);
    }
    expect(Array.from(storage.map.keys()).filter((k) => /^tutti_ob_\d+$/.test(k)).length).toBeGreaterThan(0);

    // The upgraded app (one instance) launches: every event once, the old keys gone.
    const b = await start({ storage });
    b.rt.launch({ path: 'pages/index/index' });
    await until(() => tracked(aid, 'Before Upgrade').length === 20, 10000, 'the persisted events');
    expect(Array.from(storage.map.keys()).filter((k) => /^tutti_ob_(\d+|lost)$/.test(k))).toEqual([]);
    await until(() => tracked(aid, 'Mini App Hidden').length === 1);
    const sentOnce = b.rt.requests.flatMap((r) => (r.body ? JSON.parse(r.body).batch : [])).filter((e: { event: string }) => e.event === 'Before Upgrade');
    expect(sentOnce).toHaveLength(20);
    b.rt.hide();
    await sleep(300);
    b.rt.kill();
    // And the launch after sends none of them again.
    const requests = suite.collector.requests.length;
    const c = await start({ storage });
    c.rt.launch({ path: 'pages/index/index' });
    await until(() => suite.collector.requests.length > requests);
    await sleep(300);
    const sent = c.rt.requests.flatMap((r) => (r.body ? JSON.parse(r.body).batch : [])).filter((e: { event: string }) => e.event === 'Before Upgrade');
    expect(sent).toEqual([]);
    expect(new Set(tracked(aid, 'Before Upgrade').map((e) => e.properties.i)).size).toBe(20);
  });

  it('retries through a collector outage and 503s, honouring Retry-After', async () => {
    const { rt, tutti } = await start({ init: { retry: { baseDelay: 50, maxDelay: 200 } } });
    await suite.collector.down();
    rt.launch({ path: 'pages/index/index' });
    for (let i = 0; i < 30; i++) tutti.track('During Outage', { i });
    await sleep(300);
    suite.collector.fail({ status: 503, retryAfter: '1', times: 1 });
    await suite.collector.up();
    const aid = tutti.getAnonymousId();
    const started = Date.now();
    await until(() => tracked(aid, 'During Outage').length === 30, 15000, 'outage events');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(suite.collector.requests.some((r) => r.status === 503)).toBe(true);
  });

  it('flushes as soon as the network comes back', async () => {
    const { rt, tutti } = await start({ init: { retry: { baseDelay: 30000, maxDelay: 60000 } } });
    rt.launch({ path: 'pages/index/index' });
    rt.setOffline(true);
    tutti.track('While Offline');
    await sleep(200);
    rt.setOffline(false);
    const aid = tutti.getAnonymousId();
    // Without the network-change nudge the backoff would hold this for 15-30 s.
    await until(() => tracked(aid, 'While Offline').length === 1, 3000, 'event after reconnect');
  });

  it('never throws when the device storage is full, and still delivers', async () => {
    const storage = new Storage();
    // The host app has used all but ~60 KB of its 10 MB.
    for (let i = 0; i < 9; i++) storage.set('host_' + i, JSON.stringify('h'.repeat(KEY_LIMIT - 64)));
    storage.set('host_9', JSON.stringify('h'.repeat(TOTAL_LIMIT - storage.size() - 60000)));
    const { rt, tutti } = await start({ storage });
    rt.launch({ path: 'pages/index/index' });
    rt.setOffline(true);
    for (let i = 0; i < 300; i++) tutti.track('Storage Full', { i, pad: 'p'.repeat(300) });
    await sleep(200);
    expect(storage.size()).toBeLessThanOrEqual(TOTAL_LIMIT);
    expect(Array.from(storage.map.keys()).filter((k) => k.indexOf('host_') === 0)).toHaveLength(10);
    rt.setOffline(false);
    const aid = tutti.getAnonymousId();
    await until(() => tracked(aid, 'Storage Full').length === 300, 15000, 'events with full storage');
  });

  it('storage full, then killed: the relaunch delivers what was persisted and reports the rest via dropped', async () => {
    const storage = new Storage();
    for (let i = 0; i < 9; i++) storage.set('host_' + i, JSON.stringify('h'.repeat(KEY_LIMIT - 64)));
    storage.set('host_9', JSON.stringify('h'.repeat(TOTAL_LIMIT - storage.size() - 60000)));
    const a = await start({ storage });
    a.rt.launch({ path: 'pages/index/index' });
    const aid = a.tutti.getAnonymousId();
    await until(() => suite.collector.events({ anonymousId: aid }).length >= 3);
    a.rt.setOffline(true);
    for (let i = 0; i < 300; i++) a.tutti.track('Storage Full', { i, pad: 'p'.repeat(300) });
    a.rt.hide();
    await sleep(200);
    a.rt.kill();

    const b = await start({ storage, init: false });
    const dropped: Array<{ count: number; reason: string; events: unknown[] }> = [];
    b.tutti.on('dropped', (d) => dropped.push(d));
    b.tutti.init({ writeKey: 'mp-key', endpoint: suite.collector.url, flushInterval: 50 });
    b.rt.launch({ path: 'pages/index/index' });
    await until(() => tracked(aid, 'Mini App Hidden').length === 1, 10000, 'the persisted events');
    await sleep(300);
    const delivered = tracked(aid, 'Storage Full').map((e) => e.properties.i as number);
    expect(dropped).toEqual([{ events: [], count: 300 - delivered.length, reason: 'storage full' }]);
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.length).toBeLessThan(300);
    // The newest were kept.
    expect(delivered.sort((x, y) => x - y)).toEqual(Array.from({ length: delivered.length }, (_, k) => 300 - delivered.length + k));
  });

  it('one event too large for a storage key does not push the queued events out of storage: after a kill the relaunch sends them all', async () => {
    const storage = new Storage();
    const a = await start({ storage });
    a.rt.launch({ path: 'pages/index/index' });
    const aid = a.tutti.getAnonymousId();
    await until(() => suite.collector.events({ anonymousId: aid }).length >= 3);
    a.rt.setOffline(true);
    for (let i = 0; i < 50; i++) a.tutti.track('Queued', { i });
    await sleep(50);
    // 140 strings at the 8192-character cap: about 1.1 MB of JSON, past WeChat's 1 MB per key.
    const huge: Record<string, string> = {};
    for (let i = 0; i < 140; i++) huge['k' + i] = 'x'.repeat(8000);
    a.tutti.track('Huge', huge);
    await sleep(50);
    a.rt.hide();
    await sleep(150);
    a.rt.kill();

    const b = await start({ storage, init: false });
    const dropped: unknown[] = [];
    b.tutti.on('dropped', (d) => dropped.push(d));
    b.tutti.init({ writeKey: 'mp-key', endpoint: suite.collector.url, flushInterval: 50 });
    b.rt.launch({ path: 'pages/index/index' });
    await until(() => tracked(aid, 'Queued').length === 50, 8000, 'the queued events');
    await until(() => tracked(aid, 'Mini App Hidden').length === 1);
    // Only the oversized event, kept in memory (the queue would have refused it as larger
    // than a request may be), is reported lost.
    expect(dropped).toEqual([{ events: [], count: 1, reason: 'storage full' }]);
  });

  it('the host app clears storage (wx.clearStorageSync at logout) during an outage: after the hide and a kill, the relaunch keeps the anonymous ID and sends every event', async () => {
    const storage = new Storage();
    const a = await start({ storage });
    a.rt.launch({ path: 'pages/index/index', query: { utm_source: 'poster' } });
    const aid = a.tutti.getAnonymousId();
    await until(() => suite.collector.events({ anonymousId: aid }).length >= 3);
    a.rt.setOffline(true);
    for (let i = 0; i < 20; i++) a.tutti.track('Before Clear', { i });
    await sleep(50);
    a.rt.wx.clearStorageSync();
    a.tutti.track('After Clear');
    a.rt.hide();
    await sleep(150);
    a.rt.kill();

    const b = await start({ storage });
    b.rt.launch({ path: 'pages/index/index' });
    expect(b.tutti.getAnonymousId()).toBe(aid);
    expect(b.tutti.getCampaign().first).toMatchObject({ source: 'poster' });
    await until(() => tracked(aid, 'Before Clear').length === 20 && tracked(aid, 'After Clear').length === 1, 8000, 'the events queued before the clear');
    await until(() => tracked(aid, 'Mini App Hidden').length === 1);
    const seqs = suite.collector.events({ anonymousId: aid }).map((e) => e.context.sequence).sort((x: number, y: number) => x - y);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
  });

  it('the host app clears storage and the process ends before any hide (a foreground kill on low memory, an update applied after a cache clear): the relaunch keeps the anonymous ID and sends every event', async () => {
    const dups = suite.collector.stats().duplicates;
    const storage = new Storage();
    // As in WeChat, wx's methods cannot be assigned (they can be redefined).
    const early = (rt: { wx: Record<string, unknown> }) => Object.defineProperty(rt.wx, 'clearStorageSync', { writable: false, configurable: true, value: rt.wx.clearStorageSync });
    const a = await start({ storage, early });
    a.rt.launch({ path: 'pages/index/index', query: { utm_source: 'poster' } });
    const aid = a.tutti.getAnonymousId();
    await until(() => suite.collector.events({ anonymousId: aid }).length >= 3);
    a.rt.setOffline(true);
    // Enough for several storage chunks (64 KB each), so one rewrite cannot restore them all.
    for (let i = 0; i < 200; i++) a.tutti.track('Before Clear', { i, pad: 'x'.repeat(400) });
    await sleep(100);
    a.rt.wx.clearStorageSync();
    a.tutti.track('After Clear');
    await sleep(100);
    a.rt.kill();

    const b = await start({ storage });
    b.rt.launch({ path: 'pages/index/index' });
    expect(b.tutti.getAnonymousId()).toBe(aid);
    expect(b.tutti.getCampaign().first).toMatchObject({ source: 'poster' });
    await until(() => tracked(aid, 'Before Clear').length === 200 && tracked(aid, 'After Clear').length === 1, 8000, 'the events queued before the clear');
    expect(suite.collector.stats().duplicates).toBe(dups);
  });

  it('a relative endpoint (wx.request needs an absolute URL): one warning at init, events fail via failed instead of retrying forever', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { rt, tutti } = await start({ init: false });
    const failed: Array<{ events: unknown[]; status: number }> = [];
    tutti.on('failed', (f) => failed.push(f));
    tutti.init({ writeKey: 'mp-key', endpoint: '/collect', flushInterval: 50, debug: true, retry: { baseDelay: 20, maxDelay: 40 } });
    rt.launch({ path: 'pages/index/index' });
    tutti.track('Relative');
    await until(() => failed.some((f) => f.events.some((e: any) => e.event === 'Relative')), 3000, 'the failed report');
    await sleep(500);
    // Every event reported once, with a status the app can tell apart from a network error.
    const events = failed.flatMap((f) => f.events as Array<{ messageId: string }>);
    expect(new Set(events.map((e) => e.messageId)).size).toBe(events.length);
    expect(failed.every((f) => f.status === 400)).toBe(true);
    expect(rt.requests.filter((r) => r.url.indexOf('/v1/batch') >= 0)).toEqual([]);
    // Out of the outbox: a relaunch does not try them again.
    expect(Array.from(rt.storage.map.keys()).filter((k) => /^tutti_ob_.*_\d+$/.test(k))).toEqual([]);
    expect(warn.mock.calls.filter((c) => c.join(' ').includes('relative endpoint'))).toHaveLength(1);
    warn.mockRestore();
  });

  it('an event that was in flight when the app was killed is sent again after relaunch', async () => {
    const storage = new Storage();
    const a = await start({ storage, init: { flushInterval: 10 } });
    suite.collector.delay(400);
    a.rt.launch({ path: 'pages/index/index' });
    a.tutti.track('In Flight');
    const aid = a.tutti.getAnonymousId();
    await until(() => a.rt.inFlight > 0, 3000, 'a request in flight');
    a.rt.kill();
    suite.collector.delay(0);
    const b = await start({ storage });
    b.rt.launch({ path: 'pages/index/index' });
    await until(() => tracked(aid, 'In Flight').length === 1, 8000, 'resent event');
    await sleep(600);
    // At-least-once: possibly received twice, stored once (same messageId).
    expect(tracked(aid, 'In Flight')).toHaveLength(1);
  });
});

/** messageIds in the batch bodies of `log` (text bodies: the mini-program never compresses). */
const idsIn = (log: RequestLog[]): string[] =>
  log.flatMap((r) => (r.body && r.url.indexOf('/v1/batch') >= 0 ? JSON.parse(r.body).batch.map((e: { messageId: string }) => e.messageId) : []));
const failedSend = (log: RequestLog[]) => log.some((r) => r.url.indexOf('/v1/batch') >= 0 && /^request:fail/.test(r.outcome || ''));
/** A retry backoff of 15-30 s: nothing in these tests outlasts it. */
const LONG_BACKOFF = { retry: { baseDelay: 30000, maxDelay: 60000 } };

describe('hide during a retry backoff (a request failed recently)', () => {
  it('going to the background makes one delivery attempt of everything queued: the signal is back, the events arrive now, each once', async () => {
    const dups = suite.collector.stats().duplicates;
    const { rt, tutti } = await start({ init: LONG_BACKOFF });
    rt.launch({ path: 'pages/index/index' });
    const aid = tutti.getAnonymousId();
    await until(() => suite.collector.events({ anonymousId: aid }).length >= 3);
    // The signal drops without WeChat reporting a network change (weak signal, a dead spot).
    await suite.collector.down();
    for (let i = 0; i < 30; i++) tutti.track('Before Hide', { i });
    await until(() => failedSend(rt.requests), 3000, 'a failed send');
    await suite.collector.up();
    rt.hide();
    // Without the hide attempt they would wait for the backoff (15-30 s) or the next launch.
    await until(() => tracked(aid, 'Before Hide').length === 30 && tracked(aid, 'Mini App Hidden').length === 1, 3000, 'the queued events');
    await sleep(200);
    expect(suite.collector.stats().duplicates).toBe(dups);
    const delivered = idsIn(rt.requests.filter((r) => r.outcome === 'status 200'));
    expect(new Set(delivered).size).toBe(delivered.length);
  });

  it('a hide attempt that fails keeps the events persisted and the backoff running; the next launch sends each once', async () => {
    const dups = suite.collector.stats().duplicates;
    const storage = new Storage();
    const a = await start({ storage, init: LONG_BACKOFF });
    a.rt.launch({ path: 'pages/index/index' });
    const aid = a.tutti.getAnonymousId();
    await until(() => suite.collector.events({ anonymousId: aid }).length >= 3);
    await suite.collector.down();
    for (let i = 0; i < 20; i++) a.tutti.track('Outage', { i });
    await until(() => failedSend(a.rt.requests), 3000, 'a failed send');
    const before = a.rt.requests.length;
    a.rt.hide();
    await until(() => a.rt.requests.length > before && a.rt.inFlight === 0, 3000, 'the hide attempt');
    await sleep(500);
    const attempt = a.rt.requests.slice(before);
    // One attempt of everything queued: the 20 events, Page Left and Mini App Hidden.
    expect(idsIn(attempt)).toHaveLength(22);
    expect(new Set(idsIn(attempt)).size).toBe(22);
    expect(attempt.every((r) => /^request:fail/.test(r.outcome || ''))).toBe(true);
    // Back in the foreground: the failed hide attempt did not end or shorten the backoff.
    a.rt.show();
    await sleep(500);
    expect(a.rt.requests.length).toBe(before + attempt.length);
    a.rt.kill();

    await suite.collector.up();
    const b = await start({ storage });
    b.rt.launch({ path: 'pages/index/index' });
    await until(() => tracked(aid, 'Outage').length === 20 && tracked(aid, 'Mini App Hidden').length === 1, 8000, 'the persisted events');
    await sleep(200);
    expect(suite.collector.stats().duplicates).toBe(dups);
  });

  it('sends nothing twice when a backoff retry is still in flight at the hide', async () => {
    const dups = suite.collector.stats().duplicates;
    const { rt, tutti } = await start({ init: { retry: { baseDelay: 200, maxDelay: 200 } } });
    rt.launch({ path: 'pages/index/index' });
    const aid = tutti.getAnonymousId();
    await until(() => suite.collector.events({ anonymousId: aid }).length >= 3);
    await suite.collector.down();
    for (let i = 0; i < 10; i++) tutti.track('Retried', { i });
    await until(() => failedSend(rt.requests), 3000, 'a failed send');
    suite.collector.delay(1500);
    await suite.collector.up();
    // The backoff retry is out; the collector answers it slowly.
    await until(() => rt.inFlight > 0, 3000, 'the backoff retry in flight');
    const retry = rt.requests[rt.requests.length - 1];
    for (let i = 0; i < 5; i++) tutti.track('Late', { i });
    rt.hide();
    await until(() => tracked(aid, 'Late').length === 5, 1000, 'the events queued after the retry started');
    // They went with the hide, while the retry was still waiting for its answer.
    expect(retry.endedAt).toBeUndefined();
    await until(() => tracked(aid, 'Retried').length === 10 && tracked(aid, 'Mini App Hidden').length === 1, 5000, 'the retried events');
    // (The collector stores a batch before its slow answer.)
    await until(() => rt.inFlight === 0, 5000, 'the answers');
    await sleep(200);
    // Every request that reached the collector carried other events.
    const sent = idsIn(rt.requests.filter((r) => r.outcome === 'status 200'));
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent.length).toBe(new Set(idsIn(rt.requests)).size);
    expect(suite.collector.stats().duplicates).toBe(dups);
  });

  it('the hide attempts of several instances keep to the 2 request slots', async () => {
    const { rt, tutti, createTutti } = await start({ init: LONG_BACKOFF });
    const others = ['mp-key-2', 'mp-key-3'].map((writeKey) => createTutti({ writeKey, endpoint: suite.collector.url, flushInterval: 50, ...LONG_BACKOFF }));
    rt.launch({ path: 'pages/index/index' });
    const all = [tutti, ...others];
    await until(() => all.every((t) => suite.collector.events({ anonymousId: t.getAnonymousId(), event: 'Mini App Launched' }).length > 0));
    await suite.collector.down();
    all.forEach((t, k) => t.track('Queued', { k }));
    const keys = ['mp-key', 'mp-key-2', 'mp-key-3'];
    const failedFor = (key: string) => rt.requests.some((r) => /^request:fail/.test(r.outcome || '') && r.body && JSON.parse(r.body).writeKey === key);
    await until(() => keys.every(failedFor), 3000, 'a failed send per instance');
    suite.collector.delay(300);
    await suite.collector.up();
    const before = rt.requests.length;
    rt.hide();
    await until(() => rt.requests.length - before >= 3 && rt.inFlight === 0, 5000, 'three hide attempts');
    expect(peak(rt.requests.slice(before))).toBeLessThanOrEqual(2);
    expect(rt.maxConcurrent).toBeLessThanOrEqual(2);
    const aid = tutti.getAnonymousId();
    await until(() => tracked(aid, 'Queued').length === 3, 3000, 'each instance’s event');
  });
});
