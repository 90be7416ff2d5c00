// Stored state and server answers may be corrupt or empty: reading them never throws.
import { WX_BUILD } from './build';

/** JSON.parse, or undefined when the text is missing or not JSON. */
export function parseJson(text: string | null | undefined): any {
  try {
    return JSON.parse(text as string);
  } catch {
    return undefined;
  }
}

/**
 * JSON.stringify that writes arrays as arrays on pages that gave Array.prototype a toJSON
 * (Prototype.js: it returns a string, so `[1]` came out as `"[1]"`, a batch body was
 * malformed and the collector refused it). The replacer gets the array itself back from
 * its holder; on every other page there is no replacer to slow the call down.
 */
export const stringify: (value: unknown) => string = WX_BUILD
  ? JSON.stringify // no Prototype.js in a mini-program
  : (value) => JSON.stringify(value, ([] as any).toJSON && function (this: any, k: any, v: unknown) { return Array.isArray((k = this[k])) ? k : v; });
