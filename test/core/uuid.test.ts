// The IDs every event carries: v4 for identity (nothing to learn from them), v7 for
// messageIds (time-ordered, and a batch of them compresses well).
import { describe, expect, it } from 'vitest';
import { uuid, isUuid } from '../../src/lib/uuid';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const timeOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('uuid', () => {
  it('makes random v4 UUIDs without a time', () => {
    const ids = Array.from({ length: 1000 }, () => uuid());
    for (const id of ids) expect(id).toMatch(V4);
    expect(new Set(ids).size).toBe(1000);
  });

  it('makes v7 UUIDs whose first 48 bits are the given Unix time in ms', () => {
    for (const ms of [0, 1, 0xffffffff, 0x100000000, Date.parse('2026-11-23T18:00:00.123Z'), Date.parse('2100-01-01T00:00:00Z'), 2 ** 48 - 1]) {
      const id = uuid(ms);
      expect(id).toMatch(V7);
      expect(isUuid(id)).toBe(true);
      expect(timeOf(id)).toBe(ms);
    }
  });

  it('keeps v7 IDs of one millisecond unique, sharing only their time digits', () => {
    const ms = Date.parse('2026-11-23T18:00:00.000Z');
    const ids = Array.from({ length: 10000 }, () => uuid(ms));
    expect(new Set(ids).size).toBe(10000);
    expect(new Set(ids.map((id) => id.slice(0, 13))).size).toBe(1);
    // The 74 random bits really vary: the rest of the ID is not a counter or a constant.
    expect(new Set(ids.map((id) => id.slice(-12))).size).toBe(10000);
  });

  it('sorts v7 IDs of different milliseconds by time', () => {
    const times = [5, 1700000000000, 1700000000001, 1800000000000];
    const ids = times.map((t) => uuid(t));
    expect(ids.slice().sort()).toEqual(ids);
  });
});
