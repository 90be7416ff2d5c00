// dist/tutti.vitals.min.js: web-vitals for the script-tag build, loaded by
// dist/tutti.min.js only when webVitals is on. It hands the library to the SDK
// through the page registry, whichever of the two files finishes first.
import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals';
import { registry } from './lib/registry';

const reg = registry();
if (!reg.vitals) {
  const lib = (reg.vitals = { onCLS, onFCP, onINP, onLCP, onTTFB });
  const waiting = reg.onVitals || [];
  reg.onVitals = undefined;
  for (const resolve of waiting) resolve(lib);
}
