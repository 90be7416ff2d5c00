// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lockTabs, storageLocks } from '../../adapters/web/lib/tabs';
import { webLifecycle } from '../../adapters/web/lib/lifecycle';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Tabs on localStorage locks with a 100 ms lifetime (renewed every 20 ms). */
const leaseTabs = (id: string) => lockTabs(storageLocks(id, 100), id);

afterEach(() => {
  localStorage.clear();
  vi.restoreAllMocks();
});

describe('tabs on localStorage locks (no Web Locks)', () => {
  it('lists live tabs and drops a tab whose heartbeat stopped', async () => {
    const a = leaseTabs('a');
    const b = leaseTabs('b');
    await sleep(30); // locks are taken asynchronously, as Web Locks are (a claim is confirmed after 25 ms)
    expect((await a.alive()).sort()).toEqual(['a', 'b']);
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true })); // both give up their lock
    await sleep(0);
    expect(localStorage.getItem('tutti_lock_tutti-tab-a')).toBeNull();
    localStorage.setItem('tutti_lock_tutti-tab-b', 'b:' + (Date.now() - 1000)); // b's last renewal long ago
    localStorage.setItem('tutti_lock_tutti-tab-a', 'a:' + (Date.now() + 100));
    expect(await a.alive()).toEqual(['a']);
    expect(localStorage.getItem('tutti_lock_tutti-tab-b')).toBeNull(); // stale lock cleaned
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })); // restored from bfcache
    await sleep(0);
    expect((await b.alive()).sort()).toEqual(['a', 'b']);
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
  });

  it('a tab taken for dead while its timers were held back (a frozen or throttled background tab) is seen alive again once they run', async () => {
    // Ids of their own: tabs of the other tests may still be running.
    const a = leaseTabs('p');
    leaseTabs('q');
    const key = 'tutti_lock_tutti-tab-q';
    await sleep(100); // both hold their lock (renewed every 20 ms)
    // q missed its renewals (timers throttled): its lock looks expired, and p's query removes it.
    localStorage.setItem(key, 'q:' + (Date.now() - 1));
    expect(await a.alive()).not.toContain('q');
    // q's timers run again (up to a second on a busy machine)
    for (let i = 0; i < 100 && !localStorage.getItem(key); i++) await sleep(10);
    expect(await a.alive()).toContain('q');
    window.dispatchEvent(new PageTransitionEvent('pagehide'));
  });

  it('exclusive sections of one name never overlap across tabs', async () => {
    const a = leaseTabs('a');
    const b = leaseTabs('b');
    let running = 0;
    let overlap = false;
    const section = async () => {
      running++;
      if (running > 1) overlap = true;
      await sleep(15);
      running--;
    };
    await Promise.all([a.exclusive('x', section), b.exclusive('x', section), a.exclusive('x', section), b.exclusive('x', section)]);
    expect(overlap).toBe(false);
    expect(localStorage.getItem('tutti_lock_x')).toBeNull();
    window.dispatchEvent(new PageTransitionEvent('pagehide'));
  });

  it('takes over a mutex abandoned by a crashed tab once it expires', async () => {
    const a = leaseTabs('a');
    localStorage.setItem('tutti_lock_x', 'dead:' + (Date.now() + 100));
    const started = Date.now();
    expect(await a.exclusive('x', async () => 'ran')).toBe('ran');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    window.dispatchEvent(new PageTransitionEvent('pagehide'));
  });

  it('exclusive returns fn result and propagates its errors without leaving the lock held', async () => {
    const a = leaseTabs('a');
    await expect(a.exclusive('y', async () => Promise.reject(new Error('inner')))).rejects.toThrow('inner');
    expect(localStorage.getItem('tutti_lock_y')).toBeNull();
    window.dispatchEvent(new PageTransitionEvent('pagehide'));
  });
});

/** A LockManager over a shared in-memory table, enough for the tab protocol. */
function fakeLocks() {
  const held = new Map<string, Promise<unknown>>();
  const manager = {
    request(name: string, fn: () => Promise<unknown>) {
      const prev = held.get(name) || Promise.resolve();
      let entry: { name: string };
      const run = prev.then(() => {
        entry = { name };
        state.held.push(entry);
        return fn();
      });
      const done = run.finally(() => state.held.splice(state.held.indexOf(entry), 1));
      held.set(name, done.catch(() => undefined));
      return done;
    },
    query: async () => ({ held: state.held.slice(), pending: [] }),
  };
  const state = { held: [] as Array<{ name: string }> };
  return manager as unknown as LockManager;
}

describe('Web Lock tabs', () => {
  it('each tab holds tutti-tab-<id>; alive() lists the holders; pagehide releases (bfcache) and pageshow re-takes', async () => {
    const locks = fakeLocks();
    const a = lockTabs(locks, 'a');
    const b = lockTabs(locks, 'b');
    await sleep(0);
    expect((await a.alive()).sort()).toEqual(['a', 'b']);
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    await sleep(0);
    expect(await a.alive()).toEqual(['a']); // a reports itself even without its lock
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    await sleep(0);
    expect((await b.alive()).sort()).toEqual(['a', 'b']);
    window.dispatchEvent(new PageTransitionEvent('pagehide'));
  });

  it('exclusive runs through navigator.locks and falls back to in-tab ordering when locks are refused', async () => {
    const locks = fakeLocks();
    const t = lockTabs(locks, 'a');
    expect(await t.exclusive('n', async () => 1)).toBe(1);
    const refusing = { request: () => Promise.reject(new DOMException('no', 'SecurityError')), query: async () => ({}) } as unknown as LockManager;
    const r = lockTabs(refusing, 'r');
    expect(await r.exclusive('n', async () => 2)).toBe(2);
    expect(await r.alive()).toEqual(['r']);
    window.dispatchEvent(new PageTransitionEvent('pagehide'));
  });
});

describe('lifecycle', () => {
  it('calls back on visibilitychange to hidden (after document listeners) and on pagehide; never listens to unload', () => {
    const added = vi.spyOn(window, 'addEventListener');
    const order: string[] = [];
    document.addEventListener('visibilitychange', () => order.push('document'));
    webLifecycle().onHidden(() => order.push('flush'));
    window.addEventListener('visibilitychange', () => order.push('capture'), true);
    const hidden = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    expect(order).toEqual(['capture', 'document', 'flush']);
    hidden.mockReturnValue('visible');
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    expect(order.filter((x) => x === 'flush').length).toBe(1);
    window.dispatchEvent(new Event('pagehide'));
    expect(order.filter((x) => x === 'flush').length).toBe(2);
    expect(added.mock.calls.map((c) => c[0])).not.toContain('unload');
    expect(added.mock.calls.map((c) => c[0])).not.toContain('beforeunload');
  });

  it('a throwing callback never reaches the page (window error event)', () => {
    const errors = vi.fn();
    window.addEventListener('error', errors);
    webLifecycle().onHidden(() => {
      throw new Error('x');
    });
    window.dispatchEvent(new Event('pagehide'));
    window.removeEventListener('error', errors);
    expect(errors).not.toHaveBeenCalled();
  });
});
