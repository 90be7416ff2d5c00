// The inspector (web and H5): an opt-in debug overlay that lists the events Tutti builds
// on this page and what became of each (queued → sent / failed / dropped), with the
// identity, session, campaign and consent state and a "flush now" button. An add-on, so
// the SDK bundles carry none of it. npm:
//
//   import tutti from 'tutti';
//   import { enableInspector } from 'tutti/inspector';
//   const remove = enableInspector(tutti); // before or after init
//
// Script tag: dist/tutti.inspector.min.js opens it on pages loaded with ?tutti_debug=1.
//
// Safety: the panel lives in a shadow root (page CSS cannot reach in, its CSS cannot
// leak out); event data is only ever written with textContent, since properties are
// page- or user-controlled strings; its styles go in a constructed stylesheet, which a
// strict CSP `style-src` does not block (a <style> element, with `nonce`, is the fallback
// where constructed stylesheets are missing); every callback is guarded, so nothing
// throws into the page or the SDK.
import type { Plugin, Tutti, TuttiEvent } from '../../../src/types';
import { attempt, win } from '../lib/dom';
import { registry } from '../lib/registry';

export interface InspectorOptions {
  /** Events listed at most; the oldest go first. 100 */
  max?: number;
  /** Start expanded. false */
  open?: boolean;
  /** CSP nonce for the fallback <style> element (browsers without constructed stylesheets). */
  nonce?: string;
}

interface Row {
  e: TuttiEvent;
  li: HTMLElement;
  st: HTMLElement;
  pre: HTMLElement;
}

const NAME = 'tutti-inspector';
const CSS =
  ':host{all:initial!important;position:fixed!important;z-index:2147483647!important;right:8px!important;bottom:8px!important;display:block!important}' +
  '*{box-sizing:border-box}.p{font:12px/1.4 system-ui,sans-serif;color:#111;background:#fff;border:1px solid #888;border-radius:6px;box-shadow:0 2px 8px #0004;max-width:min(440px,96vw)}' +
  'button{font:inherit;cursor:pointer;border:0;background:#1f6feb;color:#fff;border-radius:4px;padding:4px 8px;margin:4px}' +
  '.b{max-height:60vh;overflow:auto;padding:0 6px 6px}.s{white-space:pre-wrap;word-break:break-all;color:#333;margin:4px 0}' +
  'ol{list-style:none;margin:0;padding:0}li{border-top:1px solid #ddd;padding:3px 0;cursor:pointer;word-break:break-all}' +
  'pre{font:11px/1.3 ui-monospace,monospace;white-space:pre-wrap;background:#f4f4f4;margin:2px 0;padding:4px;cursor:text}' +
  'i{font-style:normal;border-radius:3px;padding:0 4px;margin-right:4px;background:#ddd}.sent{background:#9be9a8}.failed{background:#ffaba8}.dropped{background:#ffd08a}' +
  'b{margin-right:4px}small{color:#666}';

type Reg = { inspector?: () => void };

const el = (tag: string, parent: Node, text?: string, cls?: string): HTMLElement => {
  const n = document.createElement(tag);
  if (text) n.textContent = text;
  if (cls) n.className = cls;
  parent.appendChild(n);
  return n;
};

const label = (e: TuttiEvent): string =>
  String((e.type === 'track' ? e.event : e.name || e.groupId || (/^[ia]/.test(e.type) ? e.userId : '')) || '');

const json = (v: unknown): string => attempt(() => JSON.stringify(v), '') || '–';

/** The panel, made once the SDK instance is known (plugin setup). Returns its remover. */
function mount(t: Tutti, options: InspectorOptions): (() => void) & { add(e: TuttiEvent): void } {
  const max = Math.max(1, Number(options.max) || 100);
  const host = document.createElement(NAME);
  const root = host.attachShadow({ mode: 'open' });
  // Constructed stylesheets are outside CSP's style-src; a <style> element is not.
  if (!attempt(() => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    (root as ShadowRoot & { adoptedStyleSheets: CSSStyleSheet[] }).adoptedStyleSheets = [sheet];
    return true;
  })) {
    const s = el('style', root, CSS);
    if (options.nonce) s.setAttribute('nonce', options.nonce);
  }
  const p = el('div', root, '', 'p');
  const head = el('button', p);
  const body = el('div', p, '', 'b');
  const state = el('div', body, '', 's');
  const flush = el('button', body, 'Flush now');
  const list = el('ol', body);
  const rows = new Map<string, Row>();
  /** The messageIds the plugin saw. */
  const seen = new Set<string>();
  body.hidden = !options.open;

  const refresh = () =>
    attempt(() => {
      head.textContent = `Tutti ${body.hidden ? '▸' : '▾'} ${rows.size} event${rows.size === 1 ? '' : 's'}`;
      if (body.hidden) return;
      const c = t.getCampaign() || { first: null, last: null };
      // Consent is not exposed as such: linkUrl adds the IDs only with consent granted.
      const probe = 'https://example.com/';
      state.textContent =
        `anonymousId: ${t.getAnonymousId() || '–'}\nuserId: ${t.getUserId() || '–'}\nsessionId: ${t.getSessionId() || '–'}\n` +
        `consent: ${t.linkUrl(probe) !== probe ? 'granted' : 'not granted (pending or denied) or not initialised'}\n` +
        `campaign first: ${json(c.first)}\ncampaign last: ${json(c.last)}`;
    });

  function row(e: TuttiEvent): Row | undefined {
    const id = e && e.messageId;
    if (!id || typeof id !== 'string') return;
    let r = rows.get(id);
    if (r) return r;
    const li = document.createElement('li');
    const st = el('i', li, 'queued');
    el('b', li, String(e.type));
    el('span', li, label(e) + ' ');
    el('small', li, attempt(() => new Date(e.timestamp).toTimeString().slice(0, 8), ''));
    const pre = el('pre', li);
    pre.hidden = true;
    rows.set(id, (r = { e, li, st, pre }));
    list.insertBefore(li, list.firstChild);
    for (const [old, o] of rows) {
      if (rows.size <= max) break;
      rows.delete(old);
      o.li.remove();
    }
    return r;
  }

  const status = (cls: string) => (info: { events: TuttiEvent[]; status?: number; reason?: string }) =>
    attempt(() => {
      for (const e of info.events || []) {
        // An unknown event is listed if its plugin never saw it (built before the panel
        // opened), not if it was capped away. (A time check missed events built in the
        // millisecond the panel opened, just before its plugin: the landing page view.)
        const r = (e && rows.get(e.messageId)) || (seen.has(e.messageId) ? undefined : row(e));
        if (!r) continue;
        r.e = e;
        r.st.className = cls;
        r.st.textContent = cls + (info.reason ? `: ${info.reason}` : '') + (info.status ? ` (${info.status})` : '');
        if (!r.pre.hidden) r.pre.textContent = JSON.stringify(e, null, 2);
      }
      refresh();
    });

  const onClick = (ev: Event) =>
    attempt(() => {
      const target = ev.target as Node;
      if (target === head || head.contains(target)) body.hidden = !body.hidden;
      else if (target === flush) Promise.resolve(t.flush()).then(refresh, refresh);
      else
        for (const r of rows.values()) {
          // A click inside the JSON selects text; anywhere else on the row toggles it.
          if (r.pre.contains(target) || !r.li.contains(target)) continue;
          r.pre.hidden = !r.pre.hidden;
          r.pre.textContent = r.pre.hidden ? '' : JSON.stringify(r.e, null, 2);
        }
      refresh();
    });
  root.addEventListener('click', onClick);
  const offs = (['sent', 'failed', 'dropped'] as const).map((k) => t.on(k, status(k)));
  const timer = setInterval(refresh, 2000);
  (document.body || document.documentElement).appendChild(host);
  refresh();
  return Object.assign(
    () => {
      clearInterval(timer);
      root.removeEventListener('click', onClick);
      offs.forEach((off) => typeof off === 'function' && attempt(off));
      host.remove();
      rows.clear();
      seen.clear();
    },
    // Seen by the plugin: an event as the SDK built it. The oldest of 10,000 IDs is let go: a
    // debug panel left open on a long-lived page must not grow without end.
    {
      add: (e: TuttiEvent) =>
        void attempt(() => (seen.add(e.messageId), seen.size > 1e4 && seen.delete(seen.values().next().value as string), row(e), refresh())),
    },
  );
}

/**
 * Shows the inspector for `tutti` (the page's instance, the async snippet's stub, or any
 * object with `use`), once it is initialised. Returns a function that removes it. One
 * inspector per page: a second call returns the first one's remover.
 */
export function enableInspector(tutti: Tutti, options: InspectorOptions = {}): () => void {
  const reg = registry() as Reg;
  const w = win();
  if (!w || !tutti || typeof tutti.use !== 'function') {
    if (typeof console !== 'undefined') console.warn('[tutti] inspector: no Tutti instance (or not in a browser); not shown');
    return () => undefined;
  }
  if (reg.inspector) return reg.inspector;
  let off = false;
  let panel: ReturnType<typeof mount> | undefined;
  const plugin: Plugin = {
    name: NAME,
    setup: ({ tutti: t }) =>
      attempt(() => {
        if (!off && !panel) panel = mount(t, options || {});
      }),
    // Sees every event as it is built; hands it on untouched, whatever happens here.
    beforeSend: (e) => (panel && panel.add(e), e),
  };
  const remove = () => {
    attempt(() => {
      off = true;
      plugin.beforeSend = undefined;
      if (panel) panel();
      panel = undefined;
      if (reg.inspector === remove) reg.inspector = undefined;
    });
  };
  reg.inspector = remove;
  attempt(() => tutti.use(plugin));
  return remove;
}
