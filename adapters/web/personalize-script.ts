// dist/tutti.personalize.min.js: personalization slots for script-tag pages, an add-on
// the page includes only where it has slots. It may run before or after the SDK:
// - after it, or after the async snippet's stub: enableSlots(window.tutti) (the stub
//   queues the start like any other call);
// - before both: its start waits in the page registry, and the SDK hands it to the
//   page's instance when it creates it (lib/registry.ts).
// Either way, slots marked data-tutti-pending are held hidden from the moment it runs.
import type { Tutti } from '../../src/types';
import { attempt, win } from './lib/dom';
import { later, pageTutti } from './lib/registry';
import { enableSlots } from './personalize/enable';
import { slotRegistry } from './personalize/shared';

attempt(() => {
  const w = win() as (Window & { tutti?: Tutti }) | undefined;
  if (!w) return;
  const reg = slotRegistry();
  if (reg.slotsAddon) return; // another copy got here first
  reg.slotsAddon = true;
  const own = document.currentScript as HTMLScriptElement | null;
  enableSlots(pageTutti() || later(), { nonce: (own && own.nonce) || undefined });
});
