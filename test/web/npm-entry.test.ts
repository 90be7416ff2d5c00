// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://www.example.com/landing?utm_source=news&utm_medium=email&utm_campaign=spring"}
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import tutti, { createTutti } from '../../adapters/web/index';
import { readCookie } from '../../adapters/web/lib/cookie';
import { recordFetch, sleep } from './helpers';

const rec = recordFetch();
const options = { writeKey: 'wk', endpoint: 'https://collect.example.com/', webVitals: false, flushInterval: 50 };

beforeAll(() => {
  Object.defineProperty(document, 'referrer', { configurable: true, value: 'https://news.example.org/today' });
  document.title = 'Landing';
});
afterAll(() => vi.unstubAllGlobals());

describe('npm entry: the singleton', () => {
  it('buffers calls made before init with their own timestamps', async () => {
    const early = Date.now();
    tutti.track('Early Bird', { n: 1 });
    expect(tutti.getAnonymousId()).toBe('');
    await sleep(20);
    tutti.init(options);
    await tutti.flush();
    const ev = rec.events().find((e) => e.event === 'Early Bird')!;
    expect(ev).toBeTruthy();
    expect(Math.abs(Date.parse(ev.timestamp) - early)).toBeLessThan(15);
  });

  it('sends the initial page view with web context, campaign and the anonymous ID from the cookie', async () => {
    await tutti.flush();
    const pages = rec.events().filter((e) => e.type === 'page');
    expect(pages.length).toBe(1);
    const p = pages[0];
    expect(p.context.channel).toBe('web');
    expect(p.context.page).toEqual({
      url: 'https://www.example.com/landing?utm_source=news&utm_medium=email&utm_campaign=spring',
      path: '/landing',
      referrer: 'https://news.example.org/today',
      title: 'Landing',
      search: '?utm_source=news&utm_medium=email&utm_campaign=spring',
    });
    expect(p.context.campaign).toMatchObject({ source: 'news', medium: 'email', name: 'spring' });
    expect(p.context.locale).toBe(navigator.language);
    expect(p.context.userAgent).toBe(navigator.userAgent);
    expect(p.context.screen).toHaveProperty('width');
    expect(typeof p.context.timezone).toBe('string');
    expect(p.anonymousId).toBe(tutti.getAnonymousId());
    expect(readCookie('tutti_aid')).toBe(tutti.getAnonymousId());
    expect(localStorage.getItem('tutti_aid')).toBe(tutti.getAnonymousId());
    expect(rec.posted[0].url).toBe('https://collect.example.com/v1/batch');
    expect(rec.posted[0].body.writeKey).toBe('wk');
  });

  it('an SPA navigation is a page view that keeps the session campaign and has the previous page as referrer', async () => {
    history.pushState({}, '', '/products/1');
    await sleep(10);
    await tutti.flush();
    const pages = rec.events().filter((e) => e.type === 'page');
    expect(pages.length).toBe(2);
    expect(pages[1].context.page!.path).toBe('/products/1');
    expect(pages[1].context.page!.referrer).toBe('https://www.example.com/landing?utm_source=news&utm_medium=email&utm_campaign=spring');
    expect(pages[1].context.campaign).toMatchObject({ source: 'news', name: 'spring' });
  });

  it('a second init (e.g. a second copy of the SDK) joins the first: nothing is sent twice', async () => {
    const before = rec.events().filter((e) => e.type === 'page').length;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    tutti.init({ ...options, debug: true, writeKey: 'other' });
    await sleep(10);
    await tutti.flush();
    expect(rec.events().filter((e) => e.type === 'page').length).toBe(before);
    expect(rec.posted.every((p) => p.body.writeKey === 'wk')).toBe(true);
    warn.mockRestore();
  });

  it('linkUrl adds the handoff parameters', () => {
    const url = tutti.linkUrl('https://partner.com/p?x=1');
    expect(url).toMatch(new RegExp(`^https://partner.com/p\\?x=1&tutti_aid=${tutti.getAnonymousId()}&tutti_ts=\\d+$`));
  });
});

describe('npm entry: createTutti', () => {
  it('makes an independent, initialised instance with its own queue and settings', async () => {
    const other = createTutti({ ...options, writeKey: 'second', autoPageview: false });
    expect(other).not.toBe(tutti);
    other.track('Only Second');
    await other.flush();
    const mine = rec.posted.filter((p) => p.body.writeKey === 'second');
    expect(mine.flatMap((p) => p.body.batch).map((e) => e.event)).toEqual(['Only Second']);
    // one person, one device: both instances share the anonymous ID
    expect(other.getAnonymousId()).toBe(tutti.getAnonymousId());
  });

  it('without options it waits for init', async () => {
    const later = createTutti();
    later.track('Waiting');
    expect(later.getSessionId()).toBe('');
    later.init({ ...options, writeKey: 'third', autoPageview: false });
    await later.flush();
    expect(rec.posted.filter((p) => p.body.writeKey === 'third').flatMap((p) => p.body.batch).map((e) => e.event)).toEqual(['Waiting']);
  });
});
