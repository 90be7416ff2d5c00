// The npm entry `tutti/h5` (SPEC §1): the web SDK plus H5 container features, as a ready
// singleton and `createTutti` for independent instances. Safe to import during SSR and in
// Node (nothing touches the DOM until a method runs).
import type { PlanShape, TrackingPlan, Tutti, TuttiOptions } from '../../src/types';
import { pageSingleton } from '../web/lib/registry';
import type { VitalsModule } from '../web/lib/vitals';
import { createH5Tutti } from './create';

// A dynamic import: bundlers split web-vitals into its own chunk, loaded only with webVitals on.
const loadVitals = (): Promise<VitalsModule> => import('web-vitals');

/** An independent instance (own queue and settings); initialised when options are given. */
export function createTutti<Plan extends PlanShape<Plan> = TrackingPlan, Traits extends object = object>(options?: TuttiOptions): Tutti<Plan, Traits> {
  const t = createH5Tutti(loadVitals);
  if (options) t.init(options);
  return t;
}

/**
 * The page's singleton, not initialised until `tutti.init(options)`. It is shared with
 * any other copy of Tutti on the page (the web script tag included), so nothing is sent twice.
 */
const tutti: Tutti = /*#__PURE__*/ pageSingleton(() => createH5Tutti(loadVitals));

export default tutti;
export { tutti };
export { containerOf } from './container';
export type { NativeBridge } from './bridge';
export type * from '../../src/types';
