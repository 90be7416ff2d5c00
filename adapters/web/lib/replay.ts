// Replays the async snippet's queue (SPEC §1): each entry is [method, args, timestamp,
// resolve?], in call order. Calls go through the core's `call` so each event keeps
// the time it was made, not the time the SDK arrived; methods with a result (on,
// flush, personalize) run directly and settle the snippet's promise.
import type { Tutti } from '../../../src/types';

export interface Replayable extends Tutti {
  call(method: string, args: unknown[], timestamp?: number): void;
  /** `at`: when the snippet's init() was called (the landing page view is timed by it). */
  init(options: Parameters<Tutti['init']>[0], at?: number): Tutti;
}

/** `queue`: the stub's array, or the calls pushed onto it later (boot-script.ts checks the former); entries are whatever the page queued. */
export function replayQueue(t: Replayable, queue: any[]): void {
  for (const item of queue) {
    try {
      const method = String(item[0]);
      const args: unknown[] = Array.isArray(item[1]) ? item[1] : [];
      if (method === 'init') t.init(args[0] as Parameters<Tutti['init']>[0], item[2]);
      else if (['on', 'flush', 'personalize', 'linkUrl'].indexOf(method) < 0) t.call(method, args, item[2]);
      else {
        const result = (t as unknown as Record<string, (...a: unknown[]) => unknown>)[method](...args);
        if (typeof item[3] === 'function') item[3](result);
      }
    } catch {
      // one bad entry must not stop the rest
    }
  }
}
