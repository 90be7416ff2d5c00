// Cross-domain linking (SPEC §6): a click on a link to one of `linkDomains` gets the
// identity handoff parameters at the last moment, so they are fresh (< 2 min) when the
// other site reads them, and are not in the DOM before a click (the clicked link keeps them;
// a later click refreshes them).
// Capture phase: runs before the host's own handlers and before navigation.
import { onDomain } from '../../../src/lib/domain';
import { listen } from './dom';

/** Starts decorating (in a page); returns a stop function. */
export function decorateLinks(domains: string[], linkUrl: (url: string) => string): () => void {
  const list = domains.map((d) => String(d).replace(/^\./, '').toLowerCase()).filter(Boolean);
  if (!list.length) return () => undefined;
  const onClick = (e: Event) => {
    try {
      const target = e.target as Element | null;
      const a = target && target.closest ? (target.closest('a[href]') as HTMLAnchorElement | null) : null;
      // SVG links have no string href/hostname and are skipped.
      if (!a || typeof a.href !== 'string' || !/^https?:$/.test(a.protocol)) return;
      const host = a.hostname.toLowerCase();
      if (host === location.hostname.toLowerCase() || !list.some((d) => onDomain(host, d))) return;
      a.href = linkUrl(a.href);
    } catch {
      // a link we cannot decorate still navigates
    }
  };
  const offs = [listen(document, 'click', onClick, true), listen(document, 'auxclick', onClick, true)];
  return () => offs.forEach((off) => off());
}
