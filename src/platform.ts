// Everything that differs between the web, H5 and mini-programs sits behind these few
// interfaces. A new platform (Alipay, Douyin mini-programs) is one object of this shape.
import type { Channel, EventContext, Transport } from './types';

/**
 * Small synchronous key/value storage for identity, session and campaign state.
 * Synchronous because `getAnonymousId()` must answer at once.
 * Web: cookie + localStorage; mini-program: wx.*StorageSync; core: memory.
 * Implementations must never throw (a full or blocked store just forgets).
 */
export interface KeyValueStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

/** An event waiting in the outbox. */
export interface QueuedEvent {
  /** = event.messageId; the outbox's key. */
  id: string;
  event: import('./types').TuttiEvent;
  /** Server-refused attempts so far (network errors do not count). */
  attempts: number;
  /** Which live instance (tab) owns this record; see `Platform.tabs`. */
  owner?: string;
}

/**
 * The persisted outbox, asynchronous because IndexedDB is. Records are keyed by
 * `id` so several tabs can write without overwriting each other.
 * Web: IndexedDB via idb-keyval, then localStorage, then memory; mini-program: wx storage.
 */
export interface OutboxStore {
  /** Insert or replace these records. */
  put(records: QueuedEvent[]): Promise<void>;
  /** Delete these ids (missing ids are ignored). */
  remove(ids: string[]): Promise<void>;
  /** Every record, oldest first. */
  all(): Promise<QueuedEvent[]>;
  clear(): Promise<void>;
  /** Events the previous process held in memory only (storage full) and lost, reported via `dropped`; set once `all()` has been called. */
  lost?: import('./types').DroppedInfo;
}

/**
 * Cross-tab coordination. Each live instance has an id; records owned by an instance
 * that is no longer alive are adopted by another one, inside `exclusive`, so no two
 * tabs ever send the same record. Absent on single-instance platforms (mini-programs).
 */
export interface Tabs {
  id: string;
  /** Ids of instances alive now (including this one). */
  alive(): Promise<string[]>;
  /** Runs fn while no other tab runs an `exclusive` section of the same name. */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export interface Environment {
  channel: Channel;
  /** Context fields of this platform (page, locale, screen, container...). Called per event: cache what does not change. */
  context(): Partial<EventContext>;
  /** The landing URL and referrer used for campaign detection at init, when the platform has them. */
  landing?(): { url: string; referrer: string } | undefined;
  /** The current host name, for internal-referrer checks. */
  host?(): string;
}

export interface Lifecycle {
  /**
   * Calls back when the page/app is being hidden or unloaded: flush synchronously; and
   * `restored` when the page comes back from the back/forward cache.
   */
  onHidden(callback: () => void, restored?: () => void): void;
}

export interface Platform {
  env: Environment;
  kv: KeyValueStore;
  outbox: OutboxStore;
  transport: Transport;
  lifecycle?: Lifecycle;
  tabs?: Tabs;
  /** Largest request body, bytes. 500000 */
  maxBodyBytes?: number;
  /** Largest body and total budget for beacon flushes, bytes. 64000 */
  beaconBytes?: number;
  /**
   * Its beacon sends are requests whose answers still arrive (a hidden mini-program is
   * suspended, not unloaded): a failed one keeps its events, so the hide flush goes even
   * while the collector is known to be down.
   */
  beaconAnswered?: boolean;
  /**
   * gzip for request bodies over 1 KB (delivery/gzip.ts), where the runtime can compress:
   * browsers and Node have CompressionStream, WeChat's engine has not, so the mini-program
   * build leaves it out and carries no compression code. null from it: send uncompressed.
   */
  gzip?(text: string): Promise<Uint8Array | null>;
}
