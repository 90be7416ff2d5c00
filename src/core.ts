// The platform-free core: builds events (SPEC §4), keeps identity, sessions and campaigns
// (§4, §6), and hands events to the queue. Every public method is wrapped so that nothing
// ever throws into the host page or app; calls made before `init` are buffered with their
// timestamps and replayed in order.
import type { KeyValueStore, Platform } from './platform';
import type {
  Campaign,
  ConsentState,
  Decision,
  EventContext,
  EventType,
  ExternalId,
  JsonObject,
  Plugin,
  ResolvedOptions,
  Tutti,
  TuttiEvent,
  TuttiEventMap,
  TuttiOptions,
} from './types';
import { resolveOptions } from './options';
import { createEmitter } from './lib/emitter';
import { cleanName, cleanObject } from './lib/sanitize';
import { isUuid, uuid } from './lib/uuid';
import { landingParams, withParams } from './lib/query';
import { hostOf } from './lib/domain';
import { isPlaceholderId } from './identity/placeholder';
import { createSessions } from './session/session';
import { createLedger } from './campaign/ledger';
import { classifyLanding, DIRECT, sameCampaign, type Landing } from './campaign/campaign';
import { createQueue, type Queue } from './queue/queue';
import { memoryKV } from './lib/memory-kv';
import { memoryOutbox } from './queue/memory-outbox';
import { fetchTransport } from './delivery/fetch-transport';

declare const __TUTTI_VERSION__: string;
export const VERSION: string = typeof __TUTTI_VERSION__ === 'string' ? __TUTTI_VERSION__ : '0.0.0-dev';

const AID = 'tutti_aid';
const UID = 'tutti_uid';
const TRAITS = 'tutti_traits';
const EXT = 'tutti_ext';
const OPTOUT = 'tutti_optout';
const WIPE = [AID, UID, TRAITS, EXT, 'tutti_ses', 'tutti_cmp'];

/** Calls kept before init (or while waiting for an external ID); beyond this the oldest go. */
const MAX_BUFFERED = 1000;
/** Handoff parameters older than this are ignored (SPEC §6: fresh means under 2 minutes). */
const HANDOFF_MAX_AGE = 120000;
/** Tolerated clock skew between the linking and the landing device. */
const HANDOFF_SKEW = 60000;

export interface CoreHooks {
  /** After identity is loaded, before the landing touch and the replay of early calls (handoff goes here). */
  init?(tutti: CoreTutti, options: ResolvedOptions): void;
  /** After the replay: start auto-tracking here. */
  ready?(tutti: CoreTutti, options: ResolvedOptions): void;
}

export interface CoreTutti extends Tutti {
  /** Evaluates a landing (URL and referrer, or mini-program query and scene); may start a session. */
  touch(input: Landing): void;
  /** Replays a call made earlier, keeping its original time (async snippet, pre-init buffers). */
  call(method: string, args: unknown[], timestamp?: number): void;
  /** Flushes now; `beacon` for a page or app that is going away. */
  flushNow(beacon: boolean): void;
  /** Adopts identity handoff parameters (tutti_aid, tutti_uid, tutti_ts) as options.acceptHandoff allows. */
  adoptHandoff(params: Record<string, string>): boolean;
  readonly options: ResolvedOptions | undefined;
  warn(...args: unknown[]): void;
}

type Impl = (at: number, ...args: any[]) => unknown;

/** A platform made of the core's own parts: memory storage and fetch. */
export function basePlatform(): Platform {
  return {
    env: { channel: 'server', context: () => ({}) },
    kv: memoryKV(),
    outbox: memoryOutbox(),
    transport: fetchTransport(),
  };
}

export function createCore(makePlatform: (options: ResolvedOptions) => Partial<Platform>, hooks: CoreHooks = {}): CoreTutti {
  let o: ResolvedOptions | undefined;
  let p: Platform = basePlatform();
  let queue: Queue;
  let sessions: ReturnType<typeof createSessions>;
  let ledger: ReturnType<typeof createLedger>;
  let ready = false;
  let holding = false;
  let buffer: Array<[string, unknown[], number]> = [];
  let consent: ConsentState = 'granted';
  let held: TuttiEvent[] = [];
  let aid = '';
  let uid: string | null = null;
  let traits: JsonObject = {};
  let ext: ExternalId[] = [];
  let debug = false;

  function warn(...args: unknown[]): void {
    if (debug && typeof console !== 'undefined') console.warn('[tutti]', ...args);
  }
  const emitter = createEmitter<TuttiEventMap>(warn);

  // While consent is not granted, writes stay in this overlay (memory only) and reach
  // real storage only once consent is granted.
  const overlay = new Map<string, string | null>();
  const kv: KeyValueStore = {
    get(k) {
      if (overlay.has(k)) return overlay.get(k) as string | null;
      try {
        return p.kv.get(k);
      } catch {
        return null;
      }
    },
    set(k, v) {
      if (consent !== 'granted') overlay.set(k, v);
      else safely(() => p.kv.set(k, v));
    },
    remove(k) {
      if (consent !== 'granted') overlay.set(k, null);
      else safely(() => p.kv.remove(k));
    },
  };
  function safely(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      warn('storage failed', e);
    }
  }
  function readJson<T>(key: string, fallback: T): T {
    try {
      const v = JSON.parse(kv.get(key) || 'null');
      return v && typeof v === 'object' ? v : fallback;
    } catch {
      return fallback;
    }
  }

  function setAnonymousId(id: string): void {
    aid = id;
    kv.set(AID, id);
  }

  function resetIdentity(at: number): void {
    setAnonymousId(uuid());
    uid = null;
    traits = {};
    ext = [];
    for (const k of [UID, TRAITS, EXT]) kv.remove(k);
    ledger.clear();
    ledger.setSession(sessions.start(at), DIRECT);
  }

  // ---- events ----------------------------------------------------------------

  const library = { name: 'tutti' as const, version: VERSION };
  // Bursts of calls share a millisecond: format each millisecond once.
  let isoAt = NaN;
  let isoText = '';
  function iso(at: number): string {
    if (at !== isoAt) {
      isoAt = at;
      isoText = new Date(at).toISOString();
    }
    return isoText;
  }

  /** Events of one session share this (read-only) object: fewer allocations per event. */
  let sessionRef = { id: '' };
  // No object spread here: V8 takes a slow path for `{ ...a, b }` that made building an
  // event ten times slower.
  function build(type: EventType, fields: Partial<TuttiEvent>, at: number, touches: boolean): TuttiEvent {
    const tick = sessions.tick(at);
    if (tick.renewed) ledger.setSession(tick.id, DIRECT);
    if (tick.id !== sessionRef.id) sessionRef = { id: tick.id };
    const context = {
      library,
      channel: p.env.channel,
      session: tick.start ? { id: tick.id, start: true as const } : sessionRef,
      sequence: tick.sequence,
    } as EventContext;
    const env = p.env.context();
    for (const k in env) if (!(k in context)) context[k] = (env as Record<string, unknown>)[k];
    const campaign = ledger.sessionCampaign(tick.id);
    if (campaign) context.campaign = campaign;
    const first = ledger.first();
    if (first) context.firstCampaign = first;
    if (ext.length) context.externalIds = ext;
    if (touches) {
      const t = ledger.touches();
      if (t.length) context.touches = t;
    }
    const e = { type } as TuttiEvent;
    Object.assign(e, fields);
    e.anonymousId = aid;
    e.userId = uid;
    e.messageId = uuid();
    e.timestamp = iso(at);
    e.context = context;
    return e;
  }

  function send(event: TuttiEvent): void {
    let e: TuttiEvent | null = event;
    for (const plugin of (o as ResolvedOptions).plugins) {
      if (!e || !plugin.beforeSend) continue;
      try {
        const out: TuttiEvent | null | undefined = plugin.beforeSend(e);
        if (out === null) {
          warn(`plugin ${plugin.name} dropped ${e.type} ${e.event || e.name || ''}`);
          return;
        }
        if (out && typeof out === 'object') e = out;
      } catch (err) {
        warn(`plugin ${plugin.name} threw; event kept unchanged`, err);
      }
    }
    if (consent === 'pending') held.push(e);
    else if (consent === 'granted') queue.add(e);
  }

  function emit(type: EventType, fields: Partial<TuttiEvent>, at: number, touches = false): TuttiEvent | undefined {
    if (consent === 'denied') return undefined;
    const e = build(type, fields, at, touches);
    send(e);
    return e;
  }

  function pageLike(type: 'page' | 'screen', at: number, name?: unknown, properties?: unknown): void {
    if (name && typeof name === 'object') {
      properties = name;
      name = undefined;
    }
    const n = cleanName(name, `${type} name`, warn);
    const page = (p.env.context().page || {}) as Record<string, unknown>;
    const props: JsonObject = {};
    for (const k of ['url', 'path', 'referrer', 'title', 'search']) if (typeof page[k] === 'string') props[k] = page[k] as string;
    const fields: Partial<TuttiEvent> = { properties: Object.assign(props, cleanObject(properties, warn)) };
    if (n) fields.name = n;
    emit(type, fields, at);
  }

  // ---- campaign --------------------------------------------------------------

  function touch(l: Landing, at: number): void {
    const o2 = o as ResolvedOptions;
    const params = l.params || landingParams(l.url || '');
    const host = (p.env.host && p.env.host()) || hostOf(l.url || '');
    const c = classifyLanding(l, host, o2.linkDomains, params);
    if (!c) return; // internal navigation: the session keeps its campaign
    const sid = sessions.current(at);
    if (c === DIRECT) {
      // Direct traffic never overwrites a live session's campaign.
      if (sid) return;
      ledger.setSession(sessions.start(at), c);
      ledger.touch(c, at, true);
      return;
    }
    if (sid && sameCampaign(ledger.sessionCampaign(sid), c)) return;
    ledger.setSession(sessions.start(at), c);
    ledger.touch(c, at, false);
  }

  // ---- consent ---------------------------------------------------------------

  function setConsent(state: ConsentState): void {
    if (state !== 'granted' && state !== 'pending' && state !== 'denied') {
      warn('setConsent expects granted, pending or denied');
      return;
    }
    const was = consent;
    consent = state;
    if (state === 'denied') {
      held = [];
      queue.clear();
      overlay.clear();
      for (const k of WIPE) safely(() => p.kv.remove(k));
      safely(() => p.kv.set(OPTOUT, '1'));
      aid = uuid();
      uid = null;
      traits = {};
      ext = [];
      overlay.set(AID, aid);
      ledger.clear();
    } else if (state === 'granted' && was !== 'granted') {
      safely(() => p.kv.remove(OPTOUT));
      overlay.forEach((v, k) => safely(() => (v === null ? p.kv.remove(k) : p.kv.set(k, v))));
      overlay.clear();
      const release = held;
      held = [];
      for (const e of release) queue.add(e);
    }
  }

  // ---- the public methods, each taking the call time first -------------------

  const impl: Record<string, Impl> = {
    track(at, event?: unknown, properties?: unknown) {
      const name = cleanName(event, 'event name', warn);
      if (!name) return warn('track needs an event name; call dropped');
      const o2 = o as ResolvedOptions;
      emit('track', { event: name, properties: cleanObject(properties, warn) }, at, o2.conversionEvents.indexOf(name) >= 0);
    },
    page: (at, name?: unknown, properties?: unknown) => pageLike('page', at, name, properties),
    screen: (at, name?: unknown, properties?: unknown) => pageLike('screen', at, name, properties),
    identify(at, userId?: unknown, newTraits?: unknown) {
      if (consent === 'denied') return warn('identify ignored: consent denied');
      if (userId && typeof userId === 'object') {
        newTraits = userId;
        userId = undefined;
      }
      let id = cleanName(userId, 'userId', warn, 256, true);
      if (userId !== undefined && userId !== null && (!id || isPlaceholderId(id))) {
        warn(`identify ignored the placeholder user ID ${JSON.stringify(String(userId))}`);
        id = null;
      }
      const t = cleanObject(newTraits, warn);
      const hasTraits = Object.keys(t).length > 0;
      if (!id && !hasTraits) return;
      // Two people are never merged: a different user on this device starts from scratch.
      if (id && uid && id !== uid) resetIdentity(at);
      if (id) {
        uid = id;
        kv.set(UID, id);
      }
      if (hasTraits) {
        traits = { ...traits, ...t };
        kv.set(TRAITS, JSON.stringify(traits));
      }
      emit('identify', { traits: { ...traits } }, at, true);
    },
    alias(at, userId?: unknown, previousId?: unknown) {
      const to = cleanName(userId, 'alias userId', warn, 256, true);
      if (!to || isPlaceholderId(to)) return warn('alias needs a real user ID; call dropped');
      const from = cleanName(previousId, 'previousId', warn) || uid || aid;
      if (consent === 'denied') return;
      const e = build('alias', {}, at, false);
      e.userId = to;
      e.previousId = from;
      send(e);
    },
    group(at, groupId?: unknown, groupTraits?: unknown) {
      const id = cleanName(groupId, 'groupId', warn);
      if (!id) return warn('group needs a group ID; call dropped');
      emit('group', { groupId: id, traits: cleanObject(groupTraits, warn) }, at);
    },
    setExternalId(at, type?: unknown, id?: unknown) {
      if (consent === 'denied') return warn('setExternalId ignored: consent denied');
      const t = cleanName(type, 'external ID type', warn, 64);
      const v = cleanName(id, 'external ID', warn, 512, true);
      if (!t || !v || isPlaceholderId(v)) return warn('setExternalId needs a type and a real ID; call dropped');
      if (!ext.some((e) => e.type === t && e.id === v)) {
        ext = ext.filter((e) => e.type !== t).concat({ id: v, type: t, collection: 'users', encoding: 'none' });
        kv.set(EXT, JSON.stringify(ext));
        emit('identify', { traits: { ...traits } }, at, true);
      }
      const wait = (o as ResolvedOptions).waitForExternalId as { type?: string } | undefined;
      if (holding && wait && wait.type === t) release();
    },
    reset(at) {
      resetIdentity(at);
    },
    setConsent: (_at, state?: unknown) => setConsent(state as ConsentState),
    use(_at, plugin?: unknown) {
      const pl = plugin as Plugin;
      if (!pl || typeof pl !== 'object' || typeof pl.name !== 'string') return warn('use() expects { name, setup?, beforeSend? }');
      (o as ResolvedOptions).plugins.push(pl);
      setup(pl);
    },
  };

  /** Methods that act before init or while events are held wait in the buffer. */
  const NOT_HELD = ['setExternalId', 'setConsent', 'use'];

  function invoke(method: string, args: unknown[], at: number): void {
    const fn = impl[method];
    if (!fn) return warn(`unknown method ${method}`);
    if (!ready || (holding && NOT_HELD.indexOf(method) < 0)) {
      if (buffer.push([method, args, at]) > MAX_BUFFERED) {
        buffer.shift();
        warn('too many calls before init; the oldest was dropped');
      }
      return;
    }
    try {
      fn(at, ...args);
    } catch (e) {
      warn(`${method} failed`, e);
    }
  }

  function replay(): void {
    const calls = buffer;
    buffer = [];
    for (const [m, args, at] of calls) invoke(m, args, at);
  }

  function release(): void {
    holding = false;
    replay();
  }

  function setup(plugin: Plugin): void {
    try {
      if (plugin.setup) plugin.setup({ tutti: api, options: o as ResolvedOptions });
    } catch (e) {
      warn(`plugin ${plugin && plugin.name} setup threw`, e);
    }
  }

  function guard<T>(name: string, fallback: T, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      warn(`${name} failed`, e);
      return fallback;
    }
  }

  function init(options: TuttiOptions): void {
    if (o) return warn('init was already called; later calls are ignored');
    const resolved = resolveOptions(options, (m) => options && options.debug && warn(m));
    debug = resolved.debug;
    if (!resolved.writeKey || !resolved.endpoint) {
      if (typeof console !== 'undefined') console.warn('[tutti] init needs writeKey and endpoint; tracking waits for a valid init');
      return;
    }
    o = resolved;
    try {
      p = { ...basePlatform(), ...makePlatform(resolved) } as Platform;
    } catch (e) {
      warn('platform unavailable; using memory storage', e);
    }
    const optedOut = !!guard('storage', null, () => p.kv.get(OPTOUT));
    consent = optedOut ? 'denied' : resolved.consent;
    aid = kv.get(AID) || '';
    if (!aid) setAnonymousId(uuid());
    uid = kv.get(UID);
    traits = readJson(TRAITS, {});
    ext = readJson<ExternalId[]>(EXT, []);
    if (!Array.isArray(ext)) ext = [];
    sessions = createSessions(kv, resolved.sessionTimeout);
    ledger = createLedger(kv, p.env.channel);
    queue = createQueue({
      options: resolved,
      outbox: p.outbox,
      transport: p.transport,
      tabs: p.tabs,
      maxBodyBytes: p.maxBodyBytes || 500000,
      beaconBytes: p.beaconBytes || 64000,
      emit: emitter.emit,
      warn,
    });
    if (hooks.init) guard('adapter init', undefined, () => (hooks.init as NonNullable<CoreHooks['init']>)(api, resolved));
    const landing = p.env.landing && guard('landing', undefined, () => (p.env.landing as () => Landing | undefined)());
    if (landing) guard('landing', undefined, () => touch(landing, Date.now()));
    ready = true;
    for (const plugin of resolved.plugins) setup(plugin);
    const wait = resolved.waitForExternalId as { type?: string; timeout?: number } | undefined;
    if (wait && typeof wait.type === 'string' && !ext.some((e) => e.type === wait.type)) {
      holding = true;
      setTimeout(() => holding && release(), Number(wait.timeout) > 0 ? Number(wait.timeout) : 3000);
    }
    if (!holding) replay();
    if (hooks.ready) guard('adapter ready', undefined, () => (hooks.ready as NonNullable<CoreHooks['ready']>)(api, resolved));
    if (p.lifecycle) guard('lifecycle', undefined, () => p.lifecycle!.onHidden(() => api.flushNow(true)));
    if (consent !== 'denied') queue.adopt();
  }

  const method =
    (name: string) =>
    (...args: unknown[]): void =>
      invoke(name, args, Date.now());

  const api: CoreTutti = {
    init(options) {
      guard('init', undefined, () => init(options));
      return api;
    },
    track: method('track'),
    page: method('page'),
    screen: method('screen'),
    identify: method('identify'),
    alias: method('alias'),
    group: method('group'),
    setExternalId: method('setExternalId'),
    reset: method('reset'),
    setConsent: method('setConsent'),
    use: method('use'),
    call(name, args, timestamp) {
      guard('call', undefined, () =>
        invoke(String(name), Array.isArray(args) ? args : [], typeof timestamp === 'number' && isFinite(timestamp) ? timestamp : Date.now()),
      );
    },
    flush() {
      return ready && consent === 'granted' ? queue.flush().catch((e) => warn('flush failed', e)) : Promise.resolve();
    },
    flushNow(beacon) {
      guard('flush', undefined, () => ready && (beacon ? queue.flushBeacon() : queue.pump()));
    },
    getAnonymousId: () => aid,
    getUserId: () => uid,
    getSessionId: () => (ready ? guard('session', '', () => sessions.current(Date.now())) : ''),
    getCampaign: () =>
      ready ? guard('campaign', { first: null, last: null }, () => ({ first: ledger.first() || null, last: ledger.last() || null })) : { first: null, last: null },
    touch(input) {
      guard('touch', undefined, () => ready && input && typeof input === 'object' && touch(input, Date.now()));
    },
    adoptHandoff(params) {
      return guard('handoff', false, () => adoptHandoff(params));
    },
    personalize(slotIds) {
      return personalize(slotIds).catch((e) => {
        warn('personalize failed', e);
        return {};
      });
    },
    linkUrl(url) {
      return guard('linkUrl', String(url), () =>
        ready && consent !== 'denied' && typeof url === 'string'
          ? withParams(url, { tutti_aid: aid, tutti_uid: uid || undefined, tutti_ts: String(Date.now()) })
          : String(url),
      );
    },
    on(name, listener) {
      return guard('on', () => undefined, () => {
        if (typeof listener !== 'function') {
          warn('on() needs a listener function');
          return () => undefined;
        }
        return emitter.on(name, listener);
      });
    },
    get options() {
      return o;
    },
    warn,
    version: VERSION,
  };

  function adoptHandoff(params: Record<string, string>): boolean {
    const mode = o ? o.acceptHandoff : false;
    if (!mode || !params || consent === 'denied') return false;
    const ts = Number(params.tutti_ts);
    const age = Date.now() - ts;
    const newAid = params.tutti_aid;
    if (!isUuid(newAid) || !(age <= HANDOFF_MAX_AGE && age >= -HANDOFF_SKEW)) {
      if (newAid) warn('handoff ignored: stale, future or malformed');
      return false;
    }
    const at = Date.now();
    let newUid = mode === 'all' ? cleanName(params.tutti_uid, 'handoff user ID', warn, 128, true) : null;
    if (newUid && isPlaceholderId(newUid)) newUid = null;
    if (newUid && uid && newUid !== uid) resetIdentity(at);
    const previous = aid;
    if (newAid !== previous) {
      setAnonymousId(newAid);
      if (newUid) {
        uid = newUid;
        kv.set(UID, newUid);
      }
      const e = build('alias', {}, at, false);
      e.previousId = previous;
      send(e);
    } else if (newUid && newUid !== uid) {
      uid = newUid;
      kv.set(UID, newUid);
    }
    return true;
  }

  async function personalize(slotIds?: string[]): Promise<Record<string, Decision>> {
    if (!ready || consent !== 'granted') return {};
    const o2 = o as ResolvedOptions;
    const configured = o2.personalization.slots;
    const ids = (Array.isArray(slotIds) ? slotIds : Array.isArray(configured) ? configured : []).filter((s) => typeof s === 'string' && s);
    if (!ids.length) return {};
    const sid = sessions.current(Date.now());
    const campaign: Campaign | undefined = sid ? ledger.sessionCampaign(sid) : undefined;
    const context = { ...p.env.context(), library: { name: 'tutti' as const, version: VERSION }, channel: p.env.channel } as EventContext;
    if (campaign) context.campaign = campaign;
    const first = ledger.first();
    if (first) context.firstCampaign = first;
    const body = o2.contract.encodeDecide({ writeKey: o2.writeKey, anonymousId: aid, userId: uid, externalIds: ext, traits, context, slots: ids });
    const transport = o2.contract.transport || p.transport;
    const timeout = o2.personalization.timeout;
    const res = await Promise.race([
      transport.send(o2.endpoint.replace(/\/+$/, '') + o2.contract.decidePath, body, { headers: { ...o2.contract.headers }, timeout }),
      new Promise<{ status: number }>((r) => setTimeout(() => r({ status: 0 }), timeout + 50)),
    ]);
    if (!res || res.status < 200 || res.status >= 300) return {};
    const all = o2.contract.decodeDecisions((res as { body?: string }).body || '');
    const out: Record<string, Decision> = {};
    for (const id of ids) {
      if (!all[id]) continue;
      out[id] = all[id];
      emitter.emit('decision', { slotId: id, decision: all[id] });
    }
    return out;
  }

  return api;
}
