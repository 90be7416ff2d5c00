// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://www.example.com/"}
// fallbackOutbox's copies for a hung IndexedDB (outbox.ts): made on the way out only for puts
// that waited over a second, and taken out again once the records are stored or delivered,
// so they never make the next page send an event a second time.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fallbackOutbox, localStorageOutbox } from '../../adapters/web/lib/outbox';
import { memoryOutbox } from '../../src/queue/memory-outbox';
import type { OutboxStore, QueuedEvent } from '../../src/platform';

const rec = (n: number): QueuedEvent => ({ id: 'm' + n, attempts: 0, event: { type: 'track', event: 'E' + n, timestamp: '2026-01-01T00:00:0' + n + '.000Z' } as any });
const tick = () => new Promise((r) => setTimeout(r, 5));

/** A working but slow first layer: each put resolves when the test says so. */
function slowLayer(data: Map<string, QueuedEvent>) {
  const pending: Array<() => void> = [];
  const store: OutboxStore = {
    put: (rs) => new Promise<void>((res) => pending.push(() => (rs.forEach((r) => data.set(r.id, r)), res()))),
    remove: async (ids) => void ids.forEach((id) => data.delete(id)),
    all: async () => Array.from(data.values()),
    clear: async () => data.clear(),
  };
  return { store, pending };
}

afterEach(() => {
  vi.restoreAllMocks();
  window.dispatchEvent(new Event('pageshow'));
});

describe('fallbackOutbox: copies made for a hung IndexedDB on the way out', () => {
  it('a slow IndexedDB that answers after a bfcache round trip: the copy goes once the record is stored there and delivered', async () => {
    localStorage.clear();
    const data = new Map<string, QueuedEvent>();
    const { store, pending } = slowLayer(data);
    const box = fallbackOutbox([store, localStorageOutbox('ob'), memoryOutbox()], () => undefined);
    const t0 = Date.now();
    const put = box.put([rec(1)]);
    vi.spyOn(Date, 'now').mockReturnValue(t0 + 1500);
    window.dispatchEvent(new Event('pagehide')); // into the bfcache: copied to localStorage
    window.dispatchEvent(new Event('pageshow')); // Back: restored
    vi.restoreAllMocks();
    pending.forEach((f) => f()); // IndexedDB answers at last (1.5-5 s)
    await put;
    await box.remove(['m1']); // delivered by the restored page
    await tick();
    expect(data.size).toBe(0);
    // Not left in localStorage for the next page to send again:
    expect((await localStorageOutbox('ob').all()).map((r) => r.id)).toEqual([]);
  });

  it('and the next page finds nothing of it', async () => {
    // (continues from the test above: its localStorage)
    const next = fallbackOutbox([memoryOutbox(), localStorageOutbox('ob'), memoryOutbox()], () => undefined);
    expect((await next.all()).map((r) => r.id)).toEqual([]);
  });

  it('overlapping puts: a put only 200 ms old is not copied (each put has its own clock, not the first of a chain)', async () => {
    localStorage.clear();
    const data = new Map<string, QueuedEvent>();
    const { store, pending } = slowLayer(data);
    const box = fallbackOutbox([store, localStorageOutbox('ob'), memoryOutbox()], () => undefined);
    const t0 = Date.now();
    const now = vi.spyOn(Date, 'now');
    now.mockReturnValue(t0);
    const a = box.put([rec(1)]);
    now.mockReturnValue(t0 + 900);
    box.put([rec(2)]);
    pending[0](); // A confirmed after 950 ms (slow, but never waited over a second)
    await a;
    now.mockReturnValue(t0 + 1100);
    window.dispatchEvent(new Event('pagehide')); // B has waited 200 ms
    await tick();
    expect((await localStorageOutbox('ob').all()).map((r) => r.id)).toEqual([]);
  });
});

describe('fallbackOutbox: hung IndexedDB on two pages in a row, collector up', () => {
  it('records copied at pagehide and then delivered by the unload beacon are not read again by the next page', async () => {
    localStorage.clear();
    const never = new Promise<void>(() => undefined);
    const hung: OutboxStore = { put: () => never, remove: () => never, all: () => never.then(() => []), clear: () => never };
    const box = fallbackOutbox([hung, localStorageOutbox('ob'), memoryOutbox()], () => undefined);
    const t0 = Date.now();
    box.put([rec(1)]);
    vi.spyOn(Date, 'now').mockReturnValue(t0 + 1500);
    window.dispatchEvent(new Event('pagehide')); // copied (capture listener, before the unload flush)
    box.remove(['m1']); // the unload flush's beacon took it (202)
    await tick();
    vi.restoreAllMocks();
    // Next page: IndexedDB still not answering (deadline: fails over to localStorage).
    const failing: OutboxStore = { put: () => Promise.reject(new Error('t')), remove: () => Promise.reject(new Error('t')), all: () => Promise.reject(new Error('timeout')), clear: () => Promise.reject(new Error('t')) };
    const next = fallbackOutbox([failing, localStorageOutbox('ob'), memoryOutbox()], () => undefined);
    expect((await next.all()).map((r) => r.id)).toEqual([]);
  });
});
