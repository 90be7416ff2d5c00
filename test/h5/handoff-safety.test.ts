// Handoff safety in a real browser (SPEC §6): parameters carry IDs only; malformed, too
// long, stale or future values are ignored; adopting the user ID can be switched off;
// and whatever happens, the parameters leave the address bar.
import { describe, expect, it } from 'vitest';
import { UA } from './user-agents';
import { flush, h5Html, phone, ready, sleep, useH5World, type BrowserContext } from './world';

const w = useH5World();
/** The context `land` opened last (useH5World closes it after each test in any case). */
let ctx: BrowserContext | undefined;

const HANDED_AID = '5f0c6a52-8a3e-4c1b-9d3f-2b7e4a9c1d00';
const MIN = 60000;

/** Opens `page` (a /t/ page name) with handoff params; returns what the SDK ended up with. */
async function land(pageName: string, handoff: Record<string, string>, attrs: Record<string, string> = {}) {
  const url = w.page(pageName, h5Html({ 'flush-interval': 100, ...attrs }));
  ctx = await w.browser.newContext(phone(UA.wechatAndroid));
  const page = await ctx.newPage();
  await page.goto(url + '?utm_source=wechat&' + new URLSearchParams(handoff).toString());
  const aid = await ready(page);
  const uid = await page.evaluate(() => (window as any).tutti.getUserId() as string | null);
  await flush(page);
  await sleep(100);
  return { page, aid, uid, search: await page.evaluate(() => location.search), errors: await page.evaluate(() => (window as any).__errors) };
}

function expectNotAdopted(r: Awaited<ReturnType<typeof land>>) {
  expect(r.aid).not.toBe(HANDED_AID);
  expect(r.aid).toMatch(/^[0-9a-f-]{36}$/);
  expect(r.uid).toBeNull();
  expect(r.search).toBe('?utm_source=wechat'); // stripped all the same
  expect(w.collector.events({ anonymousId: HANDED_AID })).toEqual([]);
  expect(w.collector.events({ type: 'alias' })).toEqual([]);
  expect(w.collector.events({ anonymousId: r.aid, type: 'page' }).length).toBe(1); // the page works on its own ID
  expect(r.errors).toEqual([]);
}

describe('handoff parameters that are refused', () => {
  it('stale: older than 2 minutes', async () => {
    expectNotAdopted(await land('stale.html', { tutti_aid: HANDED_AID, tutti_uid: 'member-1', tutti_ts: String(Date.now() - 2 * MIN - 5000) }));
  });

  it('from the future: beyond the tolerated clock skew', async () => {
    expectNotAdopted(await land('future.html', { tutti_aid: HANDED_AID, tutti_uid: 'member-1', tutti_ts: String(Date.now() + 5 * MIN) }));
  });

  it('without a timestamp, or with a garbled one', async () => {
    expectNotAdopted(await land('nots.html', { tutti_aid: HANDED_AID, tutti_uid: 'member-1' }));
    await ctx?.close();
    expectNotAdopted(await land('badts.html', { tutti_aid: HANDED_AID, tutti_ts: 'yesterday' }));
  });

  it('an anonymous ID that is not UUID-shaped (markup, a long string, a user ID in disguise)', async () => {
    for (const bad of ['<img src=x onerror=alert(1)>', HANDED_AID + '-and-more', 'a'.repeat(300), 'member-1']) {
      const r = await land('badaid.html', { tutti_aid: bad, tutti_uid: 'member-1', tutti_ts: String(Date.now()) });
      expectNotAdopted(r);
      expect(w.collector.events({ anonymousId: bad })).toEqual([]);
      await ctx?.close();
      w.collector.reset();
    }
  });

  it('acceptHandoff: false adopts nothing', async () => {
    const r = await land('off.html', { tutti_aid: HANDED_AID, tutti_uid: 'member-1', tutti_ts: String(Date.now()) }, { 'accept-handoff': 'false' });
    expect(r.aid).not.toBe(HANDED_AID);
    expect(r.uid).toBeNull();
    expect(w.collector.events({ anonymousId: HANDED_AID })).toEqual([]);
    // not adopted, but still taken out of the address bar so a shared link does not carry them
    expect(r.search).toBe('?utm_source=wechat');
  });
});

describe('handoff parameters that are accepted in part', () => {
  it('a user ID that is too long (over 128 characters) is ignored; the anonymous ID is adopted', async () => {
    const r = await land('longuid.html', { tutti_aid: HANDED_AID, tutti_uid: 'u'.repeat(129), tutti_ts: String(Date.now()) });
    expect(r.aid).toBe(HANDED_AID);
    expect(r.uid).toBeNull();
    expect(r.search).toBe('?utm_source=wechat');
  });

  it('a placeholder user ID ("undefined", "null") is ignored', async () => {
    const r = await land('placeholder.html', { tutti_aid: HANDED_AID, tutti_uid: 'undefined', tutti_ts: String(Date.now()) });
    expect(r.aid).toBe(HANDED_AID);
    expect(r.uid).toBeNull();
  });

  it("acceptHandoff: 'anonymous' adopts the anonymous ID only, never the user ID", async () => {
    const r = await land('anon.html', { tutti_aid: HANDED_AID, tutti_uid: 'member-1', tutti_ts: String(Date.now()) }, { 'accept-handoff': 'anonymous' });
    expect(r.aid).toBe(HANDED_AID);
    expect(r.uid).toBeNull();
    expect(r.search).toBe('?utm_source=wechat');
    const pv = w.collector.events({ anonymousId: HANDED_AID, type: 'page' });
    expect(pv.length).toBe(1);
    expect(pv[0].userId).toBeNull();
    expect(w.collector.events({ userId: 'member-1' })).toEqual([]);
  });

  it('fresh and well-formed within the skew tolerance (the linking phone runs 30 s ahead): adopted in full', async () => {
    const r = await land('fresh.html', { tutti_aid: HANDED_AID, tutti_uid: 'member-1', tutti_ts: String(Date.now() + 30000) });
    expect(r.aid).toBe(HANDED_AID);
    expect(r.uid).toBe('member-1');
    expect(w.collector.events({ anonymousId: HANDED_AID, type: 'page' })[0].userId).toBe('member-1');
  });
});

describe('what a link carries', () => {
  it('linkUrl in an H5 page: tutti_aid, tutti_uid, tutti_ts and nothing of the traits or external IDs', async () => {
    ctx = await w.browser.newContext(phone(UA.alipay));
    const page = await ctx.newPage();
    await page.goto(w.page('link.html', h5Html({})));
    const aid = await ready(page);
    const url = await page.evaluate(() => {
      const t = (window as any).tutti;
      t.identify('member-9', { email: 'wang.fang@example.cn', phone: '13900000000', name: 'Wang Fang' });
      t.setExternalId('alipay_user_id', '2088000000000001');
      return t.linkUrl('https://shop.example.net/cart?x=1#top') as string;
    });
    const u = new URL(url);
    expect([...u.searchParams.keys()].sort()).toEqual(['tutti_aid', 'tutti_ts', 'tutti_uid', 'x']);
    expect(u.searchParams.get('tutti_aid')).toBe(aid);
    expect(u.searchParams.get('tutti_uid')).toBe('member-9');
    expect(Math.abs(Number(u.searchParams.get('tutti_ts')) - Date.now())).toBeLessThan(5000);
    expect(u.hash).toBe('#top');
    for (const secret of ['wang', '139', 'Fang', '2088']) expect(url).not.toContain(secret);
  });
});
