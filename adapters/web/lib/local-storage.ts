// localStorage without exceptions. It throws in sandboxed iframes, with cookies
// blocked, in some private modes and when the quota is full; each of those must only
// make Tutti forget, never break the host page.
import { attempt } from './dom';

/** The stored string, null when absent, undefined when localStorage cannot be read. */
export const lsGet = (key: string): string | null | undefined => attempt(() => localStorage.getItem(key));

/** true when the value was written. */
export const lsSet = (key: string, value: string): boolean => attempt(() => (localStorage.setItem(key, value), true), false);

/** Removes the key (nothing to forget when localStorage is unreadable). */
export const lsRemove = (key: string): void => attempt(() => localStorage.removeItem(key));
