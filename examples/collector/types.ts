// Public types of the reference collector. `index.ts` re-exports them; other test
// suites (web e2e, mini-program, benchmarks) program against exactly these shapes.

/** A campaign / trait value matcher: one value or any of several (strings compare case-insensitively). */
export type Match = string | number | boolean | Array<string | number | boolean>;

/** Conditions of a decide rule. Every listed condition must hold; an empty `when` always matches. */
export interface RuleConditions {
  /** Matched against `context.campaign` of the decide request (the session's campaign). */
  campaign?: { source?: Match; medium?: Match; name?: Match; term?: Match; content?: Match };
  /** Matched against `context.firstCampaign` (the first campaign ever seen on the device). */
  firstCampaign?: { source?: Match; medium?: Match; name?: Match; term?: Match; content?: Match };
  /** Trait equality (request traits over the stored profile's traits). */
  traits?: Record<string, Match>;
  /** External ID types that must all be known for the person, e.g. ["wechat_unionid"]. */
  externalIds?: string[];
  /** true: only identified people (a userId); false: only anonymous ones. */
  identified?: boolean;
  /** `context.channel`: web | h5 | miniprogram. */
  channel?: Match;
}

/** Content of a decision, as in SPEC §5. */
export type DecisionContent =
  | { type: 'text'; text: string }
  | { type: 'html'; html: string }
  | { type: 'image'; src: string; alt?: string; href?: string }
  | { type: 'json'; data: unknown };

export interface DecideVariant {
  id: string;
  /** Relative weight; 1 when omitted. Weights need not sum to 100. */
  weight?: number;
  content: DecisionContent;
}

/**
 * One personalization rule. Rules are tried in file order per slot; the first match
 * answers. A rule gives either a fixed `content` (with `variantId`) or an `experiment`
 * whose variant is picked by a stable hash of anonymousId + experiment id.
 */
export interface DecideRule {
  /** Identifies the rule in logs and answers; defaults to `slot#index`. */
  id?: string;
  slot: string;
  when?: RuleConditions;
  variantId?: string;
  content?: DecisionContent;
  experiment?: { id: string; variants: DecideVariant[] };
  /** Seconds the SDK may reuse the decision. */
  ttl?: number;
}

export interface ForwardOptions {
  /** Base URL of a Segment-compatible pipeline; batches go to `{url}/v1/batch`. */
  url: string;
  /** Sent as HTTP Basic auth `writeKey:` (Segment, RudderStack and Jitsu accept it). */
  writeKey: string;
  /** Attempts per forwarded batch before it is dropped. 8 */
  maxAttempts?: number;
  /** First retry delay, ms (doubled per attempt, with jitter). 500 */
  baseDelay?: number;
  /** Longest retry delay, ms. 30000 */
  maxDelay?: number;
  /** Events kept waiting in memory at most; the oldest are dropped (and counted) beyond it. 10000 */
  maxQueue?: number;
  /** Events per forwarded request. 100 */
  batchSize?: number;
}

export interface CollectorOptions {
  /** 0 = ephemeral (tests); default 8787 */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** default '.data/tutti.db'; ':memory:' for tests */
  dbPath?: string;
  /** Accepted write keys, or '*' for any; default ['demo-key'] */
  writeKeys?: string[] | '*';
  /** Rules array or path to a JSON file; default examples/collector/rules.json */
  rules?: DecideRule[] | string;
  /** Forward accepted events to a Segment-compatible pipeline. */
  forward?: ForwardOptions;
  /** URL prefix -> folder served as static files, e.g. {'/': 'examples/site', '/dist': 'dist'} */
  static?: Record<string, string>;
  /** No log lines. Default: true under vitest, false otherwise. */
  quiet?: boolean;
}

export interface EventFilter {
  type?: string;
  event?: string;
  anonymousId?: string;
  userId?: string;
  limit?: number;
}

/** One entry of the request log kept for tests and benchmarks. */
export interface RequestRecord {
  method: string;
  path: string;
  /** Answer status; 0 when the connection closed before an answer. */
  status: number;
  /** Request body bytes as received (compressed size when gzip). */
  bytes: number;
  /** Content-Encoding request header, lower-cased, or null. */
  encoding: string | null;
  /** ms epoch when the request arrived. */
  at: number;
  /** Events in the batch (0 for other requests or unreadable bodies). */
  events: number;
}

export interface CollectorStats {
  /** Events stored. */
  events: number;
  /** Events received again (same messageId): accepted but not stored twice. */
  duplicates: number;
  /** Events refused one by one inside 2xx answers. */
  rejected: number;
  /** POST /v1/batch requests received (any outcome). */
  batchRequests: number;
  /** Every HTTP request received. */
  requests: number;
  decideRequests: number;
  /** Implicit merges refused because both profiles already had a different userId. */
  mergeConflicts: number;
  forward: { queued: number; forwarded: number; dropped: number; failed: number };
}

export interface FailSpec {
  status: number;
  retryAfter?: string;
  /** How many answers fail; Infinity when omitted. */
  times?: number;
}

export interface CollectorHandle {
  url: string;
  port: number;
  /** Stored events, oldest first (with `limit`: the most recent `limit`, still oldest first). */
  events(filter?: EventFilter): any[];
  /** Merged profile of any identifier (anonymousId, userId, `type:id` external ID), or null. */
  profile(anyId: string): any | null;
  stats(): CollectorStats;
  /** Every request, for tests/benchmarks (same array for the handle's life; trimmed past 100,000). */
  requests: RequestRecord[];
  /** Next `times` (default Infinity) POST /v1/batch answer `status` (with Retry-After), storing nothing. */
  fail(spec: FailSpec | null): void;
  /** Delay every /v1 answer by ms (decide included; CORS preflights are not delayed). */
  delay(ms: number): void;
  /** Stop accepting connections (connection refused) but remember the port. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  /** Wipe stored data, counters, the request log and the forward queue. */
  reset(): void;
  close(): Promise<void>;
}
