// Test harness for the core: a memory platform and a scripted transport that records
// every request (gunzipping bodies) and answers what the test tells it to.
import { gunzipSync } from 'node:zlib';
import { createCore, memoryKV, memoryOutbox } from '../../src/index';
import type { CoreTutti, KeyValueStore, OutboxStore, Platform, Tabs, TransportResponse, TuttiEvent, TuttiOptions, SendOptions } from '../../src/index';

export interface RecordedRequest {
  url: string;
  body: any;
  bytes: number;
  options: SendOptions;
  gzip: boolean;
}

export type Responder = (req: RecordedRequest, index: number) => TransportResponse | Promise<TransportResponse>;

export function scriptedTransport(respond: Responder = () => ({ status: 200, body: '{}' })) {
  const requests: RecordedRequest[] = [];
  let responder = respond;
  const transport = {
    async send(url: string, body: string | Uint8Array, options: SendOptions): Promise<TransportResponse> {
      const gzip = typeof body !== 'string';
      const text = gzip ? gunzipSync(body as Uint8Array).toString('utf8') : (body as string);
      const req: RecordedRequest = { url, body: JSON.parse(text), bytes: gzip ? (body as Uint8Array).length : Buffer.byteLength(text), options, gzip };
      requests.push(req);
      return responder(req, requests.length - 1);
    },
  };
  return {
    transport,
    requests,
    respond(fn: Responder) {
      responder = fn;
    },
    /** Every event of every batch request, in send order. */
    events(): TuttiEvent[] {
      return requests.filter((r) => r.url.endsWith('/v1/batch')).flatMap((r) => r.body.batch);
    },
  };
}

export interface Made {
  core: CoreTutti;
  net: ReturnType<typeof scriptedTransport>;
  kv: KeyValueStore;
  outbox: OutboxStore;
}

export interface MakeOptions {
  kv?: KeyValueStore;
  outbox?: OutboxStore;
  net?: ReturnType<typeof scriptedTransport>;
  landing?: { url: string; referrer: string };
  host?: string;
  tabs?: Tabs;
  context?: () => Record<string, unknown>;
  platform?: Partial<Platform>;
  init?: boolean;
}

export function make(options: Partial<TuttiOptions> = {}, m: MakeOptions = {}): Made {
  const kv = m.kv || memoryKV();
  const outbox = m.outbox || memoryOutbox();
  const net = m.net || scriptedTransport();
  const core = createCore(() => ({
    env: {
      channel: 'web',
      context: m.context || (() => ({ page: { url: 'https://www.example.com/', path: '/', title: 'Home', referrer: '', search: '' } })),
      landing: m.landing ? () => m.landing : undefined,
      host: () => m.host || 'www.example.com',
    },
    kv,
    outbox,
    transport: net.transport,
    tabs: m.tabs,
    ...m.platform,
  }));
  if (m.init !== false) core.init({ writeKey: 'wk', endpoint: 'https://collect.example.com', ...options } as TuttiOptions);
  return { core, net, kv, outbox };
}

/** Lets pending promise chains and zero-delay timers run (real timers). */
export const settle = (ms = 0) => new Promise((r) => setTimeout(r, ms));
