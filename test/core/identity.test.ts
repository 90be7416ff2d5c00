// Identity and event shape (SPEC §4, §6): what every event looks like, how identify,
// alias, group, external IDs and reset change the IDs events carry, init/replay rules,
// and the cross-domain handoff (linkUrl / adoptHandoff).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryKV, memoryOutbox } from '../../src/index';
import type { TuttiEvent } from '../../src/index';
import { make, scriptedTransport } from './harness';

// Only Date is faked: timestamps are deterministic while the queue's timers and
// CompressionStream keep running on real time.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The Unix time in ms a v7 UUID starts with. */
const v7Time = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const OTHER_AID = '0f8fad5b-d9cb-469f-a165-70867728950e';

const at = (ms: number) => new Date(ms).toISOString();
const ofType = (list: TuttiEvent[], type: string) => list.filter((e) => e.type === type);

describe('event shape', () => {
  it('builds a Segment-style track event stamped with the call time', async () => {
    const { core, net } = make();
    core.track('Product Viewed', { sku: 'A1', price: 9.5 });
    vi.setSystemTime(T0 + 5000);
    await core.flush();
    const [e] = net.events();
    expect(e.type).toBe('track');
    expect(e.event).toBe('Product Viewed');
    expect(e.properties).toEqual({ sku: 'A1', price: 9.5 });
    expect(e.anonymousId).toBe(core.getAnonymousId());
    expect(e.anonymousId).toMatch(UUID_V4);
    expect(e.userId).toBeNull();
    // messageIds are time-ordered v7 UUIDs that start with the call time.
    expect(e.messageId).toMatch(UUID_V7);
    expect(v7Time(e.messageId)).toBe(T0);
    expect(e.timestamp).toBe(at(T0));
    // sentAt is the attempt time, not the call time
    expect(e.sentAt).toMatch(ISO);
    expect(e.sentAt).toBe(at(T0 + 5000));
    expect(net.requests[0].body.sentAt).toBe(at(T0 + 5000));
    expect(net.requests[0].body.writeKey).toBe('wk');
    expect(e.context.library).toEqual({ name: 'tutti', version: core.version });
    expect(typeof e.context.library.version).toBe('string');
    expect(e.context.channel).toBe('web');
    expect(e.context.page).toMatchObject({ url: 'https://www.example.com/', path: '/' });
  });

  it('copies the platform context into each event: library and channel after its fields, the platform object untouched', async () => {
    // A platform may hand out one cached object (platform.ts: "cache what does not change").
    const shared = { locale: 'de-DE', page: { url: 'https://www.example.com/', path: '/' } };
    const { core, net } = make({}, { context: () => shared });
    core.track('a');
    core.track('b');
    await core.flush();
    const [a, b] = net.events();
    expect(Object.keys(a.context).slice(0, 4)).toEqual(['locale', 'page', 'library', 'channel']);
    expect(a.context.channel).toBe('web');
    expect([a.context.sequence, b.context.sequence]).toEqual([1, 2]);
    expect(shared).toEqual({ locale: 'de-DE', page: { url: 'https://www.example.com/', path: '/' } });
  });

  // messageIds of one person share a random tail (a batch compresses ~12 bytes per event
  // better); a reset starts a new one, so the IDs do not tie the next person to the last.
  it('gives the messageIds of a batch one tail, and a new one after reset()', async () => {
    const { core, net } = make();
    for (let i = 0; i < 5; i++) core.track('a', { i });
    core.reset();
    for (let i = 0; i < 5; i++) core.track('b', { i });
    await core.flush();
    const tails = (name: string) => new Set(net.events().filter((e) => e.event === name).map((e) => e.messageId.slice(19)));
    expect(tails('a').size).toBe(1);
    expect(tails('b').size).toBe(1);
    expect([...tails('b')][0]).not.toBe([...tails('a')][0]);
    expect(new Set(net.events().map((e) => e.messageId)).size).toBe(10);
  });

  it('gives every event its own messageId and its own call time', async () => {
    const { core, net } = make();
    core.track('a');
    vi.setSystemTime(T0 + 1000);
    core.page('Home');
    vi.setSystemTime(T0 + 2000);
    core.track('b');
    await core.flush();
    const list = net.events();
    expect(list.map((e) => e.timestamp)).toEqual([at(T0), at(T0 + 1000), at(T0 + 2000)]);
    expect(new Set(list.map((e) => e.messageId)).size).toBe(3);
    expect(list.map((e) => v7Time(e.messageId))).toEqual([T0, T0 + 1000, T0 + 2000]);
    expect(list[1].type).toBe('page');
    expect(list[1].name).toBe('Home');
  });

  it('numbers events +1 per event and marks only the first event of the session', async () => {
    const { core, net } = make();
    core.track('a');
    core.page();
    core.identify('u1');
    core.track('b');
    await core.flush();
    const list = net.events();
    const first = list[0].context.sequence as number;
    expect(list.map((e) => e.context.sequence)).toEqual([first, first + 1, first + 2, first + 3]);
    expect(list[0].context.session).toEqual({ id: core.getSessionId(), start: true });
    for (const e of list.slice(1)) expect(e.context.session).toEqual({ id: core.getSessionId() });
  });

  it('continues the sequence and the session across page loads on one device', async () => {
    const kv = memoryKV();
    const a = make({}, { kv });
    a.core.track('a');
    await a.core.flush();
    const b = make({}, { kv });
    b.core.track('b');
    await b.core.flush();
    const [ea] = a.net.events();
    const [eb] = b.net.events();
    expect(eb.context.sequence).toBe((ea.context.sequence as number) + 1);
    expect(eb.context.session!.id).toBe(ea.context.session!.id);
    expect(eb.context.session!.start).toBeUndefined();
  });
});

describe('anonymous ID', () => {
  it('persists across instances on the same storage', async () => {
    const kv = memoryKV();
    const a = make({}, { kv });
    const aid = a.core.getAnonymousId();
    expect(aid).toMatch(UUID_V4);
    const b = make({}, { kv });
    expect(b.core.getAnonymousId()).toBe(aid);
    b.core.track('x');
    await b.core.flush();
    expect(b.net.events()[0].anonymousId).toBe(aid);
  });

  it('a placeholder stored as the ID ("undefined", "null", written by page code) is replaced by a new one, never shared by every such visitor', async () => {
    for (const junk of ['undefined', 'null', '']) {
      const kv = memoryKV();
      kv.set('tutti_aid', junk);
      const { core, net } = make({}, { kv });
      core.track('x');
      await core.flush();
      expect(core.getAnonymousId()).toMatch(UUID_V4);
      expect(net.events()[0].anonymousId).toBe(core.getAnonymousId());
      expect(kv.get('tutti_aid')).toBe(core.getAnonymousId());
    }
  });

  it('differs between devices (separate storage)', () => {
    expect(make().core.getAnonymousId()).not.toBe(make().core.getAnonymousId());
  });
});

describe('identify', () => {
  it('links the anonymous ID with the user ID on the identify event and every later event', async () => {
    const { core, net } = make();
    const aid = core.getAnonymousId();
    core.track('before');
    core.identify('u123', { email: 'a@example.com' });
    core.track('after');
    await core.flush();
    const [before, ident, after] = net.events();
    expect(before.userId).toBeNull();
    expect(ident.type).toBe('identify');
    expect(ident.anonymousId).toBe(aid);
    expect(ident.userId).toBe('u123');
    expect(ident.traits).toEqual({ email: 'a@example.com' });
    expect(after.anonymousId).toBe(aid);
    expect(after.userId).toBe('u123');
    expect(core.getUserId()).toBe('u123');
  });

  it('identifying the same user again keeps the anonymous ID and merges traits', async () => {
    const { core, net } = make();
    const aid = core.getAnonymousId();
    core.identify('u1', { a: 1, b: 1 });
    core.identify('u1', { b: 2, c: 3 });
    await core.flush();
    const [, second] = net.events();
    expect(second.anonymousId).toBe(aid);
    expect(second.traits).toEqual({ a: 1, b: 2, c: 3 });
  });

  it('identifying a different user resets first: new anonymous ID, old traits gone, new session', async () => {
    const { core, net } = make();
    const aid = core.getAnonymousId();
    core.identify('alice', { plan: 'pro' });
    core.setExternalId('wechat_openid', 'o-alice');
    const sid = core.getSessionId();
    core.identify('bob', { city: 'Shanghai' });
    core.track('after');
    await core.flush();
    const bob = ofType(net.events(), 'identify').pop()!;
    expect(bob.userId).toBe('bob');
    expect(bob.anonymousId).not.toBe(aid);
    expect(bob.anonymousId).toMatch(UUID_V4);
    expect(bob.traits).toEqual({ city: 'Shanghai' });
    expect(bob.context.externalIds).toBeUndefined();
    expect(bob.context.session!.id).not.toBe(sid);
    expect(bob.context.session!.start).toBe(true);
    const after = net.events().pop()!;
    expect(after.anonymousId).toBe(bob.anonymousId);
    expect(after.userId).toBe('bob');
    expect(after.context.externalIds).toBeUndefined();
    // Nothing the SDK sent links alice's anonymous ID to bob.
    for (const e of net.events()) if (e.userId === 'bob') expect(e.anonymousId).not.toBe(aid);
  });

  it.each([[''], ['null'], ['undefined'], ['0'], ['anonymous'], [null], ['  '], ['NULL'], [0]])(
    'refuses the placeholder user ID %j',
    async (placeholder) => {
      const { core, net } = make();
      core.identify(placeholder as string);
      core.track('after');
      await core.flush();
      expect(core.getUserId()).toBeNull();
      for (const e of net.events()) expect(e.userId).toBeNull();
      expect(net.events().map((e) => e.type)).toEqual(['track']);
    },
  );

  it('a placeholder does not log out or reset an identified user', async () => {
    const { core, net } = make();
    core.identify('u1');
    const aid = core.getAnonymousId();
    core.identify('anonymous');
    core.identify('');
    core.track('after');
    await core.flush();
    expect(core.getUserId()).toBe('u1');
    expect(core.getAnonymousId()).toBe(aid);
    expect(net.events().pop()!.userId).toBe('u1');
  });

  it('coerces a numeric user ID to a string', async () => {
    const { core, net } = make();
    core.identify(12345);
    await core.flush();
    expect(net.events()[0].userId).toBe('12345');
    expect(core.getUserId()).toBe('12345');
  });

  it('merges and persists traits: a new instance on the same storage keeps the user and traits', async () => {
    const kv = memoryKV();
    const a = make({}, { kv });
    a.core.identify('u1', { name: 'Ada', plan: 'free' });
    const aid = a.core.getAnonymousId();
    const b = make({}, { kv });
    expect(b.core.getUserId()).toBe('u1');
    b.core.identify('u1', { plan: 'pro' });
    b.core.identify({ city: 'Hangzhou' }); // traits only
    await b.core.flush();
    const [first, second] = b.net.events();
    expect(first.anonymousId).toBe(aid);
    expect(first.traits).toEqual({ name: 'Ada', plan: 'pro' });
    expect(second.userId).toBe('u1');
    expect(second.traits).toEqual({ name: 'Ada', plan: 'pro', city: 'Hangzhou' });
  });
});

describe('waitForExternalId', () => {
  it('a page going away releases the held calls so they leave by beacon instead of being lost', async () => {
    const { core, net } = make({ waitForExternalId: { type: 'wechat_openid', timeout: 60000 } });
    core.track('Early');
    core.page('Home');
    await new Promise((r) => setTimeout(r, 10));
    expect(net.requests.length).toBe(0);
    core.flushNow(true);
    await new Promise((r) => setTimeout(r, 10));
    expect(net.requests.every((r) => r.options.beacon)).toBe(true);
    expect(net.events().map((e) => e.event || e.name)).toEqual(['Early', 'Home']);
  });
});

describe('alias and group', () => {
  it('alias defaults previousId to the user ID', async () => {
    const { core, net } = make();
    core.identify('old-user');
    core.alias('new-user');
    await core.flush();
    const e = ofType(net.events(), 'alias')[0];
    expect(e.userId).toBe('new-user');
    expect(e.previousId).toBe('old-user');
  });

  it('alias defaults previousId to the anonymous ID when nobody is identified', async () => {
    const { core, net } = make();
    core.alias('u9');
    await core.flush();
    const e = ofType(net.events(), 'alias')[0];
    expect(e.userId).toBe('u9');
    expect(e.previousId).toBe(core.getAnonymousId());
  });

  it('alias keeps an explicit previousId and refuses a placeholder target', async () => {
    const { core, net } = make();
    core.alias('u2', 'legacy-42');
    core.alias('null');
    await core.flush();
    const list = ofType(net.events(), 'alias');
    expect(list.length).toBe(1);
    expect(list[0].previousId).toBe('legacy-42');
  });

  it('group sends the group ID and its traits', async () => {
    const { core, net } = make();
    core.identify('u1');
    core.group('acme', { name: 'Acme Inc', employees: 50 });
    await core.flush();
    const e = ofType(net.events(), 'group')[0];
    expect(e.groupId).toBe('acme');
    expect(e.traits).toEqual({ name: 'Acme Inc', employees: 50 });
    expect(e.userId).toBe('u1');
  });

  it('refuses a groupId or previousId over 256 characters (a cut ID is a wrong identity), like a userId', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { core, net } = make({ debug: true });
    const long = 'x'.repeat(257);
    core.group(long);
    core.alias('u2', long);
    core.alias('u3', { not: 'an id' } as never);
    core.identify(long);
    core.group('g'.repeat(256));
    core.alias('u4', 'p'.repeat(256));
    await core.flush();
    const sent = net.events();
    expect(ofType(sent, 'group').map((e) => e.groupId)).toEqual(['g'.repeat(256)]);
    expect(ofType(sent, 'alias').map((e) => [e.userId, e.previousId])).toEqual([['u4', 'p'.repeat(256)]]);
    expect(ofType(sent, 'identify')).toEqual([]);
    const said = warn.mock.calls.map((c) => c.join(' '));
    for (const what of ['groupId', 'previousId', 'userId']) expect(said.some((m) => m.includes(what + ' over 256 characters: refused'))).toBe(true);
    warn.mockRestore();
  });
});

describe('external IDs', () => {
  it('emits an identify and adds the ID to context.externalIds of later events', async () => {
    const { core, net } = make();
    core.track('before');
    core.setExternalId('wechat_openid', 'o-123');
    core.track('after');
    await core.flush();
    const [before, ident, after] = net.events();
    const expected = [{ id: 'o-123', type: 'wechat_openid', collection: 'users', encoding: 'none' }];
    expect(before.context.externalIds).toBeUndefined();
    expect(ident.type).toBe('identify');
    expect(ident.context.externalIds).toEqual(expected);
    expect(after.context.externalIds).toEqual(expected);
  });

  it('replaces an ID of the same type and keeps IDs of other types', async () => {
    const { core, net } = make();
    core.setExternalId('wechat_openid', 'o-1');
    core.setExternalId('phone_sha256', 'abc');
    core.setExternalId('wechat_openid', 'o-2');
    core.track('after');
    await core.flush();
    const ids = net.events().pop()!.context.externalIds!;
    expect(ids.filter((x) => x.type === 'wechat_openid')).toEqual([{ id: 'o-2', type: 'wechat_openid', collection: 'users', encoding: 'none' }]);
    expect(ids.map((x) => x.type).sort()).toEqual(['phone_sha256', 'wechat_openid']);
    expect(ofType(net.events(), 'identify').length).toBe(3);
  });

  it('survives a page load', async () => {
    const kv = memoryKV();
    make({}, { kv }).core.setExternalId('wechat_unionid', 'un-1');
    const b = make({}, { kv });
    b.core.track('x');
    await b.core.flush();
    expect(b.net.events()[0].context.externalIds).toEqual([{ id: 'un-1', type: 'wechat_unionid', collection: 'users', encoding: 'none' }]);
  });
});

describe('reset', () => {
  it('gives a new anonymous ID, no user, traits or external IDs, and a new session', async () => {
    const kv = memoryKV();
    const { core, net } = make({}, { kv });
    core.identify('u1', { plan: 'pro' });
    core.setExternalId('wechat_openid', 'o-1');
    core.track('before');
    const aid = core.getAnonymousId();
    const sid = core.getSessionId();
    core.reset();
    expect(core.getAnonymousId()).not.toBe(aid);
    expect(core.getAnonymousId()).toMatch(UUID_V4);
    expect(core.getUserId()).toBeNull();
    core.track('after');
    core.identify({ lang: 'zh' });
    await core.flush();
    const [after, ident] = net.events().slice(-2);
    expect(after.anonymousId).toBe(core.getAnonymousId());
    expect(after.userId).toBeNull();
    expect(after.context.externalIds).toBeUndefined();
    expect(after.context.session!.id).not.toBe(sid);
    expect(after.context.session!.start).toBe(true);
    expect(ident.traits).toEqual({ lang: 'zh' });
    // and it sticks across a page load
    const b = make({}, { kv });
    expect(b.core.getAnonymousId()).toBe(core.getAnonymousId());
    expect(b.core.getUserId()).toBeNull();
  });
});

describe('reset and campaigns', () => {
  const direct = { source: 'direct', medium: '(none)' };

  it("the next person's first landing gives their first campaign, even a direct one in the session reset() started", async () => {
    const kv = memoryKV();
    const { core } = make({}, { kv, landing: { url: 'https://www.example.com/?utm_source=news&utm_medium=email', referrer: '' } });
    core.track('before');
    core.reset();
    // Nothing is known of the next person yet: none, not the previous person's.
    expect(core.getCampaign()).toEqual({ first: null, last: null });
    // A reload in the same session (direct): their first campaign is direct, as for a first-ever direct visit.
    const next = make({}, { kv, landing: { url: 'https://www.example.com/', referrer: '' } });
    expect(next.core.getCampaign()).toEqual({ first: direct, last: direct });
    next.core.track('Order Completed');
    await next.core.flush();
    const order = next.net.events().slice(-1)[0];
    expect(order.context.firstCampaign).toEqual(direct);
    expect(order.context.touches!.map((t) => t.source)).toEqual(['direct']);
  });

  it('a campaign landing right after reset() (a handoff link bringing another user) is that person\'s first campaign', () => {
    const { core } = make({}, { landing: { url: 'https://www.example.com/', referrer: '' } });
    core.reset();
    core.touch({ url: 'https://www.example.com/?utm_source=wechat&utm_medium=social', referrer: '' });
    expect(core.getCampaign().first).toEqual({ source: 'wechat', medium: 'social' });
  });
});

describe('init and replay', () => {
  it('init is idempotent: a second init is ignored and nothing is sent twice', async () => {
    const { core, net } = make({}, { landing: { url: 'https://www.example.com/?utm_source=news', referrer: '' } });
    const aid = core.getAnonymousId();
    core.init({ writeKey: 'other-key', endpoint: 'https://elsewhere.example.net' });
    expect(core.getAnonymousId()).toBe(aid);
    core.track('Order Completed');
    await core.flush();
    expect(net.events().length).toBe(1);
    expect(net.requests.every((r) => r.url === 'https://collect.example.com/v1/batch')).toBe(true);
    expect(net.requests[0].body.writeKey).toBe('wk');
    expect(net.events()[0].context.touches!.length).toBe(1);
  });

  it('replays calls made before init in order with their original timestamps', async () => {
    const { core, net } = make({}, { init: false });
    core.track('first', { n: 1 });
    vi.setSystemTime(T0 + 1000);
    core.identify('u1');
    vi.setSystemTime(T0 + 2000);
    core.page('Pricing');
    vi.setSystemTime(T0 + 9000);
    expect(net.requests.length).toBe(0);
    core.init({ writeKey: 'wk', endpoint: 'https://collect.example.com' });
    await core.flush();
    const list = net.events();
    expect(list.map((e) => e.type)).toEqual(['track', 'identify', 'page']);
    expect(list.map((e) => e.timestamp)).toEqual([at(T0), at(T0 + 1000), at(T0 + 2000)]);
    expect(list[0].properties).toEqual({ n: 1 });
    expect(list[2].userId).toBe('u1');
  });

  it('call() keeps the timestamp it is given (async snippet)', async () => {
    const { core, net } = make();
    core.call('track', ['Snippet Event', { a: 1 }], T0 - 4000);
    core.call('track', ['Live Event']);
    await core.flush();
    const [snip, live] = net.events();
    expect(snip.event).toBe('Snippet Event');
    expect(snip.properties).toEqual({ a: 1 });
    expect(snip.timestamp).toBe(at(T0 - 4000));
    expect(live.timestamp).toBe(at(T0));
  });
});

describe('handoff', () => {
  const fresh = (extra: Record<string, string> = {}) => ({ tutti_aid: OTHER_AID, tutti_ts: String(Date.now() - 30000), ...extra });

  it('adopts fresh parameters and emits an alias from the old anonymous ID', async () => {
    const { core, net, kv } = make();
    core.track('before'); // the old ID was used, so it must be linked
    const old = core.getAnonymousId();
    expect(core.adoptHandoff(fresh({ tutti_uid: 'u77' }))).toBe(true);
    expect(core.getAnonymousId()).toBe(OTHER_AID);
    expect(core.getUserId()).toBe('u77');
    expect(kv.get('tutti_aid')).toBe(OTHER_AID);
    core.track('after');
    await core.flush();
    const alias = ofType(net.events(), 'alias');
    expect(alias.length).toBe(1);
    expect(alias[0].previousId).toBe(old);
    expect(alias[0].anonymousId).toBe(OTHER_AID);
    const after = net.events().pop()!;
    expect(after.anonymousId).toBe(OTHER_AID);
    expect(after.userId).toBe('u77');
  });

  it('does not alias an anonymous ID that no event ever carried (a first visit)', async () => {
    const { core, net } = make();
    expect(core.adoptHandoff(fresh())).toBe(true);
    core.track('after');
    await core.flush();
    expect(ofType(net.events(), 'alias')).toHaveLength(0);
    expect(net.events()[0].anonymousId).toBe(OTHER_AID);
  });

  it('tolerates a linking clock up to a minute ahead', () => {
    const { core } = make();
    expect(core.adoptHandoff({ tutti_aid: OTHER_AID, tutti_ts: String(Date.now() + 30000) })).toBe(true);
    expect(core.getAnonymousId()).toBe(OTHER_AID);
  });

  it.each([
    ['stale (over 2 minutes)', { tutti_aid: OTHER_AID, tutti_ts: String(T0 - 121000) }],
    ['from the future (over 1 minute)', { tutti_aid: OTHER_AID, tutti_ts: String(T0 + 61000) }],
    ['without a timestamp', { tutti_aid: OTHER_AID }],
    ['with a garbage timestamp', { tutti_aid: OTHER_AID, tutti_ts: 'yesterday' }],
    ['with a malformed anonymous ID', { tutti_aid: 'not-a-uuid', tutti_ts: String(T0) }],
    ['with an anonymous ID carrying extra text', { tutti_aid: OTHER_AID + '<script>', tutti_ts: String(T0) }],
  ])('ignores handoff parameters %s', async (_label, params) => {
    const { core, net } = make();
    const old = core.getAnonymousId();
    expect(core.adoptHandoff(params as Record<string, string>)).toBe(false);
    expect(core.getAnonymousId()).toBe(old);
    await core.flush();
    expect(ofType(net.events(), 'alias').length).toBe(0);
  });

  it.each([['null'], ['anonymous'], ['0'], ['undefined'], ['']])('does not adopt the placeholder user ID %j', (uid) => {
    const { core } = make();
    core.adoptHandoff(fresh({ tutti_uid: uid }));
    expect(core.getUserId()).toBeNull();
  });

  it('does not adopt a too-long user ID (a truncated ID would be someone else)', () => {
    const { core } = make();
    core.adoptHandoff(fresh({ tutti_uid: 'u'.repeat(300) }));
    expect(core.getUserId()).toBeNull();
  });

  it("acceptHandoff 'anonymous' adopts the anonymous ID but not the user ID", () => {
    const { core } = make({ acceptHandoff: 'anonymous' });
    expect(core.adoptHandoff(fresh({ tutti_uid: 'u77' }))).toBe(true);
    expect(core.getAnonymousId()).toBe(OTHER_AID);
    expect(core.getUserId()).toBeNull();
  });

  it('acceptHandoff false adopts nothing', async () => {
    const { core, net } = make({ acceptHandoff: false });
    const old = core.getAnonymousId();
    expect(core.adoptHandoff(fresh({ tutti_uid: 'u77' }))).toBe(false);
    expect(core.getAnonymousId()).toBe(old);
    expect(core.getUserId()).toBeNull();
    await core.flush();
    expect(net.events().length).toBe(0);
  });

  it('a different local user is reset before the handoff user is adopted', async () => {
    const { core, net } = make();
    core.identify('local-user', { plan: 'pro' });
    const localAid = core.getAnonymousId();
    expect(core.adoptHandoff(fresh({ tutti_uid: 'visitor-2' }))).toBe(true);
    expect(core.getUserId()).toBe('visitor-2');
    expect(core.getAnonymousId()).toBe(OTHER_AID);
    core.identify({ lang: 'en' });
    await core.flush();
    // local-user's traits are gone, and no alias ties local-user's anonymous ID to visitor-2.
    expect(ofType(net.events(), 'identify').pop()!.traits).toEqual({ lang: 'en' });
    for (const e of ofType(net.events(), 'alias')) expect(e.previousId).not.toBe(localAid);
  });

  it('the same local user keeps traits through a handoff', async () => {
    const { core, net } = make();
    core.identify('u1', { plan: 'pro' });
    core.adoptHandoff(fresh({ tutti_uid: 'u1' }));
    core.identify({ lang: 'en' });
    await core.flush();
    expect(ofType(net.events(), 'identify').pop()!.traits).toEqual({ plan: 'pro', lang: 'en' });
  });
});

describe('linkUrl', () => {
  it('appends tutti_aid, tutti_uid and tutti_ts before the fragment, keeping existing parameters', () => {
    const { core } = make();
    core.identify('u 1&2');
    const out = core.linkUrl('https://shop.example.net/cart?x=1&y=two#reviews');
    expect(out.endsWith('#reviews')).toBe(true);
    expect(out.startsWith('https://shop.example.net/cart?x=1&y=two&')).toBe(true);
    const u = new URL(out);
    expect(u.searchParams.get('x')).toBe('1');
    expect(u.searchParams.get('y')).toBe('two');
    expect(u.searchParams.get('tutti_aid')).toBe(core.getAnonymousId());
    expect(u.searchParams.get('tutti_uid')).toBe('u 1&2');
    expect(u.searchParams.get('tutti_ts')).toBe(String(T0));
    expect(u.hash).toBe('#reviews');
  });

  it('omits tutti_uid for an anonymous visitor and replaces stale handoff parameters', () => {
    const { core } = make();
    const out = core.linkUrl(`https://shop.example.net/?tutti_aid=${OTHER_AID}&tutti_ts=1`);
    const u = new URL(out);
    expect(u.searchParams.getAll('tutti_aid')).toEqual([core.getAnonymousId()]);
    expect(u.searchParams.getAll('tutti_ts')).toEqual([String(T0)]);
    expect(u.searchParams.has('tutti_uid')).toBe(false);
  });

  it('round-trips: the link adopted by another instance carries the same IDs', () => {
    const a = make().core;
    a.identify('u5');
    const link = new URL(a.linkUrl('https://m.example.org/landing'));
    const b = make().core;
    vi.setSystemTime(T0 + 5000);
    expect(b.adoptHandoff(Object.fromEntries(link.searchParams))).toBe(true);
    expect(b.getAnonymousId()).toBe(a.getAnonymousId());
    expect(b.getUserId()).toBe('u5');
  });
});

describe('independent instances', () => {
  it('two cores never share state', async () => {
    const kv1 = memoryKV();
    const x = make({}, { kv: kv1, outbox: memoryOutbox(), net: scriptedTransport() });
    const y = make();
    x.core.identify('ux');
    expect(y.core.getUserId()).toBeNull();
  });
});
