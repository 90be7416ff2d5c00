// Native-bridge delivery (SPEC §8, H5): when the host app injects a bridge, batches are
// handed to the app instead of being sent over HTTP, and the app owns delivery from
// there (its own queue, retries and network, alive after the web-view is gone).
// The interface, as the app sees it (README: Android and iOS code):
//   Android: window.TuttiBridge.postMessage(body)                 (addJavascriptInterface)
//   iOS:     window.webkit.messageHandlers.tutti.postMessage(body) (WKScriptMessageHandler)
// `body` is the batch request body as a string, exactly what would have been POSTed to
// `{endpoint}/v1/batch`: `{"writeKey","sentAt","batch":[…]}`. Decide requests (a
// personalization answer is needed now) keep going over HTTP.
import type { Transport, TransportResponse } from '../../src/types';

export interface NativeBridge {
  postMessage(body: string): void;
}

/** Handed over: for the queue the events are delivered (and `sent` fires). */
const HANDED: TransportResponse = { status: 200, body: '' };

/**
 * The bridge the host app injected, looked up per batch: some apps inject it only after
 * the page's scripts started, and a bridge that disappears must not lose events.
 */
export function findBridge(): NativeBridge | undefined {
  try {
    const w = window as unknown as { TuttiBridge?: NativeBridge; webkit?: { messageHandlers?: { tutti?: NativeBridge } } };
    const android = w.TuttiBridge;
    if (android && typeof android.postMessage === 'function') return android;
    const ios = w.webkit && w.webkit.messageHandlers && w.webkit.messageHandlers.tutti;
    if (ios && typeof ios.postMessage === 'function') return ios;
  } catch {
    // a hostile or half-built bridge object: HTTP it is
  }
  return undefined;
}

/**
 * The body as text. The queue gzips bodies over 1 KB for HTTP (never for unload
 * flushes, which stay synchronous); the app gets the JSON string, so inflate it back.
 */
async function asText(body: Uint8Array, headers: Record<string, string>): Promise<string> {
  let stream: ReadableStream = new Blob([body as BlobPart]).stream();
  if (headers['Content-Encoding'] === 'gzip') stream = stream.pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

/**
 * Sends batches (`url === batchUrl`) through the native bridge when there is one, else
 * (and for every other request, and whenever the bridge throws) through `http`.
 */
export function bridgeTransport(http: Transport, batchUrl: string, warn: (...args: unknown[]) => void): Transport {
  return {
    send(url, body, options) {
      const bridge = url === batchUrl ? findBridge() : undefined;
      if (!bridge) return http.send(url, body, options);
      const viaHttp = (e: unknown) => {
        warn('native bridge refused the batch; sending it over HTTP', e);
        return http.send(url, body, options);
      };
      try {
        if (typeof body === 'string') {
          // Synchronous: this is also the unload flush, which must finish before the page goes.
          bridge.postMessage(body);
          return Promise.resolve(HANDED);
        }
        return asText(body, options.headers || {})
          .then((text) => {
            bridge.postMessage(text);
            return HANDED;
          })
          .catch(viaHttp);
      } catch (e) {
        return viaHttp(e);
      }
    },
  };
}
