// Automatic page views (SPEC §8): the initial page, then every history change that
// shows a different page. Counting every pushState/replaceState call is how peers
// produced 5–10× phantom page views (LESSONS §3.8), so a change only counts when the
// page key moves: path + query without tracking parameters (utm_*, click IDs,
// tutti_*) + the hash when it is a route ("#/..." or "#!...", hash routers), not an
// in-page anchor. Changes in one task are coalesced: a router's push-then-replace is
// one page view, with the final URL. A page restored from the back/forward cache is
// seen again without any load event, so that is a page view too. A prerendered page's
// first view waits until it is shown.
//
// A new page's title usually comes after its URL: react-helmet sets it in a frame after
// the render, Next.js when the route's metadata arrives, Angular in a resolver. So an SPA
// page view is sent TITLE_WAIT after its navigation, reading the title then, with the time
// and URL of the navigation. Any other call, a flush, hiding the page or the next navigation
// sends it sooner: nothing overtakes it, and it is never lost.
import { attempt, listen } from './dom';

/** How long (ms) an SPA page view waits for the new page's title. */
const TITLE_WAIT = 500;

/** Query parameters that never make a new page: campaign tags, click IDs, handoff. */
export function isTrackingParam(name: string, clickIds: string[]): boolean {
  return /^(utm_|tutti_)/.test(name) || clickIds.indexOf(name) >= 0;
}

/** `url` without tracking parameters in its query. */
function untracked(url: string, clickIds: string[]): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .filter((p) => p && !isTrackingParam(attempt(() => decodeURIComponent(p.split('=')[0]), p), clickIds))
    .join('&');
  return url.slice(0, q) + (query ? '?' + query : '');
}

/** What identifies "a page" for page-view purposes (a hash route's query is cleaned like the page's). */
export function pageKey(loc: { pathname: string; search: string; hash: string }, clickIds: string[]): string {
  return untracked(loc.pathname + loc.search, clickIds) + (/^#[/!]/.test(loc.hash) ? untracked(loc.hash, clickIds) : '');
}

export interface PageviewDeps {
  /** Sends one page view: of the current location now, or of `url` (maybe left already) at `at`. */
  page(at?: number, url?: string): void;
  /** Called with the URL being left, before the page view of the new one. */
  navigated(fromUrl: string): void;
  clickIds: string[];
}

/**
 * Starts auto page views (in a page): sends the initial one now. Returns a function that
 * sends a page view still waiting for its title at once (call it before any other call or
 * flush, so they come after it); with `stop`, it also stops auto page views.
 */
export function autoPageviews(deps: PageviewDeps): (stop?: boolean) => void {
  let lastKey = pageKey(location, deps.clickIds);
  let lastUrl = location.href;
  /** The coalescing timer, then the title wait's. */
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Time of the navigation whose page view waits for its title (0: none waits); its URL is lastUrl. */
  let since = 0;
  /** Time of the first history change the coalescing timer looks at. */
  let navAt = 0;

  const send = () => {
    const at = since;
    since = 0;
    if (at) {
      clearTimeout(timer);
      timer = undefined;
      // Any change check() finds next came after this moment (not at the stale navAt).
      navAt = Date.now();
      deps.page(at, lastUrl);
    }
  };
  const check = () => {
    // A view still waiting is lastUrl's, about to be replaced: the URL can change with no
    // event yet (location.hash = ..., then a call before hashchange runs this).
    send();
    timer = undefined;
    try {
      const key = pageKey(location, deps.clickIds);
      const from = lastUrl;
      lastUrl = location.href;
      if (key === lastKey) return;
      lastKey = key;
      deps.navigated(from);
      since = navAt;
      timer = setTimeout(send, TITLE_WAIT);
    } catch {
      // never break the host's navigation
    }
  };
  const schedule = () => {
    // A waiting page view belongs to the URL being left (a state-only replaceState keeps it waiting).
    if (location.href !== lastUrl) send();
    // The time of the change itself: the timer may fire late, after the router's render.
    if (!timer) (navAt = Date.now()), (timer = setTimeout(check, 0));
  };

  const offs = [
    listen(window, 'popstate', schedule),
    listen(window, 'hashchange', schedule),
    listen(window, 'pageshow', (e) => (e as PageTransitionEvent).persisted && deps.page()),
  ];
  // Wrap rather than replace, so other wrappers (routers, other tools) keep working.
  for (const name of ['pushState', 'replaceState'] as const) {
    const original = history[name];
    if (typeof original !== 'function') continue;
    const wrapper = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      schedule();
      return result;
    };
    history[name] = wrapper;
    offs.push(() => {
      if (history[name] === wrapper) history[name] = original;
    });
  }

  // A prerendered page (speculation rules, the address bar's guesses) may never be shown:
  // its first view counts when the user actually opens it.
  if ((document as { prerendering?: boolean }).prerendering) offs.push(listen(document, 'prerenderingchange', () => deps.page()));
  else deps.page();

  return (stop) => {
    // A call in the same task as a navigation decides it now, and comes after its page view.
    if (timer) clearTimeout(timer), check();
    send();
    if (stop) offs.forEach((off) => off());
  };
}
