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
    // Android's, then iOS's.
    for (const bridge of [w.TuttiBridge, w.webkit && w.webkit.messageHandlers && w.webkit.messageHandlers.tutti]) {
      if (bridge && typeof bridge.postMessage === 'function') return bridge;
    }
  } catch {
    // a hostile or half-built bridge object: HTTP it is
  }
  return undefined;
}

/**
 * Sends batches (`url === batchUrl`) through the native bridge when there is one, else
 * (and for every other request, and whenever the bridge throws) through `http`. The app
 * takes the JSON string, so no batch is compressed while there is a bridge (`bridgeGzip`);
 * one compressed before the bridge appeared goes over HTTP.
 */
export function bridgeTransport(http: Transport, batchUrl: string, warn: (...args: unknown[]) => void): Transport {
  return {
    send(url, body, options) {
      const bridge = url === batchUrl && typeof body === 'string' && findBridge();
      if (bridge) {
        try {
          // Synchronous: this is also the unload flush, which must finish before the page goes.
          bridge.postMessage(body as string);
          return Promise.resolve(HANDED);
        } catch (e) {
          warn('native bridge threw; batch sent over HTTP', e);
        }
      }
      return http.send(url, body, options);
    },
  };
}

/**
 * Platform.gzip while the app may take the batches: no compression when there is a
 * bridge (the app wants the JSON string, and the page saves the work).
 */
export function bridgeGzip(gzip: (text: string) => Promise<Uint8Array | null>): (text: string) => Promise<Uint8Array | null> {
  return (text) => (findBridge() ? Promise.resolve(null) : gzip(text));
}
