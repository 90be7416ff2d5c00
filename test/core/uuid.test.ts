// The IDs every event carries: v4 for identity (nothing to learn from them), v7 for
// messageIds (time-ordered, and a batch of them compresses well).
import { describe, expect, it, vi } from 'vitest';
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
    for (const id of ids) expect(id).toMatch(V7);
  });

  // A batch of messageIds differs in a few digits only (gzip makes ~12 bytes less per event
  // of them), yet no two IDs can be equal: a counter tells apart the IDs of one tail.
  it('gives consecutive v7 IDs one random tail and a counter, and a new tail every 4,096', () => {
    uuid(); // a v4 ID starts a new tail
    const ms = Date.parse('2026-11-23T18:00:00.000Z');
    const ids = Array.from({ length: 4096 * 2 + 10 }, (_, i) => uuid(ms + (i % 7)));
    const counter = (id: string) => parseInt(id.slice(15, 18), 16);
    const tailOf = (id: string) => id.slice(19);
    expect(ids.slice(0, 4096).map(counter)).toEqual(Array.from({ length: 4096 }, (_, i) => i));
    expect(new Set(ids.slice(0, 4096).map(tailOf)).size).toBe(1);
    expect(new Set(ids.slice(4096, 8192).map(tailOf)).size).toBe(1);
    expect(tailOf(ids[4096])).not.toBe(tailOf(ids[0]));
    expect(tailOf(ids[8192])).not.toBe(tailOf(ids[4096]));
    expect(counter(ids[4096])).toBe(0);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [i, id] of ids.entries()) expect(timeOf(id)).toBe(ms + (i % 7));
  });

  it('keeps v7 IDs unique when the clock goes back and forth', () => {
    const t = Date.parse('2026-11-23T18:00:00.000Z');
    const ids: string[] = [];
    for (let i = 0; i < 3000; i++) ids.push(uuid(t + ((i * 7919) % 3))); // times repeat out of order
    expect(new Set(ids).size).toBe(3000);
  });

  it('draws a new tail with every new identity or session ID', () => {
    const ms = Date.parse('2026-11-23T18:00:00.000Z');
    const before = uuid(ms).slice(19);
    expect(uuid(ms).slice(19)).toBe(before);
    uuid(); // e.g. the anonymous ID made by reset()
    expect(uuid(ms).slice(19)).not.toBe(before);
  });

  it('gives each load of the SDK its own tail', async () => {
    vi.resetModules();
    const other = await import('../../src/lib/uuid');
    const ms = Date.parse('2026-11-23T18:00:00.000Z');
    expect(other.uuid).not.toBe(uuid);
    expect(other.uuid(ms).slice(19)).not.toBe(uuid(ms).slice(19));
  });

  it('sorts v7 IDs of different milliseconds by time', () => {
    const times = [5, 1700000000000, 1700000000001, 1800000000000];
    const ids = times.map((t) => uuid(t));
    expect(ids.slice().sort()).toEqual(ids);
  });
});
