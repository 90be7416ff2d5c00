// UUIDs: random v4 for anonymous and session IDs, time-ordered v7 (RFC 9562) for messageIds.
// Bytes come from crypto.getRandomValues in 4 KB blocks: one call per 256 IDs keeps
// `track()` cheap; Math.random is only the last resort of runtimes without crypto.
let pool: Uint8Array | undefined;
let offset = 4096;

/**
 * messageIds share a random tail, told apart by a counter: random bits differ in every ID
 * and gzip cannot shorten them, so a fresh 74 bits per event cost ~12 bytes of each
 * event on the wire. A tail serves 4,096 IDs, then a new one is drawn, so within one
 * tail the counter alone keeps IDs unique (whatever the clock does); IDs of other pages,
 * apps or devices differ in their 62 random tail bits. Every new v4 ID (an anonymous ID
 * after reset() or consent denial, a new session) draws a new tail too, so messageIds
 * never link one person or session to the next.
 */
let tail: Uint8Array | undefined;
let count = 0;

/** The char code of hex digit `d` (0-15): '0'-'9' from 48, 'a'-'f' from 97. */
const hex = (d: number): number => d + (d < 10 ? 48 : 87);
/** Char codes of one ID, reused: the string is made in one call, from this array. */
const codes: number[] = [];

/**
 * A v4 UUID, or with `ms` a v7 one (RFC 9562): its first 48 bits are that Unix time in ms,
 * then a 12-bit counter (rand_a, the RFC's "dedicated counter") and the shared 62-bit
 * tail. messageIds are v7: a batch's IDs then differ in a few digits only, which gzip
 * turns into back-references, and a collector's messageId index takes them in time
 * order. Identity IDs stay v4: a v7 anonymous ID would tell anyone who sees it when the
 * person first came.
 */
export function uuid(ms?: number): string {
  if (offset > 4080) {
    const bytes = pool || (pool = new Uint8Array(4096));
    try {
      crypto.getRandomValues(bytes);
    } catch {
      // no crypto (a ReferenceError or TypeError): Math.random instead
      for (let i = 0; i < 4096; i++) bytes[i] = (Math.random() * 256) | 0;
    }
    offset = 0;
  }
  const b = pool as Uint8Array;
  const o = offset;
  offset += 16;
  if (ms !== undefined) {
    if (!tail || count > 4095) {
      tail = b.slice(o + 8, o + 16);
      count = 0;
    }
    b.set(tail, o + 8);
    // Bytes 0–5 are the time, big-endian (a Uint8Array keeps the low 8 bits of each).
    for (let i = 5, t = ms; i >= 0; i--, t = Math.floor(t / 256)) b[o + i] = t;
    b[o + 6] = 112 | (count >> 8);
    b[o + 7] = count++;
  } else {
    b[o + 6] = (b[o + 6] & 15) | 64;
    tail = undefined;
  }
  b[o + 8] = (b[o + 8] & 63) | 128;
  let n = 0;
  for (let i = 0; i < 16; i++) {
    // A '-' before bytes 4, 6, 8 and 10: the set bits of 0x550.
    if ((0x550 >> i) & 1) codes[n++] = 45;
    codes[n++] = hex(b[o + i] >> 4);
    codes[n++] = hex(b[o + i] & 15);
  }
  // One flat string. Appending piece by piece (`s += ...`) leaves a chain of ~20 rope
  // nodes that V8 keeps until something flattens it: ~500 bytes per queued event
  // instead of ~50.
  return String.fromCharCode.apply(null, codes);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** True for strings shaped like a UUID: what handoff parameters must look like. */
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID_RE.test(v);
