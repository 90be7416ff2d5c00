// Options with their defaults (SPEC §2). Bad numbers fall back to the default with a
// debug warning rather than a throw; an unknown consent or acceptHandoff value takes the
// safe choice ('pending', false), also with a warning.
import type { ResolvedOptions, TuttiOptions } from './types';
import { resolveContract } from './delivery/contract';

/** A number option at or above `min`, else the default. */
function num(value: unknown, fallback: number, min: number, warn: (...a: unknown[]) => void, name: string): number {
  const n = value === undefined ? fallback : Number(value);
  if (isFinite(n) && n >= min) return n;
  warn(`option ${name} must be >= ${min}; using ${fallback}`);
  return fallback;
}

/**
 * One of `allowed`; not given (or '', an empty data attribute): the default; anything else:
 * `safe`, with a warning. For consent and handoff a typo ('Pending', 'none') must never
 * mean "send" or "adopt".
 */
const oneOf = <T>(value: unknown, allowed: T[], fallback: T, safe: T, warn: (...a: unknown[]) => void, name: string): T =>
  value == null || value === '' ? fallback : allowed.indexOf(value as T) >= 0 ? (value as T) : (warn(`option ${name} unknown; using ${safe}`, value), safe);

const strings = (v: unknown, fallback: string[]): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : fallback);

export function resolveOptions(input: TuttiOptions, warn: (...a: unknown[]) => void): ResolvedOptions {
  const o = (input && typeof input === 'object' ? input : {}) as TuttiOptions;
  const retry = o.retry || {};
  const p = o.personalization || {};
  return Object.assign({}, o, {
    writeKey: String(o.writeKey || ''),
    // Without its trailing slashes, once for every use: the request URLs (endpoint +
    // '/v1/batch') and the names of the persisted outboxes, so 'https://c.example.com/' and
    // 'https://c.example.com' are one queue. ('/', the site's root, becomes '': init checks
    // that an endpoint was given, not this.)
    endpoint: String(o.endpoint || '').replace(/\/+$/, ''),
    batchSize: Math.floor(num(o.batchSize, 20, 1, warn, 'batchSize')),
    flushInterval: num(o.flushInterval, 3000, 0, warn, 'flushInterval'),
    maxQueueSize: Math.floor(num(o.maxQueueSize, 10000, 1, warn, 'maxQueueSize')),
    retry: {
      maxAttempts: Math.floor(num(retry.maxAttempts, 10, 1, warn, 'retry.maxAttempts')),
      baseDelay: num(retry.baseDelay, 1000, 0, warn, 'retry.baseDelay'),
      maxDelay: num(retry.maxDelay, 60000, 0, warn, 'retry.maxDelay'),
    },
    contract: resolveContract(o.contract),
    autoPageview: o.autoPageview !== false,
    webVitals: o.webVitals !== false,
    sessionTimeout: num(o.sessionTimeout, 1800000, 1, warn, 'sessionTimeout'),
    // '' is kept: a host-only cookie (no Domain attribute). Only a missing or non-string value means 'auto'.
    cookieDomain: typeof o.cookieDomain === 'string' ? o.cookieDomain : 'auto',
    linkDomains: strings(o.linkDomains, []),
    acceptHandoff: oneOf<ResolvedOptions['acceptHandoff']>((o.acceptHandoff as unknown) === true ? 'all' : o.acceptHandoff, ['all', 'anonymous', false], 'all', false, warn, 'acceptHandoff'),
    consent: oneOf<ResolvedOptions['consent']>(o.consent, ['granted', 'pending', 'denied'], 'granted', 'pending', warn, 'consent'),
    personalization: Object.assign({}, p, {
      slots: Array.isArray(p.slots) ? p.slots : 'auto',
      timeout: num(p.timeout, 800, 0, warn, 'personalization.timeout'),
      antiFlicker: p.antiFlicker !== false,
    }),
    conversionEvents: strings(o.conversionEvents, 'Order Completed,Signed Up'.split(',')),
    plugins: Array.isArray(o.plugins) ? o.plugins.filter((x) => x && typeof x === 'object' && typeof x.name === 'string') : [],
    debug: !!o.debug,
  }) as ResolvedOptions;
}
