// Script-tag configuration: options as data attributes on the SDK's own <script>
// (data-write-key, data-batch-size, data-link-domains="a.com,b.com"...). Attributes
// are strings, so known options are converted to their types here; unknown ones pass
// through for adapters (true/false recognised), and unparsable numbers are left out
// so the defaults apply.
import type { TuttiOptions } from '../../../src/types';

/** n: number, l: comma list, b: boolean, r: retry.<name>, s: string as written. */
const TYPES: Record<string, string> = {
  batchSize: 'n',
  flushInterval: 'n',
  maxQueueSize: 'n',
  sessionTimeout: 'n',
  linkDomains: 'l',
  conversionEvents: 'l',
  debug: 'b',
  autoPageview: 'b',
  webVitals: 'b',
  retryMaxAttempts: 'r',
  retryBaseDelay: 'r',
  retryMaxDelay: 'r',
  writeKey: 's',
  endpoint: 's',
  consent: 's',
  cookieDomain: 's',
};
const NO = /^(false|0|no|off|none)$/i;

/** Options from a dataset (`el.dataset`); `autoInit` and `vitalsSrc` are script-only switches and stay out. */
export function optionsFromDataset(ds: { [key: string]: string | undefined }): Partial<TuttiOptions> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(ds)) {
    const raw = ds[key] as string;
    const type = TYPES[key];
    const n = raw.trim() ? Number(raw) : NaN;
    if (key === 'autoInit' || key === 'vitalsSrc') continue;
    // data-personalization-timeout="600", -slots="hero,promo", -anti-flicker="false", -nonce="…"
    if (key.indexOf('personalization') === 0 && key.length > 15) {
      const name = key[15].toLowerCase() + key.slice(16);
      const p = (out.personalization || (out.personalization = {})) as Record<string, unknown>;
      if (name === 'timeout') {
        if (isFinite(n)) p.timeout = n;
      } else if (name === 'slots') p.slots = raw.trim() === 'auto' ? 'auto' : raw.split(',').map((x) => x.trim()).filter(Boolean);
      else if (name === 'antiFlicker') p.antiFlicker = !NO.test(raw.trim());
      else p[name] = raw;
      continue;
    }
    if (type === 'n' || type === 'r') {
      if (!isFinite(n)) continue;
      if (type === 'n') out[key] = n;
      else ((out.retry || (out.retry = {})) as Record<string, number>)[key[5].toLowerCase() + key.slice(6)] = n;
    } else if (type === 'l') out[key] = raw.split(',').map((s) => s.trim()).filter(Boolean);
    else if (type === 'b') out[key] = !NO.test(raw.trim());
    else if (key === 'acceptHandoff') out[key] = NO.test(raw) ? false : raw;
    else out[key] = type || !/^(true|false|)$/i.test(raw) ? raw : !/^false$/i.test(raw);
  }
  return out as Partial<TuttiOptions>;
}
