// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://shop.example.com/landing"}
// The HTML policy in jsdom: every vector's output is inspected element by element (the
// Chromium suite additionally proves none of them executes).
import { describe, expect, it } from 'vitest';
import { sanitizeHtml } from '../../adapters/web/personalize/sanitize';
import { renderContent, validDecision } from '../../adapters/web/personalize/content';
import { BAD_IMAGE_SRC, HTML_VECTORS } from './vectors';

const FORBIDDEN_TAGS = ['script', 'style', 'iframe', 'object', 'embed', 'form', 'svg', 'math', 'meta', 'base', 'link', 'template', 'noscript', 'button'];

function render(html: string): HTMLElement {
  const el = document.createElement('div');
  el.appendChild(sanitizeHtml(html) as DocumentFragment);
  return el;
}

function unsafeParts(root: Element): string[] {
  const bad: string[] = [];
  root.querySelectorAll('*').forEach((el) => {
    const tag = el.tagName.toLowerCase();
    if (FORBIDDEN_TAGS.includes(tag) || el.namespaceURI !== 'http://www.w3.org/1999/xhtml') bad.push(`<${tag}>`);
    for (const a of Array.from(el.attributes)) {
      const v = a.value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
      if (/^on/i.test(a.name) || ['style', 'srcdoc', 'srcset', 'action', 'formaction'].includes(a.name) || a.name.startsWith('data-')) bad.push(`${tag}[${a.name}]`);
      if (/^(javascript|data|vbscript):/.test(v) || /&#/.test(a.value)) bad.push(`${tag}[${a.name}=${a.value}]`);
    }
  });
  return bad;
}

describe('html sanitizer', () => {
  it.each(HTML_VECTORS)('%s: nothing executable survives', (_name, html) => {
    const out = render(html);
    expect(unsafeParts(out)).toEqual([]);
  });

  it('keeps ordinary marketing HTML: structure, text, http(s) links and images, relative URLs', () => {
    const out = render(
      '<h2 class="title">Spring <em>sale</em></h2><p>Up to <strong>30%</strong> off. <a href="https://shop.example.com/sale?x=1&amp;y=2" title="Sale">Shop</a> · <a href="/help">Help</a> · <a href="mailto:help@example.com">Mail</a></p><ul><li>one</li><li>two</li></ul><img src="https://cdn.example.com/a.png" alt="A" width="120">',
    );
    expect(out.querySelector('h2.title em')!.textContent).toBe('sale');
    const links = Array.from(out.querySelectorAll('a')).map((a) => a.getAttribute('href'));
    expect(links).toEqual(['https://shop.example.com/sale?x=1&y=2', '/help', 'mailto:help@example.com']);
    expect(out.querySelector('img')!.getAttribute('src')).toBe('https://cdn.example.com/a.png');
    expect(out.querySelector('img')!.getAttribute('width')).toBe('120');
    expect(out.querySelectorAll('li').length).toBe(2);
  });

  it('drops the content of forbidden containers, keeps the text of unknown wrappers', () => {
    const out = render('<svg><text>svg text</text></svg><script>code()</script><style>p{}</style><custom-thing>kept text</custom-thing>');
    expect(out.textContent).toBe('kept text');
  });

  it('prefixes ids and names so content cannot clobber page globals', () => {
    const out = render('<a id="config" href="#x">c</a><img name="tutti" src="https://cdn.example.com/a.png">');
    expect(out.querySelector('a')!.id).not.toBe('config');
    expect(out.querySelector('img')!.getAttribute('name')).not.toBe('tutti');
  });

  it('does not let a nested data-tutti-slot through', () => {
    expect(render('<div data-tutti-slot="x" data-other="1">n</div>').querySelector('[data-tutti-slot]')).toBeNull();
  });
});

describe('rendering decisions', () => {
  const slot = () => {
    const el = document.createElement('div');
    el.innerHTML = '<span>default</span>';
    return el;
  };

  it('text is text, even when it looks like markup', () => {
    const el = slot();
    expect(renderContent(el, { type: 'text', text: '<img src=x onerror=alert(1)> 10% off' })).toBe(true);
    expect(el.children.length).toBe(0);
    expect(el.textContent).toBe('<img src=x onerror=alert(1)> 10% off');
  });

  it('image: http(s) only, with an optional http(s) link; alt kept', () => {
    const el = slot();
    expect(renderContent(el, { type: 'image', src: 'https://cdn.example.com/hero.jpg', alt: 'Hero', href: 'https://shop.example.com/p/1' })).toBe(true);
    const a = el.querySelector('a')!;
    expect(a.getAttribute('href')).toBe('https://shop.example.com/p/1');
    expect(a.querySelector('img')!.getAttribute('src')).toBe('https://cdn.example.com/hero.jpg');
    expect(a.querySelector('img')!.getAttribute('alt')).toBe('Hero');
  });

  it.each(BAD_IMAGE_SRC)('image with src %j is refused and the default stays', (src) => {
    const el = slot();
    expect(renderContent(el, { type: 'image', src })).toBe(false);
    expect(el.innerHTML).toBe('<span>default</span>');
  });

  it('image with a javascript: link keeps the image and drops the link', () => {
    const el = slot();
    renderContent(el, { type: 'image', src: 'https://cdn.example.com/x.png', href: 'javascript:alert(1)' });
    expect(el.querySelector('a')).toBeNull();
    expect(el.querySelector('img')).not.toBeNull();
  });

  it('json never touches the DOM', () => {
    const el = slot();
    expect(renderContent(el, { type: 'json', data: { html: '<b>x</b>' } })).toBe(true);
    expect(el.innerHTML).toBe('<span>default</span>');
  });

  it('malformed decisions are ignored', () => {
    expect(validDecision({ variantId: 'A', content: { type: 'text', text: 'ok' } })).toBeTruthy();
    for (const bad of [null, 'x', {}, { variantId: '', content: { type: 'text', text: 'a' } }, { variantId: 'A' }, { variantId: 'A', content: { type: 'text', text: 5 } }, { variantId: 'A', content: { type: 'video', src: 'https://x' } }, { variantId: 'A', content: { type: 'image' } }]) {
      expect(validDecision(bad)).toBeUndefined();
    }
  });
});
