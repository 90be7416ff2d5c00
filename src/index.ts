// tutti/core: the platform-free core, for custom platforms and for the adapters.
import { createCore as createCoreOn, type CoreHooks, type CoreTutti } from './core';
import type { Platform } from './platform';
import type { PlanShape, ResolvedOptions, TrackingPlan } from './types';
import { memoryKV } from './lib/memory-kv';
import { memoryOutbox } from './queue/memory-outbox';
import { fetchTransport } from './delivery/fetch-transport';
import { gzip } from './delivery/gzip';
import { unreachable } from './delivery/unreachable';
import { classifyUrlLanding } from './campaign/referrer';
import { handoffIds } from './identity/handoff';

/** A platform made of the core's own parts: memory storage, fetch and gzip. */
export function basePlatform(): Platform {
  return {
    env: { channel: 'server', context: () => ({}) },
    kv: memoryKV(),
    outbox: memoryOutbox(),
    transport: fetchTransport(),
    gzip,
  };
}

/**
 * The core on a custom platform: the parts `makePlatform` leaves out (or cannot make, when
 * it throws) come from `basePlatform()`, and every optional feature is on.
 */
export function createCore<Plan extends PlanShape<Plan> = TrackingPlan, Traits extends object = object>(
  makePlatform: (options: ResolvedOptions) => Partial<Platform>,
  hooks: CoreHooks = {},
): CoreTutti<Plan, Traits> {
  const core: CoreTutti = createCoreOn(
    (options) => {
      const p = basePlatform();
      // Node has no `location` to resolve a relative endpoint against.
      if (typeof location == 'undefined') p.transport = unreachable(options.endpoint, core.warn) || p.transport;
      try {
        const given = makePlatform(options) as Record<string, unknown>;
        for (const k in given) if (given[k]) (p as unknown as Record<string, unknown>)[k] = given[k];
      } catch (e) {
        core.warn(e);
      }
      return p;
    },
    Object.assign({ url: classifyUrlLanding, handoff: handoffIds }, hooks),
  );
  return core;
}

export { VERSION } from './core';
export type { CoreTutti, CoreHooks } from './core';
export type { Platform, KeyValueStore, OutboxStore, QueuedEvent, Tabs, Environment, Lifecycle } from './platform';
export * from './types';
export { memoryKV, memoryOutbox, fetchTransport };
export { parseQuery, withParams, withoutParams } from './lib/query';
export { hostOf, siteOf } from './lib/domain';
export { isUuid } from './lib/uuid';
export { CAMPAIGN_PARAMS, CLICK_IDS } from './campaign/campaign';
export { resolveContract, decodeDecisions } from './delivery/contract';
export { utf8Length } from './queue/queue';
