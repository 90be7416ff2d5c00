// Puts a decision's content into a slot element (SPEC §7): text via textContent, images
// with http(s) URLs only, HTML only through the sanitizer, JSON never into the DOM (it
// reaches the page through `on('decision')`). Anything that cannot be shown safely
// returns false and the slot keeps its default content.
import type { Decision, DecisionContent } from '../../../src/types';
import { sanitizeHtml } from './sanitize';
import { httpUrl } from './urls';

/** The decision when it is well-formed enough to act on, else undefined. */
export function validDecision(d: unknown): Decision | undefined {
  const x = d as Decision | undefined;
  if (!x || typeof x !== 'object' || typeof x.variantId !== 'string' || !x.variantId) return undefined;
  const c = x.content as Partial<Record<string, unknown>> | undefined;
  if (!c || typeof c !== 'object') return undefined;
  const ok =
    (c.type === 'text' && typeof c.text === 'string') ||
    (c.type === 'html' && typeof c.html === 'string') ||
    (c.type === 'image' && typeof c.src === 'string') ||
    (c.type === 'json' && 'data' in c);
  return ok ? x : undefined;
}

function replaceChildren(el: Element, node: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  el.appendChild(node);
}

/** Renders `content` into `el`; false when it must not or cannot be shown (the default stays). */
export function renderContent(el: Element, content: DecisionContent): boolean {
  const doc = el.ownerDocument;
  switch (content.type) {
    case 'text':
      el.textContent = content.text;
      return true;
    case 'image': {
      const src = httpUrl(content.src);
      if (!src) return false;
      const img = doc.createElement('img');
      img.src = src;
      img.alt = typeof content.alt === 'string' ? content.alt : '';
      img.decoding = 'async';
      // A link that is not http(s) is dropped; the image alone is still safe to show.
      const href = content.href !== undefined ? httpUrl(content.href) : undefined;
      if (href) {
        const a = doc.createElement('a');
        a.href = href;
        a.appendChild(img);
        replaceChildren(el, a);
      } else replaceChildren(el, img);
      return true;
    }
    case 'html': {
      const fragment = sanitizeHtml(content.html);
      if (!fragment) return false;
      replaceChildren(el, fragment);
      return true;
    }
    case 'json':
      // Delivered to `on('decision')` listeners by the core; the page renders it itself.
      return true;
    default:
      return false;
  }
}
