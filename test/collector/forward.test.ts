// Forwarding to a Segment-compatible pipeline. The "pipeline" is a second collector that
// only accepts its own write key (sent as HTTP Basic auth), so the tests see exactly
// what a RudderStack/Jitsu/Segment endpoint would receive, outages included.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../examples/collector/forward';
import { startCollector } from '../../examples/collector/index';
import type { CollectorHandle, ForwardOptions } from '../../examples/collector/index';
import { KEY, ev, postBatch, until } from './helpers';

let pipe: CollectorHandle;
let source: CollectorHandle | null = null;

beforeAll(async () => {
  pipe = await startCollector({ port: 0, dbPath: ':memory:', writeKeys: ['pipe-key'], quiet: true });
});
afterAll(() => pipe.close());
afterEach(async () => {
  await source?.close();
  source = null;
  pipe.reset();
});

async function startSource(forward: Partial<ForwardOptions> = {}): Promise<CollectorHandle> {
  source = await startCollector({
    port: 0,
    dbPath: ':memory:',
    writeKeys: [KEY],
    quiet: true,
    // Fast backoff for tests, and enough attempts that a slow CI machine never gives up mid-outage.
    forward: { url: pipe.url, writeKey: 'pipe-key', baseDelay: 20, maxDelay: 200, maxAttempts: 1000, ...forward },
  });
  return source;
}

describe('forwarding', () => {
  it('forwards accepted events (not duplicates, not rejected ones) with Basic auth', async () => {
    const s = await startSource();
    const events = [ev({ messageId: 'f1' }), ev({ messageId: 'f2', context: { channel: 'h5' } })];
    await postBatch(s.url, [...events, ev({ event: '' })]);
    await postBatch(s.url, [events[0]]); // a client retry: not forwarded again
    await until(() => pipe.stats().events === 2, 5000, 'pipeline to receive 2 events');
    expect(pipe.events().map((e) => e.messageId)).toEqual(['f1', 'f2']);
    expect(pipe.events()[1].context.channel).toBe('h5');
    const rec = pipe.requests.find((r) => r.path === '/v1/batch')!;
    expect(rec.status).toBe(200);
    await until(() => s.stats().forward.forwarded === 2, 2000, 'forwarded count');
    expect(s.stats().forward).toEqual({ queued: 0, forwarded: 2, dropped: 0, failed: 0 });
  });

  it('survives a pipeline outage without slowing ingestion, then delivers everything', async () => {
    const s = await startSource();
    await pipe.down();
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      const batch = Array.from({ length: 5 }, () => ev());
      sent.push(...batch.map((e) => e.messageId));
      const t = Date.now();
      const res = await postBatch(s.url, batch);
      expect(res.status).toBe(200);
      expect(Date.now() - t).toBeLessThan(500); // ingestion never waits for the pipeline
    }
    expect(s.stats().events).toBe(50);
    await until(() => s.stats().forward.queued === 50, 2000, 'events queued during the outage');
    await pipe.up();
    await until(() => pipe.stats().events === 50, 10_000, 'delivery after recovery');
    expect(new Set(pipe.events().map((e) => e.messageId))).toEqual(new Set(sent));
    await until(() => s.stats().forward.queued === 0, 2000, 'queue drained');
    expect(s.stats().forward).toMatchObject({ forwarded: 50, dropped: 0, failed: 0 });
  });

  it('retries 5xx/429 answers, honouring Retry-After', async () => {
    const s = await startSource();
    pipe.fail({ status: 503, retryAfter: '1', times: 2 });
    const t = Date.now();
    await postBatch(s.url, [ev({ messageId: 'r1' })]);
    await until(() => pipe.stats().events === 1, 8000, 'delivery after two 503s');
    // Two Retry-After: 1 waits, although the backoff alone would be ~20 and ~40 ms.
    expect(Date.now() - t).toBeGreaterThanOrEqual(1900);
    expect(pipe.requests.filter((r) => r.path === '/v1/batch').map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('gives up after maxAttempts and on non-retryable refusals, counting the events as failed', async () => {
    const s = await startSource({ maxAttempts: 3 });
    pipe.fail({ status: 500 });
    await postBatch(s.url, [ev(), ev()]);
    await until(() => s.stats().forward.failed === 2, 5000, 'failed after 3 attempts');
    expect(pipe.requests.filter((r) => r.path === '/v1/batch')).toHaveLength(3);
    pipe.fail(null);

    await source!.close();
    const wrongKey = await startSource({ writeKey: 'not-the-pipe-key' });
    await postBatch(wrongKey.url, [ev()]);
    await until(() => wrongKey.stats().forward.failed === 1, 5000, '401 counted as failed');
    expect(pipe.requests.filter((r) => r.status === 401)).toHaveLength(1); // not retried
  });

  it('caps the queue, dropping the oldest events and counting them', async () => {
    const s = await startSource({ maxQueue: 5, batchSize: 2 });
    await pipe.down();
    for (let i = 0; i < 3; i++) await postBatch(s.url, Array.from({ length: 4 }, (_, k) => ev({ messageId: `q${i * 4 + k}` })));
    // 12 events: 2 are in flight (the first batch), the queue holds the newest 5, 5 are dropped.
    expect(s.stats().forward).toMatchObject({ dropped: 5, queued: 7 });
    await pipe.up();
    await until(() => pipe.stats().events === 7, 10_000, 'delivery of what was kept');
    expect(pipe.events().map((e) => e.messageId)).toEqual(['q0', 'q1', 'q7', 'q8', 'q9', 'q10', 'q11']);
  });
});

describe('Retry-After parsing', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('1.5')).toBe(1500);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});
