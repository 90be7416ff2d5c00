// Cross-domain linking (SPEC §6): a click on a link to one of `linkDomains` gets the
// identity handoff parameters at the last moment, so they are fresh (< 2 min) when the
// other site reads them. They are in the DOM only for the click: the browser takes the
// URL when the click event has been dispatched (same tab, new tab and window alike), so
// the link's own href is put back on the next task; a link left decorated (new tab,
// navigation cancelled by the page) would hand this person's IDs to whoever copies it.
// Capture phase: runs before the host's own handlers (which still read the decorated
// a.href synchronously) and before navigation.
import { onDomain } from '../../../src/lib/domain';
import { listen } from './dom';

/** Starts decorating (in a page); returns a stop function. */
export function decorateLinks(domains: string[], linkUrl: (url: string) => string): () => void {
  const list = domains.map((d) => String(d).replace(/^\./, '').toLowerCase()).filter(Boolean);
  if (!list.length) return () => undefined;
  // Puts the last decorated link back. A click on that same link before its task (a busy
  // page dispatches queued clicks before timers) runs it first, so `h` is never a decorated
  // href; a click on another link inside a click handler (before the first link's
  // navigation has read its href) leaves it alone.
  let undo = (_b?: Element) => {};
  const onClick = (e: Event) => {
    try {
      const target = e.target as Element | null;
      const a = target && target.closest && (target.closest('a[href]') as HTMLAnchorElement | null);
      // SVG links have no string href/hostname and are skipped.
      if (!a || typeof a.href !== 'string' || !/^https?:$/.test(a.protocol)) return;
      const host = a.hostname.toLowerCase();
      if (host === location.hostname.toLowerCase() || !list.some((d) => onDomain(host, d))) return;
      undo(a);
      const h = a.getAttribute('href')!;
      const d = (a.href = linkUrl(a.href));
      // Unless the page has changed the href since. The timer calls it without an argument.
      setTimeout((undo = (b) => (!b || b == a) && a.getAttribute('href') == d && (a.href = h)));
    } catch {
      // a link we cannot decorate still navigates
    }
  };
  const offs = [listen(document, 'click', onClick, true), listen(document, 'auxclick', onClick, true)];
  return () => offs.forEach((off) => off());
}
