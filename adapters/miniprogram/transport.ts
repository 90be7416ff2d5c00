// Transport over `wx.request`. WeChat runs at most 10 requests at once for the whole
// mini-program and silently drops or fails the rest, so the SDK keeps itself to
// `concurrency` (2) and queues its own requests beyond that: the host app keeps 8 slots.
// Every outcome resolves (a `fail` is status 0); nothing throws into the core.
import type { Transport, TransportResponse } from '../../src/types';
import type { Wx } from './wx';

const DEFAULT_TIMEOUT = 10000;

/** A header value by case-insensitive name (servers and proxies vary the case). */
function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const want = name.toLowerCase();
  for (const k in headers as Record<string, unknown>) {
    if (k.toLowerCase() === want) return String((headers as Record<string, unknown>)[k]);
  }
  return undefined;
}

export function wxTransport(w: Wx, concurrency = 2): Transport {
  let active = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    active--;
    const start = waiting.shift();
    if (start) start();
  };

  function request(url: string, body: string | Uint8Array, headers: Record<string, string>, timeout: number): Promise<TransportResponse> {
    return new Promise((resolve) => {
      let done = false;
      let task: { abort?(): void } | undefined;
      const finish = (r: TransportResponse) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        release();
        resolve(r);
      };
      // Our own timer too: some base libraries never call back for a hung request.
      const timer = setTimeout(() => {
        try {
          if (task && task.abort) task.abort();
        } catch {
          // already finished
        }
        finish({ status: 0 });
      }, timeout + 1000);
      try {
        task = w.request({
          url,
          method: 'POST',
          // A gzip body goes as an ArrayBuffer; JSON text as is.
          data: typeof body === 'string' ? body : body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength),
          header: { 'content-type': 'text/plain;charset=UTF-8', ...headers },
          timeout,
          // Any dataType but 'json' leaves the answer as text, so the core parses it once.
          dataType: 'text',
          responseType: 'text',
          success(res: { statusCode?: number; data?: unknown; header?: unknown }) {
            const data = res && res.data;
            finish({
              status: (res && res.statusCode) || 0,
              retryAfter: header(res && res.header, 'Retry-After') || null,
              body: typeof data === 'string' ? data : data === undefined || data === null ? '' : JSON.stringify(data),
            });
          },
          fail() {
            finish({ status: 0 });
          },
        });
      } catch {
        finish({ status: 0 });
      }
    });
  }

  return {
    send(url, body, options) {
      const headers = (options && options.headers) || {};
      const timeout = (options && options.timeout) || DEFAULT_TIMEOUT;
      return new Promise<void>((start) => {
        // The slot is taken synchronously, so sends made in one tick cannot all see a free slot.
        const take = () => {
          active++;
          start();
        };
        if (active < concurrency) take();
        else waiting.push(take);
      }).then(() => request(url, body, headers, timeout));
    },
  };
}
