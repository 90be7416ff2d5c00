// tutti/core: the platform-free core, for custom platforms and for the adapters.
export { createCore, basePlatform, VERSION } from './core';
export type { CoreTutti, CoreHooks } from './core';
export type { Platform, KeyValueStore, OutboxStore, QueuedEvent, Tabs, Environment, Lifecycle } from './platform';
export * from './types';
export { memoryKV } from './lib/memory-kv';
export { memoryOutbox } from './queue/memory-outbox';
export { fetchTransport } from './delivery/fetch-transport';
export { parseQuery, withParams, withoutParams } from './lib/query';
export { hostOf, siteOf } from './lib/domain';
export { isUuid } from './lib/uuid';
export { CAMPAIGN_PARAMS, CLICK_IDS } from './campaign/campaign';
export { resolveContract, decodeDecisions } from './delivery/contract';
export { utf8Length } from './queue/queue';
