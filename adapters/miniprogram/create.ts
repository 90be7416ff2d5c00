// Builds a mini-program instance. The two entries differ only in what an instance does
// where there is no `wx`: the exports entry (index.ts: Taro, uni-app, Node/SSR) falls back
// to memory storage and fetch; the DevTools build (wechat.ts), which only ever runs inside
// WeChat, carries no fallback and stays uninitialised there.
import { createCore, type CoreTutti } from '../../src/core';
import type { Platform } from '../../src/platform';
import { unreachable } from '../../src/delivery/unreachable';
import type { PlanShape, ResolvedOptions, TrackingPlan, Tutti, TuttiOptions } from '../../src/types';
import { wxEnvironment, type Whereabouts } from './env';
import { lifecycle } from './lifecycle';
import { wxOutbox } from './outbox';
import { wxKV } from './storage';
import { createTracker } from './tracker';
import { wxTransport } from './transport';
import { getWx } from './wx';

/** Storage and transport for a runtime without `wx`. */
export type Fallback = () => Pick<Platform, 'kv' | 'outbox' | 'transport'>;

/** What the app-hide flush (tracker.ts) may send at once: the mini-program is suspended about 5 s later. */
const HIDE_FLUSH_BYTES = 200000;

/**
 * An independent instance, initialised when options are given. `createTutti<Plan>(options)`
 * types `track` by a tracking plan (types only; README "Typed tracking plan").
 */
export type CreateTutti = <Plan extends PlanShape<Plan> = TrackingPlan, Traits extends object = object>(options?: TuttiOptions) => Tutti<Plan, Traits>;

/** `createTutti` of an entry; without `fallback`, init outside WeChat leaves the instance a no-op (debug warning). */
export function tuttiFactory(fallback?: Fallback): CreateTutti {
  return (options?: TuttiOptions) => {
    const w = getWx();
    const where: Whereabouts = {};
    let core: CoreTutti | undefined;
    const tracker = createTracker(where);

    const platform = (o: ResolvedOptions): Platform => {
      // Back online: send what waited instead of sitting out the retry backoff.
      const env = wxEnvironment(w, where, () => core && core.flush());
      if (w) {
        // wx.request cannot take a relative URL: such an endpoint's events fail at once.
        const transport = unreachable(o.endpoint, core!.warn) || wxTransport(w, 2);
        return { env, kv: wxKV(w), outbox: wxOutbox(w, o.writeKey + '@' + o.endpoint), transport, beaconBytes: HIDE_FLUSH_BYTES, beaconAnswered: true };
      }
      // The core turns this throw into a debug warning and leaves the instance uninitialised.
      if (!fallback) throw new Error('outside WeChat: use tutti/miniprogram');
      return { env, ...fallback() };
    };

    core = createCore(platform, {
      ready: (t, o) => tracker.ready(t, o.autoPageview),
    });
    lifecycle().subscribe(tracker);
    if (options) core.init(options);
    return core;
  };
}

/**
 * The runtime's ready singleton. A second copy of the SDK in one mini-program (a subpackage
 * with its own miniprogram_npm) gets the first copy's, kept on `wx`, so it neither tracks
 * the lifecycle twice nor writes the same outbox keys (SPEC §6: a second copy joins).
 */
export function singleton(createTutti: CreateTutti): Tutti {
  const w = getWx();
  if (w && w.__tutti) return w.__tutti;
  const t = createTutti();
  try {
    if (w) w.__tutti = t;
  } catch {
    // a frozen wx: this copy keeps its own
  }
  return t;
}
