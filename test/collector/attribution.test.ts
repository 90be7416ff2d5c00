// Attribution: first touch, last touch, linear and time decay (7-day half-life) over a
// small fixture whose credits are computed by hand in the comments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attribute, eligibleTouches, touchHistory, weights } from '../../examples/collector/attribution';
import type { AttributionRow, Conversion } from '../../examples/collector/attribution';
import { startCollector } from '../../examples/collector/index';
import type { CollectorHandle } from '../../examples/collector/index';
import { DAY, KEY, ev, iso, postBatch, send } from './helpers';

const T = Date.parse('2025-05-15T12:00:00Z'); // conversion time
const wechat = { source: 'wechat', medium: 'social', name: 'spring' };
const baidu = { source: 'baidu', medium: 'cpc', name: 'brand' };
const mail = { source: 'newsletter', medium: 'email', name: 'launch' };

function row(rows: AttributionRow[], source: string): AttributionRow {
  const r = rows.find((x) => x.source === source);
  if (!r) throw new Error(`no row for ${source}`);
  return r;
}

describe('models on a hand-computed fixture', () => {
  // Conversion 1 (revenue 70): wechat 14 days before, baidu 7 days before, a direct
  // visit 1 day before, the newsletter on the day (0 days), and a touch *after* it.
  // Direct is ignored because paid/owned touches exist; the later touch never counts.
  //   first: wechat 1 · last: newsletter 1 · linear: 1/3 each
  //   time decay: 2^-2 = 0.25, 2^-1 = 0.5, 2^0 = 1 → /1.75 → 1/7, 2/7, 4/7
  const c1: Conversion = {
    at: T,
    value: 70,
    touches: [
      { ...mail, at: T },
      { ...wechat, at: T - 14 * DAY },
      { source: 'direct', at: T - DAY },
      { ...baidu, at: T - 7 * DAY },
      { source: 'weibo', medium: 'social', name: 'late', at: T + DAY },
    ],
  };
  // Conversion 2 (revenue 30): only a direct visit → direct gets everything.
  const c2: Conversion = { at: T, value: 30, touches: [{ source: 'direct', at: T - 2 * DAY }] };
  // Conversion 3 (no revenue): a wechat touch outside the 90-day lookback → credited to direct.
  const c3: Conversion = { at: T, value: 0, touches: [{ ...wechat, at: T - 91 * DAY }] };

  it('picks the competing touches: in window, before the conversion, direct only as a last resort', () => {
    expect(eligibleTouches(c1).map((t) => t.source)).toEqual(['wechat', 'baidu', 'newsletter']);
    expect(eligibleTouches(c2).map((t) => t.source)).toEqual(['direct']);
    expect(eligibleTouches(c3)).toEqual([]);
  });

  it('weights sum to one under every model', () => {
    const touches = eligibleTouches(c1);
    expect(weights('firstTouch', touches, T)).toEqual([1, 0, 0]);
    expect(weights('lastTouch', touches, T)).toEqual([0, 0, 1]);
    expect(weights('linear', touches, T)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    const decay = weights('timeDecay', touches, T);
    expect(decay[0]).toBeCloseTo(1 / 7, 12);
    expect(decay[1]).toBeCloseTo(2 / 7, 12);
    expect(decay[2]).toBeCloseTo(4 / 7, 12);
  });

  it('credits conversions and revenue per source/medium/campaign', () => {
    const report = attribute([c1, c2, c3]);
    expect(report.conversions).toBe(3);
    expect(report.revenue).toBe(100);
    expect(report.halfLifeDays).toBe(7);

    const w = row(report.rows, 'wechat');
    expect(w).toMatchObject({ medium: 'social', campaign: 'spring' });
    expect(w.conversions.firstTouch).toBe(1);
    expect(w.conversions.lastTouch).toBe(0);
    expect(w.conversions.linear).toBeCloseTo(1 / 3, 12);
    expect(w.conversions.timeDecay).toBeCloseTo(1 / 7, 12);
    expect(w.revenue.firstTouch).toBe(70);
    expect(w.revenue.timeDecay).toBeCloseTo(10, 9); // 70 × 1/7

    const b = row(report.rows, 'baidu');
    expect(b.conversions.firstTouch).toBe(0);
    expect(b.conversions.linear).toBeCloseTo(1 / 3, 12);
    expect(b.conversions.timeDecay).toBeCloseTo(2 / 7, 12);
    expect(b.revenue.timeDecay).toBeCloseTo(20, 9);

    const n = row(report.rows, 'newsletter');
    expect(n.conversions.lastTouch).toBe(1);
    expect(n.conversions.timeDecay).toBeCloseTo(4 / 7, 12);
    expect(n.revenue.lastTouch).toBe(70);
    expect(n.revenue.timeDecay).toBeCloseTo(40, 9);

    // Conversions 2 and 3 both end up on direct / (none) / (none), under every model.
    const d = row(report.rows, 'direct');
    expect(d).toMatchObject({ medium: '(none)', campaign: '(none)' });
    expect(d.conversions).toEqual({ firstTouch: 2, lastTouch: 2, linear: 2, timeDecay: 2 });
    expect(d.revenue).toEqual({ firstTouch: 30, lastTouch: 30, linear: 30, timeDecay: 30 });

    expect(report.rows.some((r) => r.source === 'weibo')).toBe(false);
    // Every model hands out exactly one credit per conversion.
    for (const model of ['firstTouch', 'lastTouch', 'linear', 'timeDecay'] as const) {
      expect(report.rows.reduce((s, r) => s + r.conversions[model], 0)).toBeCloseTo(3, 12);
      expect(report.rows.reduce((s, r) => s + r.revenue[model], 0)).toBeCloseTo(100, 9);
    }
  });

  it('honours another half-life', () => {
    // Half-life 14 days: 2^-1, 2^-0.5, 1 over wechat, baidu, newsletter.
    const r = attribute([c1], { halfLifeDays: 14 });
    const sum = 0.5 + Math.SQRT1_2 + 1;
    expect(row(r.rows, 'wechat').conversions.timeDecay).toBeCloseTo(0.5 / sum, 12);
  });
});

describe('campaign history from events', () => {
  it('takes one touch per session landing and merges the client ledgers', () => {
    const events = [
      { timestamp: iso(T - 10 * DAY), context: { channel: 'h5', campaign: wechat, session: { id: 's1', start: true } } },
      { timestamp: iso(T - 10 * DAY + 60_000), context: { channel: 'h5', campaign: wechat, session: { id: 's1' } } },
      { timestamp: iso(T - 3 * DAY), context: { channel: 'web', campaign: baidu, session: { id: 's2', start: true } } },
      // A ledger repeating the baidu landing (same touch, 2 s apart) and a touch never seen as an event.
      {
        timestamp: iso(T),
        context: {
          channel: 'web',
          session: { id: 's2' },
          campaign: baidu,
          touches: [
            { ...mail, channel: 'miniprogram', at: iso(T - 20 * DAY) },
            { ...baidu, channel: 'web', at: iso(T - 3 * DAY + 2000) },
          ],
        },
      },
    ];
    expect(touchHistory(events).map((t) => [t.source, t.channel, t.at])).toEqual([
      ['newsletter', 'miniprogram', T - 20 * DAY],
      ['wechat', 'h5', T - 10 * DAY],
      ['baidu', 'web', T - 3 * DAY],
    ]);
  });
});

describe('GET /v1/attribution', () => {
  let c: CollectorHandle;
  beforeAll(async () => {
    c = await startCollector({ port: 0, dbPath: ':memory:', writeKeys: [KEY], quiet: true });
  });
  afterAll(() => c.close());

  it('uses context.touches when present and the profile history otherwise', async () => {
    const page = (anonymousId: string, at: number, campaign: object, session: string) =>
      ev({ type: 'page', event: undefined, anonymousId, timestamp: iso(at), context: { channel: 'web', campaign, session: { id: session, start: true } } });
    await postBatch(c.url, [
      // Person A: no ledger on the order, so the history counts: wechat (14 d) and baidu (7 d).
      //   first wechat · last baidu · linear ½ ½ · decay 0.25 : 0.5 → ⅓ : ⅔
      page('pa', T - 14 * DAY, wechat, 'a1'),
      page('pa', T - 7 * DAY, baidu, 'a2'),
      ev({ event: 'Order Completed', anonymousId: 'pa', timestamp: iso(T), properties: { revenue: 90 }, context: { channel: 'web', session: { id: 'a2' } } }),
      // Person B: the order carries a ledger with only the newsletter: it gets all 60.
      page('pb', T - 2 * DAY, wechat, 'b1'),
      ev({
        event: 'Signed Up',
        anonymousId: 'pb',
        timestamp: iso(T),
        properties: { value: 60 },
        context: { channel: 'web', touches: [{ ...mail, channel: 'web', at: iso(T - DAY) }] },
      }),
      // Not conversions: an identify with a ledger and an ordinary track.
      ev({ type: 'identify', event: undefined, anonymousId: 'pb', context: { channel: 'web', touches: [{ ...baidu, at: iso(T) }] } }),
      ev({ event: 'Product Viewed', anonymousId: 'pa', timestamp: iso(T) }),
    ]);
    const res = await send(c.url, '/v1/attribution');
    expect(res.status).toBe(200);
    const report = res.json;
    expect(report.conversions).toBe(2);
    expect(report.revenue).toBe(150);
    const w = row(report.rows, 'wechat');
    const b = row(report.rows, 'baidu');
    const n = row(report.rows, 'newsletter');
    expect(w.conversions).toMatchObject({ firstTouch: 1, lastTouch: 0, linear: 0.5 });
    expect(w.conversions.timeDecay).toBeCloseTo(1 / 3, 9);
    expect(b.conversions).toMatchObject({ firstTouch: 0, lastTouch: 1, linear: 0.5 });
    expect(b.conversions.timeDecay).toBeCloseTo(2 / 3, 9);
    expect(b.revenue.timeDecay).toBeCloseTo(60, 9);
    expect(n.conversions).toEqual({ firstTouch: 1, lastTouch: 1, linear: 1, timeDecay: 1 });
    expect(n.revenue.linear).toBe(60);
    // Sorted by linear credit.
    expect(report.rows.map((r: AttributionRow) => r.source)).toEqual(['newsletter', 'baidu', 'wechat']);
  });

  it('counts a track carrying touches as a conversion, whatever its name', async () => {
    await postBatch(c.url, [
      ev({ event: 'Trial Started', anonymousId: 'pc', timestamp: iso(T), context: { channel: 'h5', touches: [{ ...wechat, at: iso(T - DAY) }] } }),
    ]);
    expect((await send(c.url, '/v1/attribution')).json.conversions).toBe(3);
  });
});
