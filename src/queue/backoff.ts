// How long to wait before the next attempt after a retryable failure: exponential with
// equal jitter (half fixed, half random) so a fleet of clients does not retry in step,
// or exactly what the server asked for in Retry-After (capped at 10 minutes; zero or a past
// date falls back to the backoff).
const MAX_RETRY_AFTER = 600000;

export function backoffDelay(failures: number, base: number, max: number, random = Math.random): number {
  const d = Math.min(max, base * Math.pow(2, Math.max(0, failures - 1)));
  return Math.round(d / 2 + (random() * d) / 2);
}

/**
 * Retry-After as ms: delta-seconds or an HTTP date; undefined when absent, unreadable, zero
 * or in the past (the jittered backoff then applies: an immediate retry would hammer the server).
 */
export function parseRetryAfter(value: string | number | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const seconds = Number(value);
  const ms = isFinite(seconds) ? seconds * 1000 : Date.parse(String(value)) - now;
  return ms > 0 ? Math.min(ms, MAX_RETRY_AFTER) : undefined;
}

