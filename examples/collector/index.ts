// Tutti reference collector: programmatic API. The CLI (server.ts), the demo (demo.ts)
// and other suites' tests (web e2e, mini-program, benchmarks) all start it through
// `startCollector`, and drive failures through the handle (fail/delay/down/up).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { RuleSource } from './decide';
import { Forwarder } from './forward';
import { createHandler } from './http';
import type { HttpContext } from './http';
import { createStaticHandler } from './static';
import { Store } from './store';
import type { CollectorHandle, CollectorOptions, CollectorStats, FailSpec, RequestRecord } from './types';

export type {
  CollectorHandle,
  CollectorOptions,
  CollectorStats,
  DecideRule,
  DecideVariant,
  DecisionContent,
  EventFilter,
  FailSpec,
  ForwardOptions,
  RequestRecord,
  RuleConditions,
} from './types';

/** The rules shipped with the demo (the `hero` slot of examples/site). */
export const DEFAULT_RULES = fileURLToPath(new URL('./rules.json', import.meta.url));
const UI_DIR = fileURLToPath(new URL('./ui/', import.meta.url));

function listen(handler: ReturnType<typeof createHandler>, port: number, host: string): Promise<Server> {
  const server = createServer(handler);
  // A garbled request gets a minimal answer instead of a hanging socket.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would keep accepting requests; an outage drops them all.
    server.closeAllConnections();
  });
}

export async function startCollector(options: CollectorOptions = {}): Promise<CollectorHandle> {
  const quiet = options.quiet ?? !!process.env.VITEST;
  const log = quiet ? () => {} : (message: string) => console.log(`[collector] ${message}`);
  const host = options.host ?? '127.0.0.1';
  const store = new Store(options.dbPath ?? '.data/tutti.db', log);
  let rules: RuleSource;
  try {
    rules = new RuleSource(options.rules ?? DEFAULT_RULES, log);
  } catch (err) {
    await store.close();
    throw err;
  }
  const forwarder = options.forward ? new Forwarder(options.forward, log) : null;
  const requests: RequestRecord[] = [];

  const stats = (): CollectorStats => ({
    events: store.storedEvents,
    duplicates: store.counter('duplicates'),
    rejected: store.counter('rejected'),
    batchRequests: store.counter('batchRequests'),
    requests: store.counter('requests'),
    decideRequests: store.counter('decideRequests'),
    mergeConflicts: store.counter('mergeConflicts'),
    forward: forwarder?.stats() ?? { queued: 0, forwarded: 0, dropped: 0, failed: 0 },
  });

  const ctx: HttpContext = {
    store,
    rules,
    forwarder,
    writeKeys: options.writeKeys === '*' ? '*' : new Set(options.writeKeys ?? ['demo-key']),
    staticFiles: options.static ? createStaticHandler(options.static) : null,
    ui: createStaticHandler({ '/ui': UI_DIR }),
    requests,
    failing: null,
    delayMs: 0,
    stats,
    log,
  };
  const handler = createHandler(ctx);

  let server: Server | null;
  try {
    server = await listen(handler, options.port ?? 8787, host);
  } catch (err) {
    forwarder?.close();
    await store.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}`;
  // Counters are persisted once a second rather than on every request.
  const flushTimer = setInterval(() => store.flushCounters(), 1000);
  flushTimer.unref();
  let closed = false;

  const handle: CollectorHandle = {
    url,
    port,
    requests,
    events: (filter) => store.events(filter),
    profile: (anyId) => store.profile(anyId),
    stats,
    fail(spec: FailSpec | null) {
      ctx.failing = spec ? { ...spec, remaining: spec.times ?? Infinity } : null;
    },
    delay(ms: number) {
      ctx.delayMs = Math.max(0, ms);
    },
    async down() {
      if (!server) return;
      const s = server;
      server = null;
      await closeServer(s);
    },
    async up() {
      if (server || closed) return;
      server = await listen(handler, port, host);
    },
    reset() {
      store.reset();
      requests.length = 0;
      forwarder?.clear();
      ctx.failing = null;
      ctx.delayMs = 0;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(flushTimer);
      forwarder?.close();
      await handle.down();
      await store.close();
    },
  };
  return handle;
}
