// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://www.example.com/landing?utm_source=mp&tutti_aid=11111111-1111-4111-8111-111111111111&tutti_uid=u1&tutti_ts=1700000000000#top"}
import { describe, expect, it, vi } from 'vitest';
import { adoptHandoffFromUrl } from '../../adapters/web/lib/handoff';
import { decorateLinks } from '../../adapters/web/lib/links';
import { sleep } from './helpers';

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
    const taken: Record<string, string> = {}; // the URL as the browser takes it, when the click has been dispatched
    const prevent = (e: Event) => {
      e.preventDefault(); // jsdom would try to navigate
      const a = (e.target as Element).closest('a')!;
      taken[a.id] = a.href;
    };
    document.addEventListener('click', prevent);
    const click = (id: string) => document.getElementById(id)!.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
    const href = (id: string) => taken[id];
    expect((document.getElementById('shop') as HTMLAnchorElement).href).toBe('https://shop.partner.com/p?id=1'); // nothing in the DOM before a click
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

  it('the clicked link gets its own href back on the next task; the page\'s handlers still read the decorated one', async () => {
    // Protocol-relative, as written in the page: the attribute comes back exactly.
    document.body.innerHTML = '<a id="a" href="//shop.partner.com/x?id=1" target="_blank">go</a><a id="b" href="https://partner.com/p">go</a>';
    const a = document.getElementById('a') as HTMLAnchorElement;
    const b = document.getElementById('b') as HTMLAnchorElement;
    const stop = decorateLinks(['partner.com'], linkUrl);
    const seen: string[] = [];
    const host = (e: Event) => {
      e.preventDefault(); // a SPA router or a confirm dialog cancelling the navigation
      seen.push((e.target as HTMLAnchorElement).href);
    };
    document.addEventListener('click', host);
    a.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
    // A second click before the restoring task (queued input on a busy page) decorates the original again.
    a.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
    expect(seen).toEqual(['https://shop.partner.com/x?id=1&tutti_aid=X', 'https://shop.partner.com/x?id=1&tutti_aid=X']);
    await sleep(0);
    expect(a.getAttribute('href')).toBe('//shop.partner.com/x?id=1');
    document.removeEventListener('click', host);

    // The page rewrote the href after ours: its value stays.
    const rewrite = (e: Event) => {
      e.preventDefault();
      b.href = 'https://partner.com/other';
    };
    document.addEventListener('click', rewrite);
    b.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
    await sleep(0);
    expect(b.href).toBe('https://partner.com/other');
    document.removeEventListener('click', rewrite);

    // A handler that clicks another link before the first one navigates: the first keeps its parameters for its navigation.
    b.href = 'https://partner.com/p';
    let navigatesTo = '';
    const nested = (e: Event) => {
      e.preventDefault();
      if (e.target !== a) return;
      b.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
      navigatesTo = a.href; // what the browser reads once this dispatch is over
    };
    document.addEventListener('click', nested);
    a.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
    expect(navigatesTo).toBe('https://shop.partner.com/x?id=1&tutti_aid=X');
    await sleep(0);
    expect(a.getAttribute('href')).toBe('//shop.partner.com/x?id=1');
    expect(b.getAttribute('href')).toBe('https://partner.com/p');
    stop();
    document.removeEventListener('click', nested);
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
