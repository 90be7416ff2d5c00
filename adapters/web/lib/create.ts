// One web instance: the core wired to the browser platform, plus what only a page
// has: handoff adoption on landing, auto page views, link decoration, web vitals.
// The H5 adapter builds on this with its own channel, context and transport.
import { createCore, startable, type CoreHooks, type CoreTutti } from '../../../src/core';
import { CAMPAIGN_PARAMS } from '../../../src/campaign/campaign';
import type { Platform } from '../../../src/platform';
import { classifyUrlLanding } from '../../../src/campaign/referrer';
import { handoffIds } from '../../../src/identity/handoff';
import { storedId } from '../../../src/identity/placeholder';
import type { Channel, ResolvedOptions } from '../../../src/types';
import { readCookie } from './cookie';
import { win } from './dom';
import type { WebEnvironment } from './environment';
import { adoptHandoffFromUrl } from './handoff';
import { deadline } from './idb';
import { AID_KEY, readIdbId } from './kv';
import { decorateLinks } from './links';
import { lsGet } from './local-storage';
import { autoPageviews } from './pageviews';
import { sharedIdb, webPlatform, type WebPlatform } from './platform';
import { reportVitals, type VitalsLoader } from './vitals';

export interface WebSetup {
  /** 'web' unless an adapter says otherwise ('h5'). */
  channel?: Channel;
  /** How web-vitals is fetched: dynamic import (npm) or the add-on script (script tag). */
  loadVitals?: VitalsLoader;
  /** Extends or replaces platform parts (H5: container context, native bridge transport). */
  platform?(p: WebPlatform, options: ResolvedOptions): Partial<Platform>;
}

/** How long init may wait for IndexedDB to hand back a lost anonymous ID. */
const RESTORE_WAIT = 300;

export function createWebTutti(setup: WebSetup = {}): CoreTutti {
  let env: WebEnvironment | undefined;
  let restoredId: string | undefined;
  /** Settles once a deferred init (below) has run. */
  let restoring: Promise<void> | undefined;
  /** The landing page's automatic view was already called, at the deferred init() call. */
  let viewed: unknown;

  const hooks: CoreHooks = {
    url: classifyUrlLanding,
    handoff: handoffIds,
    init(t) {
      // Always strip the parameters, even when not adopting them: a shared link must not carry them on.
      adoptHandoffFromUrl(t.adoptHandoff);
    },
    ready(t, o) {
      if (!win()) return;
      if (o.autoPageview) {
        // Before any call or flush, an SPA page view waiting for its title goes first (pageviews.ts).
        hooks.before = autoPageviews({
          // A waiting view is read as of its URL, which the page may have left by now (back, forward).
          page: (at, url) => (viewed ? (viewed = 0) : (env!.pin(url), t.call('page', [], at), env!.pin())),
          // env is set: the core calls ready() only once the platform is made.
          navigated: env!.navigated,
          clickIds: CAMPAIGN_PARAMS,
        });
      }
      decorateLinks(o.linkDomains, t.linkUrl);
      if (o.webVitals && setup.loadVitals) {
        setup.loadVitals().then(
          (lib) => reportVitals(lib, t.track),
          (e) => t.warn('web vitals unavailable', e),
        );
      }
    },
  };
  const core = createCore((o) => {
    const p = webPlatform(o, restoredId, setup.channel, core.warn);
    env = p.env;
    return (setup.platform ? setup.platform(p, o) : p) as Platform;
  }, hooks);

  const coreInit = core.init;
  // `at`: when the async snippet's queued init() is replayed, the time it was called.
  core.init = (options, at?: number) => {
    if (restoring || core.options) {
      core.warn('init: already initialised on this page (second init or SDK copy); ignored');
      return core;
    }
    // The core reads the anonymous ID synchronously at init. When the cookie and
    // localStorage both lost it, the IndexedDB mirror may still have it: read that
    // first (calls meanwhile are buffered by the core with their own timestamps). Not for
    // an init() the core will refuse (no writeKey or endpoint): a valid one right after it
    // would be turned away as a second init.
    const idb = win() ? sharedIdb() : undefined;
    const wait = idb && startable(options) && !readCookie(AID_KEY) && !storedId(lsGet(AID_KEY));
    // The landing page's view takes its place at the init() call (time, order), ahead of the
    // calls made while IndexedDB is read or, through the snippet, before the SDK arrived;
    // a prerendered page's waits until shown, as in autoPageviews().
    if ((wait || at) && !viewed && (viewed = (options || {}).autoPageview !== false && !(document as { prerendering?: boolean }).prerendering)) core.call('page', [], at);
    if (wait) {
      // Unreadable or too slow: no ID to restore.
      restoring = deadline(readIdbId(idb), RESTORE_WAIT)
        .catch(() => undefined)
        .then((id) => {
          restoredId = typeof id === 'string' && id ? id : undefined;
          restoring = undefined;
          coreInit(options);
        });
      return core;
    }
    return coreInit(options);
  };
  // A first visit waits for that read: flush() and personalize() called meanwhile would
  // otherwise settle at once, before the events before them were even queued.
  for (const m of ['flush', 'personalize'] as const) {
    const c = core as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const run = c[m];
    c[m] = (...a) => (restoring ? restoring.then(() => run(...a)) : run(...a));
  }
  return core;
}
