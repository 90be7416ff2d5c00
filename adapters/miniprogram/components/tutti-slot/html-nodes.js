// Backend HTML → the `nodes` array of WeChat's <rich-text>, through a whitelist.
//
// A mini-program has no DOM, so DOMPurify cannot run here; instead of sanitizing markup
// this builds a fresh tree that can only contain what is listed below: known text
// tags, a few layout attributes, and <img> with an absolute http(s) src. Everything
// else is dropped — scripts, styles, frames, SVG/MathML with their content, every event
// handler, inline styles, links (rich-text cannot navigate; a tap goes to the page as a
// `slottap` event). Text is passed through as text nodes, which rich-text never parses
// as markup. Sizes are bounded so hostile input cannot stall the page.
'use strict';

var TAGS = {};
('a abbr b big blockquote br caption center cite code col colgroup dd del div dl dt em ' +
  'h1 h2 h3 h4 h5 h6 hr i img ins label li mark ol p pre q rp rt ruby s section small span ' +
  'strong sub sup table tbody td tfoot th thead tr tt u ul')
  .split(' ')
  .forEach(function (t) {
    TAGS[t] = 1;
  });
/** Dropped together with everything inside them. */
var DROP = {};
('script style template iframe frame frameset object embed applet noscript noembed noframes ' +
  'svg math title textarea select option xmp plaintext head form button audio video canvas')
  .split(' ')
  .forEach(function (t) {
    DROP[t] = 1;
  });
/** Raw-text elements: their content is not markup, up to the matching end tag. */
var RAW = { script: 1, style: 1, textarea: 1, title: 1, xmp: 1, iframe: 1, noembed: 1, noframes: 1, noscript: 1, plaintext: 1 };
var VOID = { area: 1, base: 1, br: 1, col: 1, embed: 1, hr: 1, img: 1, input: 1, link: 1, meta: 1, param: 1, source: 1, track: 1, wbr: 1 };
/** Attributes kept, per tag ('*' = any whitelisted tag), with their value check. */
var ATTRS = {
  '*': { class: cls },
  img: { src: httpUrl, alt: text, width: size, height: size },
  td: { colspan: digits, rowspan: digits },
  th: { colspan: digits, rowspan: digits },
  ol: { start: digits },
  col: { span: digits },
  colgroup: { span: digits },
};

var MAX_INPUT = 100000;
var MAX_NODES = 2000;
var MAX_DEPTH = 40;

function cls(v) {
  var c = v.replace(/[^\w\- ]+/g, '').trim();
  return c ? c.slice(0, 200) : undefined;
}
function text(v) {
  return v.slice(0, 500);
}
function digits(v) {
  return /^\d{1,4}$/.test(v.trim()) ? v.trim() : undefined;
}
function size(v) {
  return /^\d{1,5}(px|%)?$/.test(v.trim()) ? v.trim() : undefined;
}
/** Absolute http(s) only: there is no page URL to resolve relative ones against. */
function httpUrl(v) {
  var s = v.trim();
  return /^https?:\/\/[^\s"'<>\\]+$/i.test(s) ? s : undefined;
}

var NAMED = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
/** Entities in attribute values (so &#106;avascript: cannot hide a scheme from the check). */
function decode(v) {
  return v.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, function (m, e) {
    if (e.charAt(0) === '#') {
      var n = e.charAt(1).toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return n > 0 && n < 0x110000 ? String.fromCodePoint(n) : '';
    }
    var k = e.toLowerCase();
    return Object.prototype.hasOwnProperty.call(NAMED, k) ? NAMED[k] : m;
  });
}

var ATTR_RE = /([^\s"'<>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

function attrsOf(tag, source) {
  var out = {};
  var allowed = ATTRS[tag] || {};
  var any = ATTRS['*'];
  var m;
  var count = 0;
  ATTR_RE.lastIndex = 0;
  while ((m = ATTR_RE.exec(source)) && count++ < 50) {
    var name = m[1].toLowerCase();
    var check = Object.prototype.hasOwnProperty.call(allowed, name) ? allowed[name] : Object.prototype.hasOwnProperty.call(any, name) ? any[name] : null;
    if (!check) continue;
    var raw = m[2] !== undefined ? m[2] : m[3] !== undefined ? m[3] : m[4] !== undefined ? m[4] : '';
    var value = check(decode(raw));
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * Converts `html` to rich-text nodes: [{ name, attrs, children } | { type: 'text', text }].
 * Never throws; anything unparseable becomes text or is dropped.
 */
function htmlToNodes(html) {
  var src = String(html == null ? '' : html).slice(0, MAX_INPUT);
  var root = { children: [] };
  var stack = [{ name: '#root', node: root }];
  var nodes = 0;
  var dropping = 0; // depth inside a DROP element
  var i = 0;

  function top() {
    return stack[stack.length - 1];
  }
  function addText(t) {
    if (!t || dropping || nodes >= MAX_NODES) return;
    nodes++;
    top().node.children.push({ type: 'text', text: t });
  }

  while (i < src.length && nodes < MAX_NODES) {
    var lt = src.indexOf('<', i);
    if (lt < 0) {
      addText(src.slice(i));
      break;
    }
    if (lt > i) addText(src.slice(i, lt));
    // Comments, doctype, CDATA, processing instructions: skipped.
    if (src.startsWith('<!--', lt)) {
      var endC = src.indexOf('-->', lt + 4);
      i = endC < 0 ? src.length : endC + 3;
      continue;
    }
    if (src.charAt(lt + 1) === '!' || src.charAt(lt + 1) === '?') {
      var endD = src.indexOf('>', lt);
      i = endD < 0 ? src.length : endD + 1;
      continue;
    }
    var m = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/.exec(src.slice(lt, lt + 4000));
    if (!m) {
      addText('<');
      i = lt + 1;
      continue;
    }
    i = lt + m[0].length;
    var closing = m[1] === '/';
    var tag = m[2].toLowerCase();
    if (!closing && RAW[tag]) {
      // Skip to the end tag: nothing in between is markup (nor shown).
      var end = src.toLowerCase().indexOf('</' + tag, i);
      i = end < 0 ? src.length : src.indexOf('>', end) + 1 || src.length;
      continue;
    }
    if (closing) {
      for (var k = stack.length - 1; k > 0; k--) {
        if (stack[k].name === tag) {
          while (stack.length > k) {
            var popped = stack.pop();
            if (popped.drop) dropping--;
          }
          break;
        }
      }
      continue;
    }
    var selfClosing = /\/\s*$/.test(m[3]) || VOID[tag];
    if (DROP[tag]) {
      if (!selfClosing) {
        stack.push({ name: tag, node: { children: [] }, drop: true });
        dropping++;
      }
      continue;
    }
    if (dropping || !TAGS[tag] || stack.length > MAX_DEPTH) {
      // Unknown wrapper: its text stays, the tag goes.
      if (!selfClosing) stack.push({ name: tag, node: top().node });
      continue;
    }
    var attrs = attrsOf(tag, m[3]);
    if (tag === 'img' && !attrs.src) continue;
    var el = { name: tag, attrs: attrs, children: [] };
    nodes++;
    top().node.children.push(el);
    if (!selfClosing) stack.push({ name: tag, node: el });
  }
  return root.children;
}

module.exports = { htmlToNodes: htmlToNodes, httpUrl: httpUrl };
