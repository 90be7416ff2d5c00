// The platform-free core: builds events (SPEC §4), keeps identity, sessions and campaigns
// (§4, §6), and hands events to the queue. Every public method is wrapped so that nothing
// ever throws into the host page or app; calls made before `init` are buffered with their
// timestamps and replayed in order.
import type { KeyValueStore, Platform } from './platform';
import type { ConsentState, Decision, EventContext, EventType, ExternalId, JsonObject, PlanShape, Plugin, ResolvedOptions, TrackingPlan, Tutti, TuttiEvent, TuttiEventMap, TuttiOptions } from './types';
import { resolveOptions } from './options';
import { cleanName, cleanObject } from './lib/sanitize';
import { uuid } from './lib/uuid';
import { withParams } from './lib/query';
import { parseJson, stringify } from './lib/json';
import { WX_BUILD } from './lib/build';
import { isPlaceholderId } from './identity/placeholder';
import { createSessions } from './session/session';
import { createLedger } from './campaign/ledger';
import { classifyLanding, DIRECT, sameCampaign, type Landing } from './campaign/campaign';
import { createQueue, type Queue } from './queue/queue';
import type { UrlLandingClassifier } from './campaign/referrer';
import type { HandoffCheck } from './identity/handoff';

declare const __TUTTI_VERSION__: string;
export const VERSION: string = typeof __TUTTI_VERSION__ === 'string' ? __TUTTI_VERSION__ : '0.0.0-dev';

const AID = 'tutti_aid';
const UID = 'tutti_uid';
const TRAITS = 'tutti_traits';
const EXT = 'tutti_ext';
const OPTOUT = 'tutti_optout';
/** The anonymous ID the stored user (userId, traits, external IDs) was identified with: see init. */
const OWNER = 'tutti_uaid';
// In this order: reset() removes WIPE[1..4] (the user), init WIPE[1..6] (the user and its session and campaigns).
const WIPE = [AID, UID, TRAITS, EXT, OWNER, 'tutti_ses', 'tutti_cmp', 'tutti_tz'];

/** Calls kept before init (beyond this the oldest go) or while waiting for an external ID (beyond this the hold ends). */
const MAX_BUFFERED = 1000;

/**
 * Whether init can start with these options (a writeKey and an endpoint; without them it
 * refuses and warns). One rule for init and for the web adapter's wait before init.
 */
export function startable(options: TuttiOptions | undefined) {
  return options && options.writeKey && options.endpoint;
}

export interface CoreHooks {
  /** After identity is loaded, before the landing touch and the replay of early calls (handoff goes here). */
  init?(tutti: CoreTutti, options: ResolvedOptions): void;
  /** After the replay: start auto-tracking here. */
  ready?(tutti: CoreTutti, options: ResolvedOptions): void;
  // Optional features: only the adapters that use one plug it in (and so carry its code).
  /**
   * Classifies landings given by URL and referrer (campaign/referrer.ts). Without it (the
   * mini-program) only a landing's `params` and `fallback` count; a referrer is direct traffic.
   */
  url?: UrlLandingClassifier;
  /** Checks identity handoff parameters (identity/handoff.ts); without it `adoptHandoff` adopts nothing. */
  handoff?: HandoffCheck;
  /**
   * Before each public call and each flush (the web adapter sends an SPA page view waiting
   * for its title, so nothing overtakes it and a flush carries it). May be set after init.
   */
  before?(): void;
}

/** A `Tutti` with the adapters' extra methods; `Plan` and `Traits` as on `Tutti` (types only). */
export interface CoreTutti<Plan extends PlanShape<Plan> = TrackingPlan, Traits extends object = object> extends Tutti<Plan, Traits> {
  /** Evaluates a landing (URL and referrer, or mini-program query and scene); may start a session. */
  touch(input: Landing): void;
  /** Replays a call made earlier, keeping its original time (async snippet, pre-init buffers). */
  call(method: string, args: unknown[], timestamp?: number): void;
  /** Flushes now; `beacon` for a page or app that is going away. */
  flushNow(beacon: boolean): void;
  /** Adopts identity handoff parameters (tutti_aid, tutti_uid, tutti_ts) as options.acceptHandoff allows. */
  adoptHandoff(params: Record<string, string>): boolean;
  /** Tells `on('decision')` listeners about a decision served without a request (a cached one). */
  decided(slotId: string, decision: Decision): void;
  readonly options: ResolvedOptions | undefined;
  warn(...args: unknown[]): void;
}

/**
 * The core on a complete platform. tutti/core's `createCore` (src/index.ts) fills in
 * the parts a platform leaves out; adapters give every part, so their bundles carry only
 * their own storage and transport.
 */
export function createCore(makePlatform: (options: ResolvedOptions) => Platform, hooks: CoreHooks = {}): CoreTutti {
  let o: ResolvedOptions;
  let p: Platform;
  let queue: Queue;
  let sessions: ReturnType<typeof createSessions>;
  let ledger: ReturnType<typeof createLedger>;
  let ready = false;
  let holding = false;
  let buffer: Array<[string, unknown[], number]> = [];
  let consent: ConsentState = 'granted';
  let held: TuttiEvent[] = [];
  let aid = '';
  /** An anonymous ID this instance made that no event carried yet: a handoff replacing it links nothing. */
  let unusedAid = '';
  let uid: string | null = null;
  let traits: JsonObject = {};
  let ext: ExternalId[] = [];
  let debug = false;

  function warn(...args: unknown[]): void {
    if (debug && typeof console !== 'undefined') console.warn('[tutti]', ...args);
  }
  /** Runs fn; a throw is the SDK's problem, never the host's: it becomes a debug warning. */
  function safe<T>(fn: () => T, fallback?: T): T {
    try {
      return fn();
    } catch (e) {
      warn(e);
      return fallback as T;
    }
  }
  // on('sent' | 'failed' | 'dropped' | 'decision') listeners, by event name. No prototype:
  // on('toString') or on('constructor') from page code must find no list.
  const listeners: Record<string, Array<(info: never) => void>> = Object.create(null);
  const emitter = {
    on<K extends keyof TuttiEventMap>(name: K, fn: (info: TuttiEventMap[K]) => void): () => void {
      const list = listeners[name] || (listeners[name] = []);
      list.push(fn);
      return () => {
        const i = list.indexOf(fn);
        if (i >= 0) list.splice(i, 1);
      };
    },
    // A listener that throws is the host's bug: it is reported in debug and never stops delivery.
    emit<K extends keyof TuttiEventMap>(name: K, info: TuttiEventMap[K]): void {
      for (const fn of (listeners[name] || []).slice() as Array<(info: TuttiEventMap[K]) => void>) {
        try {
          fn(info);
        } catch (e) {
          warn(`${String(name)} listener threw`, e);
        }
      }
    },
  };
  // Called as `WX_BUILD || before()`: the WeChat build, where no adapter needs it, leaves it out.
  const before = () => hooks.before && hooks.before();

  // While consent is not granted, writes stay in this overlay (memory only) and reach
  // real storage only once consent is granted.
  const overlay = new Map<string, string | null>();
  // Read and written for every event: plain try/catch here, no closure per call.
  const kv: KeyValueStore = {
    get(k) {
      if (overlay.size && overlay.has(k)) return overlay.get(k) as string | null;
      try {
        return p.kv.get(k);
      } catch (e) {
        warn(e);
        return null;
      }
    },
    set(k, v) {
      if (consent !== 'granted') overlay.set(k, v);
      else
        try {
          p.kv.set(k, v);
        } catch (e) {
          warn(e);
        }
    },
    remove: (k) => (consent !== 'granted' ? void overlay.set(k, null) : safe(() => p.kv.remove(k))),
  };

  /** Sets the user ID. Two people are never merged: a different user than the current one starts from scratch. */
  function setUser(id: string, at: number): void {
    if (uid && id !== uid) resetIdentity(at);
    kv.set(UID, (uid = id));
    own();
  }

  /** Notes that the stored user belongs to the current anonymous ID (the WeChat build shares no cookie: left out). */
  function own(): void {
    if (!WX_BUILD) kv.set(OWNER, aid);
  }

  /** Takes over another anonymous ID; an alias links the replaced one when an event carried it. */
  function setAnonymousId(id: string, at: number): void {
    const previous = aid;
    if (id === previous) return;
    kv.set(AID, (aid = id));
    // A handoff keeps the user: it now belongs to the new ID.
    if (kv.get(OWNER)) own();
    if (previous !== unusedAid) emitAlias(at, previous, uid);
  }

  function resetIdentity(at: number): void {
    kv.set(AID, (aid = unusedAid = uuid()));
    uid = null;
    traits = {};
    ext = [];
    for (const k of WIPE.slice(1, 5)) kv.remove(k);
    ledger.clear();
    ledger.setSession(sessions.start(at), DIRECT);
  }

  // ---- events ----------------------------------------------------------------

  const library = { name: 'tutti' as const, version: VERSION };
  // Bursts of calls share a millisecond: format each millisecond once.
  let isoAt = NaN;
  let isoText = '';
  /** Events of one session share this (read-only) object: fewer allocations per event. */
  let sessionRef = { id: '' };

  /** The context every request shares: platform fields, library, channel, campaigns. */
  function baseContext(sid: string): EventContext {
    const context = Object.assign({}, p.env.context()) as EventContext;
    context.library = library;
    context.channel = p.env.channel;
    const campaign = ledger.sessionCampaign(sid);
    if (campaign) context.campaign = campaign;
    const first = ledger.first();
    if (first) context.firstCampaign = first;
    return context;
  }

  /**
   * Accounts one event at `at` (session, sequence, timestamp) and returns its context.
   * No object spread in this hot path: V8 takes a slow path for `{ ...a, b }` that made
   * building an event ten times slower.
   */
  function stamp(at: number, touches?: boolean): EventContext {
    const tick = sessions.tick(at);
    if (tick.renewed) ledger.setSession(tick.id, DIRECT);
    if (tick.id !== sessionRef.id) sessionRef = { id: tick.id };
    const context = baseContext(tick.id);
    context.session = tick.start ? { id: tick.id, start: true } : sessionRef;
    context.sequence = tick.sequence;
    if (ext.length) context.externalIds = ext;
    if (touches) {
      const t = ledger.touches();
      if (t.length) context.touches = t;
    }
    if (at !== isoAt) isoText = new Date((isoAt = at)).toISOString();
    unusedAid = '';
    return context;
  }

  function build(type: EventType, fields: Partial<TuttiEvent>, at: number, touches?: boolean): TuttiEvent {
    const context = stamp(at, touches);
    const e = Object.assign({ type }, fields) as TuttiEvent;
    e.anonymousId = aid;
    e.userId = uid;
    e.messageId = uuid(at);
    e.timestamp = isoText;
    e.context = context;
    return e;
  }

  /** Plugins, then consent: pending events wait in memory, denied ones never get here. */
  function send(e: TuttiEvent): void {
    for (const plugin of o.plugins) {
      // `e` is never null: callers pass a built event, and only an object replaces it.
      if (!plugin.beforeSend) continue;
      try {
        const out = plugin.beforeSend(e);
        if (out === null) return warn(`plugin ${plugin.name} dropped an event`);
        if (out && typeof out === 'object') e = out;
      } catch (err) {
        warn(`plugin ${plugin.name} threw; event kept`, err);
      }
    }
    if (consent !== 'pending') queue.add(e);
    // Held in memory like the queue, and capped like it: the oldest go, reported via `dropped`.
    else if (held.push(e) > o.maxQueueSize) {
      warn('queue full: oldest dropped');
      emitter.emit('dropped', { events: held.splice(0, 1), count: 1, reason: 'maxQueueSize' });
    }
  }

  function emit(type: EventType, fields: Partial<TuttiEvent>, at: number, touches?: boolean): void {
    if (consent !== 'denied') send(build(type, fields, at, touches));
  }

  function emitAlias(at: number, previousId: string, userId: string | null): void {
    if (consent === 'denied') return;
    const e = build('alias', {}, at);
    e.userId = userId;
    e.previousId = previousId;
    send(e);
  }

  /** page() or screen(): the two differ only in their event type. */
  const pageLike = (type: 'page' | 'screen') => (at: number, name?: unknown, properties?: unknown): void => {
    if (name && typeof name === 'object') {
      properties = name;
      name = undefined;
    }
    const n = cleanName(name, type + ' name', warn);
    const props: JsonObject = {};
    // The WeChat build's context has no `page` (WX_BUILD): its screens carry their own path.
    if (!WX_BUILD) {
      const page = (p.env.context().page || {}) as Record<string, unknown>;
      // A comma-separated string gzips smaller than the array literal.
      for (const k of 'url,path,referrer,title,search'.split(',')) if (typeof page[k] === 'string') props[k] = page[k] as string;
    }
    const fields: Partial<TuttiEvent> = { properties: Object.assign(props, cleanObject(properties, warn)) };
    if (n) fields.name = n;
    emit(type, fields, at);
  };

  // ---- campaign --------------------------------------------------------------

  function touch(l: Landing, at: number): void {
    // No url hook in the WeChat build (WX_BUILD): only params and fallback count there.
    const c = !WX_BUILD && hooks.url ? hooks.url(l, p.env.host && p.env.host(), o.linkDomains) : classifyLanding(l, l.params || {}, DIRECT);
    if (!c) return; // internal navigation: the session keeps its campaign
    const sid = sessions.current(at);
    // Direct traffic never overwrites a live session's campaign; the same campaign again
    // (a reload of the landing URL) continues the session.
    if (sid && (c === DIRECT || sameCampaign(ledger.sessionCampaign(sid), c))) {
      // Someone with no first campaign yet (after reset(): the next person) takes this one.
      if (!ledger.first()) ledger.touch(c, at, c === DIRECT);
      return;
    }
    ledger.setSession(sessions.start(at), c);
    ledger.touch(c, at, c === DIRECT);
  }

  // ---- consent ---------------------------------------------------------------

  function setConsent(_at: number, state?: unknown): void {
    if (state !== 'granted' && state !== 'pending' && state !== 'denied') return warn('setConsent: granted, pending or denied');
    const was = consent;
    consent = state;
    if (state === 'denied') {
      held = [];
      queue.clear();
      overlay.clear();
      for (const k of WIPE) safe(() => p.kv.remove(k));
      safe(() => p.kv.set(OPTOUT, '1'));
      overlay.set(AID, (aid = uuid()));
      uid = null;
      traits = {};
      ext = [];
      ledger.clear();
    } else if (state === 'granted' && was !== 'granted') {
      safe(() => p.kv.remove(OPTOUT));
      overlay.forEach((v, k) => safe(() => (v === null ? p.kv.remove(k) : p.kv.set(k, v))));
      overlay.clear();
      const release = held;
      held = [];
      for (const e of release) queue.add(e);
    }
  }

  // ---- the public methods, each taking the call time first -------------------

  const refused = (what: string) => warn(what + ': bad argument, dropped');

  const impl: Record<string, (at: number, ...args: any[]) => void> = {
    track(at, event?: unknown, properties?: unknown) {
      const name = cleanName(event, 'event name', warn);
      if (!name) return refused('track');
      const props = cleanObject(properties, warn);
      if (consent === 'denied') return;
      const context = stamp(at, o.conversionEvents.indexOf(name) >= 0);
      // The most frequent call gets its event as one literal (same fields, same order as
      // build()): V8 then keeps all eight fields inside the object, where adding them one
      // by one would need a second, separate property store per queued event.
      send({ type: 'track', event: name, properties: props, anonymousId: aid, userId: uid, messageId: uuid(at), timestamp: isoText, context });
    },
    page: pageLike('page'),
    screen: pageLike('screen'),
    identify(at, userId?: unknown, newTraits?: unknown) {
      if (consent === 'denied') return;
      if (userId && typeof userId === 'object') {
        newTraits = userId;
        userId = undefined;
      }
      let id = cleanName(userId, 'userId', warn, true);
      if (userId != null && (!id || isPlaceholderId(id))) {
        warn('identify: placeholder user ID ignored', userId);
        id = null;
      }
      const t = cleanObject(newTraits, warn);
      const hasTraits = Object.keys(t).length > 0;
      if (!id && !hasTraits) return;
      if (id) setUser(id, at);
      if (hasTraits) {
        kv.set(TRAITS, stringify((traits = Object.assign({}, traits, t))));
        own();
      }
      emit('identify', { traits: Object.assign({}, traits) }, at, true);
    },
    alias(at, userId?: unknown, previousId?: unknown) {
      // IDs are refused, never cut, when too long (SPEC §6): a cut ID is someone else. A
      // previousId given but unusable refuses the call rather than linking the current ID.
      const to = cleanName(userId, 'alias userId', warn, true);
      const from = cleanName(previousId, 'previousId', warn, true);
      if (!to || isPlaceholderId(to) || (previousId != null && !from)) return refused('alias');
      emitAlias(at, from || uid || aid, to);
    },
    group(at, groupId?: unknown, groupTraits?: unknown) {
      const id = cleanName(groupId, 'groupId', warn, true);
      if (!id) return refused('group');
      emit('group', { groupId: id, traits: cleanObject(groupTraits, warn) }, at);
    },
    setExternalId(at, type?: unknown, id?: unknown) {
      if (consent === 'denied') return;
      const t = cleanName(type, 'external ID type', warn, false, 64);
      const v = cleanName(id, 'external ID', warn, true, 512);
      if (!t || !v || isPlaceholderId(v)) return refused('setExternalId');
      if (!ext.some((e) => e.type === t && e.id === v)) {
        ext = ext.filter((e) => e.type !== t).concat({ id: v, type: t, collection: 'users', encoding: 'none' });
        kv.set(EXT, stringify(ext));
        own();
        emit('identify', { traits: Object.assign({}, traits) }, at, true);
      }
      // Only init holds, and only with a waitForExternalId whose type is a string.
      if (holding && o.waitForExternalId!.type === t) release();
    },
    reset: resetIdentity,
    setConsent,
    use(_at, plugin?: Plugin) {
      if (!plugin || typeof plugin !== 'object' || typeof plugin.name !== 'string') return refused('use');
      o.plugins.push(plugin);
      setup(plugin);
    },
  };

  function invoke(method: string, args: unknown[], at: number): void {
    const fn = impl[method];
    if (!fn) return warn('unknown method ' + method);
    WX_BUILD || before();
    // While events are held for an external ID, these methods still act.
    if (!ready || (holding && ['setExternalId', 'setConsent', 'use'].indexOf(method) < 0)) {
      // A full hold sends without the external ID rather than lose its oldest events.
      if (buffer.push([method, args, at]) > MAX_BUFFERED) holding ? release() : buffer.shift();
      return;
    }
    // No closure or spread here: this runs for every call. Methods take at most 3 arguments.
    try {
      fn(at, args[0], args[1], args[2]);
    } catch (e) {
      warn(e);
    }
  }

  function release(): void {
    holding = false;
    const calls = buffer;
    buffer = [];
    for (const [m, args, at] of calls) invoke(m, args, at);
  }

  const setup = (plugin: Plugin) => safe(() => plugin.setup && plugin.setup({ tutti: api, options: o }));

  function init(options: TuttiOptions): void {
    if (o) return warn('init: already done');
    // Before the options are read, so that their own warnings (bad values) show.
    debug = !!(options && options.debug);
    const resolved = resolveOptions(options, warn);
    if (!startable(options)) {
      if (typeof console !== 'undefined') console.warn('[tutti] init needs writeKey and endpoint');
      return;
    }
    // A platform that cannot be made leaves the instance uninitialised (a debug warning), never the host broken.
    p = safe(() => makePlatform(resolved));
    if (!p) return;
    o = resolved;
    consent = kv.get(OPTOUT) ? 'denied' : resolved.consent;
    // A placeholder left by page code ('undefined') would make every such visitor one person.
    aid = kv.get(AID) || '';
    if (isPlaceholderId(aid)) kv.set(AID, (aid = unusedAid = uuid()));
    // The user is stored per origin, the anonymous ID in a cookie every subdomain shares. A
    // cookie ID other than the one the user was identified with means that another subdomain
    // reset() (a sign-out) or adopted a handoff's ID, maybe another person's: keeping the user
    // would give the new visitor the old one's userId and traits. So the user goes, with its
    // session and campaigns, as reset() does. A cookie the user cleared is no such change (the mirrors
    // restore the same ID); storage of earlier versions, without the note, is adopted.
    if (!WX_BUILD) {
      const owner = kv.get(OWNER);
      // aid is set (never '') by now, so a missing note always differs from it.
      if (owner !== aid) {
        // Without a note, a stored user (WIPE[1..3]: UID, TRAITS, EXT; kv.get uses no `this`) is adopted.
        if (owner) for (const k of WIPE.slice(1, 7)) kv.remove(k);
        else if (WIPE.slice(1, 4).some(kv.get)) own();
      }
    }
    uid = kv.get(UID);
    traits = parseJson(kv.get(TRAITS)) || {};
    ext = parseJson(kv.get(EXT));
    if (!Array.isArray(ext)) ext = [];
    sessions = createSessions(kv, resolved.sessionTimeout);
    ledger = createLedger(kv, p.env.channel);
    queue = createQueue(resolved, p, emitter.emit, warn);
    // The WeChat build (WX_BUILD) has no init hook and no landing URL: that code is left out there.
    if (!WX_BUILD) {
      if (hooks.init) safe(() => hooks.init!(api, resolved));
      safe(() => {
        const landing = p.env.landing && p.env.landing();
        if (landing) touch(landing, Date.now());
      });
    }
    ready = true;
    for (const plugin of resolved.plugins) setup(plugin);
    // Typed, but given by the page: its `type` is still checked.
    const wait = resolved.waitForExternalId;
    if (wait && typeof wait.type === 'string' && !ext.some((e) => e.type === wait.type)) {
      holding = true;
      setTimeout(() => holding && release(), Number(wait.timeout) > 0 ? Number(wait.timeout) : 3000);
    }
    if (!holding) release();
    if (hooks.ready) safe(() => hooks.ready!(api, resolved));
    if (!WX_BUILD && p.lifecycle) safe(() => p.lifecycle!.onHidden(() => api.flushNow(true), () => consent !== 'denied' && queue.adopt(true)));
    if (consent !== 'denied') queue.adopt();
  }

  async function personalize(slotIds?: unknown): Promise<Record<string, Decision>> {
    if (!ready || consent !== 'granted') return {};
    const configured = o.personalization.slots;
    const ids = (Array.isArray(slotIds) ? slotIds : Array.isArray(configured) ? configured : []).filter((s) => s && typeof s === 'string');
    if (!ids.length) return {};
    const c = o.contract;
    const body = c.encodeDecide({
      writeKey: o.writeKey,
      anonymousId: aid,
      userId: uid,
      externalIds: ext,
      traits,
      context: baseContext(sessions.current(Date.now())),
      slots: ids,
    });
    const timeout = o.personalization.timeout;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const res = await Promise.race([
      (c.transport || p.transport).send(o.endpoint + c.decidePath, body, { headers: c.headers, timeout }),
      new Promise<{ status: number; body?: string }>((r) => (timer = setTimeout(() => r({ status: 0 }), timeout + 50))),
    ]);
    clearTimeout(timer);
    const all = res && res.status >= 200 && res.status < 300 ? c.decodeDecisions(res.body || '') : {};
    const out: Record<string, Decision> = {};
    for (const id of ids) {
      if (!all[id]) continue;
      out[id] = all[id];
      emitter.emit('decision', { slotId: id, decision: all[id] });
    }
    return out;
  }

  const api = {
    init(options: TuttiOptions) {
      safe(() => init(options));
      return api;
    },
    call(method: string, args: unknown[], timestamp?: number) {
      safe(() => invoke(String(method), Array.isArray(args) ? args : [], Number.isFinite(timestamp) ? (timestamp as number) : Date.now()));
    },
    flush: () => (WX_BUILD || before(), ready && consent === 'granted' ? queue.flush().catch(warn) : Promise.resolve()),
    // Leaving (page hidden, app to the background): events held for an external ID go now,
    // since memory may not outlive the page or the suspended mini-program.
    flushNow: (beacon: boolean) => safe(() => (WX_BUILD || before(), ready && (beacon ? (holding && release(), queue.flushBeacon()) : queue.pump()))),
    getAnonymousId: () => aid,
    getUserId: () => uid,
    getSessionId: () => safe(() => (ready ? sessions.current(Date.now()) : ''), ''),
    getCampaign: () => ({ first: (ready && ledger.first()) || null, last: (ready && ledger.last()) || null }),
    touch: (input: Landing) => safe(() => ready && input && typeof input === 'object' && touch(input, Date.now())),
    adoptHandoff: (params: Record<string, string>) =>
      safe(() => {
        // Without a handoff hook (always so in the WeChat build) nothing is adopted.
        const ids = !WX_BUILD && o && consent !== 'denied' && hooks.handoff && hooks.handoff(params, o.acceptHandoff, warn);
        if (!ids) return false;
        const at = Date.now();
        if (ids.uid) setUser(ids.uid, at);
        setAnonymousId(ids.aid, at);
        return true;
      }, false),
    personalize: (slotIds?: string[]) => personalize(slotIds).catch((e) => (warn(e), {})),
    decided: (slotId: string, decision: Decision) => emitter.emit('decision', { slotId, decision }),
    linkUrl: (url: string) =>
      typeof url !== 'string'
        ? ''
        : // Only with consent: an ID in a URL leaves this site whether or not the user agreed.
          ready && consent === 'granted'
          ? safe(() => withParams(url, { tutti_aid: aid, tutti_uid: uid || undefined, tutti_ts: String(Date.now()) }), url)
          : url,
    on: (name: keyof TuttiEventMap, listener: (info: any) => void) =>
      typeof listener === 'function' ? emitter.on(name, listener) : (warn('on: not a function'), () => undefined),
    get options() {
      return o;
    },
    warn,
    version: VERSION,
  } as unknown as CoreTutti;
  for (const m in impl) (api as unknown as Record<string, unknown>)[m] = (...args: unknown[]) => invoke(m, args, Date.now());
  return api;
}
