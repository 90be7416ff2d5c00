// tutti/miniprogram: the mini-program SDK as package.json "exports" gives it to Taro,
// uni-app and Node/SSR.
//
//   import tutti from 'tutti/miniprogram'
//   tutti.init({ writeKey, endpoint })
//
// Importing this module wraps App, Page and Component, so import it before the app and
// its pages are registered (first line of app.js / app.ts); an import after that still
// works through wx.onAppShow / onAppHide and getCurrentPages(). See README.md.
// Outside WeChat (SSR, a Taro/uni-app H5 build) it works with memory storage and fetch
// (no gzip: the mini-program code never compresses, WeChat's engine cannot).
// DevTools' "build npm" ships wechat.ts instead: the same SDK without this fallback.
import { memoryKV } from '../../src/lib/memory-kv';
import { memoryOutbox } from '../../src/queue/memory-outbox';
import { fetchTransport } from '../../src/delivery/fetch-transport';
import type { Tutti } from '../../src/types';
import { singleton, tuttiFactory } from './create';

export const createTutti = tuttiFactory(() => ({ kv: memoryKV(), outbox: memoryOutbox(), transport: fetchTransport() }));

/** The ready singleton: `tutti.init(options)` configures it. */
const tutti: Tutti = singleton(createTutti);
export default tutti;
export type { PlanShape, TrackingPlan, TrackArgs, Tutti, TuttiOptions } from '../../src/types';
