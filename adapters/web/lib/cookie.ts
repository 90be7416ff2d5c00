// First-party cookies: the only storage shared by every subdomain of a site, which is
// why the anonymous ID lives here (SPEC §6). Cookies can be disabled; every helper
// then just reads null.
import { storedId } from '../../../src/identity/placeholder';

/** Two years, in seconds: the anonymous ID's lifetime. */
export const TWO_YEARS = 63072000;

/**
 * The cookie's value, null when absent, unreadable or a placeholder that page code wrote
 * ('undefined', 'null': the mirrors then restore the ID). `name` is one of our own (no RegExp characters).
 */
export function readCookie(name: string): string | null {
  try {
    const m = document.cookie.match('(?:^|;)\\s*' + name + '=([^;]*)');
    return storedId(m && decodeURIComponent(m[1].trim()));
  } catch {
    return null; // cookies disabled or the value was not ours
  }
}

/**
 * Writes (or with maxAge 0, deletes) a cookie on `domain` ('' = this host only).
 * SameSite=Lax keeps it first-party; Secure whenever the page itself is https.
 */
export function writeCookie(name: string, value: string, domain: string, maxAge: number): void {
  try {
    document.cookie =
      name + '=' + encodeURIComponent(value) +
      '; Max-Age=' + maxAge + '; Path=/; SameSite=Lax' +
      (domain ? '; Domain=' + domain : '') +
      (location.protocol === 'https:' ? '; Secure' : '');
  } catch {
    // cookies disabled: the localStorage and IndexedDB mirrors still hold the value
  }
}
