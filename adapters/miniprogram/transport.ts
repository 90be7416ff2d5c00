// Transport over `wx.request`. WeChat runs at most 10 requests at once for the whole
// mini-program and silently drops or fails the rest, so the SDK keeps itself to
// `concurrency` (2), all its instances together, and queues its own requests beyond
// that: the host app keeps 8 slots.
// Every outcome resolves (a `fail` is status 0); nothing throws into the core.
import type { Transport, TransportResponse } from '../../src/types';
import { wxCall, type Wx } from './wx';

/** Retry-After by case-insensitive name (servers and proxies vary the case). */
function retryAfter(headers: any): string | null {
  for (const k in headers) if (/^retry-after$/i.test(k)) return String(headers[k]);
  return null;
}

// Shared by every instance (one JS context is one mini-program): two instances still use
// 2 slots in all.
let active = 0;
const waiting: Array<() => void> = [];

export function wxTransport(w: Wx, concurrency = 2): Transport {
  return {
    send(url, body, options) {
      const o = options || {};
      const timeout = o.timeout || 10000;
      return new Promise<TransportResponse>((resolve) => {
        /** The RequestTask, for abort(). */
        let task: Wx | undefined;
        let timer: ReturnType<typeof setTimeout>;
        let done = false;
        const finish = (r: TransportResponse) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          active--;
          const next = waiting.shift();
          if (next) next();
          resolve(r);
        };
        const start = () => {
          active++;
          // Our own timer too: some base libraries never call back for a hung request.
          timer = setTimeout(() => {
            wxCall(task, 'abort');
            finish({ status: 0 });
          }, timeout + 1000);
          try {
            task = w.request({
              url,
              method: 'POST',
              // A gzip body goes as an ArrayBuffer; JSON text as is.
              data: typeof body === 'string' ? body : body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength),
              header: { 'content-type': 'text/plain;charset=UTF-8', ...o.headers },
              timeout,
              // Any dataType but 'json' leaves the answer as text (responseType's default),
              // so the core parses it once.
              dataType: 'text',
              success(res: { statusCode?: number; data?: unknown; header?: unknown }) {
                const data = res && res.data;
                finish({
                  status: (res && res.statusCode) || 0,
                  retryAfter: retryAfter(res && res.header),
                  body: typeof data === 'string' ? data : data == null ? '' : JSON.stringify(data),
                });
              },
              fail() {
                finish({ status: 0 });
              },
            });
          } catch {
            finish({ status: 0 });
          }
        };
        // The slot is taken synchronously, so sends made in one tick cannot all see a free slot.
        if (active < concurrency) start();
        else waiting.push(start);
      });
    },
  };
}
