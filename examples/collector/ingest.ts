// The ingest routes browsers call: POST /v1/batch (store, dedup, stitch, forward) and
// POST /v1/decide (personalization).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body';
import { decide } from './decide';
import { isObject, readJson, sendJson } from './respond';
import type { HttpContext, Json } from './respond';
import { key } from './stitch';
import type { RequestRecord } from './types';
import { validateEvent } from './validate';

/**
 * POST /v1/batch: events are judged one by one; good ones are stored (duplicates once),
 * refused ones are listed in the 200 answer, and new ones are queued for forwarding.
 */
export async function batch(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, record: RequestRecord): Promise<void> {
  ctx.store.count('batchRequests');
  const failing = ctx.failing;
  if (failing) {
    // Counted on arrival, so concurrent requests consume exactly `times` failures.
    if (--failing.remaining <= 0) ctx.failing = null;
    // Simulated outage: read the body (so the client's keepalive budget is freed), store nothing.
    const body = await readBody(req);
    record.bytes = body.bytes;
    if (body.ok) {
      try {
        const b = JSON.parse(body.text)?.batch;
        if (Array.isArray(b)) record.events = b.length;
      } catch {
        /* the count is informative only */
      }
    }
    const { status, retryAfter } = failing;
    return sendJson(ctx, res, record, status, { error: 'simulated failure' }, retryAfter !== undefined ? { 'Retry-After': retryAfter } : {});
  }

  const payload = await readJson(ctx, req, res, record);
  if (!payload) return;
  const events = payload.batch;
  if (!Array.isArray(events)) return sendJson(ctx, res, record, 400, { error: 'batch must be an array' });
  record.events = events.length;

  const receivedAt = Date.now();
  const good = [];
  const rejected: Array<{ messageId: string | null; index: number; reason: string }> = [];
  for (let i = 0; i < events.length; i++) {
    const verdict = validateEvent(events[i], receivedAt);
    if (verdict.ok) good.push(verdict.event);
    else rejected.push({ messageId: verdict.messageId, index: i, reason: verdict.reason });
  }

  let result;
  try {
    result = await ctx.store.ingestSoon(good, receivedAt);
  } catch (err) {
    ctx.log(`storage error: ${(err as Error).message}`);
    // 5xx: the SDK keeps the events and retries; nothing was committed.
    return sendJson(ctx, res, record, 500, { error: 'storage error' });
  }
  if (rejected.length) ctx.store.count('rejected', rejected.length);
  ctx.forwarder?.push(result.stored.map((e) => e.raw));

  const channel = (good[0]?.raw.context as Json | undefined)?.channel;
  ctx.log(
    `batch ${events.length} event(s)${channel ? ` from ${channel}` : ''}: ${result.stored.length} stored` +
      `${result.duplicates ? `, ${result.duplicates} duplicate(s)` : ''}${rejected.length ? `, ${rejected.length} rejected` : ''}`,
  );
  const answer: Json = { ok: true, accepted: good.length, duplicates: result.duplicates };
  if (rejected.length) answer.rejected = rejected;
  return sendJson(ctx, res, record, 200, answer);
}

/** POST /v1/decide: first matching rule per requested slot (decide.ts). */
export async function decideRoute(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, record: RequestRecord): Promise<void> {
  ctx.store.count('decideRequests');
  const payload = await readJson(ctx, req, res, record);
  if (!payload) return;
  const { slots } = payload;
  if (slots !== undefined && !(Array.isArray(slots) && slots.every((s) => typeof s === 'string'))) {
    return sendJson(ctx, res, record, 400, { error: 'slots must be an array of strings' });
  }
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  const anonymousId = str(payload.anonymousId);
  const userId = str(payload.userId);

  // Enrich with what the collector already knows about the person (traits, external IDs
  // seen on other channels), the request's own values winning.
  const root = (userId && ctx.store.graph.find(key.user(userId))) || (anonymousId && ctx.store.graph.find(key.anon(anonymousId))) || null;
  const members = root ? ctx.store.graph.members(root) : [];
  const externalIdTypes = new Set(members.filter((k) => k.startsWith('ext:')).map((k) => k.split(':')[1]));
  if (Array.isArray(payload.externalIds)) {
    for (const x of payload.externalIds) if (isObject(x) && typeof x.type === 'string') externalIdTypes.add(x.type);
  }
  const traits = { ...(root ? ctx.store.graph.traits(root) : {}), ...(isObject(payload.traits) ? payload.traits : {}) };
  const knownUser = members.find((k) => k.startsWith('user:'));

  const decisions = decide(ctx.rules.get(), {
    anonymousId,
    userId: userId ?? (knownUser ? knownUser.slice(5) : null),
    externalIdTypes: [...externalIdTypes],
    traits,
    context: isObject(payload.context) ? payload.context : {},
    slots: slots as string[] | undefined,
  });
  return sendJson(ctx, res, record, 200, { decisions });
}
