// What every script-tag build (dist/tutti.min.js, dist/tutti.h5.min.js) does when it runs:
// find its own <script>, make or join the page's instance, expose it as `window.tutti`,
// auto-init from the data attributes, and replay the async snippet's queue.
import type { CoreTutti } from '../../../src/core';
import type { Tutti, TuttiOptions } from '../../../src/types';
import { NO, optionsFromDataset } from './data-attributes';
import { attempt, win } from './dom';
import { pageSingleton } from './registry';
import { replayQueue, type Replayable } from './replay';
import { scriptVitalsLoader, vitalsUrl } from './vitals-loader';
import type { VitalsLoader } from './vitals';

/** Makes an instance given how its web-vitals add-on is fetched. */
export type ScriptFactory = (loadVitals: VitalsLoader) => CoreTutti;

/** The <script> element this file was loaded by (async snippet included). */
function ownScript(): HTMLScriptElement | null {
  const s = document.currentScript as HTMLScriptElement | null;
  return s && s.src ? s : document.querySelector<HTMLScriptElement>('script[data-write-key][src]');
}

export function bootScript(make: ScriptFactory): Tutti {
  const w = win() as (Window & { tutti?: unknown }) | undefined;
  // The vitals add-on lives next to the SDK file and inherits its CSP nonce.
  const build = (src: string, nonce?: string) => make(scriptVitalsLoader(src, nonce));
  if (!w) return build('');
  // No script found: an empty stand-in, so every read below is a plain property read.
  const script: Partial<HTMLScriptElement> = attempt(ownScript) || {};
  const ds = script.dataset || {};
  const stub = w.tutti as { _q?: unknown[] } | undefined;
  const t = pageSingleton(() => build(ds.vitalsSrc || vitalsUrl(script.src || ''), script.nonce)) as Replayable;
  w.tutti = t;
  attempt(() => {
    const options = optionsFromDataset(ds);
    if (options.writeKey && !NO.test(ds.autoInit || '')) t.init(options as TuttiOptions);
  });
  const q = stub && stub !== t && stub._q;
  if (Array.isArray(q)) {
    replayQueue(t, q);
    // Code that kept a reference to the stub (a framework plugin set up before the SDK
    // came) goes on calling it: those calls reach the SDK too, a microtask later, once the
    // stub has attached a flush()/personalize() promise's resolver to the call.
    attempt(() => void (q.push = (...calls) => (Promise.resolve().then(() => replayQueue(t, calls)), 0)));
  }
  return t;
}
