// Shared helpers of the collector tests: event factories and a raw HTTP client (node:http,
// so tests control headers, encodings and sockets exactly, as browsers would send them).
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { Agent, IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';

export const KEY = 'test-key';

export interface Ev {
  type: string;
  messageId: string;
  anonymousId: string | null;
  userId: string | null;
  timestamp: string;
  context: Record<string, unknown>;
  [field: string]: unknown;
}

/** A valid track event; fields can be overridden or removed (set to undefined). */
export function ev(overrides: Partial<Ev> & Record<string, unknown> = {}): Ev {
  return {
    type: 'track',
    event: 'Button Clicked',
    messageId: randomUUID(),
    anonymousId: 'anon-1',
    userId: null,
    timestamp: new Date().toISOString(),
    properties: {},
    context: { library: { name: 'tutti', version: '0.0.0-test' }, channel: 'web' },
    ...overrides,
  } as Ev;
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
  reusedSocket: boolean;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string | number>;
  gzip?: boolean;
  agent?: Agent;
}

/** Sends a request with a raw body (string, Buffer or object → JSON) and reads the whole answer. */
export function send(base: string, path: string, body?: unknown, options: SendOptions = {}): Promise<Answer> {
  let payload: Buffer | undefined;
  if (body !== undefined) payload = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  if (payload && options.gzip) payload = gzipSync(payload);
  const headers: Record<string, string | number> = {
    ...(payload ? { 'Content-Type': 'text/plain;charset=UTF-8', 'Content-Length': payload.length } : {}),
    ...(options.gzip ? { 'Content-Encoding': 'gzip' } : {}),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, base),
      // A fresh connection per request unless an agent is given: Node's default agent keeps
      // sockets alive, and a stale one would blur what down()/close() tests observe.
      { method: options.method ?? (payload ? 'POST' : 'GET'), headers, agent: options.agent ?? false, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, reusedSocket: req.reusedSocket });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** POST /v1/batch with the test write key. */
export function postBatch(base: string, batch: unknown, options: SendOptions & { writeKey?: string } = {}): Promise<Answer> {
  return send(base, '/v1/batch', { writeKey: options.writeKey ?? KEY, sentAt: new Date().toISOString(), batch }, options);
}

/** Polls `check` until it returns true (bounded: fails the test after `timeout` ms). */
export async function until(check: () => boolean | Promise<boolean>, timeout = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const DAY = 86_400_000;
export const iso = (ms: number) => new Date(ms).toISOString();
