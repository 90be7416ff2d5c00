import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { make, scriptedTransport } from './harness';

// setImmediate stays real: CompressionStream needs it to gzip bodies.
beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }));
afterEach(() => vi.useRealTimers());

describe('batching', () => {
  it('sends batchSize events per request', async () => {
    const { core, net } = make({ batchSize: 5 });
    for (let i = 0; i < 12; i++) core.track('Clicked', { i });
    await core.flush();
    const sizes = net.requests.map((r) => r.body.batch.length);
    expect(sizes).toEqual([5, 5, 2]);
    expect(net.events().map((e) => e.properties!.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('starts a request as soon as a full batch is queued, without waiting for the interval', async () => {
    const { core, net } = make({ batchSize: 3, flushInterval: 60000, contract: { compress: false } });
    core.track('a');
    core.track('b');
    await vi.advanceTimersByTimeAsync(10);
    expect(net.requests.length).toBe(0);
    core.track('c');
    await vi.advanceTimersByTimeAsync(10);
    expect(net.requests.length).toBe(1);
    expect(net.requests[0].body.batch.map((e: any) => e.event)).toEqual(['a', 'b', 'c']);
  });

  it('sends a partial batch after flushInterval and not before', async () => {
    const { core, net } = make({ flushInterval: 3000 });
    core.track('Viewed');
    await vi.advanceTimersByTimeAsync(2900);
    expect(net.requests.length).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(net.requests.length).toBe(1);
  });

  it('keeps every request body under 500 KB by splitting on bytes', async () => {
    const { core, net } = make({ batchSize: 100 });
    const big = 'x'.repeat(8000);
    for (let i = 0; i < 150; i++) core.track('Big', { a: big, b: big, i });
    await core.flush();
    expect(net.requests.length).toBeGreaterThan(2);
    for (const r of net.requests) expect(Buffer.byteLength(JSON.stringify(r.body))).toBeLessThan(500000);
    expect(net.events().length).toBe(150);
  });

  it('fills each request up to the 500 KB limit by exact UTF-8 bytes, ASCII or Chinese', async () => {
    // About 24.4 KB per event (strings are cut at 8192 characters: three of 8 KB): 20 fit
    // in 500 KB, 21 do not. An estimate of 3 bytes per character would send 6 per request,
    // a count of characters (Chinese: 3 bytes each) all 30 at once.
    for (const text of ['x'.repeat(8000), '中'.repeat(2667)]) {
      const { core, net } = make({ batchSize: 100 });
      for (let i = 0; i < 30; i++) core.track('Big', { a: text, b: text, c: text, i });
      await core.flush();
      expect(net.requests.map((r) => r.body.batch.length)).toEqual([20, 10]);
      for (const r of net.requests) expect(Buffer.byteLength(JSON.stringify(r.body))).toBeLessThan(500000);
    }
  });

  it('counts bytes as UTF-8, so Chinese text does not overflow a beacon', async () => {
    const { core, net } = make({ batchSize: 1000 });
    const text = '中文内容'.repeat(1500); // 6000 chars, 18000 bytes
    for (let i = 0; i < 12; i++) core.track('Read', { text });
    core.flushNow(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(net.requests.length).toBeGreaterThan(0);
    let total = 0;
    for (const r of net.requests) {
      const bytes = Buffer.byteLength(JSON.stringify(r.body));
      total += bytes;
      expect(r.options.beacon).toBe(true);
      expect(bytes).toBeLessThan(64000);
    }
    // the beacon budget is per page: what does not fit stays queued for later
    expect(total).toBeLessThan(64000);
    expect(net.events().length).toBeLessThan(12);
    await core.flush();
    expect(new Set(net.events().map((e) => e.messageId)).size).toBe(12);
  });

  it('on page exit, conversions and identity calls take the beacon budget first when it cannot take everything', async () => {
    const { core, net } = make({ batchSize: 1000 });
    const pad = 'x'.repeat(4000);
    for (let i = 0; i < 20; i++) core.track('Scrolled', { pad, i });
    core.identify('u1');
    core.track('Order Completed', { pad, total: 99 });
    core.flushNow(true);
    await vi.advanceTimersByTimeAsync(0);
    const beaconed = net.events().map((e) => (e.type == 'track' ? e.event : e.type));
    // About 88 KB queued against 64 KB: the order and the identify are in, some scrolls wait.
    expect(beaconed.slice(0, 2).sort()).toEqual(['Order Completed', 'identify']);
    expect(beaconed.filter((n) => n == 'Scrolled').length).toBeLessThan(20);
    await core.flush();
    expect(new Set(net.events().map((e) => e.messageId)).size).toBe(22);
  });

  it('fails an event too large to ever send instead of blocking the queue', async () => {
    const { core, net } = make();
    const failed: string[] = [];
    core.on('failed', (f) => failed.push(...f.events.map((e) => e.event!)));
    const huge: Record<string, string> = {};
    for (let i = 0; i < 80; i++) huge['k' + i] = 'y'.repeat(8000); // 640 KB
    core.track('Huge', huge);
    core.track('Small');
    await core.flush();
    expect(failed).toEqual(['Huge']);
    expect(net.events().map((e) => e.event)).toEqual(['Small']);
  });

  it('gzips bodies over 1 KB with Content-Encoding and sends small ones plain', async () => {
    const { core, net } = make({ batchSize: 1 });
    core.track('Small');
    await core.flush();
    core.track('Large', { text: 'z'.repeat(3000) });
    await core.flush();
    expect(net.requests[0].gzip).toBe(false);
    expect(net.requests[1].gzip).toBe(true);
    expect(net.requests[1].options.headers!['Content-Encoding']).toBe('gzip');
    expect(net.requests[1].bytes).toBeLessThan(1000);
  });

  it('sets sentAt on every attempt and keeps messageId', async () => {
    const net = scriptedTransport((_r, i) => ({ status: i === 0 ? 503 : 200 }));
    const { core } = make({}, { net });
    core.track('Once');
    await core.flush();
    vi.setSystemTime(Date.now() + 5000);
    await vi.advanceTimersByTimeAsync(5000);
    expect(net.requests.length).toBe(2);
    const [a, b] = net.requests.map((r) => r.body.batch[0]);
    expect(a.messageId).toBe(b.messageId);
    expect(a.sentAt).not.toBe(b.sentAt);
    expect(net.requests[1].body.sentAt).toBe(b.sentAt);
    expect(net.requests[1].body.writeKey).toBe('wk');
  });
});

describe('flush()', () => {
  it('resolves once everything queued before the call was delivered', async () => {
    const { core, net } = make({ batchSize: 10, flushInterval: 60000 });
    for (let i = 0; i < 25; i++) core.track('E', { i });
    await core.flush();
    expect(net.events().length).toBe(25);
  });

  it('resolves after one failed attempt instead of hanging while the collector is down', async () => {
    const net = scriptedTransport(() => ({ status: 0 }));
    const { core } = make({}, { net });
    core.track('E');
    await core.flush();
    expect(net.requests.length).toBe(1);
  });

  it('stops at the first retryable failure instead of walking every batch into a failing server', async () => {
    const net = scriptedTransport(() => ({ status: 503 }));
    // Uncompressed: gzip runs on real timers, the retries on fake ones.
    const { core } = make({ batchSize: 10, flushInterval: 60000, retry: { baseDelay: 1000, maxDelay: 1000 }, contract: { compress: false } }, { net });
    const failed: unknown[] = [];
    core.on('failed', (f) => failed.push(f));
    for (let i = 0; i < 25; i++) core.track('E', { i });
    await core.flush();
    expect(net.requests.length).toBe(1);
    // Nothing was given up: once the collector is back, the backoff retry delivers all 25.
    net.respond(() => ({ status: 200 }));
    await vi.advanceTimersByTimeAsync(1500);
    expect(failed).toEqual([]);
    expect(new Set(net.events().filter((_e, i) => i >= 10).map((e) => e.messageId)).size).toBe(25);
  });

  it('after a failure, a flush() that succeeds sends every batch, not just the first', async () => {
    const net = scriptedTransport(() => ({ status: 503 }));
    const { core } = make({ batchSize: 10, flushInterval: 60000, retry: { baseDelay: 1000, maxDelay: 1000 }, contract: { compress: false } }, { net });
    for (let i = 0; i < 25; i++) core.track('E', { i });
    await core.flush();
    expect(net.requests.length).toBe(1);
    // The collector is back before the backoff ends: the flush's first success clears the
    // failure count, and that is no reason to stop.
    net.respond(() => ({ status: 200 }));
    await core.flush();
    expect(net.requests.length).toBe(4);
    expect(new Set(net.events().filter((_e, i) => i >= 10).map((e) => e.messageId)).size).toBe(25);
  });

  it('resolves at once when nothing is queued', async () => {
    const { core, net } = make();
    await core.flush();
    expect(net.requests.length).toBe(0);
  });
});

describe('leaving the page while a batch is being compressed', () => {
  it('the beacon carries the batch and the compressed send does not repeat it', async () => {
    vi.useRealTimers();
    const { core, net } = make({ batchSize: 20 });
    for (let i = 0; i < 20; i++) core.track('Viewed', { i, text: 'x'.repeat(200) });
    // The full batch starts compressing on the next tick; the page is hidden right then.
    await new Promise((r) => setTimeout(r, 0));
    core.flushNow(true);
    await new Promise((r) => setTimeout(r, 50));
    await core.flush();
    const ids = net.events().map((e) => e.messageId);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect(net.requests[0].options.beacon).toBe(true);
  });
});
