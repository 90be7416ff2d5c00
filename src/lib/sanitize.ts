// Turns whatever the host app passes into JSON-safe values, so a bad property never
// throws and never makes a whole batch unserialisable. Each coercion warns in debug.
import type { JsonObject, JsonValue } from '../types';

export const MAX_STRING = 8192;
const MAX_DEPTH = 10;

type Warn = (message: string) => void;

function clean(value: unknown, depth: number, stack: object[], warn: Warn): JsonValue | undefined {
  switch (typeof value) {
    case 'string':
      if (value.length <= MAX_STRING) return value;
      warn(`string cut to ${MAX_STRING} characters`);
      return value.slice(0, MAX_STRING);
    case 'number':
      if (isFinite(value)) return value;
      warn(value + ' sent as null');
      return null;
    case 'boolean':
      return value;
    case 'bigint':
      warn('BigInt sent as string');
      return value.toString();
    case 'object': {
      if (value === null) return null;
      if (stack.indexOf(value) >= 0) {
        warn('circular reference');
        return '[Circular]';
      }
      if (depth >= MAX_DEPTH) {
        warn('nested too deep');
        return '[Too deep]';
      }
      try {
        // Dates go through their toJSON below: an ISO string, or null when invalid.
        if (value instanceof Error) return { name: value.name, message: value.message };
        const toJSON = (value as { toJSON?: unknown }).toJSON;
        // Not an array's: Prototype.js gave arrays one that returns a string.
        if (typeof toJSON === 'function' && !Array.isArray(value)) return clean(toJSON.call(value), depth + 1, stack, warn);
        stack.push(value);
        try {
          if (Array.isArray(value)) {
            const out: JsonValue[] = [];
            for (let i = 0; i < value.length; i++) {
              const v = clean(value[i], depth + 1, stack, warn);
              out.push(v === undefined ? null : v);
            }
            return out;
          }
          const out: JsonObject = {};
          for (const key of Object.keys(value)) {
            let v: JsonValue | undefined;
            try {
              v = clean((value as Record<string, unknown>)[key], depth + 1, stack, warn);
            } catch {
              // a throwing getter loses its own key only
              warn(key + ' unreadable; dropped');
            }
            if (v !== undefined) out[key] = v;
          }
          return out;
        } finally {
          stack.pop();
        }
      } catch {
        warn('unreadable; dropped');
        return undefined;
      }
    }
    case 'undefined':
      return undefined;
    default:
      warn(typeof value + ' dropped');
      return undefined;
  }
}

/** For checks whose failure only sends a value down the slow path (which warns itself). */
const quiet: Warn = () => undefined;

/**
 * The common case, a plain object of short strings, finite numbers, booleans and nulls,
 * copied in one step: a spread copy keeps the source's compact layout and is much cheaper
 * than rebuilding key by key. Anything else (nested values, classes, getters that throw,
 * undefined values, symbol keys) returns undefined and goes through `clean`.
 */
function flatCopy(value: object): JsonObject | undefined {
  let copy: Record<string, unknown>;
  try {
    if (Object.getPrototypeOf(value) !== Object.prototype) return undefined;
    copy = { ...value };
  } catch {
    return undefined;
  }
  for (const k in copy) {
    const v = copy[k];
    // A primitive `clean` keeps as it is is JSON-safe (checked quietly: the slow path warns).
    if (v === undefined || (v && typeof v === 'object') || clean(v, 0, [], quiet) !== v) return undefined;
  }
  if (Object.getOwnPropertySymbols(copy).length) return undefined;
  return copy as JsonObject;
}

/** A JSON-safe copy of an object of properties or traits; anything else becomes {}. */
export function cleanObject(value: unknown, warn: Warn): JsonObject {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    warn('not an object; ignored');
    return {};
  }
  const flat = flatCopy(value);
  if (flat) return flat;
  const out = clean(value, 0, [], warn);
  return out && typeof out === 'object' && !Array.isArray(out) ? out : {};
}

/**
 * A usable name (event, user ID, group ID): strings trimmed, numbers stringified, anything
 * else null. Names over `max` are cut; IDs (`strict`) are refused instead, since a cut ID
 * would be somebody else's. `strict` comes first: most IDs keep the default `max`.
 */
export function cleanName(value: unknown, what: string, warn: Warn, strict = false, max = 256): string | null {
  let s: string;
  if (typeof value === 'string') s = value.trim();
  else if (Number.isFinite(value)) s = String(value);
  else {
    if (value !== undefined) warn(what + ' must be a string');
    return null;
  }
  if (!s) return null;
  if (s.length > max) {
    warn(`${what} over ${max} characters: ${strict ? 'refused' : 'cut'}`);
    if (strict) return null;
    s = s.slice(0, max);
  }
  return s;
}
