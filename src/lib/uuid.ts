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

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i + 256).toString(16).slice(1));

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
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += HEX[b[o + i]];
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** True for strings shaped like a UUID: what handoff parameters must look like. */
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID_RE.test(v);
