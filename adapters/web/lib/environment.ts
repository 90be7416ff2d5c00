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

/**
 * The IANA time zone. The first `Intl.DateTimeFormat` of a page loads ICU data: 30–80 ms
 * of main thread in Chromium (measured), paid by the first event of every page view.
 * `Temporal.Now.timeZoneId()` gives the same name in about 0.1 ms, so it comes first.
 * Without Temporal the name is cached across page loads and trusted while the UTC offset
 * (cheap to read) is unchanged, so a move to another offset or a DST switch reads it
 * again. The cache is written only where the SDK already stores its anonymous ID: no
 * storage before consent allows it (the core writes the ID only then, and removes this
 * key on opt-out).
 */
function timezone(): string | undefined {
  const now = attempt(() => Temporal.Now.timeZoneId());
  if (now) return now;
  const offset = String(new Date().getTimezoneOffset());
  const cached = lsGet(TZ_KEY);
  const bar = cached ? cached.indexOf('|') : -1;
  if (cached && cached.slice(0, bar) === offset) return cached.slice(bar + 1);
  const name = attempt(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  if (name && lsGet(AID_KEY)) lsSet(TZ_KEY, offset + '|' + name);
  return name;
}

export interface WebEnvironment extends Environment {
  /** Records an SPA navigation: the page left becomes the referrer of the next events. */
  navigated(fromUrl: string): void;
}

export function webEnvironment(channel: Channel = 'web'): WebEnvironment {
  let device: Partial<EventContext> | undefined;
  let referrer: string | undefined;

  const readDevice = (): Partial<EventContext> => ({
    locale: navigator.language,
    timezone: timezone(),
    userAgent: navigator.userAgent,
    screen: attempt(() => ({ width: screen.width, height: screen.height, density: devicePixelRatio })),
  });

  // The page part is rebuilt only when the URL or title changed: events come by the thousand.
  let page: NonNullable<EventContext['page']> = {};
  let pageKey = '';

  return {
    channel,
    // Outside a page (Node, SSR, workers) reading location or document throws: attempt() answers then.
    context() {
      return attempt(() => {
        const url = location.href;
        const title = document.title;
        const ref = referrer !== undefined ? referrer : document.referrer;
        const key = url + '\n' + title + '\n' + ref; // URLs and document.title hold no newline
        if (key !== pageKey) {
          pageKey = key;
          page = { url, path: location.pathname, referrer: ref, title, search: location.search };
        }
        // Fresh objects per event: a plugin editing one event must not edit the others.
        const ctx: Partial<EventContext> = { ...(device || (device = readDevice())), channel, page: { ...page } };
        if (ctx.screen) ctx.screen = { ...ctx.screen };
        return ctx;
      }, { channel } as Partial<EventContext>);
    },
    landing: () => attempt(() => ({ url: location.href, referrer: document.referrer })),
    host: () => attempt(() => (win() as Window).location.hostname, ''),
    navigated(fromUrl) {
      referrer = fromUrl;
    },
  };
}
