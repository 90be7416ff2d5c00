// Backend HTML for `html` decisions goes through DOMPurify, never through a sanitizer of
// our own. The browser's Sanitizer API (`setHTML`) is not used even where it exists: its
// configuration shape changed between browser versions and its defaults keep elements
// this SDK refuses (forms, <style>, inline styles), so one engine with one policy gives
// the same result in every browser and the tests cover the path users actually run.
//
// Policy, stricter than DOMPurify's defaults: HTML only (no SVG or MathML, whose parsing
// differences feed mutation XSS); no script, style, frames, plugins, forms or controls;
// no event handlers, inline styles, srcdoc, srcset or data-* attributes (a nested
// data-tutti-slot must not become a slot); URLs only http(s) (links also mailto:/tel:),
// so javascript: and data: are gone; ids and names are prefixed so content cannot
// clobber the page's globals.
import DOMPurify from 'dompurify';
import { httpUrl, linkUrl } from './urls';

type Purifier = ReturnType<typeof DOMPurify>;

const FORBID_TAGS = [
  'script', 'style', 'link', 'meta', 'base', 'title', 'template', 'noscript', 'slot',
  'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'portal', 'fencedframe',
  'form', 'input', 'button', 'textarea', 'select', 'option', 'optgroup', 'datalist', 'output', 'dialog',
  'svg', 'math',
];
const FORBID_ATTR = [
  'style', 'srcdoc', 'srcset', 'sizes', 'action', 'formaction', 'background', 'ping', 'nonce',
  'xlink:href', 'autofocus', 'popover', 'popovertarget', 'popovertargetaction', 'command', 'commandfor',
];
/** Attributes holding a URL the browser fetches or follows. */
const URL_ATTRS: Record<string, 1> = { href: 1, src: 1, poster: 1, cite: 1, longdesc: 1, usemap: 1, data: 1, codebase: 1, manifest: 1 };

const CONFIG = {
  USE_PROFILES: { html: true },
  FORBID_TAGS,
  FORBID_ATTR,
  ALLOW_DATA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  SANITIZE_NAMED_PROPS: true,
  // Only schemes we allow, or no scheme at all (relative URLs resolve to the page's http(s)).
  ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto|tel):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
  RETURN_DOM_FRAGMENT: true as const,
};

let purifier: Purifier | null | undefined;

/** A private DOMPurify instance, so our hooks never touch a copy the host page uses. */
function instance(): Purifier | null {
  if (purifier !== undefined) return purifier;
  purifier = null;
  try {
    const p = DOMPurify(window);
    if (!p.isSupported) return null;
    p.addHook('uponSanitizeAttribute', (_node, data) => {
      const name = data.attrName;
      if (!URL_ATTRS[name]) return;
      // DOMPurify lets data: through on <img src> & co.; http(s) is the rule here.
      const ok = name === 'href' ? linkUrl(data.attrValue) || /^#/.test(data.attrValue.trim()) : httpUrl(data.attrValue);
      if (!ok) data.keepAttr = false;
    });
    purifier = p;
  } catch {
    // no DOM: html content cannot be shown and the default stays
  }
  return purifier;
}

/**
 * `html` as a sanitized fragment ready to insert (no re-parsing, so no mutation XSS
 * between sanitizing and inserting), or null when no sanitizer can run here.
 */
export function sanitizeHtml(html: string): DocumentFragment | null {
  const p = instance();
  if (!p) return null;
  return p.sanitize(String(html), CONFIG) as DocumentFragment;
}
