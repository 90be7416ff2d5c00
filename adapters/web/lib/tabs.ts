// Cross-tab coordination (SPEC §8: tabs of one site never send the same event twice).
// Every tab holds a Web Lock named after itself for its whole life; the browser drops
// it when the tab dies, so `locks.query()` is an exact list of live tabs, with no
// heartbeat to go stale in a throttled background tab. Without Web Locks (old
// browsers, some embedded web-views) the same protocol runs on locks kept in
// localStorage (`storageLocks`), less precisely.
import type { Tabs } from '../../../src/platform';
import { attempt, listen } from './dom';
import { lsGet, lsRemove, lsSet } from './local-storage';

const LOCK = 'tutti-tab-';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const tabId = (): string => Date.now().toString(36) + Math.random().toString(36).slice(2, 10);

/** Serialises the sections of one name inside this tab. */
function localChain() {
  const tails: Record<string, Promise<unknown>> = {};
  return <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const run = (tails[name] || Promise.resolve()).then(fn, fn);
    tails[name] = run.catch(() => undefined);
    return run;
  };
}

/** The part of the Web Locks API the tabs use. */
type Locks = Pick<LockManager, 'request' | 'query'>;

/** In a page only (webTabs() is used only there). */
export function lockTabs(locks: Locks, id: string): Tabs {
  let release: (() => void) | undefined;
  const local = localChain();
  const take = () => {
    if (release) return;
    // The promise exists before the lock is granted, so a pagehide that comes first still releases it.
    const held = new Promise<void>((r) => (release = r));
    locks.request(LOCK + id, () => held).catch(() => undefined);
  };
  take();
  // A held lock keeps a page out of the back/forward cache: it is given up on pagehide
  // and taken again when the page is restored.
  listen(window, 'pagehide', () => {
    if (release) release();
    release = undefined;
  });
  listen(window, 'pageshow', (e) => (e as PageTransitionEvent).persisted && take());
  return {
    id,
    async alive() {
      const ids = [id];
      try {
        const state = await locks.query();
        for (const l of (state.held || []).concat(state.pending || [])) {
          const name = String(l.name);
          const other = name.slice(LOCK.length);
          if (name.indexOf(LOCK) === 0 && ids.indexOf(other) < 0) ids.push(other);
        }
      } catch {
        // cannot see other tabs: report only this one
      }
      return ids;
    },
    exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
      let ran = false;
      // Locks can be refused (opaque origins); then only this tab's own sections are serialised.
      return locks.request(name, () => ((ran = true), fn())).catch((e) => (ran ? Promise.reject(e) : local(name, fn))) as Promise<T>;
    },
  };
}

const KEY = 'tutti_lock_';

/**
 * Web Locks on localStorage, for browsers without them: a held lock is the key
 * `tutti_lock_<name>` = "<tab id>:<expiry>", renewed every ttl/5 while held, so a
 * lock not renewed for `ttl` ms belongs to a dead tab and is free.
 */
export function storageLocks(id: string, ttl = 10000): Locks {
  const local = localChain();
  const expiry = (value: string | null | undefined) => Number(String(value).split(':')[1]);

  return {
    // Sections of this tab queue here first: its own claim would not keep them apart.
    request: ((name: string, fn: () => Promise<unknown>) =>
      local(name, async () => {
        const key = KEY + name;
        const mine = () => String(lsGet(key)).split(':')[0] === id;
        const claim = () => lsSet(key, id + ':' + (Date.now() + ttl));
        for (;;) {
          const current = lsGet(key);
          if (current === undefined) break; // localStorage unreadable: no other tab to coordinate with
          if (!current || expiry(current) < Date.now() || mine()) {
            if (!claim()) break;
            // Two tabs may claim at once: the later write wins, the earlier one notices here.
            await sleep(25);
            if (mine()) break;
          }
          await sleep(40 + Math.random() * 60);
        }
        // A lock removed meanwhile is taken again: a tab whose renewals were held back (frozen,
        // throttled in the background) and was taken for dead must be seen alive once it runs.
        const renew = setInterval(() => (mine() || !lsGet(key)) && claim(), ttl / 5);
        try {
          return await fn();
        } finally {
          clearInterval(renew);
          if (mine()) lsRemove(key);
        }
      })) as Locks['request'],
    /** The tabs' presence locks only: those of dead tabs are removed here (other locks only by their holder). */
    async query() {
      const held: LockInfo[] = [];
      // Storage lists its keys as own properties; none when localStorage is unreadable.
      for (const k of attempt(() => Object.keys(localStorage).filter((k) => k.indexOf(KEY + LOCK) === 0), [])) {
        if (expiry(lsGet(k)) > Date.now()) held.push({ name: k.slice(KEY.length) });
        else lsRemove(k);
      }
      return { held };
    },
  };
}

/** Web Locks where available, else locks in localStorage (in a page only). */
export function webTabs(): Tabs {
  const locks = navigator.locks;
  const id = tabId();
  return lockTabs(locks && typeof locks.request === 'function' ? locks : storageLocks(id), id);
}
