// Personalization slots for the web and H5 (SPEC §7): an add-on, so pages without slots
// never pay for it. npm:
//
//   import tutti from 'tutti';
//   import { enableSlots } from 'tutti/personalize';
//   enableSlots(tutti); // before or after init; earlier = anti-flicker sooner
//   tutti.init({ writeKey, endpoint });
//
// Script tag: dist/tutti.personalize.min.js does the same for `window.tutti`.
// `tutti.personalize(ids)` keeps working for hand-made rendering.
export { enableSlots } from './enable';
export type { SlotOptions, SlotsController } from './slots';
export { sanitizeHtml } from './sanitize';
