// tutti/miniprogram: the WeChat mini-program build (also under Taro and uni-app).
//
//   import tutti from 'tutti/miniprogram'   // or require('tutti') after DevTools "build npm"
//   tutti.init({ writeKey, endpoint })
//
// Importing this module wraps App, Page and Component, so import it before the app and
// its pages are registered (first line of app.js / app.ts); an import after that still
// works through wx.onAppShow / onAppHide and getCurrentPages(). See README.md.
import { createCore, type CoreTutti } from '../../src/core';
import { memoryKV } from '../../src/lib/memory-kv';
import { memoryOutbox } from '../../src/queue/memory-outbox';
import { fetchTransport } from '../../src/delivery/fetch-transport';
import type { Platform } from '../../src/platform';
import type { Tutti, TuttiOptions } from '../../src/types';
import { wxEnvironment, type Whereabouts } from './env';
import { lifecycle } from './lifecycle';
import { wxOutbox } from './outbox';
import { wxKV } from './storage';
import { createTracker } from './tracker';
import { wxTransport } from './transport';
import { getWx } from './wx';

/** What the app-hide flush (tracker.ts) may send at once: the mini-program is suspended about 5 s later. */
const HIDE_FLUSH_BYTES = 200000;

export function createTutti(options?: TuttiOptions): Tutti {
  const w = getWx();
  const where: Whereabouts = {};
  let core: CoreTutti | undefined;
  const tracker = createTracker(where);

  const platform = (): Platform => {
    // Back online: send what waited instead of sitting out the retry backoff.
    const env = wxEnvironment(w, where, () => core && core.flush());
    // Outside WeChat (SSR, a Taro H5 build): the core's memory storage and fetch (no gzip:
    // this build is for WeChat, whose engine cannot compress).
    if (!w) return { env, kv: memoryKV(), outbox: memoryOutbox(), transport: fetchTransport() };
    return {
      env,
      kv: wxKV(w),
      outbox: wxOutbox(w),
      transport: wxTransport(w, 2),
      beaconBytes: HIDE_FLUSH_BYTES,
    };
  };

  core = createCore(platform, {
    ready: (t, o) => tracker.ready(t, o.autoPageview),
  });
  lifecycle().subscribe(tracker);
  if (options) core.init(options);
  return core;
}

/** The ready singleton: `tutti.init(options)` configures it. */
const tutti: Tutti = createTutti();
export default tutti;
export type { Tutti, TuttiOptions } from '../../src/types';
