// Automatic page views (SPEC §8): the initial page, then every history change that
// shows a different page. Counting every pushState/replaceState call is how peers
// produced 5–10× phantom page views (LESSONS §3.8), so a change only counts when the
// page key moves: path + query without tracking parameters (utm_*, click IDs,
// tutti_*) + the hash when it is a route ("#/..." or "#!...", hash routers), not an
// in-page anchor. Changes in one task are coalesced: a router's push-then-replace is
// one page view, with the final URL. A page restored from the back/forward cache is
// seen again without any load event, so that is a page view too. A prerendered page's
// first view waits until it is shown.
import { attempt, listen } from './dom';

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
  /** Sends one page view of the current location. */
  page(): void;
  /** Called with the URL being left, before the page view of the new one. */
  navigated(fromUrl: string): void;
  clickIds: string[];
}

/** Starts auto page views (in a page): sends the initial one now; returns a stop function. */
export function autoPageviews(deps: PageviewDeps): () => void {
  const w = window;
  const h = w.history;
  let lastKey = pageKey(location, deps.clickIds);
  let lastUrl = location.href;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const check = () => {
    timer = undefined;
    try {
      const key = pageKey(location, deps.clickIds);
      const from = lastUrl;
      lastUrl = location.href;
      if (key === lastKey) return;
      lastKey = key;
      deps.navigated(from);
      deps.page();
    } catch {
      // never break the host's navigation
    }
  };
  const schedule = () => {
    if (!timer) timer = setTimeout(check, 0);
  };

  const offs = [
    listen(w, 'popstate', schedule),
    listen(w, 'hashchange', schedule),
    listen(w, 'pageshow', (e) => (e as PageTransitionEvent).persisted && deps.page()),
  ];
  // Wrap rather than replace, so other wrappers (routers, other tools) keep working.
  for (const name of ['pushState', 'replaceState'] as const) {
    const original = h[name];
    if (typeof original !== 'function') continue;
    const wrapper = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      schedule();
      return result;
    };
    h[name] = wrapper;
    offs.push(() => {
      if (h[name] === wrapper) h[name] = original;
    });
  }

  // A prerendered page (speculation rules, the address bar's guesses) may never be shown:
  // its first view counts when the user actually opens it.
  if ((document as { prerendering?: boolean }).prerendering) offs.push(listen(document, 'prerenderingchange', deps.page));
  else deps.page();

  return () => {
    offs.forEach((off) => off());
    if (timer) clearTimeout(timer);
  };
}
