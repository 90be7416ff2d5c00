// What the core bundle (boot, script loader) and the personalization chunk share through
// the page registry `window.__tutti__`: the loaded module, its waiters, and which
// instances already have slots enabled (a second copy of the chunk — npm import plus
// script tag — must not run a second controller).
import type { Tutti } from '../../../src/types';
import { registry, type Registry } from '../lib/registry';
import type { SlotsController, SlotOptions } from './slots';

export interface SlotsModule {
  enableSlots(tutti: Tutti, options?: SlotOptions): SlotsController;
}

export interface SlotsRegistry extends Registry {
  /** The personalization module, once dist/tutti.personalize.min.js has run. */
  slots?: SlotsModule;
  /** Waiters for that script: [resolve, reject]. */
  onSlots?: Array<[(m: SlotsModule) => void, (e: unknown) => void]>;
  /** When slots were first hidden (ms epoch): the anti-flicker wait counts from here. */
  slotsSince?: number;
  /** Instances with slots enabled, and their controllers. */
  slotControllers?: Array<[Tutti, SlotsController]>;
}

export const slotRegistry = (): SlotsRegistry => registry() as SlotsRegistry;
