// The read side: GET /v1/events, /v1/profiles, /v1/stats, and the handle's events()/profile().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector } from '../../examples/collector/index';
import type { CollectorHandle } from '../../examples/collector/index';
import { DAY, KEY, ev, iso, postBatch, send } from './helpers';

let c: CollectorHandle;
const T0 = Date.parse('2025-03-01T00:00:00Z');

beforeAll(async () => {
  c = await startCollector({ port: 0, dbPath: ':memory:', writeKeys: [KEY], quiet: true });
  await postBatch(c.url, [
    ev({ messageId: 'e1', type: 'page', event: undefined, name: 'Home', anonymousId: 'a1', timestamp: iso(T0) }),
    ev({ messageId: 'e2', event: 'Product Added', anonymousId: 'a1', timestamp: iso(T0 + DAY) }),
    ev({ messageId: 'e3', type: 'identify', event: undefined, anonymousId: 'a1', userId: 'u1', traits: { plan: 'pro' }, timestamp: iso(T0 + 2 * DAY) }),
    ev({ messageId: 'e4', event: 'Order Completed', anonymousId: 'a1', userId: 'u1', timestamp: iso(T0 + 3 * DAY) }),
    ev({ messageId: 'e5', event: 'Product Added', anonymousId: 'a2', timestamp: iso(T0 + 4 * DAY) }),
  ]);
});
afterAll(() => c.close());

const ids = (events: Array<{ messageId: string }>) => events.map((e) => e.messageId);

describe('GET /v1/events', () => {
  it('lists newest first, with a cursor', async () => {
    const res = await send(c.url, '/v1/events');
    expect(ids(res.json.events)).toEqual(['e5', 'e4', 'e3', 'e2', 'e1']);
    expect(res.json.lastId).toBe(5);
    expect((await send(c.url, '/v1/events?after=3')).json.events.map((e: any) => e.messageId)).toEqual(['e5', 'e4']);
  });

  it('filters by type, event, anonymousId, userId, since and limit', async () => {
    const q = async (query: string) => ids((await send(c.url, '/v1/events?' + query)).json.events);
    expect(await q('type=identify')).toEqual(['e3']);
    expect(await q('event=Product%20Added')).toEqual(['e5', 'e2']);
    expect(await q('event=Home')).toEqual(['e1']);
    expect(await q('anonymousId=a1&type=track')).toEqual(['e4', 'e2']);
    expect(await q('userId=u1')).toEqual(['e4', 'e3']);
    expect(await q('since=' + encodeURIComponent(iso(T0 + 2 * DAY)))).toEqual(['e5', 'e4', 'e3']);
    expect(await q('since=' + (T0 + 3 * DAY))).toEqual(['e5', 'e4']);
    expect(await q('limit=2')).toEqual(['e5', 'e4']);
  });

  it('the handle lists oldest first; limit keeps the most recent', () => {
    expect(ids(c.events())).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(ids(c.events({ limit: 2 }))).toEqual(['e4', 'e5']);
    expect(ids(c.events({ event: 'Product Added', anonymousId: 'a1' }))).toEqual(['e2']);
    expect(ids(c.events({ userId: 'u1', type: 'track' }))).toEqual(['e4']);
  });

  it('refuses writes to the read API', async () => {
    expect((await send(c.url, '/v1/events', '{}')).status).toBe(405);
  });
});

describe('profiles and stats', () => {
  it('GET /v1/profiles/:anyId merges the person behind any of their IDs', async () => {
    const byUser = (await send(c.url, '/v1/profiles/u1')).json;
    const byAnon = (await send(c.url, '/v1/profiles/a1')).json;
    expect(byAnon).toEqual(byUser);
    expect(byUser).toMatchObject({ anonymousIds: ['a1'], userIds: ['u1'], traits: { plan: 'pro' }, eventCount: 4, channels: ['web'] });
    expect(ids(byUser.events)).toEqual(['e4', 'e3', 'e2', 'e1']);
    expect(byUser.firstSeen).toBe(iso(T0));
    expect(byUser.lastSeen).toBe(iso(T0 + 3 * DAY));
    expect((await send(c.url, '/v1/profiles/nobody')).status).toBe(404);
  });

  it('GET /v1/profiles lists recently active people', async () => {
    const { profiles } = (await send(c.url, '/v1/profiles')).json;
    expect(profiles.map((p: any) => p.anonymousIds[0])).toEqual(['a2', 'a1']);
  });

  it('GET /v1/stats counts events, duplicates, rejected and requests', async () => {
    await postBatch(c.url, [ev({ messageId: 'e1' }), ev({ event: 42 })]);
    const stats = (await send(c.url, '/v1/stats')).json;
    expect(stats).toMatchObject({ events: 5, duplicates: 1, rejected: 1, batchRequests: 2 });
    expect(stats.requests).toBeGreaterThan(2);
    expect(c.stats()).toMatchObject({ events: 5, duplicates: 1, rejected: 1, batchRequests: 2 });
  });
});
