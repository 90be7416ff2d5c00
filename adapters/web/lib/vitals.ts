// Core Web Vitals as `Web Vitals` track events (SPEC §8). web-vitals is never part of
// the core bundle: npm builds load it with a dynamic import (bundlers split it into its
// own chunk), the script tag loads dist/tutti.vitals.min.js next to itself.
import type * as WebVitals from 'web-vitals';
import { attempt } from './dom';

/** The part of web-vitals Tutti uses. */
export type VitalsModule = Pick<typeof WebVitals, 'onLCP' | 'onINP' | 'onCLS' | 'onFCP' | 'onTTFB'>;
type On = (report: (m: WebVitals.Metric) => void) => void;

export type VitalsLoader = () => Promise<VitalsModule>;

/** Subscribes to the five metrics; each final value becomes one event. */
export function reportVitals(lib: VitalsModule, track: (event: string, properties: object) => void): void {
  const send = (m: WebVitals.Metric) =>
    track('Web Vitals', { name: m.name, value: m.value, rating: m.rating, id: m.id, navigationType: m.navigationType });
  // A metric unsupported in this browser may throw: it is skipped.
  for (const on of [lib.onLCP, lib.onINP, lib.onCLS, lib.onFCP, lib.onTTFB]) attempt(() => (on as On)(send));
}
