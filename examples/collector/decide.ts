// Personalization decisions (POST /v1/decide) from a rules file. Rules are matched in
// order per slot; the first match answers, either with fixed content or with a variant
// of an A/B experiment picked by a stable hash, so a person keeps their variant on
// every page, in every tab and across restarts without any server-side state.
import { readFileSync, statSync } from 'node:fs';
import type { DecideRule, DecisionContent, Match, RuleConditions } from './types';

export interface Decision {
  variantId: string;
  experimentId?: string;
  ttl?: number;
  content: DecisionContent;
}

/** What a rule can look at: the decide request, enriched with the stored profile. */
export interface DecideInput {
  anonymousId: string | null;
  userId: string | null;
  /** External ID types known for the person. */
  externalIdTypes: string[];
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
  /** Requested slots; all slots with rules when omitted. */
  slots?: string[];
}

/** 32-bit FNV-1a over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A person's stable position in [0, 1) for one experiment. FNV-1a alone mixes the last
 * characters of similar IDs weakly into its high bits, so a murmur3-style finalizer
 * spreads them before the value is scaled; salting with the experiment ID keeps
 * assignments independent across experiments.
 */
export function bucket(anonymousId: string, experimentId: string): number {
  let h = fnv1a32(`${anonymousId}.${experimentId}`);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x100000000;
}

/** The variant whose cumulative weight range contains `position`. */
export function pickVariant<V extends { weight?: number }>(variants: V[], position: number): V {
  const total = variants.reduce((sum, v) => sum + (v.weight ?? 1), 0);
  let edge = 0;
  for (const v of variants) {
    edge += (v.weight ?? 1) / total;
    if (position < edge) return v;
  }
  return variants[variants.length - 1];
}

function same(expected: Match, actual: unknown): boolean {
  if (Array.isArray(expected)) return expected.some((x) => same(x, actual));
  if (actual === undefined || actual === null) return false;
  return String(expected).toLowerCase() === String(actual).toLowerCase();
}

function matchFields(expected: Record<string, Match | undefined> | undefined, actual: unknown): boolean {
  if (!expected) return true;
  const obj = (actual && typeof actual === 'object' ? actual : {}) as Record<string, unknown>;
  return Object.entries(expected).every(([k, v]) => v === undefined || same(v, obj[k]));
}

/** True when every condition of `when` holds for the input. */
export function matches(when: RuleConditions | undefined, input: DecideInput): boolean {
  if (!when) return true;
  const ctx = input.context;
  if (!matchFields(when.campaign, ctx.campaign)) return false;
  if (!matchFields(when.firstCampaign, ctx.firstCampaign)) return false;
  if (!matchFields(when.traits, input.traits)) return false;
  if (when.channel !== undefined && !same(when.channel, ctx.channel)) return false;
  if (when.identified !== undefined && when.identified !== !!input.userId) return false;
  if (when.externalIds && !when.externalIds.every((t) => input.externalIdTypes.includes(t))) return false;
  return true;
}

/** Decisions for the requested slots; slots without a matching rule are left out (they keep their default). */
export function decide(rules: DecideRule[], input: DecideInput): Record<string, Decision> {
  const slots = input.slots ?? [...new Set(rules.map((r) => r.slot))];
  const out: Record<string, Decision> = {};
  for (const slot of slots) {
    const rule = rules.find((r) => r.slot === slot && matches(r.when, input));
    if (!rule) continue;
    let decision: Decision;
    if (rule.experiment) {
      // Without an anonymousId (a server-side caller) the userId keeps the split stable.
      const unit = input.anonymousId ?? input.userId ?? '';
      const v = pickVariant(rule.experiment.variants, bucket(unit, rule.experiment.id));
      decision = { variantId: v.id, experimentId: rule.experiment.id, content: v.content };
    } else {
      decision = { variantId: rule.variantId ?? rule.id ?? slot, content: rule.content! };
    }
    if (rule.ttl !== undefined) decision.ttl = rule.ttl;
    out[slot] = decision;
  }
  return out;
}

function checkContent(c: unknown, where: string): void {
  const content = c as Record<string, unknown> | undefined;
  const ok =
    !!content &&
    ((content.type === 'text' && typeof content.text === 'string') ||
      (content.type === 'html' && typeof content.html === 'string') ||
      (content.type === 'image' && typeof content.src === 'string' && /^https?:\/\//i.test(content.src)) ||
      (content.type === 'json' && 'data' in content));
  if (!ok) throw new Error(`${where}: content must be text, html, image (http/https src) or json`);
}

/** Checks a rules document (an array, or `{ "rules": [...] }`) and throws a precise error. */
export function parseRules(doc: unknown): DecideRule[] {
  const rules = Array.isArray(doc) ? doc : (doc as { rules?: unknown })?.rules;
  if (!Array.isArray(rules)) throw new Error('rules: expected an array or { "rules": [...] }');
  rules.forEach((r: DecideRule, i) => {
    const where = `rules[${i}]${r?.id ? ` (${r.id})` : ''}`;
    if (!r || typeof r.slot !== 'string' || !r.slot) throw new Error(`${where}: slot is required`);
    if (r.experiment) {
      const { id, variants } = r.experiment;
      if (typeof id !== 'string' || !id) throw new Error(`${where}: experiment.id is required`);
      if (!Array.isArray(variants) || variants.length === 0) throw new Error(`${where}: experiment.variants is empty`);
      variants.forEach((v, j) => {
        if (typeof v.id !== 'string' || !v.id) throw new Error(`${where}: variants[${j}].id is required`);
        if (v.weight !== undefined && !(typeof v.weight === 'number' && v.weight >= 0)) throw new Error(`${where}: variants[${j}].weight must be >= 0`);
        checkContent(v.content, `${where} variants[${j}]`);
      });
      if (variants.reduce((s, v) => s + (v.weight ?? 1), 0) <= 0) throw new Error(`${where}: weights sum to 0`);
    } else {
      checkContent(r.content, where);
    }
  });
  return rules as DecideRule[];
}

/**
 * Rules from an array or a JSON file. A file is re-read when it changes, so the demo's
 * rules can be edited while the collector runs; a broken edit keeps the last good rules.
 */
export class RuleSource {
  private rules: DecideRule[];
  private mtime = 0;
  private checkedAt = 0;

  constructor(private readonly source: DecideRule[] | string, private readonly log: (msg: string) => void = () => {}) {
    if (typeof source === 'string') {
      this.rules = parseRules(JSON.parse(readFileSync(source, 'utf8')));
      this.mtime = statSync(source).mtimeMs;
    } else {
      this.rules = parseRules(source);
    }
  }

  get(): DecideRule[] {
    if (typeof this.source === 'string' && Date.now() - this.checkedAt > 1000) {
      this.checkedAt = Date.now();
      try {
        const mtime = statSync(this.source).mtimeMs;
        if (mtime !== this.mtime) {
          this.mtime = mtime;
          this.rules = parseRules(JSON.parse(readFileSync(this.source, 'utf8')));
          this.log(`rules reloaded from ${this.source}`);
        }
      } catch (err) {
        this.log(`rules not reloaded: ${(err as Error).message}`);
      }
    }
    return this.rules;
  }
}
