// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://h5.example.com/"}
// Share-chain attribution on H5 (README, Share attribution): a landing with tutti_sharer /
// tutti_depth gives the campaign sharer and shareDepth (and, with no other campaign, the
// share campaign); the parameters leave the address bar; shareUrl() builds the onward link.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTutti, type H5Tutti } from '../../adapters/h5/index';
import type { TuttiOptions } from '../../src/types';
import { recordFetch, sleep } from '../web/helpers';
import { UA } from './user-agents';

const SHARER = '5f0c6a52-8a3e-4c1b-9d3f-2b7e4a9c1d00';
const DIRECT = { source: 'direct', medium: '(none)' };
const OTHER = '0b7e3c1a-1d2e-4f5a-8b6c-9d0e1f2a3b4c';
let ua = UA.wechatAndroid;
let referrer = '';

const rec = recordFetch();
Object.defineProperty(navigator, 'userAgent', { configurable: true, get: () => ua });
Object.defineProperty(document, 'referrer', { configurable: true, get: () => referrer });

function wipe() {
  localStorage.clear();
  sessionStorage.clear();
  for (const c of document.cookie.split(';')) {
    const name = c.split('=')[0].trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
}

beforeEach(() => {
  wipe();
  ua = UA.wechatAndroid;
  referrer = '';
  rec.posted.length = 0;
});
afterEach(() => vi.restoreAllMocks());

/** Opens `path` on h5.example.com with a fresh instance (storage kept unless wiped). */
function land(path: string, options: Partial<TuttiOptions> = {}): H5Tutti {
  history.replaceState(null, '', path);
  return createTutti({ writeKey: 'wk', endpoint: 'https://collect.example.com', webVitals: false, autoPageview: false, flushInterval: 20, ...options });
}

const q = (o: Record<string, string>) => new URLSearchParams(o).toString();

describe('landing with a share chain', () => {
  it('inside WeChat, no other campaign: the share campaign { wechat, share, sharer, shareDepth }, also on events', async () => {
    const t = land(`/article?id=7&${q({ tutti_sharer: SHARER, tutti_depth: '2' })}#top`);
    const share = { source: 'wechat', medium: 'share', sharer: SHARER, shareDepth: '2' };
    expect(t.getCampaign()).toEqual({ first: share, last: share });
    t.track('Article Read');
    await t.flush();
    const [e] = rec.events();
    expect(e.context.campaign).toEqual(share);
    expect(e.context.firstCampaign).toEqual(share);
  });

  it('outside WeChat the source is share; the mini-program web-view is WeChat', () => {
    ua = UA.iosSafari;
    expect(land(`/a?${q({ tutti_sharer: SHARER, tutti_depth: '1' })}`).getCampaign().last).toEqual({ source: 'share', medium: 'share', sharer: SHARER, shareDepth: '1' });
    wipe();
    ua = UA.miniprogramAndroid;
    expect(land(`/a?${q({ tutti_sharer: SHARER, tutti_depth: '1' })}`).getCampaign().last).toMatchObject({ source: 'wechat', medium: 'share' });
  });

  it('UTM parameters win, with sharer and shareDepth added', () => {
    const t = land(`/a?${q({ utm_source: 'moments', utm_medium: 'social', utm_campaign: 'spring', tutti_sharer: SHARER, tutti_depth: '3' })}`);
    expect(t.getCampaign().last).toEqual({ source: 'moments', medium: 'social', name: 'spring', sharer: SHARER, shareDepth: '3' });
  });

  it('an external referrer wins over the share campaign, with the share fields; an internal one keeps the session campaign', async () => {
    referrer = `https://servicewechat.com/wx0123456789abcdef/3/page-frame.html`;
    const t = land(`/a?${q({ tutti_sharer: SHARER, tutti_depth: '4' })}`);
    expect(t.getCampaign().last).toEqual({ source: 'wechat', medium: 'miniprogram', sharer: SHARER, shareDepth: '4' });
    await sleep(50); // storage written
    referrer = 'https://h5.example.com/list';
    const again = land(`/b?${q({ tutti_sharer: OTHER, tutti_depth: '1' })}`);
    expect(again.getCampaign().last).toEqual({ source: 'wechat', medium: 'miniprogram', sharer: SHARER, shareDepth: '4' });
    expect(location.search).toBe('');
  });

  it('removes tutti_sharer and tutti_depth from the address bar (replaced, not pushed), keeping the rest', () => {
    const before = history.length;
    land(`/article?id=7&${q({ tutti_sharer: SHARER, tutti_depth: '2', utm_source: 'x' })}#top`);
    expect(location.href).toBe('https://h5.example.com/article?id=7&utm_source=x#top');
    expect(history.length).toBe(before);
  });

  it('in WeChat on iOS leaves them in the address bar (the JS-SDK checks wx.config against the URL the page was opened with), and still credits the sharer', () => {
    ua = UA.wechatIos;
    const url = `/article?id=7&${q({ tutti_sharer: SHARER, tutti_depth: '2' })}`;
    const t = land(url);
    expect(location.pathname + location.search).toBe(url);
    expect(t.getCampaign().last).toEqual({ source: 'wechat', medium: 'share', sharer: SHARER, shareDepth: '2' });
    // The onward link replaces them with this visitor's.
    t.setConsent('granted');
    const next = new URL(t.shareUrl());
    expect(next.searchParams.get('tutti_sharer')).toBe(t.getAnonymousId());
    expect(next.searchParams.get('tutti_depth')).toBe('3');
    expect(next.searchParams.getAll('tutti_sharer')).toHaveLength(1);
  });

  it('ignores a sharer that is no UUID or is this visitor (and still removes the parameters)', () => {
    for (const bad of ['<img src=x onerror=alert(1)>', SHARER + '-x', 'member-1', '']) {
      wipe();
      const t = land(`/a?${q({ tutti_sharer: bad, tutti_depth: '2' })}`);
      expect(t.getCampaign().last).toEqual(DIRECT);
      expect(location.search).toBe('');
    }
    wipe();
    const me = land('/a').getAnonymousId();
    const t = land(`/b?${q({ tutti_sharer: me, tutti_depth: '5' })}`);
    expect(t.getAnonymousId()).toBe(me);
    expect(t.getCampaign().last).toEqual(DIRECT);
    expect(location.search).toBe('');
  });

  it('a depth outside 1..999 or not a number counts as 1, as in the mini-program', () => {
    for (const depth of ['0', '10000', 'abc', '-3']) {
      wipe();
      expect(land(`/a?${q({ tutti_sharer: SHARER, tutti_depth: depth })}`).getCampaign().last).toMatchObject({ sharer: SHARER, shareDepth: '1' });
    }
    wipe();
    expect(land(`/a?${q({ tutti_sharer: SHARER })}`).getCampaign().last).toMatchObject({ shareDepth: '1' });
    wipe();
    expect(land(`/a?${q({ tutti_sharer: SHARER, tutti_depth: '999' })}`).getCampaign().last).toMatchObject({ shareDepth: '999' });
  });
});

describe('shareUrl', () => {
  const params = (url: string) => Object.fromEntries(new URL(url, 'https://h5.example.com').searchParams);

  it('adds this visitor’s ID and depth 1 to location.href by default (no share landing)', () => {
    const t = land('/article?id=7#top');
    const url = t.shareUrl();
    expect(url).toBe(`https://h5.example.com/article?id=7&tutti_sharer=${t.getAnonymousId()}&tutti_depth=1#top`);
  });

  it('depth + 1 after landing from a share; replaces existing share parameters; never adds or keeps handoff parameters', () => {
    const t = land(`/a?${q({ tutti_sharer: SHARER, tutti_depth: '2' })}`);
    const me = t.getAnonymousId();
    expect(params(t.shareUrl())).toEqual({ tutti_sharer: me, tutti_depth: '3' });
    const given = `https://h5.example.com/p?${q({ x: '1', tutti_sharer: OTHER, tutti_depth: '9', tutti_aid: OTHER, tutti_uid: 'u1', tutti_ts: '1' })}`;
    expect(params(t.shareUrl(given))).toEqual({ x: '1', tutti_sharer: me, tutti_depth: '3' });
    expect(t.shareUrl('/relative/path')).toBe(`/relative/path?tutti_sharer=${me}&tutti_depth=3`);
  });

  it('unchanged unless consent is granted (and before init)', () => {
    const u = 'https://h5.example.com/p?x=1';
    expect(createTutti().shareUrl(u)).toBe(u);
    const pending = land('/a', { consent: 'pending' });
    expect(pending.shareUrl(u)).toBe(u);
    expect(land('/a', { consent: 'denied' }).shareUrl(u)).toBe(u);
    pending.setConsent('granted');
    expect(params(pending.shareUrl(u))).toMatchObject({ x: '1', tutti_depth: '1' });
  });

  it('never throws: bad input is returned as given, with a debug warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const t = land('/a', { debug: true });
    for (const bad of [null, 42, {}, [], '', () => 1]) {
      expect(() => (t as any).shareUrl(bad)).not.toThrow();
      expect((t as any).shareUrl(bad)).toBe(bad);
    }
    expect(warn.mock.calls.some((c) => c.some((a) => typeof a === 'string' && a.includes('shareUrl')))).toBe(true);
  });
});
