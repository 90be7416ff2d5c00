// localStorage without exceptions. It throws in sandboxed iframes, with cookies
// blocked, in some private modes and when the quota is full; each of those must only
// make Tutti forget, never break the host page.

/** The stored string, null when absent, undefined when localStorage cannot be read. */
export function lsGet(key: string): string | null | undefined {
  try {
    return localStorage.getItem(key);
  } catch {
    return undefined;
  }
}

/** true when the value was written. */
export function lsSet(key: string, value: string): boolean {
  try {
    localStorage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

export function lsRemove(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // nothing to forget
  }
}

/** Keys currently in localStorage that start with prefix ([] when unreadable). */
export function lsKeys(prefix: string): string[] {
  const out: string[] = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k && k.indexOf(prefix) === 0) out.push(k);
    }
  } catch {
    // unreadable: no keys
  }
  return out;
}
