// The read API behind the UI (same-origin only): events, profiles, attribution, stats.
import type { ServerResponse } from 'node:http';
import { attribute } from './attribution';
import { sendJson } from './respond';
import type { HttpContext } from './respond';
import type { RequestRecord } from './types';

function int(value: string | null, fallback: number, max: number): number {
  const n = value === null ? NaN : Number(value);
  return Number.isFinite(n) && n > 0 ? Math.min(Math.floor(n), max) : fallback;
}

/** `since` as epoch ms or any date Date.parse understands. */
function time(value: string | null): number | undefined {
  if (!value) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(n) ? n : undefined;
}

/** GET /v1/stats, /v1/events, /v1/attribution, /v1/profiles[/:anyId]. */
export async function read(ctx: HttpContext, res: ServerResponse, url: URL, path: string, record: RequestRecord): Promise<void> {
  const q = url.searchParams;
  const opt = (name: string) => q.get(name) ?? undefined;
  if (path === '/v1/stats') return sendJson(ctx, res, record, 200, ctx.stats());
  if (path === '/v1/events') {
    const events = ctx.store.events({
      type: opt('type'),
      event: opt('event'),
      anonymousId: opt('anonymousId'),
      userId: opt('userId'),
      since: time(q.get('since')),
      after: time(q.get('after')),
      limit: int(q.get('limit'), 100, 1000),
      order: 'desc',
    });
    return sendJson(ctx, res, record, 200, { events, lastId: ctx.store.lastId() });
  }
  if (path === '/v1/attribution') {
    const report = attribute(ctx.store.conversions(int(q.get('limit'), 5000, 50_000)), {
      halfLifeDays: Number(q.get('halfLifeDays')) || undefined,
      lookbackDays: Number(q.get('lookbackDays')) || undefined,
    });
    return sendJson(ctx, res, record, 200, report);
  }
  if (path === '/v1/profiles') {
    return sendJson(ctx, res, record, 200, { profiles: ctx.store.recentProfiles(int(q.get('limit'), 20, 200)) });
  }
  let anyId: string;
  try {
    anyId = decodeURIComponent(path.slice('/v1/profiles/'.length));
  } catch {
    return sendJson(ctx, res, record, 400, { error: 'malformed id' });
  }
  const profile = ctx.store.profile(anyId);
  return profile ? sendJson(ctx, res, record, 200, profile) : sendJson(ctx, res, record, 404, { error: 'unknown id' });
}
