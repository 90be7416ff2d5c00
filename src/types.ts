// Public types of Tutti. The names and defaults come from SPEC.md and are fixed;
// every option's default is written on it so the types double as documentation.

export type Channel = 'web' | 'h5' | 'miniprogram' | (string & {});
export type ConsentState = 'granted' | 'pending' | 'denied';
export type EventType = 'track' | 'page' | 'screen' | 'identify' | 'alias' | 'group';
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Campaign of one touch. utm_* map to source/medium/name/term/content; click IDs keep their own names. */
export interface Campaign {
  source?: string;
  medium?: string;
  name?: string;
  term?: string;
  content?: string;
  [clickIdOrExtra: string]: string | undefined;
}

/** One entry of the client-side touch ledger (`context.touches`). */
export interface Touch {
  source?: string;
  medium?: string;
  name?: string;
  clickIdType?: string;
  channel: Channel;
  /** ISO-8601 time of the touch. */
  at: string;
}

export interface ExternalId {
  id: string;
  type: string;
  collection: string;
  encoding: string;
}

export interface EventContext {
  library: { name: 'tutti'; version: string };
  channel: Channel;
  page?: { url?: string; path?: string; referrer?: string; title?: string; search?: string };
  campaign?: Campaign;
  firstCampaign?: Campaign;
  session?: { id: string; start?: true };
  sequence?: number;
  touches?: Touch[];
  externalIds?: ExternalId[];
  container?: string;
  miniprogram?: { appId?: string; scene?: number; path?: string; query?: Record<string, string> };
  locale?: string;
  timezone?: string;
  userAgent?: string;
  screen?: { width?: number; height?: number; density?: number };
  [key: string]: unknown;
}

/** A Segment-spec compatible event (SPEC §4). */
export interface TuttiEvent {
  type: EventType;
  event?: string;
  name?: string;
  properties?: JsonObject;
  traits?: JsonObject;
  anonymousId: string;
  userId: string | null;
  previousId?: string;
  groupId?: string;
  messageId: string;
  timestamp: string;
  sentAt?: string;
  context: EventContext;
}

export interface Plugin {
  name: string;
  /** Called once when the plugin is registered on an initialised instance. */
  setup?(ctx: { tutti: Tutti; options: ResolvedOptions }): void;
  /** Return the (possibly changed) event, or null to drop it. Runs before the event is queued. */
  beforeSend?(event: TuttiEvent): TuttiEvent | null | undefined;
}

export type DecisionContent =
  | { type: 'text'; text: string }
  | { type: 'html'; html: string }
  | { type: 'image'; src: string; alt?: string; href?: string }
  | { type: 'json'; data: JsonValue };

export interface Decision {
  variantId: string;
  experimentId?: string;
  /** Seconds the decision may be reused. */
  ttl?: number;
  content: DecisionContent;
}

export interface SendOptions {
  /** The page is going away: the transport must hand the body to the browser synchronously (sendBeacon / keepalive). */
  beacon?: boolean;
  headers?: Record<string, string>;
  /** Give up after this many ms (status 0). */
  timeout?: number;
}

export interface TransportResponse {
  /** HTTP status; 0 for a network error or timeout. */
  status: number;
  /** Raw Retry-After header: seconds or an HTTP date. */
  retryAfter?: string | number | null;
  /** Response body text, when the transport could read it. */
  body?: string;
}

export interface Transport {
  send(url: string, body: string | Uint8Array, options: SendOptions): Promise<TransportResponse>;
}

export interface BatchBody {
  writeKey: string;
  sentAt: string;
  batch: TuttiEvent[];
}

export interface DecideBody {
  writeKey: string;
  anonymousId: string;
  userId: string | null;
  externalIds: ExternalId[];
  traits: JsonObject;
  context: EventContext;
  slots: string[];
}

/** The backend contract (SPEC §5). Every part can be overridden through `options.contract`. */
export interface BackendContract {
  /** '/v1/batch' */
  batchPath: string;
  /** '/v1/decide' */
  decidePath: string;
  /** Extra request headers (not sent by beacon, which cannot carry headers). {} */
  headers: Record<string, string>;
  /** Turns a batch into the request body. JSON.stringify (arrays kept as arrays under Prototype.js's Array#toJSON). */
  encode(body: BatchBody): string;
  /** Turns a decide request into the request body. JSON.stringify. */
  encodeDecide(body: DecideBody): string;
  /** Reads the /v1/decide answer. Expects `{ decisions: { [slotId]: Decision } }`. */
  decodeDecisions(body: string): Record<string, Decision>;
  /** gzip bodies over 1 KB with CompressionStream where the runtime has it. true */
  compress: boolean;
  /** Overrides the platform's transport. */
  transport?: Transport;
}

export interface RetryOptions {
  /** Server-refused attempts (408, 429, 5xx) before an event is reported `failed`. 10 */
  maxAttempts?: number;
  /** First backoff delay, ms. 1000 */
  baseDelay?: number;
  /** Longest backoff delay, ms. 60000 */
  maxDelay?: number;
}

export interface PersonalizationOptions {
  /** 'auto' collects `[data-tutti-slot]` IDs at init; or a list of slot IDs. 'auto' */
  slots?: 'auto' | string[];
  /** Longest wait for decisions, ms; the default content stays after it. 800 */
  timeout?: number;
  /** Hide only the slots (never the page) while waiting. true */
  antiFlicker?: boolean;
  [extra: string]: unknown;
}

export interface TuttiOptions {
  /** Required. */
  writeKey: string;
  /** Required: collector base URL, e.g. https://collect.example.com */
  endpoint: string;
  /** Events per request. 20 */
  batchSize?: number;
  /** Longest time an event waits in the queue before a send, ms. 3000 */
  flushInterval?: number;
  /** Persisted events kept at most; the oldest are dropped first and reported via `dropped`. 10000 */
  maxQueueSize?: number;
  /** Backoff for retryable failures. { maxAttempts: 10, baseDelay: 1000, maxDelay: 60000 } */
  retry?: RetryOptions;
  /** Overrides of the backend contract (paths, headers, encoder, decoder, transport). */
  contract?: Partial<BackendContract>;
  /** Initial page + SPA history changes (web, h5); page shows (mini-program). true */
  autoPageview?: boolean;
  /** LCP, INP, CLS, FCP, TTFB as `Web Vitals` events (web, h5). true */
  webVitals?: boolean;
  /** Inactivity that ends a session, ms. 1800000 (30 min) */
  sessionTimeout?: number;
  /** Cookie domain; 'auto' = registrable domain so subdomains share one anonymous ID, '' = this host only. 'auto' */
  cookieDomain?: string;
  /** Domains whose links get the identity handoff and whose referrers are internal. [] */
  linkDomains?: string[];
  /** Which handoff parameters are adopted on load. 'all' */
  acceptHandoff?: 'anonymous' | 'all' | false;
  /** 'pending' keeps events in memory only; 'denied' discards and wipes. 'granted' */
  consent?: ConsentState;
  /** Personalization slots. { slots: 'auto', timeout: 800, antiFlicker: true } */
  personalization?: PersonalizationOptions;
  /** These events carry `context.touches`. ['Order Completed', 'Signed Up'] */
  conversionEvents?: string[];
  plugins?: Plugin[];
  /**
   * Holds events until an external ID of this type is set with setExternalId (or the timeout,
   * ms, passes), so early events carry it; a page or app going to the background, or a
   * 1,001st held call, releases them at once. Off. Timeout 3000
   */
  waitForExternalId?: { type: string; timeout?: number };
  /** Log warnings (bad input, failures) to the console. false */
  debug?: boolean;
  [adapterOption: string]: unknown;
}

export interface ResolvedOptions extends TuttiOptions {
  batchSize: number;
  flushInterval: number;
  maxQueueSize: number;
  retry: Required<RetryOptions>;
  contract: BackendContract;
  autoPageview: boolean;
  webVitals: boolean;
  sessionTimeout: number;
  cookieDomain: string;
  linkDomains: string[];
  acceptHandoff: 'anonymous' | 'all' | false;
  consent: ConsentState;
  personalization: Required<Pick<PersonalizationOptions, 'slots' | 'timeout' | 'antiFlicker'>> & PersonalizationOptions;
  conversionEvents: string[];
  plugins: Plugin[];
  debug: boolean;
}

export interface SentInfo { events: TuttiEvent[]; status: number }
export interface FailedInfo { events: TuttiEvent[]; status: number; reason: string }
export interface DroppedInfo { events: TuttiEvent[]; count: number; reason: string }
export interface DecisionInfo { slotId: string; decision: Decision }

export interface TuttiEventMap {
  sent: SentInfo;
  failed: FailedInfo;
  dropped: DroppedInfo;
  decision: DecisionInfo;
}

/**
 * A tracking plan: event name → the type of its properties. The default accepts any event
 * name with any object of properties; see README "Typed tracking plan".
 */
export type TrackingPlan = { [event: string]: object };

/** What a plan must be (a type alias or an interface): every event's properties are an object. */
export type PlanShape<Plan> = { [E in keyof Plan]: object };

/** `track`'s arguments after the event name: optional when every property is optional. */
export type TrackArgs<Properties> = {} extends Properties ? [properties?: Properties] : [properties: Properties];

/**
 * The public API, identical on every adapter (SPEC §3). Every method returns at once and never throws.
 * Types only: `Plan` (event name → properties) types `track`, `Traits` types `identify`;
 * without them any event name and any object are accepted.
 */
export interface Tutti<Plan extends PlanShape<Plan> = TrackingPlan, Traits extends object = object> {
  init(options: TuttiOptions): Tutti<Plan, Traits>;
  track<E extends keyof Plan & string>(event: E, ...properties: TrackArgs<Plan[E]>): void;
  page(name?: string | object, properties?: object): void;
  screen(name?: string | object, properties?: object): void;
  identify(userId?: string | number | Traits | null, traits?: Traits): void;
  alias(userId: string, previousId?: string): void;
  group(groupId: string, traits?: object): void;
  setExternalId(type: string, id: string): void;
  reset(): void;
  flush(): Promise<void>;
  getAnonymousId(): string;
  getUserId(): string | null;
  getSessionId(): string;
  getCampaign(): { first: Campaign | null; last: Campaign | null };
  setConsent(state: ConsentState): void;
  personalize(slotIds?: string[]): Promise<Record<string, Decision>>;
  linkUrl(url: string): string;
  use(plugin: Plugin): void;
  on<K extends keyof TuttiEventMap>(name: K, listener: (info: TuttiEventMap[K]) => void): () => void;
  readonly version: string;
}
