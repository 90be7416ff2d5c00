// Anti-flicker before the slot controller runs (SPEC §7). The add-on may load before the
// SDK, and init may wait (for IndexedDB, for a consent tool): meanwhile the rule
// `[data-tutti-slot][data-tutti-pending]{visibility:hidden}` keeps the slots whose markup
// carries data-tutti-pending hidden, until a deadline kept in the page registry. If no
// controller has taken over by then (init never came), they show their default. A
// controller that starts while the hold is on counts its timeout from the hold's start,
// so a slot is never hidden for longer than `personalization.timeout` in all.
import { attempt } from '../lib/dom';
import { slotRegistry } from './shared';
import { ensureStyle, PENDING_ATTR, removeStyle, SLOT_SELECTOR } from './style';

/** Holds marked slots until `timeout` ms after the current hold began (a new hold if none is on); returns when it began. */
export function holdSlots(timeout: number, nonce?: unknown): number {
  const reg = slotRegistry();
  const now = Date.now();
  if (!(Number(reg.slotsUntil) > now)) reg.slotsSince = now;
  const until = (reg.slotsUntil = Number(reg.slotsSince) + timeout);
  ensureStyle(nonce);
  // A later hold (init with its own timeout) or a controller moves slotsUntil: this timer then stands down.
  // Otherwise the rule goes too, so slots an SPA renders later with data-tutti-pending in
  // their markup are not hidden for good when no controller ever comes (init failed).
  setTimeout(
    () =>
      attempt(() => {
        if (reg.slotsUntil !== until) return;
        removeStyle();
        document.querySelectorAll(`${SLOT_SELECTOR}[${PENDING_ATTR}]`).forEach((el) => el.removeAttribute(PENDING_ATTR));
      }),
    until - now,
  );
  return Number(reg.slotsSince);
}

/** A controller takes the slots over: ends the hold; returns when it began, if it was still on. */
export function takeOverHold(): number | undefined {
  const reg = slotRegistry();
  const on = Number(reg.slotsUntil) > Date.now();
  reg.slotsUntil = 0;
  return on ? reg.slotsSince : undefined;
}
