// Identity stitching: one person across the WeChat mini-program, an H5 page inside
// WeChat and the website becomes one profile, through external IDs, identify and alias.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCollector } from '../../examples/collector/index';
import type { CollectorHandle } from '../../examples/collector/index';
import { KEY, ev, postBatch } from './helpers';

let c: CollectorHandle;

beforeAll(async () => {
  c = await startCollector({ port: 0, dbPath: ':memory:', writeKeys: [KEY], quiet: true });
});
afterAll(() => c.close());
beforeEach(() => c.reset());

const ctx = (channel: string, extra: Record<string, unknown> = {}) => ({ library: { name: 'tutti', version: 't' }, channel, ...extra });
const unionid = [{ id: 'oU-unionid-1', type: 'wechat_unionid', collection: 'users', encoding: 'none' }];
const identify = (fields: Record<string, unknown>) => ev({ type: 'identify', event: undefined, ...fields });

/** The journey of one person over three channels, each step sent as the SDK would. */
async function journey(): Promise<void> {
  // 1. Mini-program: anonymous launch, then wx.login gives the unionid (setExternalId → identify).
  await postBatch(c.url, [
    ev({ event: 'Mini App Launched', anonymousId: 'mp-anon', context: ctx('miniprogram') }),
    identify({ anonymousId: 'mp-anon', context: ctx('miniprogram', { externalIds: unionid }) }),
  ]);
  // 2. H5 page in WeChat: its own anonymousId; OAuth yields the same unionid, then the user logs in.
  await postBatch(c.url, [
    ev({ type: 'page', event: undefined, name: 'Campaign', anonymousId: 'h5-anon', context: ctx('h5') }),
    identify({ anonymousId: 'h5-anon', context: ctx('h5', { externalIds: unionid }) }),
    identify({ anonymousId: 'h5-anon', userId: 'u-42', traits: { plan: 'free' }, context: ctx('h5') }),
  ]);
  // 3. Website: browsed anonymously before, then followed a linkUrl() from the H5 page. The
  //    handoff adopts the H5 anonymousId and aliases the old local one (SPEC §6).
  await postBatch(c.url, [
    ev({ type: 'page', event: undefined, name: 'Home', anonymousId: 'web-old', context: ctx('web') }),
    ev({ type: 'alias', event: undefined, anonymousId: 'h5-anon', userId: 'u-42', previousId: 'web-old', context: ctx('web') }),
    ev({ event: 'Order Completed', anonymousId: 'h5-anon', userId: 'u-42', properties: { revenue: 99 }, context: ctx('web') }),
    identify({ anonymousId: 'h5-anon', userId: 'u-42', traits: { plan: 'pro', city: 'Hangzhou' }, context: ctx('web') }),
  ]);
}

describe('stitching across three channels', () => {
  it('makes one profile reachable from every identifier', async () => {
    await journey();
    const p = c.profile('u-42')!;
    expect(p).not.toBeNull();
    for (const id of ['mp-anon', 'h5-anon', 'web-old', 'wechat_unionid:oU-unionid-1', 'user:u-42', 'anon:mp-anon']) {
      expect(c.profile(id)?.id, id).toBe(p.id);
    }
    expect([...p.anonymousIds].sort()).toEqual(['h5-anon', 'mp-anon', 'web-old']);
    expect(p.userIds).toEqual(['u-42']);
    expect(p.externalIds).toEqual([{ type: 'wechat_unionid', id: 'oU-unionid-1' }]);
    expect([...p.channels].sort()).toEqual(['h5', 'miniprogram', 'web']);
    // Every event of every channel, newest first; traits merged with the newest winning.
    expect(p.eventCount).toBe(9);
    expect(p.events[0].type).toBe('identify');
    expect(p.traits).toEqual({ plan: 'pro', city: 'Hangzhou' });
  });

  it('links the same way whatever order the channels arrive in', async () => {
    // Website first, then H5, then the mini-program: a different union order, same profile.
    await postBatch(c.url, [
      ev({ type: 'alias', event: undefined, anonymousId: 'h5-anon', previousId: 'web-old', context: ctx('web') }),
      identify({ anonymousId: 'h5-anon', userId: 'u-42', context: ctx('h5', { externalIds: unionid }) }),
      identify({ anonymousId: 'mp-anon', context: ctx('miniprogram', { externalIds: unionid }) }),
    ]);
    expect(c.profile('mp-anon')!.id).toBe(c.profile('web-old')!.id);
    expect(c.profile('mp-anon')!.userIds).toEqual(['u-42']);
  });

  it('keeps separate people separate', async () => {
    await journey();
    await postBatch(c.url, [ev({ anonymousId: 'stranger' })]);
    expect(c.profile('stranger')!.id).not.toBe(c.profile('u-42')!.id);
    expect(c.profile('stranger')!.anonymousIds).toEqual(['stranger']);
  });

  it('keeps late, older traits from overwriting newer ones', async () => {
    const now = Date.now();
    await postBatch(c.url, [identify({ userId: 'u-1', traits: { plan: 'pro' }, timestamp: new Date(now).toISOString() })]);
    // A retried identify from an hour ago arrives afterwards.
    await postBatch(c.url, [identify({ userId: 'u-1', traits: { plan: 'free', city: 'Suzhou' }, timestamp: new Date(now - 3_600_000).toISOString() })]);
    expect(c.profile('u-1')!.traits).toEqual({ plan: 'pro', city: 'Suzhou' });
  });
});

describe('merge safety', () => {
  it('never merges two different users implicitly (shared device, missing reset)', async () => {
    await postBatch(c.url, [identify({ anonymousId: 'kiosk', userId: 'alice' })]);
    await postBatch(c.url, [identify({ anonymousId: 'kiosk', userId: 'bob' })]);
    expect(c.profile('alice')!.id).not.toBe(c.profile('bob')!.id);
    expect(c.profile('alice')!.userIds).toEqual(['alice']);
    expect(c.profile('bob')!.userIds).toEqual(['bob']);
    expect(c.stats().mergeConflicts).toBe(1);
  });

  it('a shared external ID does not merge two users either', async () => {
    await postBatch(c.url, [
      identify({ anonymousId: 'a1', userId: 'alice', context: ctx('web', { externalIds: [{ id: 'same-phone', type: 'phone_sha256' }] }) }),
      identify({ anonymousId: 'b1', userId: 'bob', context: ctx('web', { externalIds: [{ id: 'same-phone', type: 'phone_sha256' }] }) }),
    ]);
    expect(c.profile('alice')!.id).not.toBe(c.profile('bob')!.id);
  });

  it('an explicit alias of two userIds merges them (Segment semantics)', async () => {
    await postBatch(c.url, [identify({ anonymousId: 'x1', userId: 'old-id' }), identify({ anonymousId: 'x2', userId: 'new-id' })]);
    expect(c.profile('old-id')!.id).not.toBe(c.profile('new-id')!.id);
    await postBatch(c.url, [ev({ type: 'alias', event: undefined, anonymousId: 'x2', userId: 'new-id', previousId: 'old-id' })]);
    expect(c.profile('old-id')!.id).toBe(c.profile('new-id')!.id);
    expect([...c.profile('old-id')!.userIds].sort()).toEqual(['new-id', 'old-id']);
  });

  it('a duplicate event does not re-run stitching', async () => {
    const e = identify({ anonymousId: 'd1', userId: 'dora' });
    await postBatch(c.url, [e]);
    await postBatch(c.url, [{ ...e, userId: 'someone-else' }]); // same messageId: ignored
    expect(c.profile('d1')!.userIds).toEqual(['dora']);
    expect(c.profile('someone-else')).toBeNull();
  });
});

describe('persistence', () => {
  it('keeps the identity graph across restarts (SQLite file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tutti-stitch-'));
    try {
      const dbPath = join(dir, 'tutti.db');
      let d = await startCollector({ port: 0, dbPath, writeKeys: [KEY], quiet: true });
      await postBatch(d.url, [identify({ anonymousId: 'p-anon', userId: 'p-user', traits: { plan: 'pro' } })]);
      await d.close();
      d = await startCollector({ port: 0, dbPath, writeKeys: [KEY], quiet: true });
      try {
        await postBatch(d.url, [identify({ anonymousId: 'p-anon-2', userId: 'p-user' })]);
        const p = d.profile('p-anon')!;
        expect([...p.anonymousIds].sort()).toEqual(['p-anon', 'p-anon-2']);
        expect(p.traits).toEqual({ plan: 'pro' });
        expect(d.stats().events).toBe(2);
        expect(d.stats().batchRequests).toBe(2); // counters persist too
      } finally {
        await d.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
