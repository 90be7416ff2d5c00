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

  // The last entry this instance wrote, parsed: when the store still holds it (no other
  // tab wrote since) reading costs one string comparison instead of a parse.
  let raw = '';
  let state = { id: '', last: 0, seq: 0 };

  function read(): { id: string; last: number; seq: number } {
    const now = kv.get(KEY) || '';
    if (now !== raw) {
      const parts = now.split('|');
      raw = now;
      // (split always gives a first part, '' at least.)
      state = { id: parts[0], last: +parts[1] || 0, seq: +parts[2] || 0 };
    }
    return state;
  }
  function write(id: string, last: number, seq: number): void {
    raw = id + '|' + last + '|' + seq;
    // Mutated, not replaced: one object fewer per event.
    state.id = id;
    state.last = last;
    state.seq = seq;
    kv.set(KEY, raw);
  }

  /** Reused for every tick: build() reads it at once, and events are built by the thousand. */
  const tick: SessionTick = { id: '', start: false, sequence: 0, renewed: false };

  return {
    /** The current session ID, or '' when none is alive at `now`. */
    current(now: number): string {
      const s = read();
      // (No session at all is '' too.)
      return now - s.last <= timeout ? s.id : '';
    },
    /** Starts a new session now (new campaign, reset, expiry). */
    start(now: number): string {
      unstarted = uuid();
      write(unstarted, now, read().seq);
      return unstarted;
    },
    /** Accounts one event at time `at`: continues or renews the session, bumps the sequence. */
    tick(at: number): SessionTick {
      const s = read();
      let id = s.id;
      // A last activity in the future is a clock set back since (it ran ahead): counted as now,
      // else the session would outlive any inactivity until real time caught up with it.
      const last = Math.min(s.last, Date.now());
      tick.renewed = !id || at - last > timeout;
      if (tick.renewed) id = unstarted = uuid();
      tick.start = id === unstarted;
      if (tick.start) unstarted = '';
      tick.id = id;
      tick.sequence = s.seq + 1;
      write(id, Math.max(last, at), tick.sequence);
      return tick;
    },
  };
}
