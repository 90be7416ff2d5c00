// Script-tag builds load the personalization chunk as a second file,
// dist/tutti.personalize.min.js, from the directory the SDK came from (like the vitals
// add-on), copying the SDK script's CSP nonce. The chunk registers itself in
// window.__tutti__, whichever of the two scripts finishes first.
import { slotRegistry, type SlotsModule } from './shared';
import type { SlotsLoader } from './boot';

/** The chunk's URL next to `sdkSrc` (query and fragment dropped). */
export const slotsUrl = (sdkSrc: string): string => sdkSrc.replace(/[?#].*$/, '').replace(/[^/]*$/, 'tutti.personalize.min.js');

export function scriptSlotsLoader(src: string, nonce?: string): SlotsLoader {
  const load: SlotsLoader = () =>
    new Promise<SlotsModule>((resolve, reject) => {
      const reg = slotRegistry();
      if (reg.slots) return resolve(reg.slots);
      const waiting = reg.onSlots || (reg.onSlots = []);
      waiting.push([resolve, reject]);
      if (waiting.length > 1) return; // already loading
      const s = document.createElement('script');
      s.async = true;
      s.src = src;
      if (nonce) s.nonce = nonce;
      s.onerror = () => {
        const list = reg.onSlots || [];
        reg.onSlots = undefined;
        list.forEach(([, fail]) => fail(new Error('personalization script failed to load')));
      };
      (document.head || document.documentElement).appendChild(s);
    });
  load.nonce = nonce;
  return load;
}
