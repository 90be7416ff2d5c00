// Multi-touch attribution over conversions. Pure functions: the store gathers
// conversions with their touches (the client's `context.touches` ledger when present,
// the profile's campaign history otherwise) and this module splits the credit.

export const MODELS = ['firstTouch', 'lastTouch', 'linear', 'timeDecay'] as const;
export type Model = (typeof MODELS)[number];

/** Events that count as conversions even without a touch ledger (SPEC §2 `conversionEvents`). */
export const CONVERSION_EVENTS = ['Order Completed', 'Signed Up'];

const DAY = 86_400_000;

export interface AttributionTouch {
  source?: string;
  medium?: string;
  name?: string;
  channel?: string;
  /** ms epoch */
  at: number;
}

export interface Conversion {
  /** ms epoch */
  at: number;
  /** Revenue carried by the conversion (0 when none). */
  value: number;
  /** Touches in any order; those after the conversion or outside the lookback are ignored. */
  touches: AttributionTouch[];
}

export interface AttributionOptions {
  /** Time-decay half-life, days. 7 */
  halfLifeDays?: number;
  /** Touches older than this before the conversion are ignored, days. 90 */
  lookbackDays?: number;
}

export type Credit = Record<Model, number>;

export interface AttributionRow {
  source: string;
  medium: string;
  campaign: string;
  /** Conversions credited per model (fractions for linear and time decay). */
  conversions: Credit;
  /** Revenue credited per model. */
  revenue: Credit;
}

export interface AttributionReport {
  conversions: number;
  revenue: number;
  halfLifeDays: number;
  lookbackDays: number;
  /** Sorted by linear credit, highest first. Per model, credits sum to `conversions`. */
  rows: AttributionRow[];
}

const NONE = '(none)';

function isDirect(t: AttributionTouch): boolean {
  return (t.source ?? '').toLowerCase() === 'direct';
}

/**
 * The touches that compete for one conversion, oldest first: before the conversion and
 * inside the lookback window. Direct visits only get credit when nothing else exists
 * ("last non-direct click"): returning by bookmark does not erase the campaign that
 * brought the person.
 */
export function eligibleTouches(c: Conversion, lookbackDays = 90): AttributionTouch[] {
  const from = c.at - lookbackDays * DAY;
  const inWindow = c.touches.filter((t) => Number.isFinite(t.at) && t.at <= c.at && t.at >= from).sort((a, b) => a.at - b.at);
  const paid = inWindow.filter((t) => !isDirect(t));
  return paid.length > 0 ? paid : inWindow;
}

/** Credit weights (summing to 1) of each eligible touch under one model. */
export function weights(model: Model, touches: AttributionTouch[], conversionAt: number, halfLifeDays = 7): number[] {
  const n = touches.length;
  if (n === 0) return [];
  switch (model) {
    case 'firstTouch':
      return touches.map((_, i) => (i === 0 ? 1 : 0));
    case 'lastTouch':
      return touches.map((_, i) => (i === n - 1 ? 1 : 0));
    case 'linear':
      return touches.map(() => 1 / n);
    case 'timeDecay': {
      // A touch's weight halves for every half-life between it and the conversion.
      const raw = touches.map((t) => Math.pow(2, -(conversionAt - t.at) / (halfLifeDays * DAY)));
      const sum = raw.reduce((a, b) => a + b, 0);
      return raw.map((w) => w / sum);
    }
  }
}

function rowKey(t: AttributionTouch): [string, string, string] {
  return [t.source || NONE, t.medium || NONE, t.name || NONE];
}

/** Runs all four models over the conversions. A conversion without any touch is credited to direct. */
export function attribute(conversions: Conversion[], options: AttributionOptions = {}): AttributionReport {
  const halfLifeDays = options.halfLifeDays ?? 7;
  const lookbackDays = options.lookbackDays ?? 90;
  const rows = new Map<string, AttributionRow>();
  const row = (t: AttributionTouch): AttributionRow => {
    const [source, medium, campaign] = rowKey(t);
    const id = JSON.stringify([source, medium, campaign]);
    let r = rows.get(id);
    if (!r) {
      const zero = (): Credit => ({ firstTouch: 0, lastTouch: 0, linear: 0, timeDecay: 0 });
      r = { source, medium, campaign, conversions: zero(), revenue: zero() };
      rows.set(id, r);
    }
    return r;
  };

  let revenue = 0;
  for (const c of conversions) {
    revenue += c.value;
    let touches = eligibleTouches(c, lookbackDays);
    if (touches.length === 0) touches = [{ source: 'direct', at: c.at }];
    for (const model of MODELS) {
      const w = weights(model, touches, c.at, halfLifeDays);
      touches.forEach((t, i) => {
        if (w[i] === 0) return;
        const r = row(t);
        r.conversions[model] += w[i];
        r.revenue[model] += w[i] * c.value;
      });
    }
  }
  const sorted = [...rows.values()].sort((a, b) => b.conversions.linear - a.conversions.linear || a.source.localeCompare(b.source));
  return { conversions: conversions.length, revenue, halfLifeDays, lookbackDays, rows: sorted };
}

/** Reads a touch from `context.touches` (ISO `at`) or returns null when unusable. */
export function parseTouch(input: unknown): AttributionTouch | null {
  if (typeof input !== 'object' || input === null) return null;
  const t = input as Record<string, unknown>;
  const at = typeof t.at === 'string' ? Date.parse(t.at) : typeof t.at === 'number' ? t.at : NaN;
  if (!Number.isFinite(at)) return null;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return { source: str(t.source), medium: str(t.medium), name: str(t.name), channel: str(t.channel), at };
}

/** Revenue of a conversion event: `revenue`, else `value`, else `total` (numbers or numeric strings). */
export function conversionValue(properties: unknown): number {
  if (typeof properties !== 'object' || properties === null) return 0;
  const p = properties as Record<string, unknown>;
  for (const k of ['revenue', 'value', 'total']) {
    const n = typeof p[k] === 'string' ? Number(p[k]) : p[k];
    if (typeof n === 'number' && Number.isFinite(n)) return n;
  }
  return 0;
}

/** Same campaign seen again within this window is the same touch (ledger vs. session landing). */
const SAME_TOUCH_MS = 5 * 60_000;

/**
 * A profile's campaign history, oldest first, from its events (oldest first): the
 * campaign of each session's first event, plus every touch the client ledgers carried
 * (they include touches whose events never reached the collector).
 */
export function touchHistory(events: Array<Record<string, any>>): AttributionTouch[] {
  const out: AttributionTouch[] = [];
  const add = (t: AttributionTouch) => {
    const dup = out.some(
      (o) => o.source === t.source && o.medium === t.medium && o.name === t.name && Math.abs(o.at - t.at) <= SAME_TOUCH_MS,
    );
    if (!dup) out.push(t);
  };
  const sessions = new Set<string>();
  let lastCampaign = '';
  for (const e of events) {
    const ctx = (e.context ?? {}) as Record<string, any>;
    const at = Date.parse(e.timestamp);
    const c = ctx.campaign;
    if (c && typeof c === 'object' && Number.isFinite(at)) {
      const sid = ctx.session && typeof ctx.session.id === 'string' ? ctx.session.id : null;
      const sig = JSON.stringify([c.source, c.medium, c.name]);
      // A new session, or (for clients without sessions) a change of campaign, is a touch.
      const isNew = sid ? !sessions.has(sid) : sig !== lastCampaign;
      if (sid) sessions.add(sid);
      lastCampaign = sig;
      const t = parseTouch({ ...c, channel: ctx.channel, at });
      if (isNew && t && (t.source || t.medium || t.name)) add(t);
    }
    if (Array.isArray(ctx.touches)) {
      for (const raw of ctx.touches) {
        const t = parseTouch(raw);
        if (t) add(t);
      }
    }
  }
  return out.sort((a, b) => a.at - b.at);
}
