// Random v4 UUIDs for anonymous IDs, session IDs and messageIds.
// Bytes come from crypto.getRandomValues in 4 KB blocks: one call per 256 IDs keeps
// `track()` cheap; Math.random is only the last resort of runtimes without crypto.
let pool: Uint8Array | undefined;
let offset = 4096;

function refill(): Uint8Array {
  const bytes = pool || (pool = new Uint8Array(4096));
  try {
    crypto.getRandomValues(bytes);
    return bytes;
  } catch {
    // no crypto (a ReferenceError or TypeError): fall through to Math.random
  }
  for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.random() * 256) | 0;
  return bytes;
}

const DIGITS = '0123456789abcdef';
/** Char codes of one ID, reused: the string is made in one call, from this array. */
const codes: number[] = [];

export function uuid(): string {
  if (offset > 4080) {
    refill();
    offset = 0;
  }
  const b = pool as Uint8Array;
  const o = offset;
  offset += 16;
  b[o + 6] = (b[o + 6] & 15) | 64;
  b[o + 8] = (b[o + 8] & 63) | 128;
  let n = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) codes[n++] = 45; // '-'
    codes[n++] = DIGITS.charCodeAt(b[o + i] >> 4);
    codes[n++] = DIGITS.charCodeAt(b[o + i] & 15);
  }
  // One flat string. Appending piece by piece (`s += ...`) leaves a chain of ~20 rope
  // nodes that V8 keeps until something flattens it: ~500 bytes per queued event
  // instead of ~50.
  return String.fromCharCode.apply(null, codes);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** True for strings shaped like a UUID: what handoff parameters must look like. */
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID_RE.test(v);
