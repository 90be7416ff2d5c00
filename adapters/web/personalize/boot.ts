// The part of personalization that ships in the core bundle (about 0.6 KB gzip, with the
// script-tag loader):
// - prehideSlots, at init: adds the anti-flicker rule before anything else (before the
//   core may wait for IndexedDB), so slots whose markup carries data-tutti-pending stay
//   hidden from the first paint; the wait is counted from here.
// - bootSlots, at ready: once the DOM is parsed, hides the page's slots and loads the
//   personalization chunk, but only when the page has slots — `[data-tutti-slot]`
//   elements, or slot IDs declared in `personalization.slots` (SPAs that render slots
//   later). Pages without slots never download it.
import type { CoreTutti } from '../../../src/core';
import type { ResolvedOptions, TuttiOptions } from '../../../src/types';
import { attempt, listen, win } from '../lib/dom';
import { slotRegistry, type SlotsModule } from './shared';
import { ensureStyle, PENDING_ATTR, removeStyle, SLOT_SELECTOR } from './style';

/** Fetches the chunk: `import()` for npm builds, a sibling <script> for the script tag (which also brings the CSP nonce). */
export type SlotsLoader = (() => Promise<SlotsModule>) & { nonce?: string };

const VARIANT = 'data-tutti-variant';
const controlled = () => !!(slotRegistry().slotControllers || []).length;

/** Reveals slots still waiting, unless the chunk is in charge of them. */
function release(els?: ArrayLike<Element>): void {
  if (controlled()) return;
  const list = els || document.querySelectorAll(`${SLOT_SELECTOR}[${PENDING_ATTR}]`);
  for (let i = 0; i < list.length; i++) if (list[i].getAttribute(VARIANT) === null) list[i].removeAttribute(PENDING_ATTR);
}

export function prehideSlots(options: TuttiOptions, load: SlotsLoader): void {
  if (!win()) return;
  attempt(() => {
    const p = (options && options.personalization) || {};
    const reg = slotRegistry();
    if (p.antiFlicker === false || reg.slotsSince) return;
    reg.slotsSince = Date.now();
    ensureStyle(p.nonce || load.nonce);
    // Whatever happens next (init never completes, the chunk is blocked), nothing stays hidden past the deadline.
    setTimeout(() => attempt(() => release(), undefined), Number(p.timeout) >= 0 ? Number(p.timeout) : 800);
  }, undefined);
}

export function bootSlots(t: CoreTutti, o: ResolvedOptions, load: SlotsLoader): void {
  if (!win()) return;
  const p = o.personalization;
  const go = () =>
    attempt(() => {
      const reg = slotRegistry();
      // One controller per page: a second instance (createTutti) does not fight over the slots.
      if (controlled()) return;
      const found = document.querySelectorAll(SLOT_SELECTOR);
      if (!found.length && !Array.isArray(p.slots) && !reg.slots) {
        release(found);
        removeStyle();
        return;
      }
      const since = reg.slotsSince || Date.now();
      const left = since + p.timeout - Date.now();
      if (p.antiFlicker && left > 0) {
        ensureStyle(p.nonce || load.nonce);
        found.forEach((el) => el.setAttribute(PENDING_ATTR, ''));
        setTimeout(() => release(found), left);
      } else release(found);
      load().then(
        (m) => attempt(() => m.enableSlots(t, { since }), undefined),
        (e) => {
          t.warn('personalization unavailable; slots keep their default', e);
          release(found);
        },
      );
    }, undefined);
  if (document.readyState === 'loading') listen(document, 'DOMContentLoaded', go);
  else go();
}
