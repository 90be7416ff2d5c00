// One H5 instance: the web adapter (handoff adoption, page views, vitals, links, storage,
// unload flushes) on channel 'h5', plus what in-app browsers need: the container in every
// event's context, share-chain attribution (share.ts) and, when the host app injects one,
// the native-bridge transport.
import type { CoreTutti } from '../../src/core';
import { createWebTutti } from '../web/lib/create';
import { win } from '../web/lib/dom';
import type { VitalsLoader } from '../web/lib/vitals';
import { bridgeGzip, bridgeTransport } from './bridge';
import { containerDetector } from './container';
import { shareLanding, withShareUrl } from './share';

export function createH5Tutti(loadVitals?: VitalsLoader): CoreTutti {
  const core: CoreTutti = createWebTutti({
    channel: 'h5',
    loadVitals,
    // `p` is this instance's own platform: its parts are extended in place.
    platform(p, o) {
      if (win()) {
        const context = p.env.context;
        const container = containerDetector();
        p.env.context = () => {
          const c = context();
          c.container = container();
          return c;
        };
        const landing = p.env.landing;
        // Read after handoff adoption (the core's init hook), so "own ID" is the adopted one.
        p.env.landing = () => shareLanding(landing!(), core.getAnonymousId(), container());
      }
      // The queue posts batches to exactly this URL; everything else stays on HTTP.
      const batchUrl = o.endpoint + o.contract.batchPath;
      p.transport = bridgeTransport(p.transport, batchUrl, core.warn);
      p.gzip = bridgeGzip(p.gzip);
      return p;
    },
  });
  return withShareUrl(core);
}
