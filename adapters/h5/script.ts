// The script-tag build dist/tutti.h5.min.js (SPEC §1): global `window.tutti`, auto-init
// from the <script>'s data attributes, replay of the async snippet's queue; the same
// tag, attributes and snippet as dist/tutti.min.js, with the H5 features on top.
// (The boot sequence mirrors adapters/web/script.ts, which runs on import and so cannot
// be shared as is.)
import type { Tutti } from '../../src/types';
import { optionsFromDataset } from '../web/lib/data-attributes';
import { attempt, win } from '../web/lib/dom';
import { pageSingleton } from '../web/lib/registry';
import { replayQueue, type Replayable } from '../web/lib/replay';
import { scriptVitalsLoader, vitalsUrl } from '../web/lib/vitals-loader';
import { createH5Tutti } from './create';
import { scriptSlotsLoader, slotsUrl } from '../web/personalize/script-loader';

/** The <script> element this file was loaded by (async snippet included). */
function ownScript(): HTMLScriptElement | null {
  const s = document.currentScript as HTMLScriptElement | null;
  return s && s.src ? s : document.querySelector<HTMLScriptElement>('script[data-write-key][src]');
}

function boot(): Tutti {
  const w = win() as (Window & { tutti?: unknown }) | undefined;
  const make = (src: string, nonce?: string, slotsSrc = '') => createH5Tutti(scriptVitalsLoader(src, nonce), scriptSlotsLoader(slotsSrc, nonce));
  if (!w) return make('');
  const script = attempt(ownScript, null);
  const ds = (script && script.dataset) || {};
  const src = ds.vitalsSrc || vitalsUrl((script && script.src) || '');
  const stub = w.tutti as { _q?: unknown } | undefined;
  const t = pageSingleton(() => make(src, (script && script.nonce) || undefined, slotsUrl((script && script.src) || ''))) as Replayable;
  w.tutti = t;
  attempt(() => {
    const options = optionsFromDataset(ds);
    if (options.writeKey && !/^(false|0|no|off)$/i.test(ds.autoInit || '')) t.init(options as Parameters<Tutti['init']>[0]);
  }, undefined);
  if (stub && stub !== t) replayQueue(t, stub._q);
  return t;
}

export default boot();
