// The npm entry `tutti/h5` (SPEC §1): the web SDK plus H5 container features, as a ready
// singleton and `createTutti` for independent instances. Safe to import during SSR and in
// Node (nothing touches the DOM until a method runs).
import type { PlanShape, TrackingPlan, Tutti, TuttiOptions } from '../../src/types';
import { pageSingleton } from '../web/lib/registry';
import type { VitalsModule } from '../web/lib/vitals';
import { createH5Tutti } from './create';
import { withShareUrl } from './share';

// A dynamic import: bundlers split web-vitals into its own chunk, loaded only with webVitals on.
const loadVitals = (): Promise<VitalsModule> => import('web-vitals');

/** The H5 instance: every `Tutti` method, plus what H5 pages shared in WeChat need. */
export interface H5Tutti<Plan extends PlanShape<Plan> = TrackingPlan, Traits extends object = object> extends Tutti<Plan, Traits> {
  /**
   * The link for this visitor to share onward (WeChat JS-SDK `updateAppMessageShareData({ link })`,
   * `updateTimelineShareData`): `url` (default `location.href`) with `tutti_sharer=<own anonymousId>`
   * and `tutti_depth=<the depth this visitor arrived at, else 0, + 1>`, replacing any there and
   * removing handoff parameters. Unchanged unless initialised with consent `granted`; a URL
   * that is no non-empty string is returned as given (debug warning). Never throws.
   */
  shareUrl(url?: string): string;
}

/** An independent instance (own queue and settings); initialised when options are given. */
export function createTutti<Plan extends PlanShape<Plan> = TrackingPlan, Traits extends object = object>(options?: TuttiOptions): H5Tutti<Plan, Traits> {
  const t = createH5Tutti(loadVitals);
  if (options) t.init(options);
  return t as unknown as H5Tutti<Plan, Traits>;
}

/**
 * The page's singleton, not initialised until `tutti.init(options)`. It is shared with
 * any other copy of Tutti on the page (the web script tag included), so nothing is sent twice;
 * joined, it is given `shareUrl` too.
 */
const tutti: H5Tutti = /*#__PURE__*/ withShareUrl(pageSingleton(() => createH5Tutti(loadVitals))) as H5Tutti;

export default tutti;
export { tutti };
export { containerOf } from './container';
export type { NativeBridge } from './bridge';
export type * from '../../src/types';
