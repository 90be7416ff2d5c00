// One Tutti per page, however many copies are loaded (SPEC §6; LESSONS §3.7: an SDK
// loaded twice double-counts). Every copy meets in `window.__tutti__`: the first
// singleton to initialise registers there, and a later copy's `init` joins it instead
// of starting a second pipeline. The add-on scripts also hand themselves over here.
import type { Plugin, Tutti } from '../../../src/types';
import type { VitalsModule } from './vitals';
import { win } from './dom';

export interface Registry {
  /** The page's initialised singleton. */
  instance?: Tutti;
  /** Plugins of add-ons that ran before the SDK (personalization): used on the singleton when it is made. */
  plugins?: Plugin[];
  /** web-vitals, once dist/tutti.vitals.min.js has run. */
  vitals?: VitalsModule;
  /** Waiters for the vitals script. */
  onVitals?: Array<(lib: VitalsModule) => void>;
}

/** The page-wide registry (a throwaway object outside browsers). */
export function registry(): Registry {
  const w = win() as (Window & { __tutti__?: Registry }) | undefined;
  if (!w) return {};
  return w.__tutti__ || (w.__tutti__ = {});
}

/**
 * The page's one default instance: the registered one if another copy of the SDK got
 * here first, else a new one (registered). Outside browsers, simply a new one.
 */
export function pageSingleton(make: () => Tutti): Tutti {
  const reg = registry();
  if (reg.instance) return reg.instance;
  // Outside browsers reg is a throwaway object: registering there is harmless.
  const t = (reg.instance = make());
  (reg.plugins || []).forEach((p) => t.use(p));
  reg.plugins = undefined;
  return t;
}

/**
 * For an add-on script (personalization, inspector): the page's Tutti, that is the SDK's
 * global or the async snippet's stub (which queues `use` like any call), else the
 * registered instance; undefined when the SDK has not run yet (see `later`).
 */
export function pageTutti(): Tutti | undefined {
  const w = win() as (Window & { tutti?: Tutti }) | undefined;
  return w && w.tutti && typeof w.tutti.use === 'function' ? w.tutti : registry().instance;
}

/** A stand-in for the instance the SDK has yet to make: its `use` leaves the plugin here for pageSingleton(). */
export function later(): Tutti {
  const reg = registry();
  return { use: (p: Plugin) => (reg.plugins || (reg.plugins = [])).push(p) } as unknown as Tutti;
}
