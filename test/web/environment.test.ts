// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TZ_KEY, webEnvironment } from '../../adapters/web/lib/environment';

// Counts how often the page pays for ICU: every `Intl.DateTimeFormat()` the SDK makes.
function countFormatters() {
  const Real = Intl.DateTimeFormat;
  const spy = vi.fn((...args: unknown[]) => new (Real as any)(...args));
  vi.stubGlobal('Intl', { ...Intl, DateTimeFormat: spy });
  return spy;
}

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe('web environment: the time zone', () => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offset = String(new Date().getTimezoneOffset());

  it('reads the time zone once per page and reuses the cached name on the next page load', () => {
    localStorage.setItem('tutti_aid', '7f2c3b1e-0000-4000-8000-000000000001');
    const first = countFormatters();
    const page1 = webEnvironment();
    expect(page1.context().timezone).toBe(zone);
    expect(page1.context().timezone).toBe(zone);
    expect(first).toHaveBeenCalledTimes(1);
    expect(localStorage.getItem(TZ_KEY)).toBe(offset + '|' + zone);

    vi.unstubAllGlobals();
    const second = countFormatters();
    expect(webEnvironment().context().timezone).toBe(zone);
    expect(second).not.toHaveBeenCalled();
  });

  it('reads the name again when the UTC offset moved (travel, daylight saving)', () => {
    localStorage.setItem('tutti_aid', '7f2c3b1e-0000-4000-8000-000000000001');
    localStorage.setItem(TZ_KEY, String(Number(offset) + 60) + '|Asia/Tokyo');
    const spy = countFormatters();
    expect(webEnvironment().context().timezone).toBe(zone);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(localStorage.getItem(TZ_KEY)).toBe(offset + '|' + zone);
  });

  it('asks Temporal first where the browser has it: no ICU formatter, nothing cached', () => {
    localStorage.setItem('tutti_aid', '7f2c3b1e-0000-4000-8000-000000000001');
    vi.stubGlobal('Temporal', { Now: { timeZoneId: () => 'Asia/Shanghai' } });
    const spy = countFormatters();
    expect(webEnvironment().context().timezone).toBe('Asia/Shanghai');
    expect(spy).not.toHaveBeenCalled();
    expect(localStorage.getItem(TZ_KEY)).toBeNull();
  });

  it('falls back to Intl when Temporal is there but fails', () => {
    vi.stubGlobal('Temporal', {
      Now: {
        timeZoneId: () => {
          throw new RangeError('no time zone');
        },
      },
    });
    expect(webEnvironment().context().timezone).toBe(zone);
  });

  it('stores nothing while the SDK may not store its anonymous ID (no consent yet, or opted out)', () => {
    expect(webEnvironment().context().timezone).toBe(zone);
    expect(localStorage.getItem(TZ_KEY)).toBeNull();
  });
});

describe('web environment: the page and device context of each event', () => {
  it('gives every event its own page and screen objects, with the keys and values of the page now', () => {
    history.replaceState(null, '', '/shop?q=1');
    document.title = 'Shop';
    const env = webEnvironment();
    const a = env.context();
    expect(Object.keys(a)).toEqual(['locale', 'timezone', 'userAgent', 'screen', 'channel', 'page']);
    expect(a.page).toEqual({ url: location.href, path: '/shop', referrer: document.referrer, title: 'Shop', search: '?q=1' });
    expect(Object.keys(a.screen!)).toEqual(['width', 'height', 'density']);
    // A plugin editing one event's context edits no other event's.
    a.page!.title = 'edited';
    a.screen!.width = -1;
    (a as Record<string, unknown>).locale = 'xx';
    const b = env.context();
    expect(b.page!.title).toBe('Shop');
    expect(b.screen!.width).not.toBe(-1);
    expect(b.locale).not.toBe('xx');
    expect(b.page).not.toBe(a.page);
  });

  it('follows the URL, the title and the referrer of an SPA navigation from one event to the next', () => {
    history.replaceState(null, '', '/a');
    document.title = 'A';
    const env = webEnvironment();
    expect(env.context().page).toMatchObject({ path: '/a', title: 'A', search: '' });
    history.pushState(null, '', '/b?x=2');
    expect(env.context().page).toMatchObject({ path: '/b', title: 'A', search: '?x=2', url: location.href });
    document.title = 'B';
    expect(env.context().page!.title).toBe('B');
    location.hash = 'top';
    expect(env.context().page).toMatchObject({ url: location.href, path: '/b', search: '?x=2' });
    expect(env.context().page!.url).toMatch(/\/b\?x=2#top$/);
    env.navigated('https://site.example/b');
    expect(env.context().page!.referrer).toBe('https://site.example/b');
  });
});
