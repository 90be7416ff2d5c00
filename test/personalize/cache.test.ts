// @vitest-environment jsdom
// The decision cache: per person, per write key, for the decision's ttl only, never
// JSON, never an identifier in clear.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decisionCache, hashText } from '../../adapters/web/personalize/cache';
import type { Decision } from '../../src/types';

const text = (variantId: string, ttl?: number): Decision => ({ variantId, ttl, content: { type: 'text', text: variantId } });

afterEach(() => {
  sessionStorage.clear();
  vi.useRealTimers();
});

describe('decision cache', () => {
  it('keeps a decision for its ttl, then forgets it', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const c = decisionCache('k@e', () => 'aid-1\n');
    c.put('hero', text('A', 60));
    expect(c.get('hero')!.variantId).toBe('A');
    vi.setSystemTime(1_000_000 + 59_000);
    expect(c.get('hero')!.variantId).toBe('A');
    vi.setSystemTime(1_000_000 + 60_001);
    expect(c.get('hero')).toBeUndefined();
  });

  it('does not cache decisions without ttl, or JSON decisions', () => {
    const c = decisionCache('k@e', () => 'aid-1\n');
    c.put('a', text('A'));
    c.put('b', text('B', 0));
    c.put('c', { variantId: 'J', ttl: 60, content: { type: 'json', data: { x: 1 } } });
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([undefined, undefined, undefined]);
  });

  it('is bound to the person: identify or reset means a miss, and no ID is stored in clear', () => {
    let person = 'anon-123\n';
    const c = decisionCache('k@e', () => person);
    c.put('hero', text('A', 300));
    person = 'anon-123\nuser-42@example.com';
    expect(c.get('hero')).toBeUndefined();
    c.put('hero', text('B', 300));
    const raw = Object.keys(sessionStorage).map((k) => k + sessionStorage.getItem(k)).join();
    expect(raw).not.toContain('anon-123');
    expect(raw).not.toContain('user-42');
    expect(raw).toContain(hashText(person));
    person = 'anon-123\n';
    expect(c.get('hero')).toBeUndefined(); // one person's entry at a time per write key
  });

  it('separates write keys and survives broken or blocked storage', () => {
    const a = decisionCache('k1@e', () => 'x');
    const b = decisionCache('k2@e', () => 'x');
    a.put('hero', text('A', 60));
    expect(b.get('hero')).toBeUndefined();
    for (const k of Object.keys(sessionStorage)) sessionStorage.setItem(k, '{not json');
    expect(a.get('hero')).toBeUndefined();
    const throwing = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('quota'); } } as unknown as Storage;
    const c = decisionCache('k@e', () => 'x', throwing);
    expect(() => c.put('hero', text('A', 60))).not.toThrow();
    expect(c.get('hero')).toBeUndefined();
  });
});
