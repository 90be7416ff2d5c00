// Cross-tab coordination (SPEC §8: tabs of one site never send the same event twice).
// Every tab holds a Web Lock named after itself for its whole life; the browser drops
// it when the tab dies, so `locks.query()` is an exact list of live tabs, with no
// heartbeat to go stale in a throttled background tab. Without Web Locks (old
// browsers, some embedded web-views) a heartbeat lease per tab in localStorage and a
// localStorage mutex do the same job, less precisely.
import type { Tabs } from '../../../src/platform';
import { listen, win } from './dom';
import { lsGet, lsKeys, lsRemove, lsSet } from './local-storage';

const LOCK = 'tutti-tab-';
const LEASE = 'tutti_tab_';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const tabId = (): string => Date.now().toString(36) + Math.random().toString(36).slice(2, 10);

/**
 * Holds a tab's presence while the page lives. A held lock (or live lease) keeps a page
 * out of the back/forward cache, so it is given up on pagehide and taken again when
 * the page is restored.
 */
function whilePageLives(take: () => void, give: () => void): void {
  take();
  const w = win();
  if (!w) return;
  listen(w, 'pagehide', give);
  listen(w, 'pageshow', (e) => (e as PageTransitionEvent).persisted && take());
}

/** Serialises the sections of one name inside this tab. */
function localChain() {
  const tails: Record<string, Promise<unknown>> = {};
  return <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const run = (tails[name] || Promise.resolve()).then(fn, fn);
    tails[name] = run.catch(() => undefined);
    return run;
  };
}

export function lockTabs(locks: LockManager, id = tabId()): Tabs {
  let release: (() => void) | undefined;
  const local = localChain();
  whilePageLives(
    () => {
      if (release) return;
      // The promise exists before the lock is granted, so a pagehide that comes first still releases it.
      const held = new Promise<void>((r) => (release = r));
      locks.request(LOCK + id, () => held).catch(() => undefined);
    },
    () => {
      if (release) release();
      release = undefined;
    },
  );
  return {
    id,
    async alive() {
      const ids = [id];
      try {
        const state = await locks.query();
        for (const l of (state.held || []).concat(state.pending || [])) {
          const other = String(l.name).slice(LOCK.length);
          if (String(l.name).indexOf(LOCK) === 0 && ids.indexOf(other) < 0) ids.push(other);
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

export interface LeaseTiming {
  /** Heartbeat period, ms. */
  beat: number;
  /** A lease older than this is a dead tab, ms. */
  stale: number;
  /** A mutex not renewed for this long is abandoned, ms. */
  lockTtl: number;
}

export function leaseTabs(id = tabId(), t: LeaseTiming = { beat: 2000, stale: 10000, lockTtl: 5000 }): Tabs {
  let timer: ReturnType<typeof setInterval> | undefined;
  const lease = LEASE + id;
  const beat = () => lsSet(lease, String(Date.now()));
  const local = localChain();
  whilePageLives(
    () => {
      beat();
      timer = timer || setInterval(beat, t.beat);
    },
    () => {
      clearInterval(timer);
      timer = undefined;
      lsRemove(lease);
    },
  );

  /** Holds `tutti_lock_<name>` = "<tab id>:<expiry>" while fn runs. */
  async function mutex<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const key = 'tutti_lock_' + name;
    const mine = () => String(lsGet(key)).split(':')[0] === id;
    const claim = () => lsSet(key, id + ':' + (Date.now() + t.lockTtl));
    for (;;) {
      const current = lsGet(key);
      if (current === undefined) break; // localStorage unreadable: no other tab to coordinate with
      if (!current || Number(current.split(':')[1]) < Date.now() || mine()) {
        if (!claim()) break;
        // Two tabs may claim at once: the later write wins, the earlier one notices here.
        await sleep(25);
        if (mine()) break;
      }
      await sleep(40 + Math.random() * 60);
    }
    const renew = setInterval(() => mine() && claim(), t.lockTtl / 3);
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      if (mine()) lsRemove(key);
    }
  }

  return {
    id,
    async alive() {
      const ids = [id];
      for (const k of lsKeys(LEASE)) {
        const other = k.slice(LEASE.length);
        if (other === id) continue;
        if (Date.now() - Number(lsGet(k)) < t.stale) ids.push(other);
        else lsRemove(k); // a dead tab's lease
      }
      return ids;
    },
    exclusive: (name, fn) => local(name, () => mutex(name, fn)),
  };
}

/** Web Locks where available, else localStorage leases. */
export function webTabs(): Tabs {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks && typeof locks.request === 'function' ? lockTabs(locks) : leaseTabs();
}
