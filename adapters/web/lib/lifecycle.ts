// When to flush synchronously (SPEC §8): `visibilitychange` to hidden is the last event
// mobile browsers reliably fire; `pagehide` covers desktop navigations. No `unload`
// listener: it makes the page ineligible for the back/forward cache.
//
// Where the Navigation API exists (Chromium), a navigation to another document is known
// when it starts, well before `pagehide` (the next page has to answer first). Flushing
// then hands the queue to sendBeacon before a regular send can begin: the leaving page
// would never see that send's answer, so the next page would send those events again.
import type { Lifecycle } from '../../../src/platform';
import { attempt, listen } from './dom';

export function webLifecycle(): Lifecycle {
  return {
    // In a page only (platform.ts uses it only there).
    onHidden(callback, restored) {
      // The core guards itself; still, never let a listener throw into the page.
      const run = () => attempt(callback);
      // On window, bubble phase: runs after listeners on document and capture-phase
      // ones (web-vitals reports final CLS/INP there), so those events make the flush.
      listen(window, 'visibilitychange', () => document.visibilityState === 'hidden' && run());
      listen(window, 'pagehide', run);
      // (The core always passes `restored`; attempt() would also catch calling a missing one.)
      listen(window, 'pageshow', (e) => (e as PageTransitionEvent).persisted && attempt(restored!));
      const nav = (window as unknown as { navigation?: EventTarget & { transition?: unknown } }).navigation;
      if (nav) {
        listen(nav, 'navigate', (e) => {
          const n = e as Event & { destination?: { sameDocument?: boolean }; downloadRequest?: string | null };
          if (!n.destination || n.destination.sameDocument || n.downloadRequest) return;
          // After every listener had its say: a cancelled navigation, or one an SPA router
          // intercepted (it then has a transition), keeps the page.
          Promise.resolve().then(() => n.defaultPrevented || nav.transition || run());
        });
      }
    },
  };
}
