// The default transport: fetch, present in browsers, Node 18+ and SSR runtimes.
// Always reads the response body: an unread body keeps counting against the browser's
// 64 KB keepalive budget (SPEC §8).
import type { Transport } from '../types';

export function fetchTransport(): Transport {
  return {
    async send(url, body, options) {
      const controller = typeof AbortController !== 'undefined' ? new AbortController() : undefined;
      const timer = controller && options.timeout && setTimeout(() => controller.abort(), options.timeout);
      try {
        const res = await fetch(url, {
          method: 'POST',
          body: body as BodyInit,
          headers: { 'Content-Type': 'text/plain;charset=UTF-8', ...options.headers },
          keepalive: !!options.beacon,
          credentials: 'omit',
          signal: controller && controller.signal,
        });
        const text = await res.text().catch(() => '');
        return { status: res.status, retryAfter: res.headers.get('Retry-After'), body: text };
      } catch {
        return { status: 0 };
      } finally {
        // clearTimeout ignores anything that is no timer (undefined, 0).
        clearTimeout(timer);
      }
    },
  };
}
