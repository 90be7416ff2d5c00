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
  /** The instance is initialised: replay what waited, then act at once. */
  ready(tutti: CoreTutti, autoPageview: boolean): void;
}

export function createTracker(where: Whereabouts): Tracker {
  /** Set once the instance is ready; until then notifications wait. */
  let tutti: CoreTutti | undefined;
  let waiting: Array<(t: CoreTutti) => void> = [];
  let screens = true;
  /** The share that brought this user (latest launch or show from a shared path). */
  let origin: ShareOrigin | undefined;
  /** The first show of a launch repeats the launch's options: one touch is enough. */
  let launchShow = false;

  const run = (fn: (t: CoreTutti) => void) => {
    if (tutti) fn(tutti);
    else if (waiting.length < MAX_WAITING) waiting.push(fn);
  };

  /** Reads an entry: updates the whereabouts and the share origin, returns the event properties. */
  function enter(t: CoreTutti, o: EntryOptions, touch: boolean) {
    const params = entryParams(o.query);
    const from = shareOrigin(params);
    if (from) origin = from;
    where.scene = o.scene;
    where.path = o.path;
    where.query = o.query;
    // Coming back on one's own (recent list, desktop icon, back from another mini-program)
    // is direct traffic: it labels a new visit but never replaces the campaign of a live
    // session. A share adds `sharer` and `shareDepth` to the campaign.
    if (touch) t.touch({ params, fallback: isReturnScene(o.scene) && t.getSessionId() ? undefined : sceneCampaign(o.scene, from) });
    // `where` now holds exactly this entry's scene, path and query.
    const props: Record<string, unknown> = { ...where, ...from };
    if (o.referrerInfo && o.referrerInfo.appId) props.referrerInfo = o.referrerInfo;
    return props;
  }

  return {
    ready(t, autoPageview) {
      screens = autoPageview;
      tutti = t;
      const list = waiting;
      waiting = [];
      list.forEach((fn) => fn(t));
    },
    launch(o, at) {
      run((t) => {
        launchShow = true;
        t.call('track', ['Mini App Launched', enter(t, o, true)], at);
      });
    },
    show(o, at) {
      run((t) => {
        const props = enter(t, o, !launchShow);
        launchShow = false;
        t.call('track', ['Mini App Shown', props], at);
      });
    },
    hide(duration, at) {
      run((t) => {
        launchShow = false;
        t.call('track', ['Mini App Hidden', { duration, ...where }], at);
        // WeChat suspends a backgrounded mini-program after about 5 s: send now, within
        // the platform's beaconBytes.
        t.flushNow(true);
      });
    },
    pageShow(view: PageView, at) {
      run((t) => {
        where.path = view.route;
        where.query = view.query;
        if (screens) t.call('screen', [view.route, { path: view.route, query: view.query, referrer: view.referrer }], at);
      });
    },
    pageLeave(view: PageView, duration, at) {
      run((t) => {
        if (screens) t.call('track', ['Page Left', { path: view.route, query: view.query, duration }], at);
      });
    },
    share(kind: ShareKind, view, arg, result) {
      if (!tutti) return result;
      const depth = (origin ? origin.shareDepth : 0) + 1;
      const from = arg && typeof arg === 'object' ? (arg as { from?: string }).from : undefined;
      tutti.track('Share', { method: kind, from, path: view && view.route, shareDepth: depth });
      // An ID goes into the path only as linkUrl allows one into a URL (consent granted).
      return tutti.linkUrl('?') === '?' ? result : rewriteShare(kind, result, view, { tutti_sharer: tutti.getAnonymousId(), tutti_depth: String(depth) });
    },
  };
}
