// Shared pieces of the HTTP handlers: the context they work on, small JSON answers,
// and reading a JSON body with its write key.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body';
import type { RuleSource } from './decide';
import type { Forwarder } from './forward';
import type { StaticHandler } from './static';
import type { Store } from './store';
import type { CollectorStats, FailSpec, RequestRecord } from './types';

export interface HttpContext {
  store: Store;
  rules: RuleSource;
  forwarder: Forwarder | null;
  writeKeys: Set<string> | '*';
  staticFiles: StaticHandler | null;
  ui: StaticHandler;
  requests: RequestRecord[];
  /** Simulated failure of POST /v1/batch (tests); `remaining` counts down. */
  failing: (FailSpec & { remaining: number }) | null;
  delayMs: number;
  stats(): CollectorStats;
  log(message: string): void;
}

export type Json = Record<string, unknown>;

/** Sends a small JSON answer, after the simulated delay (tests) for /v1 answers. */
export async function sendJson(
  ctx: HttpContext,
  res: ServerResponse,
  record: RequestRecord,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<void> {
  if (ctx.delayMs > 0) await new Promise((r) => setTimeout(r, ctx.delayMs));
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  record.status = status;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Write key from the body or from HTTP Basic auth (`writeKey:`, as Segment-compatible senders do). */
function authorized(ctx: HttpContext, req: IncomingMessage, payload: Json): boolean {
  if (ctx.writeKeys === '*') return true;
  const candidates: unknown[] = [payload.writeKey];
  const auth = req.headers.authorization;
  if (auth && /^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    candidates.push(decoded.split(':')[0]);
  }
  const keys = ctx.writeKeys;
  return candidates.some((k) => typeof k === 'string' && keys.has(k));
}

/** Reads, decompresses and parses a JSON object body; answers the error itself and returns null on failure. */
export async function readJson(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, record: RequestRecord): Promise<Json | null> {
  const body = await readBody(req);
  record.bytes = body.bytes;
  if (!body.ok) {
    await sendJson(ctx, res, record, body.status, { error: body.reason });
    return null;
  }
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type && !/^(text\/plain|application\/json)\b/.test(type)) {
    await sendJson(ctx, res, record, 415, { error: 'content-type must be text/plain or application/json' });
    return null;
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body.text);
  } catch (err) {
    await sendJson(ctx, res, record, 400, { error: `malformed JSON: ${(err as Error).message}` });
    return null;
  }
  if (!isObject(payload)) {
    await sendJson(ctx, res, record, 400, { error: 'body must be a JSON object' });
    return null;
  }
  if (!authorized(ctx, req, payload)) {
    await sendJson(ctx, res, record, 401, { error: 'unknown write key' });
    return null;
  }
  return payload;
}
