// enableSlots (SPEC §7): slots for one instance, callable before or after its init and
// whichever of the SDK and this code loaded first. Before init, marked slots are held
// hidden (hold.ts) and the controller waits, as a plugin, for init; it then starts once
// the DOM is parsed, so every slot in the page's markup shares one decide request.
import type { Tutti } from '../../../src/types';
import { attempt } from '../lib/dom';
import { holdSlots, takeOverHold } from './hold';
import { slotRegistry } from './shared';
import { slotSettings, startSlots, type Instance, type SlotOptions, type SlotsController } from './slots';
import { removeStyle } from './style';

const NOOP: SlotsController = { refresh: () => undefined, stop: () => undefined };

/** Runs fn once the document is parsed. */
function whenParsed(fn: () => void): void {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn);
  else fn();
}

/**
 * Starts personalization slots for `tutti` (idempotent per instance). Before init,
 * `tutti` may be the async snippet's stub: the start goes through `tutti.use()`.
 */
export function enableSlots(tutti: Tutti, options: SlotOptions = {}): SlotsController {
  return attempt(() => {
    if (typeof document === 'undefined') return NOOP;
    const reg = slotRegistry();
    const list = reg.slotControllers || (reg.slotControllers = []);
    for (const [t, c] of list) if (t === tutti) return c;

    let live: SlotsController | undefined;
    let stopped = false;
    const handle: SlotsController = {
      refresh: () => live && live.refresh(),
      stop() {
        stopped = true;
        if (live) live.stop();
        reg.slotControllers = (reg.slotControllers || []).filter(([, c]) => c !== handle);
        // The last one out takes the rule along: a slot rendered later with data-tutti-pending must not stay hidden.
        if (!reg.slotControllers.length) removeStyle();
      },
    };
    const entry: [Tutti, SlotsController] = [tutti, handle];
    list.push(entry);

    const begin = (t: Instance) => {
      const { p, timeout, antiFlicker } = slotSettings(t);
      // The wait counts from this hold's start even when the page is still being parsed as it
      // ends: the defaults shown then stay, never hidden again or swapped.
      const since = antiFlicker ? holdSlots(timeout, p.nonce || options.nonce) : removeStyle();
      whenParsed(() =>
        attempt(() => {
          if (stopped || live) return;
          // The stub's entry now stands for the real instance; one controller per instance.
          const other = list.filter(([x, c]) => x === t && c !== handle)[0];
          const held = takeOverHold();
          entry[0] = t;
          live = other ? other[1] : startSlots(t, { since: options.since || since || held, nonce: options.nonce });
        }),
      );
    };
    if ((tutti as Instance).options) begin(tutti);
    else {
      holdSlots(slotSettings(tutti).timeout, options.nonce);
      tutti.use({ name: 'tutti-slots', setup: ({ tutti: t }) => begin(t) });
    }
    return handle;
  }, NOOP);
}
