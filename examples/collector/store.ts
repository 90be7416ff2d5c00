// SQLite storage for the collector: events (deduplicated on messageId), the identity
// graph (stitch.ts) and a few counters. better-sqlite3 is synchronous, which suits a
// single-process collector: a whole batch goes in one transaction with prepared
// statements, so ingest costs a few microseconds per event.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as DB, Statement } from 'better-sqlite3';
import { CONVERSION_EVENTS, conversionValue, parseTouch, touchHistory } from './attribution';
import type { AttributionTouch, Conversion } from './attribution';
import { Checkpointer } from './checkpoint';
import { IdentityGraph, key, resolveAnyId, splitKey } from './stitch';
import type { EventFilter } from './types';
import type { ValidEvent } from './validate';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    id           INTEGER PRIMARY KEY,
    message_id   TEXT NOT NULL UNIQUE,
    type         TEXT NOT NULL,
    name         TEXT,
    anonymous_id TEXT,
    user_id      TEXT,
    ts           INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    conversion   INTEGER NOT NULL DEFAULT 0,
    body         TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS events_anonymous_id ON events(anonymous_id);
  -- Most events are anonymous: a partial index skips their NULL userIds.
  CREATE INDEX IF NOT EXISTS events_user_id ON events(user_id) WHERE user_id IS NOT NULL;
  CREATE INDEX IF NOT EXISTS events_name ON events(name);
  CREATE INDEX IF NOT EXISTS events_conversion ON events(conversion) WHERE conversion = 1;
  CREATE TABLE IF NOT EXISTS counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

export type CounterName = 'duplicates' | 'rejected' | 'batchRequests' | 'requests' | 'decideRequests' | 'mergeConflicts';
const COUNTERS: CounterName[] = ['duplicates', 'rejected', 'batchRequests', 'requests', 'decideRequests', 'mergeConflicts'];

export interface ReadFilter extends EventFilter {
  /** Only events whose timestamp is at or after this (ms epoch). */
  since?: number;
  /** Only events stored after this row id (the UI's polling cursor). */
  after?: number;
  order?: 'asc' | 'desc';
}

export interface IngestResult {
  /** Newly stored events (not duplicates): the ones worth forwarding. */
  stored: ValidEvent[];
  duplicates: number;
}

interface PendingBatch {
  events: ValidEvent[];
  receivedAt: number;
  resolve(result: IngestResult): void;
  reject(err: unknown): void;
}

interface EventRow {
  id: number;
  body: string;
  received_at: number;
}

/** Cap on events read for one profile; profiles beyond it show their latest events. */
const PROFILE_EVENT_CAP = 5000;

export class Store {
  readonly db: DB;
  readonly graph: IdentityGraph;
  private readonly counters = new Map<CounterName, number>();
  private dirty = false;
  private eventCount = 0;
  private readonly q: {
    insert: Statement<[string, string, string | null, string | null, string | null, number, number, number, string]>;
    saveCounter: Statement<[string, number]>;
    profileEvents: Statement<[string, string, number], EventRow>;
    profileSummary: Statement<[string, string], { n: number; first: number | null; last: number | null }>;
    recentIds: Statement<[number], { anonymous_id: string | null; user_id: string | null }>;
    conversions: Statement<[number], EventRow & { anonymous_id: string | null; user_id: string | null }>;
    lastId: Statement<[], { id: number | null }>;
  };
  private readonly ingestTx: (events: ValidEvent[], receivedAt: number) => IngestResult;
  private readonly groupTx: (group: PendingBatch[]) => IngestResult[];
  private pending: PendingBatch[] = [];

  private readonly checkpointer: Checkpointer | null = null;

  constructor(dbPath: string, log: (message: string) => void = () => {}) {
    if (dbPath !== ':memory:') mkdirSync(dirname(dbPath), { recursive: true });
    this.db = new Database(dbPath);
    // WAL lets the read API run while a batch commits; NORMAL sync is durable across
    // process crashes (only an OS crash can lose the last commits), at a fraction of the cost.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    // A bigger page cache: the messageId index is random (UUIDs), so its pages are touched all over.
    this.db.pragma('cache_size = -32768');
    if (dbPath !== ':memory:') {
      // Checkpoints run in a worker (checkpoint.ts); the writer's own automatic
      // checkpoint (~200 MB of WAL) is only a backstop.
      this.db.pragma('wal_autocheckpoint = 50000');
      this.db.pragma('journal_size_limit = 67108864');
    }
    this.db.exec(SCHEMA);
    this.graph = new IdentityGraph(this.db);
    this.graph.onConflict = () => this.count('mergeConflicts');

    this.q = {
      insert: this.db.prepare(
        `INSERT OR IGNORE INTO events (message_id, type, name, anonymous_id, user_id, ts, received_at, conversion, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      saveCounter: this.db.prepare('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value'),
      // json_each binds a whole list of IDs as one parameter.
      profileEvents: this.db.prepare(
        `SELECT id, body, received_at FROM events
         WHERE anonymous_id IN (SELECT value FROM json_each(?)) OR user_id IN (SELECT value FROM json_each(?))
         ORDER BY ts DESC, id DESC LIMIT ?`,
      ),
      profileSummary: this.db.prepare(
        `SELECT count(*) AS n, min(ts) AS first, max(ts) AS last FROM events
         WHERE anonymous_id IN (SELECT value FROM json_each(?)) OR user_id IN (SELECT value FROM json_each(?))`,
      ),
      recentIds: this.db.prepare('SELECT anonymous_id, user_id FROM events ORDER BY id DESC LIMIT ?'),
      conversions: this.db.prepare(
        'SELECT id, body, received_at, anonymous_id, user_id FROM events WHERE conversion = 1 ORDER BY id DESC LIMIT ?',
      ),
      lastId: this.db.prepare('SELECT max(id) AS id FROM events'),
    };
    for (const name of COUNTERS) this.counters.set(name, 0);
    for (const row of this.db.prepare('SELECT name, value FROM counters').all() as Array<{ name: CounterName; value: number }>) {
      this.counters.set(row.name, row.value);
    }
    this.eventCount = (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    if (dbPath !== ':memory:') this.checkpointer = new Checkpointer(dbPath, log);
    this.ingestTx = this.db.transaction((events: ValidEvent[], receivedAt: number) => this.ingestEach(events, receivedAt));
    this.groupTx = this.db.transaction((group: PendingBatch[]) => group.map((g) => this.ingestEach(g.events, g.receivedAt)));
  }

  /**
   * Group commit: batches that arrive in the same event-loop turn (concurrent requests)
   * share one transaction, committed on the next `setImmediate`. Each caller still gets
   * its own result, and its answer is sent only after the commit.
   */
  ingestSoon(events: ValidEvent[], receivedAt: number): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ events, receivedAt, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.commitPending());
    });
  }

  private commitPending(): void {
    const group = this.pending;
    this.pending = [];
    if (!this.db.open) return group.forEach((g) => g.reject(new Error('store closed')));
    let results: IngestResult[];
    try {
      results = this.groupTx(group);
    } catch {
      // Isolate the failure: commit each batch on its own so one cannot sink the others.
      this.graph.clearCache();
      for (const g of group) {
        try {
          g.resolve(this.ingest(g.events, g.receivedAt));
        } catch (err) {
          g.reject(err);
        }
      }
      return;
    }
    group.forEach((g, i) => {
      this.afterCommit(results[i]);
      g.resolve(results[i]);
    });
  }

  private afterCommit(result: IngestResult): void {
    this.eventCount += result.stored.length;
    if (result.duplicates) this.count('duplicates', result.duplicates);
  }

  /**
   * Stores a batch of validated events in one transaction. Duplicates (same messageId,
   * in this batch or before) are not stored again and skip stitching. Returns the newly
   * stored events (the ones worth forwarding).
   */
  ingest(events: ValidEvent[], receivedAt: number): IngestResult {
    try {
      const result = this.ingestTx(events, receivedAt);
      this.afterCommit(result);
      return result;
    } catch (err) {
      // The transaction rolled back: cached roots may name keys that no longer exist.
      this.graph.clearCache();
      throw err;
    }
  }

  private ingestEach(events: ValidEvent[], receivedAt: number): IngestResult {
    const stored: ValidEvent[] = [];
    let duplicates = 0;
    for (const e of events) {
      const ctx = (e.raw.context ?? {}) as Record<string, unknown>;
      const touches = ctx.touches;
      const conversion =
        e.type === 'track' && (CONVERSION_EVENTS.includes(e.name!) || (Array.isArray(touches) && touches.length > 0)) ? 1 : 0;
      const r = this.q.insert.run(e.messageId, e.type, e.name, e.anonymousId, e.userId, e.ts, receivedAt, conversion, e.json);
      if (r.changes === 0) {
        duplicates++;
        continue;
      }
      stored.push(e);
      this.stitch(e, ctx);
    }
    return { stored, duplicates };
  }

  /** Links the identifiers one event carries (stitch.ts) and keeps identify traits. */
  private stitch(e: ValidEvent, ctx: Record<string, unknown>): void {
    const keys: string[] = [];
    // userId first: the profile root returned below is the user's, where traits belong.
    if (e.userId) keys.push(key.user(e.userId));
    if (e.type === 'alias') {
      // previousId may be an older userId (Segment) or a replaced anonymousId (Tutti's
      // handoff): prefer whichever is already known, else treat it as an anonymousId.
      const prev = e.raw.previousId as string;
      keys.push(this.graph.find(key.user(prev)) ? key.user(prev) : key.anon(prev));
    }
    if (e.anonymousId) keys.push(key.anon(e.anonymousId));
    if (Array.isArray(ctx.externalIds)) {
      for (const x of ctx.externalIds as Array<Record<string, unknown>>) {
        if (x && typeof x.type === 'string' && typeof x.id === 'string' && x.type && x.id) keys.push(key.ext(x.type, x.id));
      }
    }
    const root = this.graph.link(keys, e.ts, e.type === 'alias');
    const traits = e.raw.traits;
    if (root && e.type === 'identify' && traits && typeof traits === 'object' && Object.keys(traits).length > 0) {
      this.graph.setTraits(root, traits as Record<string, unknown>, e.ts);
    }
  }

  count(name: CounterName, n = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + n);
    this.dirty = true;
  }

  counter(name: CounterName): number {
    return this.counters.get(name) ?? 0;
  }

  get storedEvents(): number {
    return this.eventCount;
  }

  /** Persists counters; called on a timer and at close rather than once per request. */
  flushCounters(): void {
    if (!this.dirty || !this.db.open) return;
    this.dirty = false;
    this.db.transaction(() => {
      for (const [name, value] of this.counters) this.q.saveCounter.run(name, value);
    })();
  }

  /** Stored events, parsed, with `receivedAt` added. */
  events(filter: ReadFilter = {}): Array<Record<string, unknown>> {
    const where: string[] = [];
    const args: Array<string | number> = [];
    const eq = (column: string, value: string | undefined) => {
      if (value !== undefined && value !== '') {
        where.push(`${column} = ?`);
        args.push(value);
      }
    };
    eq('type', filter.type);
    eq('name', filter.event);
    eq('anonymous_id', filter.anonymousId);
    eq('user_id', filter.userId);
    if (filter.since !== undefined && Number.isFinite(filter.since)) {
      where.push('ts >= ?');
      args.push(filter.since);
    }
    if (filter.after !== undefined && Number.isFinite(filter.after)) {
      where.push('id > ?');
      args.push(filter.after);
    }
    const limit = filter.limit !== undefined && filter.limit > 0 ? Math.floor(filter.limit) : -1;
    // Newest first from the index, then flipped for ascending order, so `limit` keeps the latest.
    const sql = `SELECT id, body, received_at FROM events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ${limit}`;
    const rows = this.db.prepare(sql).all(...args) as EventRow[];
    if (filter.order !== 'desc') rows.reverse();
    return rows.map(toEvent);
  }

  lastId(): number {
    return this.q.lastId.get()?.id ?? 0;
  }

  /** The merged profile behind any identifier, or null when the identifier is unknown. */
  profile(anyId: string, eventLimit = 200): Record<string, unknown> | null {
    const root = resolveAnyId(this.graph, anyId);
    if (!root) return null;
    const members = this.graph.members(root);
    const anonymousIds: string[] = [];
    const userIds: string[] = [];
    const externalIds: Array<{ type: string; id: string }> = [];
    for (const k of members) {
      const { kind, id } = splitKey(k);
      if (kind === 'anon') anonymousIds.push(id);
      else if (kind === 'user') userIds.push(id);
      else {
        const i = id.indexOf(':');
        externalIds.push({ type: id.slice(0, i), id: id.slice(i + 1) });
      }
    }
    const ids = [JSON.stringify(anonymousIds), JSON.stringify(userIds)] as const;
    const newestFirst = this.q.profileEvents.all(ids[0], ids[1], PROFILE_EVENT_CAP).map(toEvent);
    const summary = this.q.profileSummary.get(ids[0], ids[1])!;
    const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const chronological = [...newestFirst].reverse();
    const channels = [...new Set(chronological.map((e) => (e.context as any)?.channel).filter((c) => typeof c === 'string'))];
    return {
      id: root,
      anonymousIds,
      userIds,
      externalIds,
      traits: this.graph.traits(root),
      channels,
      firstSeen: isoOrNull(summary.first),
      lastSeen: isoOrNull(summary.last),
      touches: touchHistory(chronological).map((t) => ({ ...t, at: new Date(t.at).toISOString() })),
      eventCount: summary.n,
      events: newestFirst.slice(0, eventLimit),
    };
  }

  /** Summaries of the most recently active profiles, newest first. */
  recentProfiles(limit = 20): Array<Record<string, unknown>> {
    const roots: string[] = [];
    for (const r of this.q.recentIds.all(5000)) {
      const root = (r.user_id && this.graph.find(key.user(r.user_id))) || (r.anonymous_id && this.graph.find(key.anon(r.anonymous_id)));
      if (root && !roots.includes(root)) roots.push(root);
      if (roots.length >= limit) break;
    }
    return roots.map((root) => {
      const members = this.graph.members(root);
      const ids = (kind: string) => members.filter((k) => k.startsWith(kind + ':')).map((k) => splitKey(k).id);
      return { id: root, userIds: ids('user'), anonymousIds: ids('anon'), externalIds: ids('ext'), traits: this.graph.traits(root) };
    });
  }

  /**
   * The latest conversions with the touches that compete for them: the client's ledger
   * (`context.touches`) when the event has one, else the profile's campaign history.
   */
  conversions(limit = 5000): Conversion[] {
    const histories = new Map<string, AttributionTouch[]>();
    return this.q.conversions.all(limit).map((row) => {
      const e = toEvent(row);
      const ctx = (e.context ?? {}) as Record<string, unknown>;
      let touches = Array.isArray(ctx.touches) ? (ctx.touches.map(parseTouch).filter(Boolean) as AttributionTouch[]) : [];
      if (touches.length === 0) {
        const anyId = row.user_id ?? row.anonymous_id!;
        const root = resolveAnyId(this.graph, anyId) ?? anyId;
        if (!histories.has(root)) {
          const profile = this.profile(anyId, 0);
          histories.set(root, ((profile?.touches as any[]) ?? []).map(parseTouch).filter(Boolean) as AttributionTouch[]);
        }
        touches = histories.get(root)!;
      }
      return { at: Date.parse(e.timestamp as string) || row.received_at, value: conversionValue(e.properties), touches };
    });
  }

  /** Wipes everything (tests, `--reset`). */
  reset(): void {
    this.db.exec('DELETE FROM events; DELETE FROM identities; DELETE FROM profiles; DELETE FROM counters;');
    this.graph.clearCache();
    for (const name of COUNTERS) this.counters.set(name, 0);
    this.eventCount = 0;
    this.dirty = false;
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    await this.checkpointer?.stop();
    if (!this.db.open) return;
    this.flushCounters();
    this.db.close();
  }
}

function toEvent(row: EventRow): Record<string, unknown> {
  const e = JSON.parse(row.body) as Record<string, unknown>;
  e.receivedAt = new Date(row.received_at).toISOString();
  return e;
}
