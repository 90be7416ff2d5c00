// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://h5.example.com/"}
// The page's shared instance made by a web copy (tutti.min.js or the `tutti` entry) before
// the H5 copy runs: the H5 copy joins it and gives it shareUrl(), so the documented
// `tutti.shareUrl()` never throws a TypeError into the page's JS-SDK callback.
import { describe, expect, it } from 'vitest';

describe('H5 joining a web copy’s instance', () => {
  it('the joined instance has a working shareUrl()', async () => {
    const web = (await import('../../adapters/web/index')).default;
    const h5 = (await import('../../adapters/h5/index')).default;
    expect(h5).toBe(web);
    web.init({ writeKey: 'wk', endpoint: 'https://collect.example.com', webVitals: false, autoPageview: false });
    const link = new URL(h5.shareUrl('https://h5.example.com/a?x=1'));
    expect(link.searchParams.get('tutti_sharer')).toBe(web.getAnonymousId());
    expect(link.searchParams.get('tutti_depth')).toBe('1');
    expect(link.searchParams.get('x')).toBe('1');
  });
});
