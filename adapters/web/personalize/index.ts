// Personalization slots for the web and H5 (SPEC §7), as a module of its own so it is
// never in the core bundle's critical path: the web adapter loads it with a dynamic
// import only when the page has slots, and the script tag loads
// dist/tutti.personalize.min.js. Import it yourself to control when slots start:
//
//   import tutti from 'tutti';
//   import { enableSlots } from 'tutti/personalize';
//   tutti.init({ writeKey, endpoint });
//   enableSlots(tutti);
//
// `tutti.personalize(ids)` keeps working for hand-made rendering.
export { enableSlots } from './slots';
export type { SlotOptions, SlotsController } from './slots';
export { sanitizeHtml } from './sanitize';
