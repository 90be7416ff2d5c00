// Observes the mini-program's lifecycle once per runtime and tells every Tutti instance.
//
// It wraps the global App, Page and Component constructors (each host handler keeps its
// arguments, `this`, return value and exceptions), and listens to wx.onAppShow /
// wx.onAppHide as well: when the SDK is imported after a framework (Taro, uni-app) already
// called App(), or a framework kept its own reference to App, those and
// getLaunchOptionsSync / getCurrentPages() still see launches, shows and the page on top.
//
// Frameworks fire some lifecycles twice for one show (uni-app onShow/onReady, Taro page
// lifetimes plus methods): the app and each page instance have a shown/hidden state, and
// only a change of state is reported, so nothing is counted twice.
import { getWx, wxCall, type EntryOptions, type PageInstance, type Wx } from './wx';

export interface PageView {
  route: string;
  query: Record<string, string>;
  /** Route of the page shown before this one. */
  referrer?: string;
}

export type ShareKind = 'app_message' | 'timeline';

export interface LifecycleListener {
  launch(o: EntryOptions, at: number): void;
  show(o: EntryOptions, at: number): void;
  hide(duration: number, at: number): void;
  pageShow(view: PageView, at: number): void;
  pageLeave(view: PageView, duration: number, at: number): void;
  /** Returns the share handler's result, possibly rewritten. */
  share(kind: ShareKind, view: PageView | undefined, arg: unknown, result: unknown): unknown;
}

// Short property names: each is read many times in the bundle.
interface PageState {
  /** Shown (on screen) now. */
  on?: boolean;
  at: number;
  view?: PageView;
  query?: Record<string, string>;
  /** Seen only through getCurrentPages(): its own handlers are not wrapped. */
  u?: boolean;
}

type AnyFn = (...args: any[]) => any;
type Host = { [name: string]: any };

declare let App: AnyFn & Host;
declare let Page: AnyFn & Host;
declare let Component: AnyFn & Host;
declare let Behavior: AnyFn & Host;
declare let getApp: AnyFn;
declare let getCurrentPages: () => PageInstance[];

const now = () => Date.now();

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    // the SDK never throws into the host
  }
}

/** The page stack; empty outside WeChat (getCurrentPages is not defined there and throws). */
function pagesNow(): PageInstance[] {
  try {
    const list = getCurrentPages();
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

const routeOf = (p: PageInstance) => String(p.route || p.__route__ || p.is || '');

/**
 * Replaces obj[name] with a function that runs `sdk` (with `this` and the first argument,
 * all a lifecycle handler gets) before or after the host's handler.
 */
function hook(obj: Host, name: string, sdk: (self: any, arg: any) => unknown, after?: boolean): void {
  const host = obj[name];
  if (host && (host as Host).__tutti) return;
  obj[name] = mark(function (this: any, ...args: any[]) {
    if (!after) safe(() => sdk(this, args[0]));
    try {
      return typeof host === 'function' ? host.apply(this, args) : undefined;
    } finally {
      if (after) safe(() => sdk(this, args[0]));
    }
  });
}

/** Marks an SDK wrapper, so a second SDK copy or a second wrap leaves it alone. */
function mark<F extends AnyFn>(fn: F): F & Host {
  (fn as Host).__tutti = 1;
  return fn as F & Host;
}

/** The notifications replayed to a late subscriber and sent to all (share has its own path). */
type Notice = Exclude<keyof LifecycleListener, 'share'>;

/** Calls `name` on each listener; one listener's exception stays with it. */
function tell<K extends Notice>(to: LifecycleListener[], name: K, ...args: Parameters<LifecycleListener[K]>): void {
  to.forEach((l) => safe(() => (l[name] as AnyFn).apply(l, args)));
}

export function createLifecycle(w: Wx | undefined) {
  const listeners: LifecycleListener[] = [];
  const pages = new WeakMap<object, PageState>();
  /** Arguments of the launch and of the current show, as told to listeners. */
  let launched: [EntryOptions, number] | undefined;
  let shown: [EntryOptions, number] | undefined;
  let current: PageState | undefined;
  let lastRoute: string | undefined;
  /** A share handler is running (see hookShares). */
  let sharing = 0;

  /** A copy of launch/show options (the host may change its object later); listeners read scene, path, query and referrerInfo. */
  const entry = (o: unknown): EntryOptions => {
    const e = (o && typeof o === 'object' ? o : {}) as EntryOptions;
    return { ...e, query: { ...e.query } };
  };

  function launch(o: unknown): void {
    if (launched) return;
    launched = [entry(o), now()];
    tell(listeners, 'launch', ...launched);
  }

  function show(o: unknown): void {
    launch(o);
    if (shown) return;
    shown = [entry(o), now()];
    tell(listeners, 'show', ...shown);
    checkTop();
  }

  /**
   * Pages registered before the SDK was imported have no wrapped handlers: the one on top
   * of the stack is looked at when the app shows and after each route change, and the
   * previous one leaves when another page takes its place.
   */
  function checkTop(): void {
    const top = pagesNow().pop();
    const st = top && pages.get(top);
    if (!top || (st && !st.u)) return;
    pageShow(top);
    state(top).u = true;
  }

  function hide(): void {
    if (!shown) return;
    const since = shown[1];
    shown = undefined;
    // The page on top leaves with the app, whichever of the two WeChat reports first.
    if (current && current.on) leave(current);
    const at = now();
    tell(listeners, 'hide', at - since, at);
  }

  function state(page: object): PageState {
    let st = pages.get(page);
    if (!st) pages.set(page, (st = { at: 0 }));
    return st;
  }

  function pageLoad(page: PageInstance, query: unknown): void {
    if (page && query && typeof query === 'object') state(page).query = { ...(query as Record<string, string>) };
  }

  function pageShow(page: PageInstance): void {
    if (!page || typeof page !== 'object') return;
    const st = state(page);
    if (st.on) return;
    const route = routeOf(page);
    if (current && current !== st && current.on && current.u) leave(current);
    st.on = true;
    st.at = now();
    st.view = { route, query: { ...(page.options || st.query) }, referrer: lastRoute };
    lastRoute = route;
    current = st;
    tell(listeners, 'pageShow', st.view, st.at);
    // Share handlers registered before the SDK (the page, or a behavior it uses) are
    // wrapped on the instance; those wrapped at registration are marked and left alone.
    hookShares(page);
  }

  function leave(st: PageState): void {
    st.on = false;
    const at = now();
    tell(listeners, 'pageLeave', st.view as PageView, at - st.at, at);
  }

  function pageHide(page: PageInstance): void {
    const st = page && pages.get(page);
    if (st && st.on) leave(st);
  }

  function share(kind: ShareKind, page: PageInstance, arg: unknown, result: unknown): unknown {
    const st = page && pages.get(page);
    const view = (st && st.view) || (page ? { route: routeOf(page), query: { ...page.options } } : undefined);
    let out = result;
    for (const l of listeners) {
      try {
        out = l.share(kind, view, arg, out);
      } catch {
        // keep what the host (or the previous instance) returned
      }
    }
    return out;
  }

  /**
   * Hooks a page's handlers, whether they sit on a Page() object or in Component() methods
   * (`show` then checks that the component is the page: hide and unload only act on a
   * page that was shown).
   */
  function hookPage(obj: Host, inject: boolean, show: (self: any) => void = pageShow): void {
    const need = (n: string) => inject || typeof obj[n] === 'function';
    if (need('onLoad')) hook(obj, 'onLoad', pageLoad);
    if (need('onShow')) hook(obj, 'onShow', show);
    if (need('onHide')) hook(obj, 'onHide', pageHide, true);
    if (need('onUnload')) hook(obj, 'onUnload', pageHide, true);
    hookShares(obj);
  }

  /**
   * Wraps the share handlers of a page, a Component's methods or a Behavior's methods (which
   * WeChat merges into the components using it). Only handlers already there: defining one
   * is what turns WeChat's share menu on, and the SDK must not change that.
   */
  function hookShares(obj: Host): void {
    for (const [n, kind] of [['onShareAppMessage', 'app_message'], ['onShareTimeline', 'timeline']] as const) {
      const host = obj[n];
      if (typeof host !== 'function' || host.__tutti) continue;
      obj[n] = mark(function (this: PageInstance, ...args: any[]) {
        // A wrapper around a wrapper (a framework copied or bound the registered handler
        // before the instance patch saw it): only the outer one counts the share.
        if (sharing) return host.apply(this, args);
        sharing = 1;
        try {
          return share(kind, this, args[0], host.apply(this, args));
        } finally {
          sharing = 0;
        }
      });
    }
  }

  function hookComponent(options: Host): void {
    // A component used as a page has its page handlers in `methods`. Injecting missing
    // ones would override same-named methods of its behaviors, so that only happens
    // when it has none; pageLifetimes (merged with behaviors by WeChat) cover the rest.
    // A component's own methods may be named onShow / onHide (a popup's API) and
    // pageLifetimes also fire in every component inside a page: only the page counts.
    const show = (self: object) => pagesNow().indexOf(self) >= 0 && pageShow(self);
    const behaviors = Array.isArray(options.behaviors) && options.behaviors.length > 0;
    if (!options.methods && !behaviors) options.methods = {};
    if (options.methods) hookPage(options.methods, !behaviors, show);
    const lifetimes = options.pageLifetimes || (options.pageLifetimes = {});
    hook(lifetimes, 'show', show);
    hook(lifetimes, 'hide', pageHide, true);
    // A `lifetimes.detached` would silence a top-level `detached`: hook whichever is used.
    const life = options.lifetimes || {};
    hook(typeof life.detached !== 'function' && typeof options.detached === 'function' ? options : (options.lifetimes = life), 'detached', pageHide, true);
  }

  /** A constructor that patches its options object, then registers it as WeChat would. */
  const wrap = (host: AnyFn, patch: (o: Host) => void) =>
    mark(function (this: unknown, options: Host) {
      // Options that are not an object make `patch` throw: WeChat gets them as they were.
      safe(() => patch(options));
      return host.apply(this, arguments as unknown as unknown[]);
    });
  const fresh = (f: unknown) => typeof f === 'function' && !(f as Host).__tutti;

  // Wrap the constructors that have not been used yet; a framework that already called
  // App() is caught through the wx.onApp* fallbacks and the launch options below.
  safe(() => {
    if (fresh(App))
      App = wrap(App, (o) => {
        hook(o, 'onLaunch', (_, options) => launch(options));
        hook(o, 'onShow', (_, options) => show(options));
        hook(o, 'onHide', hide, true);
      });
  });
  safe(() => {
    if (fresh(Page)) Page = wrap(Page, (o) => hookPage(o, true));
  });
  safe(() => {
    if (fresh(Component)) Component = wrap(Component, hookComponent);
  });
  // Only its share handlers: a behavior's onShow may be a popup's API in a child component.
  safe(() => {
    if (fresh(Behavior)) Behavior = wrap(Behavior, (o) => hookShares(o.methods));
  });
  wxCall(w, 'onAppShow', (o: unknown) => safe(() => show(o)));
  wxCall(w, 'onAppHide', () => safe(() => hide()));
  // Undocumented but long present in WeChat; only used for pages the wrappers missed.
  wxCall(w, 'onAppRoute', () => safe(() => shown && checkTop()));
  safe(() => {
    // Imported after App(): the launch already happened. (No getApp: not WeChat, it throws.)
    if (getApp()) {
      const lo = wxCall(w, 'getLaunchOptionsSync');
      launch(lo);
      show(wxCall(w, 'getEnterOptionsSync') || lo);
    }
  });

  return {
    /** Adds an instance; it hears at once what already happened (launch, show, current page). */
    subscribe(l: LifecycleListener): void {
      listeners.push(l);
      if (launched) tell([l], 'launch', ...launched);
      if (shown) tell([l], 'show', ...shown);
      if (current && current.on) tell([l], 'pageShow', current.view as PageView, current.at);
    },
  };
}

let runtime: ReturnType<typeof createLifecycle> | undefined;

/** The one lifecycle observer of this JS runtime. */
export function lifecycle(): ReturnType<typeof createLifecycle> {
  return runtime || (runtime = createLifecycle(getWx()));
}
