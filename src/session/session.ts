// Sessions and the per-device sequence number, kept in one small kv entry that is read
// and written on every event. Reading it each time is what lets sibling tabs continue one
// session (an idle tab joins the active tab's session) and never reuse a sequence number.
import type { KeyValueStore } from '../platform';
import { uuid } from '../lib/uuid';

const KEY = 'tutti_ses';

export interface SessionTick {
  id: string;
  /** This event is the session's first. */
  start: boolean;
  /** Per-device counter, +1 per event, so the backend can measure loss. */
  sequence: number;
  /** The session was (re)started by inactivity while building this event. */
  renewed: boolean;
}

export function createSessions(kv: KeyValueStore, timeout: number) {
  /** Session IDs started here whose first event has not been built yet. */
  let unstarted = '';

  function read(): { id: string; last: number; seq: number } {
    const parts = (kv.get(KEY) || '').split('|');
    return { id: parts[0] || '', last: +parts[1] || 0, seq: +parts[2] || 0 };
  }
  const write = (id: string, last: number, seq: number) => kv.set(KEY, id + '|' + last + '|' + seq);

  return {
    /** The current session ID, or '' when none is alive at `now`. */
    current(now: number): string {
      const s = read();
      return s.id && now - s.last <= timeout ? s.id : '';
    },
    /** Starts a new session now (new campaign, reset, expiry). */
    start(now: number): string {
      const s = read();
      unstarted = uuid();
      write(unstarted, now, s.seq);
      return unstarted;
    },
    /** Accounts one event at time `at`: continues or renews the session, bumps the sequence. */
    tick(at: number): SessionTick {
      const s = read();
      let renewed = false;
      if (!s.id || at - s.last > timeout) {
        s.id = unstarted = uuid();
        renewed = true;
      }
      const start = s.id === unstarted;
      if (start) unstarted = '';
      const seq = s.seq + 1;
      write(s.id, Math.max(s.last, at), seq);
      return { id: s.id, start, sequence: seq, renewed };
    },
  };
}
