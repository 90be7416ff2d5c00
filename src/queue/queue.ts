// The outbox queue: batching by count and bytes, persistence, retry with backoff,
// unload flushes and cross-tab ownership. At-least-once: a record leaves the outbox only
// after a 2xx, a permanent refusal, or its last allowed attempt; its messageId never changes.
import type { Platform, QueuedEvent } from '../platform';
import type { ResolvedOptions, TransportResponse, TuttiEvent, TuttiEventMap } from '../types';
import { GZIP_MIN_BYTES } from '../delivery/gzip';
import { backoffDelay, parseRetryAfter } from './backoff';
import { parseJson, stringify } from '../lib/json';
import { WX_BUILD } from '../lib/build';

/** Bytes of a string once UTF-8 encoded, without allocating. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return n;
}

const REQUEST_TIMEOUT = 30000;
const SENT_AT_BYTES = 48; // ',"sentAt":"2026-01-01T00:00:00.000Z"' added per attempt
const BEACON_MAX_EVENTS = 500;

/** The queue of one instance: its options and platform (outbox, transport, tabs, gzip, body limits), reporting through `emit` and `warn`. */
export function createQueue(
  o: ResolvedOptions,
  p: Platform,
  emit: <K extends keyof TuttiEventMap>(name: K, info: TuttiEventMap[K]) => void,
  warn: (...args: unknown[]) => void,
) {
  const url = o.endpoint + o.contract.batchPath;
  const transport = o.contract.transport || p.transport;
  const maxBodyBytes = p.maxBodyBytes || 500000;
  const envelope = 64 + utf8Length(o.writeKey);
  /** Each event's JSON, made once: it gives the byte size and, with the default encoder, the body. */
  const json = new WeakMap<QueuedEvent, string>();
  const toJson = (r: QueuedEvent): string => {
    let s = json.get(r);
    if (s === undefined) json.set(r, (s = stringify(r.event)));
    return s;
  };

  let mem: QueuedEvent[] = [];
  /** Records of `mem` added since the last save(), in `mem`'s order (forget() takes them out of both). */
  let unsaved: QueuedEvent[] = [];
  /** Handed to the transport and not answered yet. */
  const inflight = new Set<string>();
  let saveTimer: ReturnType<typeof setTimeout> | 0 = 0;
  let timer: ReturnType<typeof setTimeout> | 0 = 0;
  let timerAt = 0;
  let failures = 0;
  let backoffUntil = 0;
  let batchCap = o.batchSize;
  let chain: Promise<unknown> = Promise.resolve();
  /** clear() calls so far: an adopt() under way when one comes takes nothing. */
  let clears = 0;
  /** flush() calls under way: the pump's run of batches gives way to them. */
  let flushing = 0;
  /** Until when a live tab need not look for orphaned records again (see settle). */
  let adoptAt = 0;

  /** Runs network sends one at a time (beacon sends bypass this: they must be synchronous). */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = chain.then(fn, fn);
    // Never rejected: the next fn runs whatever this one did (and ignores what it is given).
    chain = p.catch(() => undefined);
    return p;
  }

  const sizeOf = (r: QueuedEvent): number => utf8Length(toJson(r)) + SENT_AT_BYTES;

  /** The request body. With the default encoder it is assembled from each event's cached JSON. */
  function encode(batch: QueuedEvent[], sentAt: string): string {
    if (o.contract.encode !== stringify) {
      return o.contract.encode({ writeKey: o.writeKey, sentAt, batch: batch.map((r) => Object.assign({}, r.event, { sentAt })) });
    }
    const stamp = ',"sentAt":' + JSON.stringify(sentAt) + '}';
    const events = batch.map((r) => toJson(r).slice(0, -1) + stamp);
    // The envelope as JSON.stringify writes it, its empty batch opened again for the events.
    return stringify({ writeKey: o.writeKey, sentAt, batch: [] }).slice(0, -2) + events.join(',') + ']}';
  }

  const notSaved = (e: unknown) => warn('queue not saved', e);

  function save(): Promise<void> {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = 0;
    if (!unsaved.length) return Promise.resolve();
    const list = unsaved;
    unsaved = [];
    return p.outbox.put(list).catch(notSaved);
  }

  /**
   * Takes records out of the queue and the outbox for good. While the queue is full this
   * runs on every add, for its oldest record: one pass that stops once it met every id (most
   * often at the first record) and closes the gap with one splice, instead of copying the
   * whole queue. A record past that point with an id already met (a plugin may reuse a
   * messageId) stays: it is sent again, and the collector keeps one (at-least-once).
   */
  function forget(list: QueuedEvent[]): void {
    if (!list.length) return;
    const ids = new Set(list.map((r) => r.id));
    const left = new Set(ids);
    let kept = 0;
    let i = 0;
    for (; left.size && i < mem.length; i++) {
      const r = mem[i];
      if (ids.has(r.id)) left.delete(r.id);
      else mem[kept++] = r;
    }
    mem.splice(kept, i - kept);
    unsaved = unsaved.filter((r) => !ids.has(r.id));
    p.outbox.remove(Array.from(ids)).catch(notSaved);
  }

  const events = (list: QueuedEvent[]): TuttiEvent[] => list.map((r) => r.event);

  /** Records that will never be delivered: out of the queue for good, and reported via `failed`. */
  function fail(list: QueuedEvent[], status: number, reason: string): void {
    if (!list.length) return;
    forget(list);
    emit('failed', { events: events(list), status, reason });
  }

  /**
   * Conversions (`conversionEvents`) and identify calls, the events that carry the touch
   * ledger: what attribution and ID stitching cannot do without. When the queue must drop
   * events they go last, and when a page exit leaves room for only part of the queue they
   * go first.
   */
  const valued = (r: QueuedEvent): boolean => r.event.type == 'identify' || o.conversionEvents.indexOf(r.event.event as string) >= 0;

  function overflow(): void {
    const excess = mem.length - o.maxQueueSize;
    if (excess <= 0) return;
    // The oldest go, page views and ordinary events before conversions and identify calls.
    // Runs on every add while the queue is full: each scan stops once it has enough (most
    // often at the first record), never sorting the whole queue.
    const dropped: QueuedEvent[] = [];
    for (const valuedToo of [false, true]) {
      for (const r of mem) {
        if (dropped.length >= excess) break;
        if (!inflight.has(r.id) && (valuedToo ? dropped.indexOf(r) < 0 : !valued(r))) dropped.push(r);
      }
    }
    forget(dropped);
    warn('queue full: oldest dropped');
    emit('dropped', { events: events(dropped), count: dropped.length, reason: 'maxQueueSize' });
  }

  function schedule(delay: number): void {
    const now = Date.now();
    // A backoff longer than any the queue sets (Retry-After is capped at 10 minutes): the
    // device clock was turned back meanwhile.
    if (backoffUntil > now + o.retry.maxDelay + 6e5) backoffUntil = 0;
    const at = Math.max(now + delay, backoffUntil);
    if (timer && timerAt <= at) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = 0;
      pump();
    }, at - now);
    // Waiting out a backoff must not keep a Node process alive (browsers give a number).
    const t = timer as { unref?: () => void };
    if (at > now + delay && t.unref) t.unref();
  }

  /** Bytes of the last batch picked, envelope included: what a beacon batch takes from the budget. */
  let picked = 0;

  /** The next batch among `from`: oldest first, within `maxBytes` and `maxCount`. */
  function pick(from: QueuedEvent[], maxBytes: number, maxCount: number, beacon: boolean): QueuedEvent[] {
    const batch: QueuedEvent[] = [];
    const tooLarge: QueuedEvent[] = [];
    let bytes = envelope;
    for (const r of from) {
      if (inflight.has(r.id)) continue;
      const size = sizeOf(r) + 1;
      if (envelope + size > maxBytes) {
        if (!beacon && maxBytes >= maxBodyBytes) tooLarge.push(r);
        continue;
      }
      if (bytes + size > maxBytes) break;
      batch.push(r);
      bytes += size;
      if (batch.length >= maxCount) break;
    }
    picked = bytes;
    fail(tooLarge, 0, `event larger than ${maxBodyBytes} bytes`);
    return batch;
  }

  /** Applies an answer; false when the batch must simply be sent again in smaller parts. */
  function settle(batch: QueuedEvent[], res: TransportResponse, beacon: boolean): boolean {
    const status = res.status;
    if (status >= 200 && status < 300) {
      // A live tab takes over the records of tabs that closed or crashed since it looked,
      // without waiting for a page load. After a regular send's success only (the collector
      // takes events now): at the first one after failures (a tab closed during the outage
      // skipped its beacon, so its events are all still stored) and otherwise at most once a
      // minute (a crashed tab): one outbox read and one locks query, never one per send. Not
      // on visibilitychange: Chromium fires `visible` before the back/forward cache's
      // pageshow, so a page could send what it kept before adopt(true) drops what another
      // page sent meanwhile. Not for a beacon (the page may be going into that cache, where
      // it must hold no lock), nor once consent was denied here (clears). Web only (tabs):
      // without owners a record just delivered, its removal not yet stored, looks orphaned.
      if (!WX_BUILD && p.tabs && !beacon && !clears && (failures || Date.now() > adoptAt)) adopt();
      failures = 0;
      backoffUntil = 0;
      batchCap = o.batchSize;
      const refused: Record<string, string> = {};
      // A 2xx without a JSON body (or without a `rejected` list) delivered everything.
      const answer = parseJson(res.body);
      const list = answer && answer.rejected;
      if (Array.isArray(list)) for (const r of list) if (r && r.messageId) refused[r.messageId] = String(r.reason || 'rejected');
      const sent = batch.filter((r) => !refused[r.id]);
      const rejected = batch.filter((r) => refused[r.id]);
      // The whole batch leaves the queue before any listener hears of it.
      forget(batch);
      if (sent.length) emit('sent', { events: events(sent), status });
      if (rejected.length) emit('failed', { events: events(rejected), status, reason: 'rejected: ' + refused[rejected[0].id] });
    } else if (status === 413 && batch.length > 1) {
      batchCap = Math.ceil(batch.length / 2);
      return false;
    } else if (status === 0 || status === 408 || status === 429 || status >= 500) {
      // Worth another try: a network error or timeout (0), 408, 429 and 5xx.
      // The browser refused the beacon, or a mini-program's hide request failed: keep for the
      // next load, and leave the failures and the backoff as they were.
      if (beacon && status === 0) return true;
      failures++;
      const wait = parseRetryAfter(res.retryAfter, Date.now());
      // parseRetryAfter never gives 0: undefined or a positive wait.
      backoffUntil = Date.now() + (wait || backoffDelay(failures, o.retry.baseDelay, o.retry.maxDelay));
      // Network errors say nothing about the events: only server answers use up attempts,
      // so a long offline period never turns into lost events.
      if (status !== 0) {
        const kept: QueuedEvent[] = [];
        const exhausted: QueuedEvent[] = [];
        // Only records still queued: consent denied meanwhile drops the rest for good.
        for (const r of batch) if (mem.indexOf(r) >= 0) (++r.attempts < o.retry.maxAttempts ? kept : exhausted).push(r);
        fail(exhausted, status, `gave up after ${o.retry.maxAttempts} attempts`);
        if (kept.length) p.outbox.put(kept).catch(() => undefined);
      }
      warn('send failed; will retry', status);
    } else {
      fail(batch, status, `HTTP ${status}`);
    }
    return true;
  }

  async function deliver(batch: QueuedEvent[], beacon: boolean): Promise<boolean> {
    let res: TransportResponse = { status: 0 };
    try {
      const sentAt = new Date().toISOString();
      const body = encode(batch, sentAt);
      const headers: Record<string, string> = { ...o.contract.headers };
      let payload: string | Uint8Array = body;
      if (!WX_BUILD && !beacon && p.gzip && o.contract.compress && body.length >= GZIP_MIN_BYTES) {
        const zipped = await p.gzip(body);
        // Compression is async: if the page was hidden meanwhile, a beacon may have taken
        // some of these events (no other send can: those run one at a time, see serial()),
        // or consent may have been denied. Send only what is still queued and not in flight
        // (a batch is the oldest records, found near the start of `mem`).
        const left = batch.filter((r) => !inflight.has(r.id) && mem.indexOf(r) >= 0);
        if (left.length < batch.length) return left.length ? deliver(left, false) : true;
        if (zipped) {
          payload = zipped;
          headers['Content-Encoding'] = 'gzip';
        }
      }
      for (const r of batch) inflight.add(r.id);
      res = (await transport.send(url, payload, { beacon, headers, timeout: REQUEST_TIMEOUT })) || res;
    } catch (e) {
      warn('send failed', e);
    }
    for (const r of batch) inflight.delete(r.id);
    return settle(batch, res, beacon);
  }

  /** Whatever is left goes next: at once, or when the backoff ends. */
  function next(): void {
    if (mem.length > inflight.size) schedule(0);
  }

  function pump(): Promise<void> {
    return serial(async () => {
      // Batch after batch, without a timer between them: each would be one more task.
      // A flush() waiting goes first (it schedules the rest), so it never waits on a busy page.
      for (;;) {
        if (flushing) return;
        if (backoffUntil > Date.now()) return next();
        const batch = pick(mem, maxBodyBytes, batchCap, false);
        if (!batch.length) return;
        await deliver(batch, false);
      }
    });
  }

  /**
   * Takes over records left by instances that are gone (a closed or crashed tab, the
   * previous page load). `back`: this page is back from the back/forward cache, where it
   * held no tab lock, so the next page may have taken over (and sent) its records: it keeps
   * only what the outbox still gives it, its own included. Otherwise a record of this tab
   * that is not in memory was delivered or dropped (its removal may not be stored yet):
   * never taken again.
   */
  const adopt = (back?: boolean): Promise<void> => {
    const tabs = WX_BUILD ? undefined : p.tabs;
    // clear() calls so far, counted at the call: consent denied before the section starts cancels it too.
    const c = clears;
    // Set at the call, not when the section starts: successes while it waits ask for no more.
    if (!WX_BUILD) adoptAt = Date.now() + 6e4;
    const run = async () => {
      // Only what it has not stored yet.
      if (!WX_BUILD && back) mem = unsaved.slice();
      // The records first, the live tabs second: a tab starting in between asked for its
      // lock before storing anything, so it is listed as alive, never taken for dead.
      const stored = await p.outbox.all();
      const alive = tabs ? await tabs.alive() : [];
      // Consent denied meanwhile: what was read is gone for good.
      if (c < clears) return;
      const mine = new Set(mem.map((r) => r.id));
      // (alive() always lists this tab.)
      const orphans = stored.filter(
        (r) => r && r.event && !mine.has(r.id) && (!tabs || !r.owner || alive.indexOf(r.owner) < 0 || (back && r.owner === tabs.id)),
      );
      const lost = p.outbox.lost;
      if (lost) emit('dropped', lost);
      if (!orphans.length) return;
      for (const r of orphans) {
        r.attempts = r.attempts || 0;
        if (tabs) r.owner = tabs.id;
      }
      mem = orphans.concat(mem);
      // (A clear() during this write comes after it: storage stays empty.)
      if (tabs) await p.outbox.put(orphans);
      overflow();
      schedule(0);
    };
    return (tabs ? tabs.exclusive('tutti-adopt', run) : run()).catch((e) => warn('queue not read', e));
  };

  return {
    add(event: TuttiEvent): void {
      const r: QueuedEvent = { id: event.messageId, event, attempts: 0 };
      if (!WX_BUILD && p.tabs) r.owner = p.tabs.id;
      mem.push(r);
      unsaved.push(r);
      if (!saveTimer) saveTimer = setTimeout(save, 0);
      overflow();
      schedule(mem.length - inflight.size >= batchCap ? 0 : o.flushInterval);
    },

    /**
     * Resolves once every event queued before the call was delivered or refused, or at the
     * first retryable failure: the rest stay queued for the backoff retry rather than being
     * walked batch by batch into a collector that is down.
     */
    async flush(): Promise<void> {
      const target = new Set(mem.map((r) => r.id));
      /** Sends the next batch of the flush; false when the flush is over: nothing left to send, or a retryable failure (one more counted). */
      const turn = async (): Promise<boolean> => {
        const batch = pick(
          mem.filter((r) => target.has(r.id)),
          maxBodyBytes,
          batchCap,
          false,
        );
        const f = failures;
        if (!batch.length) return false;
        if (await deliver(batch, false)) for (const r of batch) target.delete(r.id);
        return failures <= f;
      };
      flushing++;
      try {
        await save();
        while (target.size && (await serial(turn)));
      } finally {
        flushing--;
      }
      next();
    },

    /** The page is going away: hand what fits the beacon budget to the browser synchronously. */
    flushBeacon(): void {
      save();
      // With the collector known to be down (no send succeeded since one failed, even once
      // the backoff ran out) a beacon would be accepted by the browser and then lost; the
      // events stay persisted for the next page instead. Where the answer still arrives
      // (mini-programs), the hide is the last chance before a relaunch that may never come:
      // one attempt per hide, backoff or not; a failure keeps the events and the backoff.
      if (failures && !(WX_BUILD || p.beaconAnswered)) return;
      let budget = p.beaconBytes || 64000;
      // The budget may not take everything: what matters most goes first.
      const order = mem.filter(valued).concat(mem.filter((r) => !valued(r)));
      for (let guard = 0; guard < 64; guard++) {
        const batch = pick(order, budget, BEACON_MAX_EVENTS, true);
        if (!batch.length) return;
        budget -= picked;
        // A page only hidden stays: what a failed request kept goes again, timer or not.
        deliver(batch, true).then(next);
      }
    },

    pump,

    adopt,

    /** Consent denied: forget everything, in memory and persisted. */
    clear(): Promise<void> {
      clears++;
      mem = [];
      unsaved = [];
      return p.outbox.clear().catch(() => undefined);
    },
  };
}

export type Queue = ReturnType<typeof createQueue>;
