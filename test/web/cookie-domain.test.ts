// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://shop.example.co.uk/cart"}
import { describe, expect, it, vi } from 'vitest';
import { resolveCookieDomain } from '../../adapters/web/lib/cookie-domain';
import { readCookie, writeCookie } from '../../adapters/web/lib/cookie';
import { recordFetch } from './helpers';

describe('cookie domain', () => {
  it("'auto' finds the registrable domain below a public suffix (co.uk refuses cookies)", () => {
    expect(resolveCookieDomain('auto', 'shop.example.co.uk')).toBe('example.co.uk');
    // the probe cookie is cleaned up
    expect(readCookie('tutti_probe')).toBeNull();
  });

  it('a cookie written on the found domain is visible to the page (so subdomains share it)', () => {
    writeCookie('tutti_aid', 'abc', resolveCookieDomain('auto', 'shop.example.co.uk'), 60);
    expect(readCookie('tutti_aid')).toBe('abc');
    writeCookie('tutti_aid', '', 'example.co.uk', 0);
    expect(readCookie('tutti_aid')).toBeNull();
  });

  it('is memoised per host: the second call writes no probe cookie', () => {
    resolveCookieDomain('auto', 'shop.example.co.uk');
    const desc = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!;
    const writes = vi.fn();
    Object.defineProperty(document, 'cookie', {
      configurable: true,
      get: () => desc.get!.call(document),
      set: (v) => (writes(v), desc.set!.call(document, v)),
    });
    try {
      expect(resolveCookieDomain('auto', 'shop.example.co.uk')).toBe('example.co.uk');
      expect(writes).not.toHaveBeenCalled();
    } finally {
      delete (document as unknown as Record<string, unknown>).cookie;
    }
  });

  it('uses an explicit domain as given and host-only cookies for IPs, localhost and empty options', () => {
    expect(resolveCookieDomain('.example.co.uk', 'shop.example.co.uk')).toBe('.example.co.uk');
    expect(resolveCookieDomain('auto', 'localhost')).toBe('');
    expect(resolveCookieDomain('auto', '127.0.0.1')).toBe('');
    expect(resolveCookieDomain('', 'shop.example.co.uk')).toBe('');
  });

  it('finds nothing (host-only) when the page cannot set cookies on any candidate', () => {
    // another host than the page's: every domain attribute is refused by the browser
    expect(resolveCookieDomain('auto', 'www.other-site.com')).toBe('');
  });

  it('writes Secure on https and SameSite=Lax with a two-year lifetime', () => {
    const desc = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!;
    let written = '';
    Object.defineProperty(document, 'cookie', { configurable: true, get: () => desc.get!.call(document), set: (v) => (written = v) });
    try {
      writeCookie('tutti_aid', 'x', 'example.co.uk', 63072000);
    } finally {
      delete (document as unknown as Record<string, unknown>).cookie;
    }
    expect(written).toMatch(/^tutti_aid=x; Max-Age=63072000; Path=\/; SameSite=Lax; Domain=example.co.uk; Secure$/);
  });

  it("cookieDomain: '' keeps the anonymous ID's cookie on this host only (no Domain attribute); left out, it is 'auto'", async () => {
    recordFetch();
    const { createTutti } = await import('../../adapters/web/index');
    const desc = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!;
    const written: string[] = [];
    Object.defineProperty(document, 'cookie', {
      configurable: true,
      get: () => desc.get!.call(document),
      set: (v) => (written.push(v), desc.set!.call(document, v)),
    });
    const aidCookies = (domain: string | undefined) => {
      written.length = 0;
      document.cookie = 'tutti_aid=; Max-Age=0; Path=/; Domain=example.co.uk';
      document.cookie = 'tutti_aid=; Max-Age=0; Path=/';
      localStorage.clear();
      written.length = 0;
      const t = createTutti({ writeKey: 'wk-' + domain, endpoint: 'https://c.example.com', autoPageview: false, webVitals: false, cookieDomain: domain });
      t.track('Seen');
      const o = (t as unknown as { options?: { cookieDomain: string } }).options;
      return { option: o && o.cookieDomain, cookies: written.filter((c) => c.startsWith('tutti_aid=' + t.getAnonymousId())) };
    };
    try {
      const hostOnly = aidCookies('');
      expect(hostOnly.cookies.length).toBeGreaterThan(0);
      for (const c of hostOnly.cookies) expect(c).not.toMatch(/Domain=/);
      expect(hostOnly.option).toBe('');
      const auto = aidCookies(undefined);
      expect(auto.option).toBe('auto');
      expect(auto.cookies.length).toBeGreaterThan(0);
      for (const c of auto.cookies) expect(c).toMatch(/; Domain=example\.co\.uk/);
    } finally {
      delete (document as unknown as Record<string, unknown>).cookie;
    }
  });
});
