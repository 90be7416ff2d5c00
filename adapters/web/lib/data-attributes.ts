// Script-tag configuration: options as data attributes on the SDK's own <script>
// (data-write-key, data-batch-size, data-link-domains="a.com,b.com"...). Attributes
// are strings, so known options are converted to their types here; unknown ones pass
// through for adapters (true/false recognised), and unparsable numbers are left out
// so the defaults apply. Nested options take their group as a prefix:
// data-retry-max-attempts → retry.maxAttempts, data-personalization-timeout → personalization.timeout.
import type { TuttiOptions } from '../../../src/types';

// By option name (within its group for nested ones).
const NUMBER = /^(batchSize|flushInterval|maxQueueSize|sessionTimeout|maxAttempts|baseDelay|maxDelay|timeout)$/;
const LIST = /^(linkDomains|conversionEvents|slots)$/;
const BOOLEAN = /^(debug|autoPageview|webVitals|antiFlicker)$/;
/** Kept as written even when they read "true", "false" or "" (an empty cookieDomain means host-only). */
const STRING = /^(writeKey|endpoint|consent|cookieDomain|nonce)$/;
/** How an attribute says no: data-debug="off", data-auto-init="false"... */
export const NO = /^(false|0|no|off|none)$/i;

/** Options from a dataset (`el.dataset`); `autoInit` and `vitalsSrc` are script-only switches and stay out. */
export function optionsFromDataset(ds: { [key: string]: string | undefined }): Partial<TuttiOptions> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(ds)) {
    if (key === 'autoInit' || key === 'vitalsSrc') continue;
    const raw = ds[key] as string;
    const value = raw.trim();
    const group = /^(retry|personalization)([A-Z])(.*)$/.exec(key);
    const name = group ? group[2].toLowerCase() + group[3] : key;
    const set = (v: unknown) => (((group ? out[group[1]] || (out[group[1]] = {}) : out) as Record<string, unknown>)[name] = v);
    if (NUMBER.test(name)) {
      if (value && isFinite(+value)) set(+value);
    } else if (LIST.test(name)) set(name === 'slots' && value === 'auto' ? value : value.split(',').map((s) => s.trim()).filter(Boolean));
    else if (BOOLEAN.test(name)) set(!NO.test(value));
    else if (name === 'acceptHandoff') set(NO.test(raw) ? false : raw);
    else set(STRING.test(name) || !/^(true|false|)$/i.test(raw) ? raw : !/^false$/i.test(raw));
  }
  return out as Partial<TuttiOptions>;
}
