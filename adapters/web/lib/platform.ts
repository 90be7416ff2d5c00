// The browser Platform (src/platform.ts) assembled from the pieces in this folder.
// Outside a browser (Node, SSR): memory storage, and fetch through the web transport.
import type { Platform } from '../../../src/platform';
import type { Channel, ResolvedOptions } from '../../../src/types';
import { memoryOutbox } from '../../../src/queue/memory-outbox';
import { memoryKV } from '../../../src/lib/memory-kv';
import { gzip } from '../../../src/delivery/gzip';
import { resolveCookieDomain } from './cookie-domain';
import { win } from './dom';
import { webEnvironment, type WebEnvironment } from './environment';
import { openIdb } from './idb';
import { webKV } from './kv';
import { webLifecycle } from './lifecycle';
import { fallbackOutbox, idbOutbox, localStorageOutbox } from './outbox';
import { webTabs } from './tabs';
import { KEEPALIVE_BUDGET, webTransport } from './transport';
import type { UseStore } from 'idb-keyval';

let store: UseStore | undefined | null;
/** One IndexedDB connection per page: the outbox and the anonymous ID's mirror share it. */
export const sharedIdb = (): UseStore | undefined =>
  (store === undefined ? (store = openIdb() || null) : store) || undefined;

/**
 * A short, stable name for one writeKey + endpoint: instances sending to different
 * places share the IndexedDB store but never adopt each other's events.
 */
export function namespace(o: Pick<ResolvedOptions, 'writeKey' | 'endpoint'>): string {
  const s = o.writeKey + '@' + o.endpoint;
  let h = 5381;
  for (let i = 0; i < s.length; i++) h = ((h << 5) + h + s.charCodeAt(i)) | 0;
  return (h >>> 0).toString(36);
}

export interface WebPlatform extends Partial<Platform> {
  env: WebEnvironment;
  transport: Platform['transport'];
  gzip: NonNullable<Platform['gzip']>;
}

export function webPlatform(o: ResolvedOptions, idbId: string | undefined, channel: Channel | undefined, warn: (...a: unknown[]) => void): WebPlatform {
  const env = webEnvironment(channel);
  const transport = webTransport();
  if (!win()) return { env, kv: memoryKV(), outbox: memoryOutbox(), transport, gzip };
  const idb = sharedIdb();
  const ns = namespace(o);
  const layers = [localStorageOutbox('tutti_outbox_' + ns), memoryOutbox()];
  if (idb) layers.unshift(idbOutbox(idb, ns));
  return {
    env,
    kv: webKV({ domain: resolveCookieDomain(o.cookieDomain, location.hostname), idb, idbValue: idbId }),
    outbox: fallbackOutbox(layers, warn),
    transport,
    // The hidden-page flush fits its beacons into what keepalive fetches still in flight
    // leave of the page's 64 KB: a beacon over it is refused whole, and its events wait
    // for a next visit. (Fully used: -1, as 0 would mean the default.)
    get beaconBytes() {
      return KEEPALIVE_BUDGET - transport.inflight() || -1;
    },
    gzip,
    lifecycle: webLifecycle(),
    tabs: webTabs(),
  };
}
