import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { make, scriptedTransport } from './harness';
import type { TransportResponse, TuttiOptions } from '../../src/index';
import { backoffDelay, parseRetryAfter } from '../../src/queue/backoff';

// setImmediate stays real: CompressionStream needs it to gzip bodies.
beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }));
afterEach(() => vi.useRealTimers());

const times = (t0: number, at: number[]) => at.map((t) => t - t0);

/**
 * The collector is down (a flush has just failed); `later` ms on, the page leaves after one
 * more call. Returns the requests made from then on and the events still persisted.
 */
async function leaveDuringOutage(later: number) {
  const net = scriptedTransport(() => ({ status: 0 }));
  const { core, outbox } = make({}, { net });
  core.track('Before');
  await core.flush();
  const n = net.requests.length;
  vi.setSystemTime(Date.now() + later);
  core.track('Leaving');
  core.flushNow(true);
  await vi.advanceTimersByTimeAsync(0);
  return { sent: net.requests.slice(n), persisted: (await outbox.all()).map((r) => r.event.event).sort() };
}

/** Tracks one event against a collector whose first answer is `first` (200 after that) and flushes: the first attempt is made. */
async function afterFirstAnswer(first: TransportResponse, options: Partial<TuttiOptions> = {}) {
  const net = scriptedTransport((_r, i) => (i === 0 ? first : { status: 200 }));
  const { core } = make(options, { net });
  core.track('Retried');
  await core.flush();
  return net;
}

describe('retry and backoff', () => {
  it('retries 503 and network errors with growing delays, then delivers with the same messageId', async () => {
    const at: number[] = [];
    const net = scriptedTransport((_r, i) => {
      at.push(Date.now());
      return { status: [503, 0, 500, 200][i] ?? 200 };
    });
    const { core } = make({ retry: { baseDelay: 1000, maxDelay: 60000 } }, { net });
    const t0 = Date.now();
    core.track('Paid');
    await core.flush();
    await vi.advanceTimersByTimeAsync(20000);
    expect(net.requests.length).toBe(4);
    const gaps = times(t0, at).slice(1).map((t, i) => t - times(t0, at)[i]);
    // equal jitter: attempt n waits between half and all of base * 2^(n-1)
    expect(gaps[0]).toBeGreaterThanOrEqual(500);
    expect(gaps[0]).toBeLessThanOrEqual(1000);
    expect(gaps[1]).toBeGreaterThanOrEqual(1000);
    expect(gaps[1]).toBeLessThanOrEqual(2000);
    expect(gaps[2]).toBeGreaterThanOrEqual(2000);
    expect(gaps[2]).toBeLessThanOrEqual(4000);
    const ids = new Set(net.requests.map((r) => r.body.batch[0].messageId));
    expect(ids.size).toBe(1);
  });

  it('honours Retry-After in seconds on 429', async () => {
    const net = await afterFirstAnswer({ status: 429, retryAfter: '7' });
    await vi.advanceTimersByTimeAsync(6900);
    expect(net.requests.length).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(net.requests.length).toBe(2);
  });

  it('a clock turned back during a backoff does not hold delivery back by the same amount', async () => {
    const net = scriptedTransport((_r, i) => ({ status: i === 0 ? 503 : 200 }));
    // (uncompressed: gzip runs on real timers)
    const { core } = make({ retry: { baseDelay: 1000, maxDelay: 1000 }, contract: { compress: false } }, { net });
    core.track('Before');
    await core.flush(); // 503: about a second of backoff
    vi.setSystemTime(Date.now() - 3600000); // the device clock goes back an hour
    core.track('After');
    await vi.advanceTimersByTimeAsync(10000);
    expect(net.events().slice(1).map((e) => e.event)).toEqual(['Before', 'After']);
  });

  it('honours Retry-After as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30000);
    expect(parseRetryAfter('garbage', now)).toBeUndefined();
    expect(parseRetryAfter('999999', now)).toBe(600000);
    expect(backoffDelay(30, 1000, 60000, () => 1)).toBe(60000);
  });

  it('falls back to the jittered backoff on Retry-After: 0 or an HTTP date in the past', async () => {
    for (const retryAfter of ['0', new Date(Date.now() - 60000).toUTCString()]) {
      const net = await afterFirstAnswer({ status: 503, retryAfter }, { retry: { baseDelay: 1000, maxDelay: 60000 } });
      // Not an immediate retry: the first backoff waits between 500 and 1000 ms.
      await vi.advanceTimersByTimeAsync(450);
      expect(net.requests.length).toBe(1);
      await vi.advanceTimersByTimeAsync(600);
      expect(net.requests.length).toBe(2);
    }
    expect(parseRetryAfter('0', Date.now())).toBeUndefined();
  });

  it('without location (Node), a relative endpoint fails its events via failed once, with one warning, instead of retrying forever', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    // No transport given: tutti/core's own (fetch), which can never reach a relative URL in Node.
    const { core, outbox } = make({ endpoint: '/collect', debug: true, batchSize: 2 }, { platform: { transport: undefined } });
    const failed: { events: unknown[]; status: number }[] = [];
    core.on('failed', (f) => failed.push(f));
    for (let i = 0; i < 3; i++) core.track('Lost');
    await core.flush();
    await vi.advanceTimersByTimeAsync(120000);
    expect(failed.reduce((n, f) => n + f.events.length, 0)).toBe(3);
    expect(await outbox.all()).toEqual([]);
    const said = warn.mock.calls.map((c) => c.join(' '));
    expect(said.filter((m) => m.includes('relative endpoint')).length).toBe(1);
    expect(said.filter((m) => m.includes('retry')).length).toBe(0);
    warn.mockRestore();
  });

  it('does not retry 400 and reports it via failed', async () => {
    const net = scriptedTransport(() => ({ status: 400, body: 'bad' }));
    const { core } = make({}, { net });
    const failed: any[] = [];
    core.on('failed', (f) => failed.push(f));
    core.track('Bad');
    await core.flush();
    await vi.advanceTimersByTimeAsync(120000);
    expect(net.requests.length).toBe(1);
    expect(failed).toHaveLength(1);
    expect(failed[0].status).toBe(400);
    expect(failed[0].events[0].event).toBe('Bad');
  });

  it('reports rejected events via failed, never retries them, and counts the rest as sent', async () => {
    const net = scriptedTransport((req) => ({
      status: 200,
      body: JSON.stringify({ rejected: [{ messageId: req.body.batch[1].messageId, reason: 'schema' }] }),
    }));
    const { core } = make({}, { net });
    const sent: string[] = [];
    const failed: string[] = [];
    core.on('sent', (s) => sent.push(...s.events.map((e) => e.event!)));
    core.on('failed', (f) => failed.push(...f.events.map((e) => e.event! + ':' + f.reason)));
    core.track('A');
    core.track('B');
    core.track('C');
    await core.flush();
    await vi.advanceTimersByTimeAsync(60000);
    expect(net.requests.length).toBe(1);
    expect(sent).toEqual(['A', 'C']);
    expect(failed).toEqual(['B:rejected: schema']);
  });

  it('gives up after maxAttempts server refusals, but never counts network errors', async () => {
    let status = 0;
    const net = scriptedTransport(() => ({ status }));
    const { core } = make({ retry: { maxAttempts: 3, baseDelay: 100, maxDelay: 100 } }, { net });
    const failed: any[] = [];
    core.on('failed', (f) => failed.push(f));
    core.track('Persistent');
    await core.flush();
    await vi.advanceTimersByTimeAsync(5000); // offline: many network errors
    expect(net.requests.length).toBeGreaterThan(10);
    expect(failed).toHaveLength(0);
    status = 500;
    await vi.advanceTimersByTimeAsync(1000);
    expect(failed).toHaveLength(1);
    expect(failed[0].reason).toMatch(/3 attempts/);
  });

  it('halves the batch on 413 and delivers everything', async () => {
    const net = scriptedTransport((req) => (req.body.batch.length > 5 ? { status: 413 } : { status: 200 }));
    const { core } = make({ batchSize: 20 }, { net });
    for (let i = 0; i < 20; i++) core.track('E', { i });
    await vi.advanceTimersByTimeAsync(100);
    await core.flush();
    await core.flush();
    const delivered = net.requests.filter((r) => r.body.batch.length <= 5).flatMap((r) => r.body.batch);
    expect(new Set(delivered.map((e: any) => e.messageId)).size).toBe(20);
  });

  it('a hidden-page flush whose request failed after the flush timer had run is retried while the page stays, with nothing else tracked', async () => {
    for (const status of [503, 0]) {
      // The page was only hidden: its unload-flush request (a keepalive fetch) answers late, and fails.
      const net = scriptedTransport((req) => (req.options.beacon ? new Promise((r) => setTimeout(() => r({ status }), 5000)) : { status: 200 }));
      const { core } = make({}, { net });
      core.track('Hidden');
      core.flushNow(true);
      await vi.advanceTimersByTimeAsync(5000); // the 3 s flush timer ran while that request was out
      await vi.advanceTimersByTimeAsync(120000);
      expect(net.requests.filter((r) => !r.options.beacon).flatMap((r) => r.body.batch.map((e: any) => e.event))).toEqual(['Hidden']);
    }
  });

  it('keeps events for the next page instead of beaconing them into a known outage', async () => {
    const { sent, persisted } = await leaveDuringOutage(0);
    expect(sent).toEqual([]);
    expect(persisted).toEqual(['Before', 'Leaving']);
  });

  it('still no beacon once the backoff has run out but no send has succeeded since (the retry may be under way)', async () => {
    // The backoff is over; its retry has not answered yet.
    const { sent, persisted } = await leaveDuringOutage(120000);
    expect(sent.filter((r) => r.options.beacon)).toEqual([]);
    expect(persisted).toEqual(['Before', 'Leaving']);
  });
});
