// A faithful-enough WeChat mini-program runtime for Node tests.
//
// It reproduces what the adapter depends on and what breaks SDKs in the field:
// - App / Page / Component / Behavior registration as globals (the SDK wraps them), page
//   instances that carry their handlers, `route` and `options`, and WeChat's lifecycle
//   order: launch (App.onLaunch, App.onShow, wx.onAppShow, page onLoad/onShow/onReady),
//   navigateTo / redirectTo / navigateBack / reLaunch with a 10-page stack, background
//   (page onHide, App.onHide, wx.onAppHide) and foreground, Component-built pages
//   (methods.on*, pageLifetimes, lifetimes vs top-level lifetimes, behaviors whose methods
//   the component overrides) and child components that receive pageLifetimes too;
//   Behavior() keeps a copy of its definition as registered and returns an opaque handle;
//   behaviors may include behaviors; methods merge in order (a behavior over the ones it
//   includes, a later behavior over an earlier one, the component's own over all of them),
//   and every lifetime of each runs, behaviors first;
// - optional framework quirks: onShow / onReady fired twice for one show (uni-app, Taro);
// - wx storage with WeChat's limits: 1 MB per key and 10 MB in all, exceeding them throws
//   like WeChat does ('setStorageSync:fail ...');
// - wx.request with real HTTP (Node's fetch, 127.0.0.1 only), at most 10 tasks at once
//   (the 11th fails with 'request:fail exceed max task count'), timeouts, offline mode;
// - kill(): the process dies (pending callbacks never fire, APIs go inert) while storage
//   survives for the next runtime built on the same Storage.
/* eslint-disable @typescript-eslint/no-explicit-any */

const KB = 1024;
export const KEY_LIMIT = 1024 * KB;
export const TOTAL_LIMIT = 10 * 1024 * KB;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Device storage: survives kill() and is handed to the next runtime. Read `map`; write through the methods. */
export class Storage {
  readonly map = new Map<string, string>();
  private total = 0;
  set(key: string, value: string): void {
    this.delete(key);
    this.map.set(key, value);
    this.total += bytes(key) + bytes(value);
  }
  delete(key: string): void {
    const old = this.map.get(key);
    if (old === undefined) return;
    this.total -= bytes(key) + bytes(old);
    this.map.delete(key);
  }
  clear(): void {
    this.map.clear();
    this.total = 0;
  }
  size(): number {
    return this.total;
  }
}

export interface EntryOptions {
  path?: string;
  query?: Record<string, string>;
  scene?: number;
  referrerInfo?: { appId?: string; extraData?: unknown };
}

export interface RuntimeOptions {
  storage?: Storage;
  appId?: string;
  /** Fire onShow and onReady twice for every page show, and App.onShow twice (framework bugs). */
  doubleLifecycle?: boolean;
  /** Base library before 2.20.1: no getDeviceInfo / getWindowInfo / getAppBaseInfo. */
  legacyInfo?: boolean;
  offline?: boolean;
  /** The options this process is launched with (WeChat knows them before app.js runs). */
  entry?: EntryOptions;
  /** Leave out wx.onAppRoute (undocumented; the adapter must not need it). */
  noAppRoute?: boolean;
  /** wx.getAccountInfoSync().miniProgram.envVersion. 'release' */
  envVersion?: 'develop' | 'trial' | 'release';
}

export interface RequestLog {
  url: string;
  startedAt: number;
  endedAt?: number;
  outcome?: string;
  /** The request body when it was text (the JSON batch, with its writeKey). */
  body?: string;
}

type Fn = (...args: any[]) => any;
type Options = { [k: string]: any };

interface PageDef {
  kind: 'page' | 'component';
  options: Options;
  /** Child component paths (usingComponents) that receive pageLifetimes. */
  children: string[];
}

export interface PageInstance {
  route: string;
  options: Record<string, string>;
  [k: string]: any;
}

const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

function parseUrl(url: string): { route: string; query: Record<string, string> } {
  const [path, search = ''] = url.replace(/^\//, '').split('?');
  const query: Record<string, string> = {};
  for (const part of search.split('&')) {
    if (!part) continue;
    const [k, v = ''] = part.split('=');
    // WeChat hands page options over still percent-encoded (pages decode them themselves).
    query[k] = v;
  }
  return { route: path, query };
}

export function createRuntime(opts: RuntimeOptions = {}) {
  const storage = opts.storage || new Storage();
  const appId = opts.appId || 'wx0123456789abcdef';
  let dead = false;
  let offline = !!opts.offline;
  const defs = new Map<string, PageDef>();
  const components = new Map<string, Options>();
  /** Behavior() handles → their definitions as registered (later changes to the object do not count). */
  const behaviorDefs = new Map<object, Options>();
  let defining: string | undefined;
  let appOptions: Options | undefined;
  let appInstance: Options | undefined;
  const stack: PageInstance[] = [];
  const listeners: Record<string, Fn[]> = { show: [], hide: [], net: [], route: [] };
  let launchOptions: EntryOptions | undefined;
  let enterOptions: EntryOptions | undefined;
  const requests: RequestLog[] = [];
  let active = 0;
  let maxActive = 0;
  const controllers = new Set<AbortController>();
  const saved: Record<string, unknown> = {};
  let installed = false;

  const entryOf = (e: EntryOptions = {}): EntryOptions => ({
    path: e.path || Array.from(defs.keys())[0],
    query: e.query || {},
    scene: e.scene || 1001,
    referrerInfo: e.referrerInfo || {},
  });
  const fire = (list: Fn[], ...args: any[]) => list.slice().forEach((fn) => fn(...args));
  const later = (fn: () => void) => setTimeout(() => !dead && fn(), 0);

  // ---- storage ----------------------------------------------------------------

  function setStorageSync(key: string, data: unknown): void {
    if (dead) return;
    if (typeof key !== 'string' || !key) throw new Error('setStorageSync:fail parameter error: parameter.key should be String');
    const value = JSON.stringify(data === undefined ? null : data);
    const size = bytes(key) + bytes(value);
    if (size > KEY_LIMIT) throw new Error('setStorageSync:fail entry size limit reached');
    const old = storage.map.get(key);
    const total = storage.size() - (old === undefined ? 0 : bytes(key) + bytes(old)) + size;
    if (total > TOTAL_LIMIT) throw new Error('setStorageSync:fail exceed storage max size 10MB');
    storage.set(key, value);
  }

  function getStorageSync(key: string): unknown {
    const v = storage.map.get(key);
    return v === undefined ? '' : JSON.parse(v);
  }

  // ---- network ----------------------------------------------------------------

  function request(o: Options): { abort(): void } {
    const entry: RequestLog = { url: o.url, startedAt: Date.now(), body: typeof o.data === 'string' ? o.data : undefined };
    const controller = new AbortController();
    const task = { abort: () => controller.abort() };
    if (dead) return task;
    requests.push(entry);
    const fail = (errMsg: string) => {
      entry.outcome = errMsg;
      entry.endedAt = Date.now();
      later(() => {
        o.fail && o.fail({ errMsg });
        o.complete && o.complete({ errMsg });
      });
    };
    if (active >= 10) {
      fail('request:fail exceed max task count');
      return task;
    }
    if (!/^http:\/\/127\.0\.0\.1[:/]/.test(o.url)) {
      fail('request:fail url not in domain list');
      return task;
    }
    if (offline) {
      fail('request:fail net::ERR_INTERNET_DISCONNECTED');
      return task;
    }
    active++;
    maxActive = Math.max(maxActive, active);
    controllers.add(controller);
    const timeout = setTimeout(() => controller.abort('timeout'), o.timeout || 60000);
    const headers: Record<string, string> = {};
    for (const k in o.header || {}) headers[k] = String(o.header[k]);
    const body = o.data instanceof ArrayBuffer ? new Uint8Array(o.data) : typeof o.data === 'string' ? o.data : JSON.stringify(o.data);
    fetch(o.url, { method: o.method || 'GET', headers, body: o.method === 'GET' ? undefined : body, signal: controller.signal })
      .then(async (res) => {
        const text = await res.text();
        const header: Record<string, string> = {};
        res.headers.forEach((v, k) => (header[k.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase())] = v));
        let data: unknown = text;
        if ((o.dataType || 'json') === 'json') {
          try {
            data = JSON.parse(text);
          } catch {
            data = text;
          }
        }
        return { statusCode: res.status, header, data, errMsg: 'request:ok' };
      })
      .then(
        (res) => {
          entry.outcome = 'status ' + res.statusCode;
          done();
          if (dead) return;
          o.success && o.success(res);
          o.complete && o.complete(res);
        },
        () => {
          entry.outcome = controller.signal.reason === 'timeout' ? 'request:fail timeout' : 'request:fail';
          done();
          if (dead) return;
          const errMsg = offline ? 'request:fail net::ERR_INTERNET_DISCONNECTED' : entry.outcome;
          o.fail && o.fail({ errMsg });
          o.complete && o.complete({ errMsg });
        },
      );
    // The task slot is free before the callbacks run (a callback may start the next request).
    function done() {
      clearTimeout(timeout);
      controllers.delete(controller);
      entry.endedAt = Date.now();
      active--;
    }
    return task;
  }

  // ---- pages --------------------------------------------------------------------

  /** The definitions a `behaviors` list brings in, included ones before their includer; built-ins ('wx://...') skipped. */
  function flatten(list: unknown): Options[] {
    const out: Options[] = [];
    for (const h of Array.isArray(list) ? list : []) {
      const def = behaviorDefs.get(h);
      if (def && out.indexOf(def) < 0) out.push(...flatten(def.behaviors).filter((d) => out.indexOf(d) < 0), def);
    }
    return out;
  }

  /** Handlers of a Component definition after WeChat's merge with its behaviors. */
  function componentParts(options: Options) {
    const behaviors = flatten(options.behaviors);
    const methods: Options = {};
    for (const b of behaviors) Object.assign(methods, b.methods || {});
    Object.assign(methods, options.methods || {});
    const lifetime = (o: Options, name: string): Fn | undefined =>
      (o.lifetimes && typeof o.lifetimes[name] === 'function' && o.lifetimes[name]) || (typeof o[name] === 'function' ? o[name] : undefined);
    const all = behaviors.concat([options]);
    return {
      methods,
      lifetimes: (name: string) => all.map((o) => lifetime(o, name)).filter(Boolean) as Fn[],
      pageLifetimes: (name: string) => all.map((o) => o.pageLifetimes && o.pageLifetimes[name]).filter((f) => typeof f === 'function') as Fn[],
    };
  }

  function instantiate(route: string, query: Record<string, string>): PageInstance {
    const def = defs.get(route);
    if (!def) throw new Error(`page "${route}" is not registered`);
    const inst: PageInstance = { route, options: { ...query }, data: clone(def.options.data || {}) };
    inst.setData = (d: Options) => Object.assign(inst.data, d);
    if (def.kind === 'page') {
      for (const k in def.options) if (typeof def.options[k] === 'function') inst[k] = def.options[k];
    } else {
      inst.is = route;
      Object.assign(inst, componentParts(def.options).methods);
    }
    inst.__children = def.children.map((path) => {
      const copts = components.get(path) || {};
      const child: Options = { is: path, data: clone(copts.data || {}) };
      Object.assign(child, componentParts(copts).methods);
      return child;
    });
    return inst;
  }

  /** Runs a page lifecycle the way WeChat does for its kind (Page or Component-built). */
  function pageEvent(page: PageInstance, event: 'load' | 'show' | 'ready' | 'hide' | 'unload') {
    const def = defs.get(page.route) as PageDef;
    const method = { load: 'onLoad', show: 'onShow', ready: 'onReady', hide: 'onHide', unload: 'onUnload' }[event];
    const times = opts.doubleLifecycle && (event === 'show' || event === 'ready') ? 2 : 1;
    for (let i = 0; i < times; i++) {
      if (def.kind === 'component' && event === 'load') for (const f of componentParts(def.options).lifetimes('attached')) f.call(page);
      if (typeof page[method] === 'function') page[method](event === 'load' ? { ...page.options } : undefined);
      if (def.kind === 'component' && (event === 'show' || event === 'hide')) {
        for (const f of componentParts(def.options).pageLifetimes(event)) f.call(page);
      }
      if (def.kind === 'component' && event === 'unload') for (const f of componentParts(def.options).lifetimes('detached')) f.call(page);
      // Child components hear the page's show/hide through their own pageLifetimes.
      if (event === 'show' || event === 'hide') {
        for (const child of page.__children) {
          for (const f of componentParts(components.get(child.is) || {}).pageLifetimes(event)) f.call(child);
        }
      }
    }
  }

  function open(url: string, openType: string) {
    const { route, query } = parseUrl(url);
    const page = instantiate(route, query);
    stack.push(page);
    pageEvent(page, 'load');
    pageEvent(page, 'show');
    pageEvent(page, 'ready');
    routed(openType);
    return page;
  }

  /** wx.onAppRoute listeners hear every completed route change. */
  function routed(openType: string) {
    const t = stack[stack.length - 1];
    if (t) fire(listeners.route, { path: t.route, query: { ...t.options }, openType });
  }

  const top = () => stack[stack.length - 1];

  function unloadAll() {
    while (stack.length) pageEvent(stack.pop() as PageInstance, 'unload');
  }

  // ---- the global API the mini-program code sees --------------------------------

  const wx: Options = {
    getStorageSync,
    setStorageSync,
    removeStorageSync: (key: string) => void (!dead && storage.delete(key)),
    clearStorageSync: () => void (!dead && storage.clear()),
    getStorageInfoSync: () => ({
      keys: Array.from(storage.map.keys()),
      currentSize: Math.ceil(storage.size() / KB),
      limitSize: TOTAL_LIMIT / KB,
    }),
    request,
    getNetworkType: (o: Options) => later(() => o.success && o.success({ networkType: offline ? 'none' : 'wifi' })),
    onNetworkStatusChange: (fn: Fn) => listeners.net.push(fn),
    onAppShow: (fn: Fn) => listeners.show.push(fn),
    onAppHide: (fn: Fn) => listeners.hide.push(fn),
    offAppShow: (fn: Fn) => listeners.show.splice(listeners.show.indexOf(fn) >>> 0, 1),
    offAppHide: (fn: Fn) => listeners.hide.splice(listeners.hide.indexOf(fn) >>> 0, 1),
    getLaunchOptionsSync: () => clone(launchOptions || entryOf(opts.entry)),
    getEnterOptionsSync: () => clone(enterOptions || launchOptions || entryOf(opts.entry)),
    getAccountInfoSync: () => ({ miniProgram: { appId, envVersion: opts.envVersion || 'release', version: '1.2.3' }, plugin: {} }),
    getSystemInfoSync: () => ({
      brand: 'Apple',
      model: 'iPhone 15',
      system: 'iOS 17.4',
      platform: 'ios',
      screenWidth: 393,
      screenHeight: 852,
      pixelRatio: 3,
      language: 'zh_CN',
      version: '8.0.49',
      SDKVersion: '3.4.5',
    }),
    login: (o: Options) => later(() => o.success && o.success({ code: 'code' + Math.random().toString(36).slice(2, 10), errMsg: 'login:ok' })),
    showToast: () => undefined,
    navigateTo: (o: Options) => api.navigateTo(o.url.replace(/^\//, '')),
    redirectTo: (o: Options) => api.redirectTo(o.url.replace(/^\//, '')),
    navigateBack: (o: Options = {}) => api.navigateBack(o.delta),
    reLaunch: (o: Options) => api.reLaunch(o.url),
  };
  if (!opts.noAppRoute) wx.onAppRoute = (fn: Fn) => listeners.route.push(fn);
  if (!opts.legacyInfo) {
    wx.getDeviceInfo = () => ({ brand: 'Apple', model: 'iPhone 15', system: 'iOS 17.4', platform: 'ios' });
    wx.getWindowInfo = () => ({ screenWidth: 393, screenHeight: 852, pixelRatio: 3, windowWidth: 393, windowHeight: 759 });
    wx.getAppBaseInfo = () => ({ language: 'zh_CN', version: '8.0.49', SDKVersion: '3.4.5', platform: 'ios' });
  }

  const globals: Options = {
    wx,
    App(options: Options) {
      if (appOptions) throw new Error('App() may only be called once');
      appOptions = options;
      appInstance = Object.assign({}, options);
    },
    Page(options: Options) {
      if (!defining) throw new Error('Page() called outside a page file');
      defs.set(defining, { kind: 'page', options, children: [] });
    },
    Component(options: Options) {
      if (!defining) throw new Error('Component() called outside a component file');
      if (defining.indexOf('components/') === 0) components.set(defining, options);
      else defs.set(defining, { kind: 'component', options, children: [] });
    },
    Behavior(options: Options) {
      const handle = Object.freeze({});
      const copy = (o: unknown) => (o && typeof o === 'object' ? { ...o } : o);
      behaviorDefs.set(handle, { ...options, methods: copy(options.methods), lifetimes: copy(options.lifetimes), pageLifetimes: copy(options.pageLifetimes) });
      return handle;
    },
    getApp: () => appInstance,
    getCurrentPages: () => stack.slice(),
  };

  const callApp = (name: string, arg?: unknown) => {
    const fn = appInstance && appInstance[name];
    if (typeof fn === 'function') fn.call(appInstance, arg);
  };

  const api = {
    wx,
    storage,
    requests,
    /** Largest number of wx.request tasks in flight at once so far. */
    get maxConcurrent() {
      return maxActive;
    },
    get inFlight() {
      return active;
    },
    /** Makes this runtime's globals (wx, App, Page, Component, ...) the current ones. */
    install() {
      installed = true;
      for (const k in globals) {
        saved[k] = (globalThis as any)[k];
        (globalThis as any)[k] = globals[k];
      }
      // WeChat's JS engine has no CompressionStream: bodies go uncompressed there.
      saved.CompressionStream = (globalThis as any).CompressionStream;
      delete (globalThis as any).CompressionStream;
    },
    uninstall() {
      if (!installed) return;
      installed = false;
      for (const k in saved) {
        if (saved[k] === undefined) delete (globalThis as any)[k];
        else (globalThis as any)[k] = saved[k];
      }
    },
    /** Evaluates a page (or component) file: Page()/Component() inside register `route`. */
    define(route: string, file: () => void, children: string[] = []) {
      defining = route;
      try {
        file();
      } finally {
        defining = undefined;
      }
      const def = defs.get(route);
      if (def) def.children = children;
    },
    /** Cold start: App.onLaunch, App.onShow, wx.onAppShow, then the entry page. */
    launch(entry: EntryOptions | undefined = opts.entry) {
      launchOptions = entryOf(entry);
      const firstRoute = launchOptions.path as string;
      enterOptions = launchOptions;
      callApp('onLaunch', clone(launchOptions));
      for (let i = opts.doubleLifecycle ? 2 : 1; i > 0; i--) callApp('onShow', clone(launchOptions));
      fire(listeners.show, clone(launchOptions));
      const q = Object.keys(launchOptions.query || {})
        .map((k) => `${k}=${(launchOptions!.query as Record<string, string>)[k]}`)
        .join('&');
      return open(firstRoute + (q ? '?' + q : ''), 'appLaunch');
    },
    /** To the background: page onHide, App.onHide, wx.onAppHide. */
    hide() {
      if (top()) pageEvent(top(), 'hide');
      callApp('onHide');
      fire(listeners.hide);
    },
    /** Back to the foreground; a different entry path (a share card) re-launches to it. */
    show(entry: EntryOptions = {}) {
      const t = top();
      enterOptions = { path: entry.path || (t && t.route), query: entry.query || {}, scene: entry.scene || 1089, referrerInfo: entry.referrerInfo || {} };
      for (let i = opts.doubleLifecycle ? 2 : 1; i > 0; i--) callApp('onShow', clone(enterOptions));
      fire(listeners.show, clone(enterOptions));
      if (entry.path && (!t || entry.path !== t.route)) {
        const q = Object.keys(entry.query || {})
          .map((k) => `${k}=${(entry.query as Record<string, string>)[k]}`)
          .join('&');
        api.reLaunch(entry.path + (q ? '?' + q : ''));
      } else if (t) pageEvent(t, 'show');
    },
    navigateTo(url: string) {
      if (stack.length >= 10) throw new Error('navigateTo:fail webview count limit exceed');
      if (top()) pageEvent(top(), 'hide');
      return open(url, 'navigateTo');
    },
    redirectTo(url: string) {
      const t = stack.pop();
      if (t) pageEvent(t, 'unload');
      return open(url, 'redirectTo');
    },
    navigateBack(delta = 1) {
      for (let i = 0; i < delta && stack.length > 1; i++) pageEvent(stack.pop() as PageInstance, 'unload');
      pageEvent(top(), 'show');
      routed('navigateBack');
      return top();
    },
    reLaunch(url: string) {
      unloadAll();
      return open(url, 'reLaunch');
    },
    /** The user taps "share" in the menu (or a share button): returns what the page handler returned. */
    share(kind: 'app_message' | 'timeline' = 'app_message', from: 'menu' | 'button' = 'menu') {
      const page = top();
      const name = kind === 'timeline' ? 'onShareTimeline' : 'onShareAppMessage';
      if (typeof page[name] !== 'function') throw new Error(`share menu is disabled: the page defines no ${name}`);
      return page[name](kind === 'timeline' ? undefined : { from, target: undefined });
    },
    /** Calls any page handler by name (a framework firing a lifecycle on its own). */
    call(page: PageInstance, name: string, ...args: unknown[]) {
      return page[name](...args);
    },
    setOffline(value: boolean) {
      offline = value;
      fire(listeners.net, { isConnected: !value, networkType: value ? 'none' : 'wifi' });
    },
    /** The process is killed: in-flight requests are lost and nothing calls back again. */
    kill() {
      dead = true;
      controllers.forEach((c) => c.abort());
      api.uninstall();
    },
    get pages() {
      return stack.slice();
    },
  };
  return api;
}

export type Runtime = ReturnType<typeof createRuntime>;
