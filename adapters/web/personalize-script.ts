// dist/tutti.personalize.min.js: the personalization chunk for script-tag pages. Loaded
// by dist/tutti.min.js (only when the page has slots), it hands itself over through the
// page registry. Included by hand with its own <script> after the SDK, it attaches
// itself to the page's initialised `window.tutti`.
import type { Tutti } from '../../src/types';
import { attempt, win } from './lib/dom';
import { enableSlots } from './personalize/slots';
import { slotRegistry } from './personalize/shared';

attempt(() => {
  const w = win();
  if (!w) return;
  const reg = slotRegistry();
  if (reg.slots) return; // another copy got here first
  const mod = (reg.slots = { enableSlots });
  const waiting = reg.onSlots;
  reg.onSlots = undefined;
  if (waiting) return waiting.forEach(([resolve]) => resolve(mod));
  const t = (w as { tutti?: Tutti & { options?: unknown } }).tutti;
  if (t && t.options && typeof t.track === 'function') enableSlots(t);
}, undefined);
