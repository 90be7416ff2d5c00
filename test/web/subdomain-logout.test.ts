// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://b.example.com/"}
// Two subdomains of one site (a.example.com, b.example.com) share the anonymous ID's cookie
// on example.com but each keeps its own localStorage, where the user (userId, traits,
// external IDs) lives. A reset() on one of them (sign-out) must sign the user out on the
// other too: before, b's next load took the new anonymous ID from the cookie and sent the
// new visitor's events with the old userId and traits.
//
// One jsdom page plays both origins: `open(site)` swaps in that origin's own localStorage,
// while the cookie jar (cookieDomain 'auto' = example.com) stays shared, as in a browser.
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWebTutti } from '../../adapters/web/lib/create';
import { createH5Tutti } from '../../adapters/h5/create';
import type { CoreTutti } from '../../src/core';
import { readCookie, writeCookie } from '../../adapters/web/lib/cookie';
import { recordFetch, sleep } from './helpers';

const rec = recordFetch();
afterAll(() => vi.unstubAllGlobals());

const OPTIONS = { writeKey: 'wk', endpoint: 'https://c.example.com', webVitals: false, autoPageview: false, flushInterval: 60000 };
const X = '11111111-1111-4111-8111-111111111111';

type Site = 'a' | 'b';
let origins: Record<Site, Record<string, string>>;
let here: Site | undefined;

const clearCookie = () => {
  writeCookie('tutti_aid', '', 'example.com', 0);
  writeCookie('tutti_aid', '', '', 0);
};

beforeEach(() => {
  origins = { a: {}, b: {} };
  here = undefined;
  localStorage.clear();
  clearCookie();
  rec.posted.length = 0;
});

/** This task's localStorage writes land at its end: let them, before the origin changes. */
const settle = () => sleep(0);

async function switchTo(site: Site): Promise<void> {
  await settle();
  if (here) origins[here] = Object.fromEntries(Object.keys(localStorage).map((k) => [k, localStorage.getItem(k) as string]));
  localStorage.clear();
  for (const [k, v] of Object.entries(origins[site])) localStorage.setItem(k, v);
  here = site;
}

/** Sent events named `name` (track) or of type identify. */
const sent = (name: string) => rec.events().filter((e) => e.event === name);

describe.each([
  ['web', () => createWebTutti()],
  ['h5', () => createH5Tutti()],
])('sign-out on another subdomain (%s)', (_name, create: () => CoreTutti) => {
  /** Loads a page of `site`: a new SDK instance on that origin's storage. */
  async function open(site: Site): Promise<CoreTutti> {
    await switchTo(site);
    return create().init(OPTIONS) as CoreTutti;
  }

  it("a reset() on a.example.com signs the user out of b.example.com's next load: no old userId, traits or external IDs", async () => {
    const b = await open('b');
    b.identify('u1', { plan: 'pro' });
    b.setExternalId('phone_sha256', 'abc');
    b.track('Before');
    await b.flush();
    const before = sent('Before')[0];
    expect(before.userId).toBe('u1');

    const a = await open('a');
    expect(a.getAnonymousId()).toBe(b.getAnonymousId()); // one visitor across the site
    a.identify('u1');
    a.reset();
    const fresh = a.getAnonymousId();
    expect(fresh).not.toBe(before.anonymousId);

    const b2 = await open('b');
    expect(b2.getAnonymousId()).toBe(fresh); // the cookie still wins
    expect(b2.getUserId()).toBeNull();
    b2.track('After');
    b2.identify({ newcomer: true });
    await b2.flush();
    const after = sent('After')[0];
    expect(after.anonymousId).toBe(fresh);
    expect(after.userId).toBeNull();
    expect(after.context.externalIds).toBeUndefined();
    // A new person, so a new session, as reset() starts one.
    expect(after.context.session!.id).not.toBe(before.context.session!.id);
    const identify = rec.events().filter((e) => e.type === 'identify').pop()!;
    expect(identify.anonymousId).toBe(fresh);
    expect(identify.traits).toEqual({ newcomer: true });

    // And it stays signed out on the loads after that.
    const b3 = await open('b');
    expect(b3.getUserId()).toBeNull();
    expect(b3.getAnonymousId()).toBe(fresh);
  });

  it('a cookie the user cleared is restored from the localStorage mirror: no sign-out', async () => {
    const b = await open('b');
    b.identify('u1', { plan: 'pro' });
    const id = b.getAnonymousId();
    await settle();
    clearCookie();
    expect(readCookie('tutti_aid')).toBeNull();
    const b2 = await open('b');
    expect(b2.getAnonymousId()).toBe(id);
    expect(b2.getUserId()).toBe('u1');
    b2.track('Back');
    await b2.flush();
    expect(sent('Back')[0]).toMatchObject({ anonymousId: id, userId: 'u1' });
    expect(readCookie('tutti_aid')).toBe(id);
  });

  it('identify() and reloads on either subdomain without a reset keep the user everywhere', async () => {
    const b = await open('b');
    b.identify('u1', { plan: 'pro' });
    const id = b.getAnonymousId();
    const a = await open('a');
    a.identify('u1', { seen: 'a' });
    a.track('On A');
    const b2 = await open('b');
    b2.identify('u1');
    const b3 = await open('b');
    expect(b3.getAnonymousId()).toBe(id);
    expect(b3.getUserId()).toBe('u1');
    b3.track('Still');
    await b3.flush();
    expect(sent('Still')[0]).toMatchObject({ anonymousId: id, userId: 'u1' });
    const a2 = await open('a');
    expect(a2.getUserId()).toBe('u1');
  });

  it('a handoff adopted on this subdomain keeps the user on the next loads (the user moves to the new ID)', async () => {
    const b = await open('b');
    b.identify('u1');
    await switchTo('b');
    history.replaceState(null, '', '/?tutti_aid=' + X + '&tutti_ts=' + Date.now());
    const b2 = create().init(OPTIONS) as CoreTutti;
    history.replaceState(null, '', '/');
    expect(b2.getAnonymousId()).toBe(X);
    expect(b2.getUserId()).toBe('u1');
    const b3 = await open('b');
    expect(b3.getAnonymousId()).toBe(X);
    expect(b3.getUserId()).toBe('u1');
  });

  it('storage an earlier version wrote (a user, no record of its anonymous ID) keeps its user, and a later reset elsewhere still signs it out', async () => {
    origins.b = { tutti_aid: X, tutti_uid: 'u1', tutti_traits: '{"plan":"pro"}' };
    writeCookie('tutti_aid', X, 'example.com', 60);
    const b = await open('b');
    expect(b.getAnonymousId()).toBe(X);
    expect(b.getUserId()).toBe('u1');

    const a = await open('a');
    expect(a.getAnonymousId()).toBe(X);
    a.reset();

    const b2 = await open('b');
    expect(b2.getAnonymousId()).toBe(a.getAnonymousId());
    expect(b2.getUserId()).toBeNull();
  });
});
