// Entry decoding (QR `q`, wxacode `scene`), the scene → medium table and the share
// rewrite that must keep the host's return value intact.
import { describe, expect, it } from 'vitest';
import { entryParams, isReturnScene, sceneCampaign, sceneMedium, shareOrigin } from '../../adapters/miniprogram/scene';
import { rewriteShare } from '../../adapters/miniprogram/share';

const AID = '6f1c1a52-3c2e-4b7a-9f0e-1d2c3b4a5f60';
const params = { tutti_sharer: AID, tutti_depth: '1' };
const view = { route: 'pages/item/item', query: { id: '42' } };

describe('entry parameters', () => {
  it('decodes the QR-code URL in `q` and keeps its UTM and click IDs', () => {
    const url = 'https://brand.example/qr?utm_source=poster&utm_medium=offline&utm_campaign=spring%20sale&gdt_vid=abc';
    const p = entryParams({ q: encodeURIComponent(url), shop: '7' });
    expect(p).toEqual({ shop: '7', utm_source: 'poster', utm_medium: 'offline', utm_campaign: 'spring sale', gdt_vid: 'abc' });
  });

  it('decodes the wxacode `scene` string a=b&c=d', () => {
    const p = entryParams({ scene: encodeURIComponent('utm_source=store&utm_medium=qrcode&sku=9') });
    expect(p).toEqual({ utm_source: 'store', utm_medium: 'qrcode', sku: '9' });
  });

  it('ignores a bare wxacode scene id and lets parameters on the path win over decoded ones', () => {
    expect(entryParams({ scene: '12345' })).toEqual({});
    const p = entryParams({ utm_source: 'path', q: encodeURIComponent('https://x.example/?utm_source=qr&utm_medium=m') });
    expect(p).toEqual({ utm_source: 'path', utm_medium: 'm' });
  });

  it('survives malformed encodings and missing queries', () => {
    expect(entryParams(undefined)).toEqual({});
    expect(entryParams({ q: '%E0%A4%A', a: '1' })).toEqual({ a: '1' });
  });
});

describe('scene table', () => {
  it.each([
    [1001, 'discover'],
    [1007, 'share'],
    [1008, 'share'],
    [1011, 'qrcode'],
    [1047, 'qrcode'],
    [1049, 'qrcode'],
    [1035, 'official_account'],
    [1043, 'official_account'],
    [1058, 'article'],
    [1082, 'article'],
    [1037, 'miniprogram'],
    [1038, 'miniprogram'],
    [1053, 'search'],
    [1065, 'url_scheme'],
    [1167, 'h5_link'],
    [1045, 'cpc'],
    [1095, 'cpc'],
    [1089, 'recent'],
    [4242, 'other'],
  ])('scene %i → medium %s', (scene, medium) => {
    expect(sceneMedium(scene)).toBe(medium);
    expect(sceneCampaign(scene)).toEqual({ source: 'wechat', medium });
  });

  it('knows which scenes are the user coming back on their own', () => {
    expect([1089, 1001, 1038, 1023, 1131].every(isReturnScene)).toBe(true);
    expect([1007, 1047, 1045, 1058, 1037].some(isReturnScene)).toBe(false);
  });
});

describe('share origin', () => {
  it('reads sharer and depth, and refuses a sharer that is not an anonymous ID', () => {
    expect(shareOrigin({ tutti_sharer: AID, tutti_depth: '3' })).toEqual({ sharer: AID, shareDepth: 3 });
    expect(shareOrigin({ tutti_sharer: AID })).toEqual({ sharer: AID, shareDepth: 1 });
    expect(shareOrigin({ tutti_sharer: '<script>', tutti_depth: '2' })).toBeUndefined();
    expect(shareOrigin({ tutti_aid: AID })).toBeUndefined();
  });
});

describe('share rewrite', () => {
  it('adds the sharer to the path and keeps every other field', () => {
    const host = { title: 'Look', path: '/pages/item/item?id=42', imageUrl: 'https://img.example/a.png' };
    const out = rewriteShare('app_message', host, view, params) as typeof host;
    expect(out).toEqual({ ...host, path: `/pages/item/item?id=42&tutti_sharer=${AID}&tutti_depth=1` });
    // The host's own object is not mutated (it may be a constant reused on every share).
    expect(host.path).toBe('/pages/item/item?id=42');
  });

  it('replaces a forwarded sharer instead of stacking a second one', () => {
    const out = rewriteShare('app_message', { path: `/p?tutti_sharer=${'a'.repeat(8)}&tutti_depth=1&x=1` }, view, { ...params, tutti_depth: '2' }) as { path: string };
    expect(out.path).toBe(`/p?x=1&tutti_sharer=${AID}&tutti_depth=2`);
  });

  it('gives WeChat’s default (current page and its query) a sharer when the host returns nothing', () => {
    expect(rewriteShare('app_message', undefined, view, params)).toEqual({ path: `/pages/item/item?id=42&tutti_sharer=${AID}&tutti_depth=1` });
  });

  it('rewrites the resolved value of WeChat’s `promise` field and keeps the synchronous part', async () => {
    const host = { title: 'Now', path: '/pages/item/item?id=1', promise: Promise.resolve({ title: 'Later', path: '/pages/item/item?id=2' }) };
    const out = rewriteShare('app_message', host, view, params) as typeof host;
    expect(out.title).toBe('Now');
    expect(out.path).toContain('id=1&tutti_sharer=');
    expect(await out.promise).toEqual({ title: 'Later', path: `/pages/item/item?id=2&tutti_sharer=${AID}&tutti_depth=1` });
  });

  it('keeps the promise form of an async handler', async () => {
    const out = rewriteShare('app_message', Promise.resolve({ title: 'Async', path: '/a' }), view, params);
    expect(out).toBeInstanceOf(Promise);
    expect(await out).toEqual({ title: 'Async', path: `/a?tutti_sharer=${AID}&tutti_depth=1` });
    await expect(rewriteShare('app_message', Promise.reject(new Error('host')), view, params)).rejects.toThrow('host');
  });

  it('adds the sharer to the timeline query string', () => {
    expect(rewriteShare('timeline', { title: 'T', query: 'id=42' }, view, params)).toEqual({ title: 'T', query: `id=42&tutti_sharer=${AID}&tutti_depth=1` });
    expect(rewriteShare('timeline', undefined, view, params)).toEqual({ query: `id=42&tutti_sharer=${AID}&tutti_depth=1` });
  });
});
