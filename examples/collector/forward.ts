// Forwarding of accepted events to a Segment-compatible pipeline (Segment, RudderStack,
// Jitsu, or another Tutti collector). Ingestion never waits for it: accepted events go
// into a bounded in-memory queue that one sender drains in order, retrying with
// exponential backoff. When the queue overflows the oldest events are dropped and
// counted, so a long outage costs memory up to the cap, never the collector.
import type { ForwardOptions } from './types';

export interface ForwardStats {
  /** Events waiting (including the batch in flight). */
  queued: number;
  /** Events the pipeline accepted. */
  forwarded: number;
  /** Events dropped because the queue was full. */
  dropped: number;
  /** Events given up on: refused (non-retryable 4xx) or out of attempts. */
  failed: number;
}

const RETRYABLE = (status: number) => status === 0 || status === 408 || status === 429 || status >= 500;
const REQUEST_TIMEOUT = 10_000;
const MAX_RETRY_AFTER = 300_000;

/** Retry-After as ms (seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

export class Forwarder {
  private queue: Array<Record<string, unknown>> = [];
  private inFlight = 0;
  private running = false;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private wake: (() => void) | null = null;
  private abort: AbortController | null = null;
  private readonly counts = { forwarded: 0, dropped: 0, failed: 0 };
  private readonly endpoint: string;
  private readonly auth: string;
  private readonly opts: Required<Omit<ForwardOptions, 'url' | 'writeKey'>>;

  constructor(private readonly options: ForwardOptions, private readonly log: (msg: string) => void = () => {}) {
    this.endpoint = options.url.replace(/\/+$/, '') + '/v1/batch';
    this.auth = 'Basic ' + Buffer.from(`${options.writeKey}:`).toString('base64');
    this.opts = {
      maxAttempts: options.maxAttempts ?? 8,
      baseDelay: options.baseDelay ?? 500,
      maxDelay: options.maxDelay ?? 30_000,
      maxQueue: options.maxQueue ?? 10_000,
      batchSize: options.batchSize ?? 100,
    };
  }

  /** Queues accepted events; returns at once. */
  push(events: Array<Record<string, unknown>>): void {
    if (this.closed || events.length === 0) return;
    this.queue.push(...events);
    const over = this.queue.length - this.opts.maxQueue;
    if (over > 0) {
      this.queue.splice(0, over);
      this.counts.dropped += over;
    }
    if (!this.running) void this.run();
  }

  stats(): ForwardStats {
    return { queued: this.queue.length + this.inFlight, ...this.counts };
  }

  /** Forgets queued events (tests' reset). */
  clear(): void {
    this.queue = [];
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    this.abort?.abort();
  }

  /** One sender, one request at a time, so the pipeline sees events in order. */
  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const batch = this.queue.splice(0, this.opts.batchSize);
        this.inFlight = batch.length;
        await this.deliver(batch);
        this.inFlight = 0;
      }
    } finally {
      this.running = false;
    }
  }

  private async deliver(batch: Array<Record<string, unknown>>): Promise<void> {
    for (let attempt = 1; !this.closed; attempt++) {
      const { status, retryAfter } = await this.send(batch);
      if (status >= 200 && status < 300) {
        this.counts.forwarded += batch.length;
        return;
      }
      if (!RETRYABLE(status) || attempt >= this.opts.maxAttempts) {
        this.counts.failed += batch.length;
        this.log(`forward: gave up on ${batch.length} events (status ${status}, attempt ${attempt})`);
        return;
      }
      // Exponential backoff with ±20 % jitter so many collectors do not retry in step.
      const backoff = Math.min(this.opts.maxDelay, this.opts.baseDelay * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
      const wait = retryAfter !== null ? Math.min(MAX_RETRY_AFTER, Math.max(backoff, retryAfter)) : backoff;
      await this.sleep(wait);
    }
  }

  private async send(batch: Array<Record<string, unknown>>): Promise<{ status: number; retryAfter: number | null }> {
    const sentAt = new Date().toISOString();
    const body = JSON.stringify({ writeKey: this.options.writeKey, sentAt, batch: batch.map((e) => ({ ...e, sentAt })) });
    this.abort = new AbortController();
    const timeout = setTimeout(() => this.abort?.abort(), REQUEST_TIMEOUT);
    try {
      const res = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: this.auth },
        body,
        signal: this.abort.signal,
      });
      await res.arrayBuffer(); // consume, so the keep-alive connection is reusable
      return { status: res.status, retryAfter: parseRetryAfter(res.headers.get('retry-after')) };
    } catch {
      return { status: 0, retryAfter: null };
    } finally {
      clearTimeout(timeout);
      this.abort = null;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
      this.timer.unref?.();
    });
  }
}
