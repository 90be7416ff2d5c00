// The default backend contract (SPEC §5) and the merge of user overrides, so the SDK can
// feed RudderStack, Jitsu, Segment or a custom backend.
import type { BackendContract, Decision } from '../types';
import { stringify } from '../lib/json';

export function decodeDecisions(body: string): Record<string, Decision> {
  const parsed = JSON.parse(body || '{}');
  const decisions = parsed && parsed.decisions;
  const out: Record<string, Decision> = {};
  // Parsed JSON: anything but an object (a string's characters included) gives no decision.
  for (const slot in decisions) {
    const d = decisions[slot];
    if (d && typeof d === 'object' && d.content && typeof d.content.type === 'string') out[slot] = d;
  }
  return out;
}

export function resolveContract(overrides?: Partial<BackendContract>): BackendContract {
  const defaults: BackendContract = {
    batchPath: '/v1/batch',
    decidePath: '/v1/decide',
    headers: {},
    encode: stringify,
    encodeDecide: stringify,
    decodeDecisions,
    compress: true,
  };
  const out = defaults as unknown as Record<string, unknown>;
  if (overrides && typeof overrides === 'object') {
    for (const k in overrides) {
      const v = (overrides as Record<string, unknown>)[k];
      // An override of the wrong type (encode: 'json', batchPath: 42) keeps the default.
      if (k === 'transport' ? v && typeof (v as { send?: unknown }).send === 'function' : k in out && typeof v === typeof out[k] && v !== null) out[k] = v;
    }
  }
  return defaults;
}
