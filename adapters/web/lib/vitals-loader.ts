// Script-tag builds load web-vitals as a second file, dist/tutti.vitals.min.js, from
// the directory the SDK itself came from, so the core stays small and pages that turn
// vitals off never download it. The add-on registers itself in window.__tutti__.
import type { VitalsLoader, VitalsModule } from './vitals';
import { registry } from './registry';

/** The add-on's URL next to `sdkSrc` (query and fragment dropped). */
export const vitalsUrl = (sdkSrc: string): string => sdkSrc.replace(/[?#].*$/, '').replace(/[^/]*$/, 'tutti.vitals.min.js');

export function scriptVitalsLoader(src: string, nonce?: string): VitalsLoader {
  return () =>
    new Promise<VitalsModule>((resolve, reject) => {
      const reg = registry();
      if (reg.vitals) return resolve(reg.vitals);
      const waiting = reg.onVitals || (reg.onVitals = []);
      waiting.push(resolve);
      if (waiting.length > 1) return; // another instance is already loading it
      // Inserted by script, it loads async: it never blocks the page.
      const s = document.createElement('script');
      s.src = src;
      if (nonce) s.nonce = nonce; // pages with a nonce-based CSP
      s.onerror = () => {
        reg.onVitals = undefined;
        reject(new Error('not loaded: ' + src)); // the debug warning names the URL
      };
      (document.head || document.documentElement).appendChild(s);
    });
}
