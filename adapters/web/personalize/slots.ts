// The slot controller (SPEC §7): finds `[data-tutti-slot]` elements, now and as an SPA
// adds them, asks /v1/decide once per page view for all slots waiting together, renders
// the answers, and reports `Slot Viewed` / `Slot Clicked`.
//
// Per slot: pending (hidden if antiFlicker) → settled with a decision, or with the
// default when there is none, when it cannot be shown safely, or when the deadline
// (`personalization.timeout` after the wait began) passes. A settled slot never changes
// again in this page view, so the visitor never sees content swap under their eyes.
// Decisions arriving after the deadline are still cached (with a ttl) for the next page.
import type { Decision, Tutti } from '../../../src/types';
import { CAMPAIGN_PARAMS } from '../../../src/campaign/campaign';
import { attempt, listen } from '../lib/dom';
import { pageKey } from '../lib/pageviews';
import { decisionCache, type DecisionCache } from './cache';
import { renderContent, validDecision } from './content';
import { createExposure } from './exposure';
import { ensureStyle, PENDING_ATTR, SLOT_ATTR, SLOT_SELECTOR } from './style';

export interface SlotOptions {
  /** When the wait began (ms epoch). Default: when the anti-flicker hold began, if it is still on, else now. */
  since?: number;
  /** CSP nonce for the anti-flicker <style> until init gives `personalization.nonce` (the add-on passes its own). */
  nonce?: string;
}

export interface SlotsController {
  /** Looks for new slots at once (the MutationObserver does this by itself). */
  refresh(): void;
  /** Stops observing; pending slots show their default. */
  stop(): void;
}

/** What the controller needs from the instance; `options`/`warn` exist on every Tutti instance. */
export type Instance = Tutti & {
  options?: { writeKey: string; endpoint: string; personalization?: { slots?: unknown; timeout?: unknown; antiFlicker?: unknown; nonce?: unknown } };
  warn?: (...a: unknown[]) => void;
  /** The core's hook for decisions served from the cache, so on('decision') still hears them. */
  decided?: (slotId: string, decision: Decision) => void;
};

interface Slot {
  id: string;
  settled: boolean;
  decision: Decision | null;
}

interface Entry {
  /** The outcome for this slot ID, once known; null = keep the default. */
  done?: { decision: Decision | null; page: string };
  /** Elements waiting for the outcome. */
  waiting: Element[];
}

const MAX_ID = 200;
const currentPage = () => pageKey(location, CAMPAIGN_PARAMS);

/** The instance's personalization options with the defaults (SPEC §2: 800 ms, anti-flicker on). */
export function slotSettings(t: Instance) {
  const p = (t.options && t.options.personalization) || {};
  return { p, timeout: Number(p.timeout) >= 0 ? Number(p.timeout) : 800, antiFlicker: p.antiFlicker !== false };
}

/** Runs a controller for an initialised instance, from now (enableSlots decides when). */
export function startSlots(t: Instance, options: SlotOptions): SlotsController {
  const o = t.options;
  const { p, timeout, antiFlicker } = slotSettings(t);
  const only = Array.isArray(p.slots) ? (p.slots as unknown[]).filter((s): s is string => typeof s === 'string') : undefined;
  const warn = (...a: unknown[]) => attempt(() => t.warn && t.warn('[slots]', ...a));
  /**
   * Who decisions are for. A reset(), or an identify() of another user (which resets),
   * gives a new anonymous ID: earlier decisions are then someone else's. An anonymous
   * visitor who signs in keeps it, and is still the same person.
   */
  const who = () => t.getAnonymousId();
  const cache: DecisionCache = decisionCache(o ? o.writeKey + '@' + o.endpoint : '', () => who() + '\n' + (t.getUserId() || ''));

  const slots = new Map<Element, Slot>();
  const entries = new Map<string, Entry>();
  let queue: string[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** The first batch ends where the page's first wait ends; later ones (SPA) get a full timeout. */
  let firstDeadline: number | undefined = (options.since || Date.now()) + timeout;
  let page = currentPage();
  let href = location.href;
  let viewed = new Set<string>();
  /** After stop(), answers still in flight change nothing and report nothing. */
  let stopped = false;

  if (antiFlicker) ensureStyle(p.nonce || options.nonce);

  const props = (s: Slot) => {
    const out: Record<string, string> = { slotId: s.id, variantId: s.decision ? s.decision.variantId : 'default' };
    if (s.decision && typeof s.decision.experimentId === 'string') out.experimentId = s.decision.experimentId;
    return out;
  };

  const exposure = createExposure((el) => {
    const s = slots.get(el);
    if (!s || !s.settled || !el.isConnected) return;
    exposure.unwatch(el);
    if (viewed.has(s.id)) return; // once per slot ID per page view
    viewed.add(s.id);
    t.track('Slot Viewed', props(s));
  });

  function settle(el: Element, s: Slot, decision: Decision | null): void {
    if (s.settled || stopped) return;
    s.settled = true;
    s.decision = null;
    if (decision) {
      if (attempt(() => renderContent(el, decision.content), false)) s.decision = decision;
      else warn(`slot ${s.id}: variant ${decision.variantId} cannot be shown safely; the default stays`);
    }
    el.removeAttribute(PENDING_ATTR);
    el.setAttribute('data-tutti-variant', s.decision ? s.decision.variantId : 'default');
    exposure.watch(el);
  }

  function resolve(id: string, decision: Decision | null, forPage: string): void {
    const e = entries.get(id);
    if (!e || e.done) return;
    e.done = { decision, page: forPage };
    const els = e.waiting;
    e.waiting = [];
    for (const el of els) {
      const s = slots.get(el);
      if (s) settle(el, s, decision);
    }
  }

  /** Queues a slot ID for the next decide request. */
  function want(id: string, el?: Element): void {
    let e = entries.get(id);
    if (e && e.done && e.done.page !== page + who()) {
      entries.delete(id); // decided for an earlier page view or another person: ask again
      e = undefined;
    }
    if (!e) {
      entries.set(id, (e = { waiting: [] }));
      queue.push(id);
      if (!flushTimer) flushTimer = setTimeout(flush, 0);
    }
    if (el) {
      if (e.done) settle(el, slots.get(el) as Slot, e.done.decision);
      else {
        // Not once the page's first wait is over (the hold already showed the default).
        if (antiFlicker && !(firstDeadline! < Date.now())) el.setAttribute(PENDING_ATTR, '');
        e.waiting.push(el);
      }
    }
  }

  function attach(el: Element): void {
    if (slots.has(el)) return;
    const id = (el.getAttribute(SLOT_ATTR) || '').trim();
    if (!id || id.length > MAX_ID || (only && only.indexOf(id) < 0)) {
      el.removeAttribute(PENDING_ATTR); // hidden by the markup or the boot, but not ours to fill
      return;
    }
    slots.set(el, { id, settled: false, decision: null });
    want(id, el);
  }

  function flush(): void {
    flushTimer = undefined;
    const ids = queue;
    queue = [];
    const me = who();
    const forPage = page + me;
    const deadline = firstDeadline !== undefined ? firstDeadline : Date.now() + timeout;
    firstDeadline = undefined;
    const ask: string[] = [];
    for (const id of ids) {
      const hit = validDecision(cache.get(id));
      if (hit) {
        // A cached decision, too, never replaces a default the hold already showed.
        resolve(id, Date.now() <= deadline ? hit : null, forPage);
        if (t.decided) t.decided(id, hit);
      } else ask.push(id);
    }
    if (!ask.length) return;
    const late = setTimeout(() => ask.forEach((id) => resolve(id, null, forPage)), Math.max(0, deadline - Date.now()));
    const answer = (decisions: Record<string, Decision>) => {
      clearTimeout(late);
      // Past the deadline the boot may already have revealed the default: never swap it.
      const inTime = Date.now() <= deadline;
      // Asked for a person who has since logged out or changed: neither shown nor cached.
      const mine = who() === me;
      for (const id of ask) {
        const d = (mine && validDecision(decisions && decisions[id])) || null;
        if (d) cache.put(id, d);
        resolve(id, inTime ? d : null, forPage); // no-op for IDs the deadline already settled
      }
    };
    let pending: Promise<Record<string, Decision>>;
    try {
      pending = t.personalize(ask);
    } catch (err) {
      pending = Promise.reject(err);
    }
    Promise.resolve(pending).then(answer, (err) => {
      warn('decide failed; defaults stay', err);
      answer({});
    });
  }

  function scan(root: ParentNode | Element): void {
    if ((root as Element).matches && (root as Element).matches(SLOT_SELECTOR)) attach(root as Element);
    if (root.querySelectorAll) root.querySelectorAll(SLOT_SELECTOR).forEach(attach);
  }

  /** A new page view (SPA navigation): slots still on screen can be viewed again. */
  function checkPage(): void {
    if (location.href === href) return;
    href = location.href;
    const key = currentPage();
    if (key === page) return;
    page = key;
    viewed = new Set();
    slots.forEach((s, el) => {
      if (!el.isConnected) slots.delete(el);
      else if (s.settled) exposure.watch(el);
    });
  }

  const mo =
    typeof MutationObserver === 'function'
      ? new MutationObserver((records) =>
          attempt(() => {
            checkPage();
            for (const r of records) {
              if (r.type === 'attributes') scan(r.target as Element);
              else r.addedNodes.forEach((n) => n.nodeType === 1 && scan(n as Element));
            }
          }),
        )
      : undefined;
  if (mo) mo.observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: [SLOT_ATTR] });

  const offs = [
    listen(window, 'popstate', () => attempt(checkPage)),
    listen(window, 'hashchange', () => attempt(checkPage)),
    // Capture phase: a host handler that stops propagation still leaves the click counted.
    listen(
      document,
      'click',
      (e) =>
        attempt(() => {
          for (let n = e.target as Element | null; n; n = n.parentElement) {
            const s = slots.get(n);
            if (s) {
              if (s.settled) t.track('Slot Clicked', props(s));
              return;
            }
          }
        }),
      true,
    ),
  ];

  // Declared slot IDs are asked for at once, so slots an SPA renders later find their
  // decision waiting (LESSONS §4.8: prefetch in one call).
  if (only) only.forEach((id) => want(id));
  scan(document);

  return {
    refresh: () => attempt(() => scan(document)),
    stop() {
      attempt(() => {
        stopped = true;
        if (mo) mo.disconnect();
        offs.forEach((off) => off());
        exposure.stop();
        if (flushTimer) clearTimeout(flushTimer);
        slots.forEach((s, el) => !s.settled && el.removeAttribute(PENDING_ATTR));
      });
    },
  };
}
