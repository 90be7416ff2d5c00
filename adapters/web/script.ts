// The script-tag build dist/tutti.min.js (SPEC §1): global `window.tutti`, auto-init
// from the <script>'s data attributes, and replay of the async snippet's queue.
import { bootScript } from './lib/boot-script';
import { createWebTutti } from './lib/create';

export default bootScript((loadVitals) => createWebTutti({ loadVitals }));
