// Anti-flicker (SPEC §7, LESSONS §2f): only slots are hidden, never the page, and with
// `visibility:hidden` so the slot keeps its box and nothing around it moves. The rule
// needs the SDK's own <style>: a `data-tutti-pending` written into the page's markup
// (to hide a slot from the very first paint) is inert if the SDK never loads.
// Pages with a nonce-based CSP pass `personalization.nonce`.

export const SLOT_ATTR = 'data-tutti-slot';
export const SLOT_SELECTOR = '[data-tutti-slot]';
export const PENDING_ATTR = 'data-tutti-pending';
const STYLE_MARK = 'data-tutti-slots';
const CSS = '[data-tutti-slot][data-tutti-pending]{visibility:hidden}';

/**
 * Adds the anti-flicker rule once per document. A rule added earlier without the nonce
 * that init then gives (the add-on ran first) was refused by the CSP: it is replaced.
 */
export function ensureStyle(nonce?: unknown): void {
  const old = document.querySelector<HTMLStyleElement>(`style[${STYLE_MARK}]`);
  if (old && (typeof nonce !== 'string' || !nonce || old.nonce === nonce)) return;
  removeStyle();
  const s = document.createElement('style');
  s.setAttribute(STYLE_MARK, '');
  if (typeof nonce === 'string' && nonce) s.nonce = nonce;
  s.textContent = CSS;
  (document.head || document.documentElement).appendChild(s);
}

export function removeStyle(): void {
  const s = document.querySelector(`style[${STYLE_MARK}]`);
  if (s && s.parentNode) s.parentNode.removeChild(s);
}
