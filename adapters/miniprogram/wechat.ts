// The WeChat DevTools build (dist/miniprogram/index.js, package.json "miniprogram"):
//
//   const tutti = require('tutti').default   // after Tools → Build npm
//   tutti.init({ writeKey, endpoint })
//
// Same SDK as index.ts, for the one runtime that loads it: WeChat. It leaves out the
// memory-storage and fetch fallback; evaluated elsewhere it still imports without
// throwing, and init leaves the instance a no-op (a debug warning says why).
import type { Tutti } from '../../src/types';
import { singleton, tuttiFactory } from './create';

export const createTutti = tuttiFactory();

/** The ready singleton: `tutti.init(options)` configures it. */
const tutti: Tutti = singleton(createTutti);
export default tutti;
export type { PlanShape, TrackingPlan, TrackArgs, Tutti, TuttiOptions } from '../../src/types';
