// Context of every web event (SPEC §4): page, locale, timezone, user agent, screen.
// The device fields are read once; the page is read per event because SPAs change it.
import type { Channel, EventContext } from '../../../src/types';
import type { Environment } from '../../../src/platform';
import { attempt, win } from './dom';
import { AID_KEY } from './kv';
import { lsGet, lsSet } from './local-storage';

/** localStorage key of the cached time zone: "<UTC offset in minutes>|<IANA name>". */
export const TZ_KEY = 'tutti_tz';

/** The one Temporal call used here (Chromium 144+, Firefox 139+; not in TypeScript's lib yet). */
declare const Temporal: { Now: { timeZoneId(): string } };

export interface WebEnvironment extends Environment {
  /** Records an SPA navigation: the page left becomes the referrer of the next events. */
  navigated(fromUrl: string): void;
  /** Events read `url` as their page until pin() (a page view sent after its URL was left, pageviews.ts). */
  pin(url?: string): void;
}

export function webEnvironment(channel: Channel = 'web'): WebEnvironment {
  let device: Partial<EventContext> | undefined;
  let referrer: string | undefined;

  const readDevice = (): Partial<EventContext> => {
    // The IANA time zone. The first `Intl.DateTimeFormat` of a page loads ICU data: 30–80 ms
    // of main thread in Chromium (measured), paid by the first event of every page view.
    // `Temporal.Now.timeZoneId()` gives the same name in about 0.1 ms, so it comes first.
    // Without Temporal the name is cached across page loads and trusted while the UTC offset
    // (cheap to read) is unchanged, so a move to another offset or a DST switch reads it
    // again. The cache is written only where the SDK already stores its anonymous ID: no
    // storage before consent allows it (the core writes the ID only then, and removes this
    // key on opt-out).
    let timezone = attempt(() => Temporal.Now.timeZoneId());
    if (!timezone) {
      const offset = String(new Date().getTimezoneOffset());
      const cached = lsGet(TZ_KEY);
      const bar = cached ? cached.indexOf('|') : -1;
      if (cached && cached.slice(0, bar) === offset) timezone = cached.slice(bar + 1);
      else if ((timezone = attempt(() => Intl.DateTimeFormat().resolvedOptions().timeZone)) && lsGet(AID_KEY))
        lsSet(TZ_KEY, offset + '|' + timezone);
    }
    return {
      locale: navigator.language,
      timezone,
      userAgent: navigator.userAgent,
      screen: attempt(() => ({ width: screen.width, height: screen.height, density: devicePixelRatio })),
    };
  };

  // The page part is read again only when the URL, title or referrer changed: events come by the thousand.
  let page: NonNullable<EventContext['page']> = {};
  let url0: string | undefined;
  let title0: string | undefined;
  let ref0: string | undefined;
  let pinned: string | undefined;

  return {
    channel,
    context() {
      // Outside a page (Node, SSR, workers) reading location or document throws: the fallback answers then.
      // A try/catch, not attempt(): no closure per event.
      try {
        // The document's URL, as location.href gives it: Chromium serialises location.href
        // anew on every read (~0.4-0.8 us), document.URL answers in ~20 ns.
        const url = pinned || document.URL;
        const title = document.title;
        const ref = referrer !== undefined ? referrer : document.referrer;
        if (url !== url0 || title !== title0 || ref !== ref0) {
          url0 = url;
          title0 = title;
          ref0 = ref;
          const l = new URL(url);
          page = { url, path: l.pathname, referrer: ref, title, search: l.search };
        }
        // Fresh objects per event: a plugin editing one event must not edit the others.
        // Object.assign, not spreads: measured in V8, objects made by spreading cost more
        // to make and then to JSON.stringify (about 1 µs per event more, with the
        // page key string and the closure this no longer makes).
        const ctx: Partial<EventContext> = Object.assign({}, device || (device = readDevice()));
        ctx.channel = channel;
        ctx.page = Object.assign({}, page);
        if (ctx.screen) ctx.screen = Object.assign({}, ctx.screen);
        return ctx;
      } catch {
        return { channel };
      }
    },
    landing: () => attempt(() => ({ url: location.href, referrer: document.referrer })),
    host: () => attempt(() => (win() as Window).location.hostname, ''),
    navigated(fromUrl) {
      referrer = fromUrl;
    },
    pin(url) {
      pinned = url;
    },
  };
}
