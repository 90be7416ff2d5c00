// Turns lifecycle notifications into Tutti calls for one instance: the Mini App
// Launched / Shown / Hidden events, a `screen` per page show, `Page Left` with the time
// on the page, campaign touches, share attribution and the flush on hide.
// Notifications that arrive before the instance is ready (SDK imported in app.js, init
// called later in onLaunch) wait in a short list and are replayed with their own times.
import type { CoreTutti } from '../../src/index';
import type { Whereabouts } from './env';
import type { LifecycleListener, PageView, ShareKind } from './lifecycle';
import { entryParams, isReturnScene, sceneCampaign, shareOrigin, type ShareOrigin } from './scene';
import { rewriteShare } from './share';
import type { EntryOptions } from './wx';

const MAX_WAITING = 100;

export interface Tracker extends LifecycleListener {
  /** The core is initialised: replay what waited, then act at once. */
  ready(autoPageview: boolean): void;
}

export function createTracker(core: () => CoreTutti | undefined, where: Whereabouts): Tracker {
  let waiting: Array<() => void> | undefined = [];
  let screens = true;
  /** The share that brought this user (latest launch or show from a shared path). */
  let origin: ShareOrigin | undefined;
  /** The first show of a launch repeats the launch's options: one touch is enough. */
  let launchShow = false;

  const run = (fn: () => void) => {
    if (!waiting) return fn();
    if (waiting.length < MAX_WAITING) waiting.push(fn);
  };
  const call = (method: string, args: unknown[], at: number) => {
    const c = core();
    if (c) c.call(method, args, at);
  };

  /** Reads an entry: updates the whereabouts and the share origin, returns the event properties. */
  function enter(o: EntryOptions, touch: boolean) {
    const params = entryParams(o.query);
    const from = shareOrigin(params);
    if (from) origin = from;
    where.scene = o.scene;
    where.path = o.path;
    where.query = o.query;
    const c = core();
    // Coming back on one's own (recent list, desktop icon, back from another mini-program)
    // is direct traffic: it labels a new visit but never replaces the campaign of a live
    // session. A share adds `sharer` and `shareDepth` to the campaign.
    if (touch && c) c.touch({ params, fallback: isReturnScene(o.scene) && c.getSessionId() ? undefined : sceneCampaign(o.scene, from) });
    const props: Record<string, unknown> = { scene: o.scene, path: o.path, query: o.query, ...from };
    if (o.referrerInfo && o.referrerInfo.appId) props.referrerInfo = o.referrerInfo;
    return props;
  }

  return {
    ready(autoPageview) {
      screens = autoPageview;
      const list = waiting || [];
      waiting = undefined;
      list.forEach((fn) => fn());
    },
    launch(o, at) {
      run(() => {
        launchShow = true;
        call('track', ['Mini App Launched', enter(o, true)], at);
      });
    },
    show(o, at) {
      run(() => {
        const props = enter(o, !launchShow);
        launchShow = false;
        call('track', ['Mini App Shown', props], at);
      });
    },
    hide(duration, at) {
      run(() => {
        launchShow = false;
        call('track', ['Mini App Hidden', { duration, ...where }], at);
        // WeChat suspends a backgrounded mini-program after about 5 s: send now, within
        // the platform's beaconBytes.
        const c = core();
        if (c) c.flushNow(true);
      });
    },
    pageShow(view: PageView, at) {
      run(() => {
        where.path = view.route;
        where.query = view.query;
        if (screens) call('screen', [view.route, { path: view.route, query: view.query, referrer: view.referrer }], at);
      });
    },
    pageLeave(view: PageView, duration, at) {
      run(() => {
        if (screens) call('track', ['Page Left', { path: view.route, query: view.query, duration }], at);
      });
    },
    share(kind: ShareKind, view, arg, result) {
      const c = core();
      const aid = c && !waiting ? c.getAnonymousId() : '';
      if (!aid) return result;
      const depth = (origin ? origin.shareDepth : 0) + 1;
      const from = arg && typeof arg === 'object' ? (arg as { from?: string }).from : undefined;
      c!.track('Share', { method: kind, from, path: view && view.route, shareDepth: depth });
      return rewriteShare(kind, result, view, { tutti_sharer: aid, tutti_depth: String(depth) });
    },
  };
}
