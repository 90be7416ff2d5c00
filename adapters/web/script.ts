// The script-tag build dist/tutti.min.js (SPEC §1): global `window.tutti`, auto-init
// from the <script>'s data attributes, and replay of the async snippet's queue.
import type { Tutti } from '../../src/types';
import { createWebTutti } from './lib/create';
import { optionsFromDataset } from './lib/data-attributes';
import { attempt, win } from './lib/dom';
import { pageSingleton } from './lib/registry';
import { replayQueue, type Replayable } from './lib/replay';
import { scriptVitalsLoader, vitalsUrl } from './lib/vitals-loader';
// [personalization hook] dist/tutti.personalize.min.js, fetched only when the page has slots.
import { scriptSlotsLoader, slotsUrl } from './personalize/script-loader';

/** The <script> element this file was loaded by (async snippet included). */
function ownScript(): HTMLScriptElement | null {
  const s = document.currentScript as HTMLScriptElement | null;
  return s && s.src ? s : document.querySelector<HTMLScriptElement>('script[data-write-key][src]');
}

function boot(): Tutti {
  const w = win() as (Window & { tutti?: unknown }) | undefined;
  // [personalization hook] slotsSrc + loadSlots
  const make = (src: string, nonce?: string, slotsSrc = '') =>
    createWebTutti({ loadVitals: scriptVitalsLoader(src, nonce), loadSlots: scriptSlotsLoader(slotsSrc, nonce) });
  if (!w) return make('');
  const script = attempt(ownScript, null);
  const ds = (script && script.dataset) || {};
  const src = ds.vitalsSrc || vitalsUrl((script && script.src) || '');
  const stub = w.tutti as { _q?: unknown } | undefined;
  const t = pageSingleton(() => make(src, (script && script.nonce) || undefined, slotsUrl((script && script.src) || ''))) as Replayable; // [personalization hook] 3rd argument
  w.tutti = t;
  attempt(() => {
    const options = optionsFromDataset(ds);
    if (options.writeKey && !/^(false|0|no|off)$/i.test(ds.autoInit || '')) t.init(options as Parameters<Tutti['init']>[0]);
  }, undefined);
  if (stub && stub !== t) replayQueue(t, stub._q);
  return t;
}

export default boot();
