// One H5 instance: the web adapter (handoff adoption, page views, vitals, links, storage,
// unload flushes) on channel 'h5', plus what in-app browsers need: the container in every
// event's context and, when the host app injects one, the native-bridge transport.
import type { CoreTutti } from '../../src/core';
import type { Platform } from '../../src/platform';
import { createWebTutti } from '../web/lib/create';
import { win } from '../web/lib/dom';
import type { VitalsLoader } from '../web/lib/vitals';
import { bridgeTransport } from './bridge';
import { containerDetector } from './container';

export function createH5Tutti(loadVitals?: VitalsLoader): CoreTutti {
  const core: CoreTutti = createWebTutti({
    channel: 'h5',
    loadVitals,
    platform(p, o) {
      const out: Partial<Platform> = Object.assign({}, p);
      if (win()) {
        const env = p.env;
        const container = containerDetector();
        out.env = Object.assign({}, env, {
          context() {
            const c = env.context();
            c.container = container();
            return c;
          },
        });
      }
      // The queue posts batches to exactly this URL; everything else stays on HTTP.
      const batchUrl = o.endpoint.replace(/\/+$/, '') + o.contract.batchPath;
      if (p.transport) out.transport = bridgeTransport(p.transport, batchUrl, (...a) => core.warn(...a));
      return out;
    },
  });
  return core;
}
