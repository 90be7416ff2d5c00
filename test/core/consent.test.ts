// Consent (SPEC §2): 'pending' holds events in memory only; 'granted' releases them;
// 'denied' discards events and wipes the persisted queue and identifiers, keeping only the
// opt-out flag, which later page loads honour until consent is granted again.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryKV, memoryOutbox } from '../../src/index';
import type { KeyValueStore } from '../../src/index';
import type { TransportResponse } from '../../src/index';
import { make, scriptedTransport, settle } from './harness';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

const T0 = Date.parse('2025-06-01T12:00:00.000Z');
const IDENTITY_KEYS = ['tutti_aid', 'tutti_uid', 'tutti_traits', 'tutti_ext', 'tutti_ses', 'tutti_cmp', 'tutti_uaid'];
const LANDING = { url: 'https://www.example.com/?utm_source=news&utm_medium=email', referrer: '' };

/** A memory kv that also lists its keys, so a test can say "nothing at all was written". */
function listingKV(): KeyValueStore & { keys(): string[] } {
  const map = new Map<string, string>();
  return {
    get: (k) => (map.has(k) ? (map.get(k) as string) : null),
    set: (k, v) => void map.set(k, v),
    remove: (k) => void map.delete(k),
    keys: () => Array.from(map.keys()),
  };
}

describe("consent 'pending'", () => {
  it('sends nothing and persists nothing', async () => {
    const kv = listingKV();
    const { core, net, outbox } = make({ consent: 'pending' }, { kv, landing: LANDING });
    core.track('Viewed');
    core.identify('u1', { email: 'a@example.com' });
    core.setExternalId('wechat_openid', 'o-1');
    await core.flush();
    await settle(20);
    expect(net.requests.length).toBe(0);
    expect(await outbox.all()).toEqual([]);
    expect(kv.keys()).toEqual([]);
    // The SDK still answers from memory.
    expect(core.getUserId()).toBe('u1');
    expect(core.getAnonymousId()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("granting delivers every held event with its original timestamp and persists the IDs", async () => {
    const kv = listingKV();
    const { core, net, outbox } = make({ consent: 'pending' }, { kv, landing: LANDING });
    const aid = core.getAnonymousId();
    core.track('a');
    vi.setSystemTime(T0 + 1000);
    core.identify('u1', { plan: 'pro' });
    vi.setSystemTime(T0 + 2000);
    core.track('b');
    vi.setSystemTime(T0 + 60000);
    core.setConsent('granted');
    await core.flush();
    const list = net.events();
    expect(list.map((e) => e.event || e.type)).toEqual(['a', 'identify', 'b']);
    expect(list.map((e) => e.timestamp)).toEqual([T0, T0 + 1000, T0 + 2000].map((t) => new Date(t).toISOString()));
    for (const e of list) expect(e.anonymousId).toBe(aid);
    expect(list[2].userId).toBe('u1');
    expect(list[0].context.campaign).toEqual({ source: 'news', medium: 'email' });
    // identifiers reach storage only now
    expect(kv.get('tutti_aid')).toBe(aid);
    expect(kv.get('tutti_uid')).toBe('u1');
    expect(JSON.parse(kv.get('tutti_traits') as string)).toEqual({ plan: 'pro' });
    expect(kv.get('tutti_cmp')).not.toBeNull();
    // ...and a later page load continues with them
    const next = make({}, { kv, outbox });
    expect(next.core.getAnonymousId()).toBe(aid);
    expect(next.core.getUserId()).toBe('u1');
    expect(next.core.getCampaign().first).toEqual({ source: 'news', medium: 'email' });
  });

  it('events after granting are sent normally, in order after the held ones', async () => {
    const { core, net } = make({ consent: 'pending' });
    core.track('held');
    core.setConsent('granted');
    core.track('live');
    await core.flush();
    expect(net.events().map((e) => e.event)).toEqual(['held', 'live']);
  });

  it('pending then denied discards the held events', async () => {
    const { core, net } = make({ consent: 'pending' });
    core.track('held');
    core.setConsent('denied');
    core.setConsent('granted');
    core.track('after');
    await core.flush();
    expect(net.events().map((e) => e.event)).toEqual(['after']);
  });

  it('holds at most maxQueueSize events, dropping the oldest and reporting them via dropped', async () => {
    const { core, net } = make({ consent: 'pending', maxQueueSize: 3 });
    const dropped: { events: { event?: string }[]; count: number; reason: string }[] = [];
    core.on('dropped', (d) => dropped.push(d));
    for (const name of ['a', 'b', 'c', 'd', 'e']) core.track(name);
    expect(dropped.map((d) => [d.events.map((e) => e.event), d.count, d.reason])).toEqual([
      [['a'], 1, 'maxQueueSize'],
      [['b'], 1, 'maxQueueSize'],
    ]);
    core.setConsent('granted');
    await core.flush();
    expect(net.events().map((e) => e.event)).toEqual(['c', 'd', 'e']);
  });

  it('setConsent before init is applied in call order', async () => {
    const { core, net } = make({}, { init: false });
    core.setConsent('pending');
    core.track('a');
    core.init({ writeKey: 'wk', endpoint: 'https://collect.example.com' });
    await core.flush();
    expect(net.requests.length).toBe(0);
    core.setConsent('granted');
    await core.flush();
    expect(net.events().map((e) => e.event)).toEqual(['a']);
  });
});

describe("consent 'denied'", () => {
  it('sends nothing and wipes the queue and identifiers, keeping the opt-out flag', async () => {
    const kv = memoryKV();
    const outbox = memoryOutbox();
    const { core, net } = make({ flushInterval: 60000 }, { kv, outbox, landing: LANDING });
    core.identify('u1', { email: 'a@example.com' });
    core.setExternalId('wechat_openid', 'o-1');
    core.track('queued');
    await settle(20); // the queue persists itself
    expect((await outbox.all()).length).toBe(3);
    for (const k of ['tutti_aid', 'tutti_uid', 'tutti_traits', 'tutti_ext', 'tutti_uaid']) expect(kv.get(k)).not.toBeNull();

    core.setConsent('denied');
    core.track('after denial');
    await core.flush();
    await settle(20);
    expect(net.requests.length).toBe(0);
    expect(await outbox.all()).toEqual([]);
    for (const k of IDENTITY_KEYS) expect(kv.get(k)).toBeNull();
    expect(kv.get('tutti_optout')).not.toBeNull();
    expect(core.getUserId()).toBeNull();
  });

  it('denied while the new page is still reading the previous one\'s queue (a consent tool answering at once): nothing of it is sent or kept', async () => {
    const kv = memoryKV();
    const outbox = memoryOutbox();
    const down = scriptedTransport(() => ({ status: 0 }));
    const before = make({}, { kv, outbox, net: down });
    before.core.track('previous page');
    await settle(20);
    expect((await outbox.all()).length).toBe(1);
    const { core, net } = make({}, { kv, outbox });
    core.setConsent('denied'); // right after init: the outbox is being read
    await settle(20);
    await core.flush();
    core.setConsent('granted');
    await core.flush();
    await settle(20);
    expect(net.events().map((e) => e.event)).toEqual([]);
    expect(await outbox.all()).toEqual([]);
  });

  it('a send in flight when consent is denied is not kept, persisted or re-sent when it fails retryably', async () => {
    vi.useRealTimers();
    const outbox = memoryOutbox();
    let answer: (r: TransportResponse) => void = () => undefined;
    const net = scriptedTransport((_r, i) => (i === 0 ? new Promise<TransportResponse>((r) => (answer = r)) : { status: 200 }));
    const { core } = make({ retry: { baseDelay: 10, maxDelay: 20 } }, { outbox, net });
    core.track('in flight');
    const flushed = core.flush();
    await settle(20);
    expect(net.requests.length).toBe(1);
    core.setConsent('denied');
    answer({ status: 503 });
    await flushed;
    await settle(60);
    expect(await outbox.all()).toEqual([]);
    // Granting again later, or the next page load (which adopts the outbox), sends nothing of it.
    core.setConsent('granted');
    await core.flush();
    const next = make({}, { outbox, net });
    await settle(60);
    await next.core.flush();
    expect(net.requests.length).toBe(1);
  });

  it('identify calls made while denied leave nothing behind once consent is granted', async () => {
    const kv = memoryKV();
    const { core, net } = make({ consent: 'denied' }, { kv });
    core.identify('u1', { email: 'private@example.com' });
    core.setExternalId('phone_sha256', 'abc');
    expect(core.getUserId()).toBeNull();
    core.setConsent('granted');
    core.track('after grant');
    core.identify({ lang: 'en' });
    await core.flush();
    const [track, ident] = net.events();
    expect(track.userId).toBeNull();
    expect(track.context.externalIds).toBeUndefined();
    expect(ident.traits).toEqual({ lang: 'en' });
    expect(kv.get('tutti_uid')).toBeNull();
    expect(kv.get('tutti_ext')).toBeNull();
  });

  it('a later page load with default consent stays denied until consent is granted', async () => {
    const kv = memoryKV();
    const outbox = memoryOutbox();
    const first = make({}, { kv, outbox });
    const oldAid = first.core.getAnonymousId();
    first.core.setConsent('denied');
    await settle(10);

    const next = make({}, { kv, outbox, landing: LANDING });
    next.core.track('while opted out');
    await next.core.flush();
    await settle(20);
    expect(next.net.requests.length).toBe(0);
    expect(await outbox.all()).toEqual([]);
    for (const k of IDENTITY_KEYS) expect(kv.get(k)).toBeNull();
    expect(kv.get('tutti_optout')).not.toBeNull();

    next.core.setConsent('granted');
    next.core.track('after grant');
    await next.core.flush();
    const list = next.net.events();
    expect(list.map((e) => e.event)).toEqual(['after grant']);
    expect(list[0].anonymousId).not.toBe(oldAid);
    expect(list[0].userId).toBeNull();
    expect(kv.get('tutti_optout')).toBeNull();
    expect(kv.get('tutti_aid')).toBe(list[0].anonymousId);

    // granted is remembered: the page after that tracks normally
    const third = make({}, { kv, outbox });
    third.core.track('third');
    await third.core.flush();
    expect(third.net.events().map((e) => e.event)).toEqual(['third']);
  });

  it("the opt-out flag wins over an explicit consent 'granted' option", async () => {
    const kv = memoryKV();
    make({}, { kv }).core.setConsent('denied');
    const next = make({ consent: 'granted' }, { kv });
    next.core.track('x');
    await next.core.flush();
    expect(next.net.requests.length).toBe(0);
  });

  it('denied then granted gives a new anonymous ID and no user', async () => {
    const kv = memoryKV();
    const { core, net } = make({}, { kv });
    core.identify('u1');
    const aid = core.getAnonymousId();
    core.setConsent('denied');
    core.setConsent('granted');
    expect(core.getAnonymousId()).not.toBe(aid);
    expect(core.getUserId()).toBeNull();
    core.track('fresh');
    await core.flush();
    const list = net.events();
    expect(list.map((e) => e.event)).toEqual(['fresh']);
    expect(list[0].anonymousId).toBe(core.getAnonymousId());
    expect(list[0].anonymousId).not.toBe(aid);
    expect(kv.get('tutti_aid')).toBe(core.getAnonymousId());
  });

  it("option consent 'denied' sends and persists nothing from the first call", async () => {
    const kv = listingKV();
    const { core, net, outbox } = make({ consent: 'denied' }, { kv, landing: LANDING });
    core.track('x');
    core.identify('u1', { a: 1 });
    await core.flush();
    await settle(20);
    expect(net.requests.length).toBe(0);
    expect(await outbox.all()).toEqual([]);
    expect(kv.keys().filter((k) => k !== 'tutti_optout')).toEqual([]);
  });

  it('linkUrl hands off no identifiers while denied', () => {
    const { core } = make({ consent: 'denied' });
    expect(core.linkUrl('https://shop.example.net/?a=1')).toBe('https://shop.example.net/?a=1');
  });

  it('linkUrl hands off no identifiers while consent is pending, and does once granted', () => {
    const { core } = make({ consent: 'pending' });
    expect(core.linkUrl('https://shop.example.net/?a=1')).toBe('https://shop.example.net/?a=1');
    core.setConsent('granted');
    const linked = new URL(core.linkUrl('https://shop.example.net/?a=1'));
    expect(linked.searchParams.get('tutti_aid')).toBe(core.getAnonymousId());
    expect(linked.searchParams.get('a')).toBe('1');
  });

  it('personalize asks nothing while denied', async () => {
    const { core, net } = make({ consent: 'denied' });
    expect(await core.personalize(['hero'])).toEqual({});
    expect(net.requests.length).toBe(0);
  });

  it('ignores an invalid consent state', async () => {
    const { core, net } = make();
    core.setConsent('maybe' as never);
    core.track('x');
    await core.flush();
    expect(net.events().length).toBe(1);
  });
});
