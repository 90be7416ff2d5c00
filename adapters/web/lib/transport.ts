// Delivery over fetch and sendBeacon (SPEC §5, §8). Chromium gives a page 64 KB of
// in-flight keepalive bodies, counted until each response body is read; a keepalive
// request over that budget fails outright. So: count our in-flight keepalive bytes,
// use keepalive only when the body fits, and always read the response.
// `text/plain` keeps every request a CORS simple request: no preflight round trip.
import type { Transport, TransportResponse } from '../../../src/types';
import { utf8Length } from '../../../src/queue/queue';
import { attempt, listen, win } from './dom';

const TYPE = 'text/plain;charset=UTF-8';

/** UTF-8 size of a body. */
export const byteLength = (body: string | Uint8Array): number => (typeof body === 'string' ? utf8Length(body) : body.byteLength);

export interface WebTransport extends Transport {
  /** Keepalive bytes in flight now (the hidden-page flush sizes its beacons by what they leave). */
  inflight(): number;
}

/** How long a beacon's bytes are assumed in flight, ms. */
const BEACON_HOLD = 10000;

/** The page's keepalive budget is shared by every instance in it. */
let inflight = 0;

/**
 * Chromium rejects the promise of every fetch still open when the page unloads, even
 * keepalive ones the browser goes on sending. Reported as a network error, that would
 * make the queue back off as if the collector were down, and skip the unload flush of
 * everything else. So while the page is leaving, such a failure gets no answer at all
 * (the events stay persisted for the next page); if the page comes back from the
 * back/forward cache, the answer is a plain network error.
 */
let leaving = false;
let onReturn: Array<() => void> = [];
let watching = false;
function watchUnload(): void {
  if (watching || !win()) return;
  watching = true;
  // Capture phase on window: runs before the page's own pagehide listeners.
  listen(window, 'pagehide', () => (leaving = true), true);
  listen(window, 'pageshow', () => {
    leaving = false;
    const waiting = onReturn;
    onReturn = [];
    waiting.forEach((resolve) => resolve());
  }, true);
}

/** What a page may have in flight in keepalive fetches and beacons together, bytes (Chromium: 64 KiB; some room left for headers). */
export const KEEPALIVE_BUDGET = 64000;

export function webTransport(budget = KEEPALIVE_BUDGET): WebTransport {
  watchUnload();
  async function post(url: string, body: string | Uint8Array, headers: Record<string, string>, size: number, keepalive: boolean, timeout?: number): Promise<TransportResponse> {
    const ctrl = timeout && typeof AbortController !== 'undefined' ? new AbortController() : undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (keepalive) inflight += size;
    try {
      // The timeout fails the request even when fetch ignores the abort: a page's monitoring
      // tool may wrap fetch and never settle, and every later send waits for this one.
      const res = await new Promise<Response>((resolve, reject) => {
        if (timeout) timer = setTimeout(() => (ctrl && ctrl.abort(), reject()), timeout);
        fetch(url, {
          method: 'POST',
          body: body as BodyInit,
          headers,
          keepalive,
          credentials: 'omit',
          // Every event already carries its page; a Referer header would repeat it (or its
          // origin) on each request: bytes on the wire, and the full URL to a same-site collector.
          referrerPolicy: 'no-referrer',
          signal: ctrl && ctrl.signal,
        }).then(resolve, reject);
      });
      // Reading the body is what releases its share of the keepalive budget.
      const text = await res.text().catch(() => '');
      return { status: res.status, retryAfter: res.headers.get('Retry-After'), body: text };
    } catch {
      if (leaving) await new Promise<void>((resolve) => onReturn.push(resolve));
      return { status: 0 };
    } finally {
      if (keepalive) inflight -= size;
      clearTimeout(timer);
    }
  }

  return {
    inflight: () => inflight,
    // async: a plain value answers; the beacon is still handed over synchronously (no await before it).
    async send(url, body, options) {
      try {
        const size = byteLength(body);
        const extra = options.headers || {};
        const headers = { 'Content-Type': TYPE, ...extra };
        const fits = inflight + size <= budget;
        if (options.beacon) {
          // Offline, sendBeacon still says yes and the request is then lost: status 0 keeps
          // the events persisted for the next page.
          if (navigator.onLine === false) return { status: 0 };
          // The page is going away: hand the body to the browser synchronously.
          // sendBeacon cannot carry headers (e.g. Content-Encoding), so such bodies use fetch.
          // (No `navigator` at all threw just above: status 0, as from the catch below.)
          if (typeof navigator.sendBeacon === 'function' && !Object.keys(extra).length) {
            // A sendBeacon that throws (an extension or a wrapper blocking it) says "not sent",
            // as false does: the keepalive fetch below carries the body instead.
            if (attempt(() => navigator.sendBeacon(url, new Blob([body as BlobPart], { type: TYPE })))) {
              // Beacons draw on the same keepalive budget and their completion cannot be
              // observed, so their bytes count as in flight for a while.
              inflight += size;
              setTimeout(() => (inflight -= size), BEACON_HOLD);
              // 202: accepted for delivery by the browser; no answer will ever be read.
              return { status: 202 };
            }
          }
          // Over the budget a keepalive fetch fails outright: status 0 keeps the events
          // persisted for the next page instead.
          return fits ? post(url, body, headers, size, true, options.timeout) : { status: 0 };
        }
        return post(url, body, headers, size, fits, options.timeout);
      } catch {
        return { status: 0 };
      }
    },
  };
}
