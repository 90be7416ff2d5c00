// First touch, last touch, the session's campaign and the touch ledger, persisted per
// anonymous ID. The ledger is the ordered list of the last 10 touches that conversions
// and identify events carry, so the backend can run multi-touch attribution.
import type { KeyValueStore } from '../platform';
import type { Campaign, Channel, Touch } from '../types';
import { CLICK_IDS } from './campaign';
import { parseJson, stringify } from '../lib/json';

const KEY = 'tutti_cmp';
const MAX_TOUCHES = 10;

interface State {
  first?: Campaign;
  last?: Campaign;
  /** Session ID → its campaign. Only the current session's is kept. */
  sid?: string;
  session?: Campaign;
  touches: Touch[];
}

export function createLedger(kv: KeyValueStore, channel: Channel) {
  let state: State = load();

  function load(): State {
    const s = parseJson(kv.get(KEY));
    // a corrupt entry is as good as none
    return s && Array.isArray(s.touches) ? s : { touches: [] };
  }
  const save = () => kv.set(KEY, stringify(state));
  // Changes start from the stored state: another tab may have added a touch since this one read it.

  return {
    /** Records a non-direct touch (or the very first direct one) at `at`. */
    touch(c: Campaign, at: number, direct: boolean): void {
      state = load();
      if (!state.first) state.first = c;
      if (!direct || !state.last) state.last = c;
      // A direct visit enters the ledger only as the very first touch: repeated direct
      // visits would otherwise push the campaigns out of its ten places.
      if (!direct || !state.touches.length) {
        const t: Touch = { source: c.source, medium: c.medium, channel, at: new Date(at).toISOString() };
        if (c.name) t.name = c.name;
        // The click ID type the campaign carries, if any.
        for (const id of Object.keys(CLICK_IDS)) {
          if (c[id]) {
            t.clickIdType = id;
            break;
          }
        }
        state.touches = state.touches.concat(t).slice(-MAX_TOUCHES);
      }
      save();
    },
    /** Binds a campaign to a session. */
    setSession(sid: string, c: Campaign): void {
      state = load();
      state.sid = sid;
      state.session = c;
      save();
    },
    /** The campaign of session `sid` (another tab may have started it: re-read once). */
    sessionCampaign(sid: string): Campaign | undefined {
      if (state.sid !== sid) state = load();
      return state.sid === sid ? state.session : undefined;
    },
    first: () => state.first,
    last: () => state.last,
    touches: () => state.touches.slice(),
    clear(): void {
      state = { touches: [] };
      kv.remove(KEY);
    },
  };
}
