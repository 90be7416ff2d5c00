// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://www.example.com/landing?utm_source=mp&tutti_aid=11111111-1111-4111-8111-111111111111&tutti_uid=u1&tutti_ts=1700000000000#top"}
import { describe, expect, it, vi } from 'vitest';
import { adoptHandoffFromUrl } from '../../adapters/web/lib/handoff';
import { decorateLinks } from '../../adapters/web/lib/links';

describe('handoff adoption', () => {
  it('passes the parameters to the core and removes them from the address bar, keeping the rest', () => {
    const adopt = vi.fn(() => true);
    const before = history.length;
    expect(adoptHandoffFromUrl(adopt)).toBe(true);
    expect(adopt).toHaveBeenCalledWith(
      expect.objectContaining({ tutti_aid: '11111111-1111-4111-8111-111111111111', tutti_uid: 'u1', tutti_ts: '1700000000000', utm_source: 'mp' }),
    );
    expect(location.href).toBe('https://www.example.com/landing?utm_source=mp#top');
    expect(history.length).toBe(before); // replaced, not pushed
  });

  it('does nothing without handoff parameters', () => {
    const adopt = vi.fn();
    expect(adoptHandoffFromUrl(adopt)).toBe(false);
    expect(adopt).not.toHaveBeenCalled();
  });
});

describe('cross-domain link decoration', () => {
  const linkUrl = (u: string) => u + (u.indexOf('?') < 0 ? '?' : '&') + 'tutti_aid=X';

  it('decorates clicks on links to linkDomains (and their subdomains) only, at click time', () => {
    document.body.innerHTML = `
      <a id="shop" href="https://shop.partner.com/p?id=1"><span id="inner">go</span></a>
      <a id="root" href="https://partner.com/">go</a>
      <a id="other" href="https://elsewhere.com/">go</a>
      <a id="self" href="https://www.example.com/x">go</a>
      <a id="mail" href="mailto:a@partner.com">mail</a>`;
    const stop = decorateLinks(['partner.com'], linkUrl);
    const prevent = (e: Event) => e.preventDefault(); // jsdom would try to navigate
    document.addEventListener('click', prevent);
    const click = (id: string) => document.getElementById(id)!.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
    const href = (id: string) => (document.getElementById(id) as HTMLAnchorElement).href;
    expect(href('shop')).toBe('https://shop.partner.com/p?id=1'); // nothing in the DOM before a click
    click('inner');
    click('root');
    click('other');
    click('self');
    click('mail');
    expect(href('shop')).toBe('https://shop.partner.com/p?id=1&tutti_aid=X');
    expect(href('root')).toBe('https://partner.com/?tutti_aid=X');
    expect(href('other')).toBe('https://elsewhere.com/');
    expect(href('self')).toBe('https://www.example.com/x');
    expect(href('mail')).toBe('mailto:a@partner.com');
    stop();
    document.removeEventListener('click', prevent);
  });

  it('a throwing linkUrl never breaks the click', () => {
    document.body.innerHTML = '<a id="a" href="https://partner.com/">go</a>';
    const stop = decorateLinks(['partner.com'], () => {
      throw new Error('boom');
    });
    const ev = new MouseEvent('click', { bubbles: true, cancelable: true });
    document.addEventListener('click', (e) => e.preventDefault(), { once: true });
    expect(() => document.getElementById('a')!.dispatchEvent(ev)).not.toThrow();
    stop();
  });
});
