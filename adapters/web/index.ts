// The npm entry `tutti` (SPEC §1): a ready singleton plus `createTutti` for independent
// instances. Safe to import during SSR and in Node: nothing here touches the DOM until
// a method runs, and outside a browser Tutti falls back to memory storage and fetch.
import type { PlanShape, TrackingPlan, Tutti, TuttiOptions } from '../../src/types';
import { createWebTutti } from './lib/create';
import { pageSingleton } from './lib/registry';
import type { VitalsModule } from './lib/vitals';

// A dynamic import: bundlers split web-vitals into its own chunk, loaded only with webVitals on.
const loadVitals = (): Promise<VitalsModule> => import('web-vitals');

/** An independent instance (own queue and settings); initialised when options are given. */
export function createTutti<Plan extends PlanShape<Plan> = TrackingPlan, Traits extends object = object>(options?: TuttiOptions): Tutti<Plan, Traits> {
  const t = createWebTutti({ loadVitals });
  if (options) t.init(options);
  return t;
}

/**
 * The page's singleton, not initialised until `tutti.init(options)`; calls made before
 * are kept with their timestamps. A second copy of the SDK on the page (script tag plus
 * npm) gets the first copy's instance, so nothing is sent twice.
 */
const tutti: Tutti = /*#__PURE__*/ pageSingleton(() => createWebTutti({ loadVitals }));

export default tutti;
export { tutti };
export type * from '../../src/types';
