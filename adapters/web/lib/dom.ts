// Guarded access to browser globals. The npm entry is imported during server-side
// rendering and in Node, so nothing may touch `window` or `document` at import time,
// and every later access must survive sandboxed iframes where merely reading
// `localStorage` throws a SecurityError.

/** The window when running in a browser page, else undefined (Node, SSR, workers). */
export const win = (): (Window & typeof globalThis) | undefined =>
  typeof window !== 'undefined' && typeof document !== 'undefined' ? window : undefined;

/** Runs fn and returns its result, or `fallback` (undefined when not given) when it throws. */
export function attempt<T>(fn: () => T): T | undefined;
export function attempt<T>(fn: () => T, fallback: T): T;
export function attempt<T>(fn: () => T, fallback?: T): T | undefined {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** addEventListener that never throws; returns a remover. */
export function listen(target: EventTarget, type: string, fn: (e: Event) => void, capture?: boolean): () => void {
  attempt(() => target.addEventListener(type, fn, capture));
  return () => attempt(() => target.removeEventListener(type, fn, capture));
}
