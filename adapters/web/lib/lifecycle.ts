// When to flush synchronously (SPEC §8): `visibilitychange` to hidden is the last event
// mobile browsers reliably fire; `pagehide` covers desktop navigations. No `unload`
// listener: it makes the page ineligible for the back/forward cache.
import type { Lifecycle } from '../../../src/platform';
import { listen, win } from './dom';

export function webLifecycle(): Lifecycle {
  return {
    onHidden(callback) {
      const w = win();
      if (!w) return;
      const run = () => {
        try {
          callback();
        } catch {
          // the core guards itself; never let a listener throw into the page
        }
      };
      // On window, bubble phase: runs after listeners on document and capture-phase
      // ones (web-vitals reports final CLS/INP there), so those events make the flush.
      listen(w, 'visibilitychange', () => document.visibilityState === 'hidden' && run());
      listen(w, 'pagehide', run);
    },
  };
}
