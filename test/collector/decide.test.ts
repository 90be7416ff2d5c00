// POST /v1/decide: rule matching, the stable A/B split and the answer format (SPEC §5).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucket, decide, fnv1a32, matches, parseRules, pickVariant } from '../../examples/collector/decide';
import type { DecideInput } from '../../examples/collector/decide';
import { DEFAULT_RULES, startCollector } from '../../examples/collector/index';
import type { CollectorHandle, DecideRule } from '../../examples/collector/index';
import { KEY, ev, postBatch, send } from './helpers';

const text = (t: string) => ({ type: 'text' as const, text: t });

const RULES: DecideRule[] = [
  { id: 'pro', slot: 'hero', when: { identified: true, traits: { plan: 'pro' } }, variantId: 'pro', content: text('Hi pro'), ttl: 60 },
  { id: 'mp', slot: 'hero', when: { externalIds: ['wechat_unionid'] }, variantId: 'mp', content: text('Hi from the mini-program') },
  {
    id: 'spring',
    slot: 'hero',
    when: { campaign: { source: 'wechat', medium: ['social', 'cpc'], name: 'spring' }, channel: ['web', 'h5'] },
    experiment: {
      id: 'exp-spring',
      variants: [
        { id: 'A', weight: 70, content: text('Spring A') },
        { id: 'B', weight: 30, content: text('Spring B') },
      ],
    },
  },
  { id: 'anon-banner', slot: 'banner', when: { identified: false, firstCampaign: { source: 'baidu' } }, variantId: 'seo', content: { type: 'json', data: { cta: 'x' } } },
];

const input = (over: Partial<DecideInput> = {}): DecideInput => ({
  anonymousId: 'anon-1',
  userId: null,
  externalIdTypes: [],
  traits: {},
  context: { channel: 'web' },
  ...over,
});

describe('hashing and splitting', () => {
  it('implements 32-bit FNV-1a (reference vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('puts the same person in the same bucket every time, per experiment', () => {
    expect(bucket('anon-1', 'exp')).toBe(bucket('anon-1', 'exp'));
    expect(bucket('anon-1', 'exp')).toBeGreaterThanOrEqual(0);
    expect(bucket('anon-1', 'exp')).toBeLessThan(1);
    // Different experiments split independently.
    const ids = Array.from({ length: 200 }, (_, i) => `id-${i}`);
    const same = ids.filter((id) => bucket(id, 'e1') < 0.5 === bucket(id, 'e2') < 0.5).length;
    expect(same).toBeGreaterThan(60);
    expect(same).toBeLessThan(140);
  });

  it('respects 70/30 weights over 2,000 IDs (sequential, look-alike IDs)', () => {
    const variants = [{ id: 'A', weight: 70 }, { id: 'B', weight: 30 }];
    let a = 0;
    for (let i = 0; i < 2000; i++) if (pickVariant(variants, bucket(`user-${i}`, 'exp-spring')).id === 'A') a++;
    // Binomial sd = sqrt(2000·0.7·0.3) ≈ 20.5; ±4 sd is ±82.
    expect(a).toBeGreaterThan(1400 - 82);
    expect(a).toBeLessThan(1400 + 82);
  });

  it('spreads buckets evenly over ten deciles', () => {
    const deciles = new Array(10).fill(0);
    for (let i = 0; i < 2000; i++) deciles[Math.floor(bucket(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, 'x') * 10)]++;
    for (const n of deciles) expect(Math.abs(n - 200)).toBeLessThan(60);
  });

  it('picks variants by cumulative weight; weight 0 never wins', () => {
    const v = [{ id: 'x', weight: 1 }, { id: 'y', weight: 0 }, { id: 'z', weight: 3 }];
    expect(pickVariant(v, 0).id).toBe('x');
    expect(pickVariant(v, 0.2499).id).toBe('x');
    expect(pickVariant(v, 0.25).id).toBe('z');
    expect(pickVariant(v, 0.9999).id).toBe('z');
  });
});

describe('rule matching', () => {
  it('matches campaign fields case-insensitively, with lists as alternatives', () => {
    const when = RULES[2].when;
    expect(matches(when, input({ context: { channel: 'h5', campaign: { source: 'WeChat', medium: 'cpc', name: 'spring' } } }))).toBe(true);
    expect(matches(when, input({ context: { channel: 'h5', campaign: { source: 'wechat', medium: 'email', name: 'spring' } } }))).toBe(false);
    expect(matches(when, input({ context: { channel: 'miniprogram', campaign: { source: 'wechat', medium: 'social', name: 'spring' } } }))).toBe(false);
    expect(matches(when, input({ context: { channel: 'web' } }))).toBe(false);
  });

  it('takes the first matching rule per slot and leaves unmatched slots out', () => {
    const pro = decide(RULES, input({ userId: 'u', traits: { plan: 'pro' }, externalIdTypes: ['wechat_unionid'], slots: ['hero', 'banner'] }));
    expect(pro).toEqual({ hero: { variantId: 'pro', content: text('Hi pro'), ttl: 60 } });
    const mp = decide(RULES, input({ traits: { plan: 'pro' }, externalIdTypes: ['wechat_unionid'], slots: ['hero'] }));
    expect(mp.hero.variantId).toBe('mp');
    expect(decide(RULES, input({ slots: ['hero', 'unknown'] }))).toEqual({});
  });

  it('answers experiments with variantId and experimentId, stable for a person', () => {
    const ctx = { channel: 'web', campaign: { source: 'wechat', medium: 'social', name: 'spring' } };
    const first = decide(RULES, input({ anonymousId: 'stable-1', context: ctx, slots: ['hero'] })).hero;
    expect(first.experimentId).toBe('exp-spring');
    expect(['A', 'B']).toContain(first.variantId);
    expect(first.content).toEqual(text(`Spring ${first.variantId}`));
    for (let i = 0; i < 20; i++) expect(decide(RULES, input({ anonymousId: 'stable-1', context: ctx })).hero).toEqual(first);
  });

  it('decides every slot with rules when none are named', () => {
    const d = decide(RULES, input({ context: { channel: 'web', firstCampaign: { source: 'baidu' } } }));
    expect(Object.keys(d)).toEqual(['banner']);
  });

  it('validates rule files precisely', () => {
    expect(() => parseRules({ rules: [{ slot: 'x' }] })).toThrow(/rules\[0\].*content/);
    expect(() => parseRules([{ slot: 'x', content: { type: 'image', src: 'javascript:alert(1)' } }])).toThrow(/http/);
    expect(() => parseRules([{ slot: 'x', experiment: { id: 'e', variants: [] } }])).toThrow(/variants is empty/);
    expect(() => parseRules([{ slot: 'x', experiment: { id: 'e', variants: [{ id: 'a', weight: 0, content: text('a') }] } }])).toThrow(/sum to 0/);
    expect(() => parseRules({})).toThrow(/expected an array/);
    expect(parseRules(RULES)).toBe(RULES);
  });
});

describe('POST /v1/decide', () => {
  let c: CollectorHandle;
  beforeAll(async () => {
    c = await startCollector({ port: 0, dbPath: ':memory:', writeKeys: [KEY], rules: RULES, quiet: true });
  });
  afterAll(() => c.close());

  const body = (over: Record<string, unknown> = {}) => ({
    writeKey: KEY,
    anonymousId: 'anon-http',
    userId: null,
    externalIds: [],
    traits: {},
    context: { channel: 'h5', campaign: { source: 'wechat', medium: 'social', name: 'spring' } },
    slots: ['hero', 'banner'],
    ...over,
  });

  it('answers { decisions } in the SPEC §5 format, with CORS', async () => {
    const res = await send(c.url, '/v1/decide', body(), { headers: { Origin: 'http://h5.example' } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('http://h5.example');
    expect(Object.keys(res.json.decisions)).toEqual(['hero']);
    const hero = res.json.decisions.hero;
    expect(hero).toMatchObject({ experimentId: 'exp-spring', content: { type: 'text' } });
    expect(hero.variantId).toBe(pickVariant(RULES[2].experiment!.variants, bucket('anon-http', 'exp-spring')).id);
    expect(c.stats().decideRequests).toBe(1);
  });

  it('gives the same variant on every request and after a restart (no server state)', async () => {
    const first = (await send(c.url, '/v1/decide', body({ anonymousId: 'sticky' }))).json.decisions.hero;
    for (let i = 0; i < 5; i++) expect((await send(c.url, '/v1/decide', body({ anonymousId: 'sticky' }))).json.decisions.hero).toEqual(first);
    const other = await startCollector({ port: 0, dbPath: ':memory:', writeKeys: [KEY], rules: RULES, quiet: true });
    try {
      expect((await send(other.url, '/v1/decide', body({ anonymousId: 'sticky' }))).json.decisions.hero).toEqual(first);
    } finally {
      await other.close();
    }
  });

  it('uses what the collector knows: stored traits and external IDs from other channels', async () => {
    await postBatch(c.url, [
      ev({ type: 'identify', event: undefined, anonymousId: 'known', userId: 'u-pro', traits: { plan: 'pro' } }),
      ev({
        type: 'identify',
        event: undefined,
        anonymousId: 'mp-user',
        context: { channel: 'miniprogram', externalIds: [{ id: 'un-1', type: 'wechat_unionid', collection: 'users', encoding: 'none' }] },
      }),
    ]);
    // The request carries no traits, yet the stored plan makes the pro rule match.
    const pro = await send(c.url, '/v1/decide', body({ anonymousId: 'known', userId: 'u-pro', context: { channel: 'web' } }));
    expect(pro.json.decisions.hero.variantId).toBe('pro');
    // The unionid was seen on the mini-program; the H5 request does not repeat it.
    const mp = await send(c.url, '/v1/decide', body({ anonymousId: 'mp-user', context: { channel: 'h5' } }));
    expect(mp.json.decisions.hero.variantId).toBe('mp');
  });

  it('refuses unknown write keys (401), bad bodies (400) and GET (405)', async () => {
    expect((await send(c.url, '/v1/decide', body({ writeKey: 'nope' }))).status).toBe(401);
    expect((await send(c.url, '/v1/decide', body({ slots: 'hero' }))).status).toBe(400);
    expect((await send(c.url, '/v1/decide', '{oops')).status).toBe(400);
    expect((await send(c.url, '/v1/decide')).status).toBe(405);
  });
});

describe('rules files', () => {
  it('the shipped rules.json is valid and personalizes the demo hero for the WeChat spring campaign', async () => {
    const c = await startCollector({ port: 0, dbPath: ':memory:', quiet: true });
    try {
      expect(c.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await send(c.url, '/v1/decide', {
        writeKey: 'demo-key',
        anonymousId: 'visitor',
        userId: null,
        context: { channel: 'web', campaign: { source: 'wechat', medium: 'social', name: 'spring' } },
        slots: ['hero'],
      });
      expect(res.json.decisions.hero.experimentId).toBe('spring-hero-copy');
      expect(DEFAULT_RULES).toMatch(/rules\.json$/);
    } finally {
      await c.close();
    }
  });

  it('re-reads a rules file when it changes and keeps the last good rules on a broken edit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tutti-rules-'));
    const file = join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify([{ slot: 'hero', variantId: 'v1', content: text('one') }]));
    const c = await startCollector({ port: 0, dbPath: ':memory:', rules: file, quiet: true });
    const ask = async () => (await send(c.url, '/v1/decide', { writeKey: 'demo-key', anonymousId: 'a', slots: ['hero'] })).json.decisions.hero?.variantId;
    try {
      expect(await ask()).toBe('v1');
      await new Promise((r) => setTimeout(r, 1100)); // the file is checked at most once a second
      writeFileSync(file, JSON.stringify([{ slot: 'hero', variantId: 'v2', content: text('two') }]));
      expect(await ask()).toBe('v2');
      await new Promise((r) => setTimeout(r, 1100));
      writeFileSync(file, '{ broken');
      expect(await ask()).toBe('v2');
    } finally {
      await c.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start with an invalid rules file', async () => {
    await expect(startCollector({ port: 0, dbPath: ':memory:', rules: [{ slot: '' } as DecideRule], quiet: true })).rejects.toThrow(/slot is required/);
  });
});
