// What every copy of the personalization code on a page (the script add-on, an npm
// bundle) shares through the page registry `window.__tutti__`: the anti-flicker hold and
// which instances already have slots enabled, so a second copy never runs a second
// controller.
import type { Tutti } from '../../../src/types';
import { registry, type Registry } from '../lib/registry';
import type { SlotsController } from './slots';

export interface SlotsRegistry extends Registry {
  /** When the current anti-flicker hold began (ms epoch). */
  slotsSince?: number;
  /** When it ends (ms epoch); 0 once a controller has taken over. */
  slotsUntil?: number;
  /** dist/tutti.personalize.min.js has run. */
  slotsAddon?: boolean;
  /** Instances with slots enabled, and their controllers. */
  slotControllers?: Array<[Tutti, SlotsController]>;
}

export const slotRegistry = (): SlotsRegistry => registry() as SlotsRegistry;
