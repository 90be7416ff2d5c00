// The mini-program <tutti-slot> component on the fake WeChat runtime, with the real SDK
// (adapters/miniprogram) and the reference collector: decisions from /v1/decide through
// `tutti.personalize`, rendering of text / image / rich-text, the wait and its timeout,
// Slot Viewed at 50 % visibility (once per page view) and Slot Clicked on tap, delivered
// through wx.request.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startCollector, type CollectorHandle, type DecideRule } from '../../examples/collector/index';
import type { Tutti } from '../../src/types';
import { createRuntime, type Runtime } from '../miniprogram/wx-runtime';
import { COMPONENT_DIR, loadCjs, mount } from './mp-component';
import { HTML_VECTORS } from './vectors';

const rules: DecideRule[] = [
  {
    slot: 'hero',
    experiment: {
      id: 'mp-hero',
      variants: [
        { id: 'A', content: { type: 'text', text: 'Hello A' } },
        { id: 'B', content: { type: 'text', text: 'Hello B' } },
      ],
    },
  },
  { slot: 'banner', variantId: 'img1', content: { type: 'image', src: 'https://cdn.example.com/b.png', alt: 'Banner', href: 'https://shop.example.com/b' } },
  { slot: 'rich', variantId: 'r1', content: { type: 'html', html: '<p class="x">Rich <b>text</b><img src="https://cdn.example.com/r.png" onerror="x()"></p><script>x()</script>' } },
  { slot: 'data', variantId: 'j1', content: { type: 'json', data: { cta: 'Go' } } },
];

let collector: CollectorHandle;
let rt: Runtime;
let tutti: Tutti;
let def: Record<string, any>;

beforeAll(async () => {
  collector = await startCollector({ port: 0, dbPath: ':memory:', writeKeys: '*', quiet: true, rules });
  rt = createRuntime();
  rt.install();
  vi.resetModules();
  const sdk = await import('../../adapters/miniprogram/index');
  tutti = sdk.default;
  tutti.init({ writeKey: 'mp', endpoint: collector.url, flushInterval: 30, personalization: { timeout: 1500 } });
  rt.define('pages/index/index', () => (globalThis as any).Page({}));
  rt.launch({ path: 'pages/index/index', scene: 1001 });
  // Registered through the SDK-wrapped global Component, as in a real mini-program.
  const g = globalThis as any;
  rt.define('components/tutti-slot/index', () =>
    loadCjs(join(COMPONENT_DIR, 'index.js'), { Component: (o: Record<string, any>) => ((def = o), g.Component(o)) }, { '../../index': sdk }),
  );
}, 60000);

afterAll(async () => {
  rt?.uninstall();
  await collector?.close();
});

async function slotEvents(name: string, n: number): Promise<Array<Record<string, unknown>>> {
  await tutti.flush();
  await vi.waitFor(() => expect(collector.events({ event: name }).length).toBeGreaterThanOrEqual(n), { timeout: 5000, interval: 30 });
  return collector.events({ event: name }).map((e) => e.properties as Record<string, unknown>);
}

describe('<tutti-slot> in a mini-program', () => {
  it('personalize() resolves decisions for setData; the component renders text and reports view and tap', async () => {
    const d = await tutti.personalize(['hero', 'banner', 'rich', 'data']);
    expect(Object.keys(d).sort()).toEqual(['banner', 'data', 'hero', 'rich']);
    const hero = mount(def, { slotId: 'hero', decision: null });
    expect(hero.data.state).toBe('pending'); // default hidden (visibility) while waiting
    hero.setProps({ decision: d.hero });
    expect(hero.data).toMatchObject({ state: 'shown', kind: 'text', text: d.hero.variantId === 'A' ? 'Hello A' : 'Hello B' });
    expect(hero.observer).toMatchObject({ options: { thresholds: [0.5] }, relative: 'viewport', selector: '.tutti-slot' });
    hero.observer.ratio(0.3);
    hero.observer.ratio(0.49);
    hero.observer.ratio(0.5);
    hero.observer.ratio(1);
    hero.tap();
    const viewed = await slotEvents('Slot Viewed', 1);
    expect(viewed).toEqual([{ slotId: 'hero', variantId: d.hero.variantId, experimentId: 'mp-hero' }]);
    const clicked = await slotEvents('Slot Clicked', 1);
    expect(clicked).toEqual([{ slotId: 'hero', variantId: d.hero.variantId, experimentId: 'mp-hero' }]);
    expect(hero.events).toEqual([{ name: 'slottap', detail: { slotId: 'hero', variantId: d.hero.variantId, href: '' } }]);
    // Back to this page later: a new page view, viewed again.
    hero.pageHide();
    hero.pageShow();
    hero.observer.ratio(0.8);
    expect((await slotEvents('Slot Viewed', 2)).length).toBe(2);
    hero.detach();
    expect(hero.observer.disconnected).toBe(true);
  });

  it('renders an image (http(s) only, link handed to the page) and html as whitelisted rich-text nodes', async () => {
    const d = await tutti.personalize(['banner', 'rich']);
    const banner = mount(def, { slotId: 'banner', decision: d.banner });
    expect(banner.data).toMatchObject({ state: 'shown', kind: 'image', src: 'https://cdn.example.com/b.png', alt: 'Banner' });
    banner.tap();
    expect(banner.events[0].detail).toEqual({ slotId: 'banner', variantId: 'img1', href: 'https://shop.example.com/b' });
    const rich = mount(def, { slotId: 'rich', decision: d.rich });
    expect(rich.data.kind).toBe('html');
    expect(rich.data.nodes).toEqual([
      {
        name: 'p',
        attrs: { class: 'x' },
        children: [
          { type: 'text', text: 'Rich ' },
          { name: 'b', attrs: {}, children: [{ type: 'text', text: 'text' }] },
          { name: 'img', attrs: { src: 'https://cdn.example.com/r.png' }, children: [] },
        ],
      },
    ]);
    const bad = mount(def, { slotId: 'banner', decision: { variantId: 'evil', content: { type: 'image', src: 'javascript:alert(1)' } } });
    expect(bad.data).toMatchObject({ state: 'shown', kind: '' }); // default stays
    bad.observer.ratio(0.9);
    const views = await slotEvents('Slot Viewed', 3);
    expect(views).toContainEqual({ slotId: 'banner', variantId: 'default' });
  });

  it('json decisions leave the default content in place and are still reported', async () => {
    const d = await tutti.personalize(['data']);
    const m = mount(def, { slotId: 'data', decision: d.data });
    expect(m.data).toMatchObject({ state: 'shown', kind: '' });
    m.observer.ratio(0.7);
    expect(await slotEvents('Slot Viewed', 4)).toContainEqual({ slotId: 'data', variantId: 'j1' });
  });

  it('no decision: `false` shows the default at once; nothing at all shows it after the timeout', async () => {
    const none = mount(def, { slotId: 'side', decision: false });
    expect(none.data).toMatchObject({ state: 'shown', kind: '' });
    const t0 = Date.now();
    const waiting = mount(def, { slotId: 'late', decision: null, timeout: 80 });
    expect(waiting.data.state).toBe('pending');
    waiting.observer.ratio(1); // visible while pending: not a view yet
    await vi.waitFor(() => expect(waiting.data.state).toBe('shown'), { timeout: 1000, interval: 5 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(75);
    // A decision after the timeout never replaces the default the user already saw.
    waiting.setProps({ decision: { variantId: 'X', content: { type: 'text', text: 'too late' } } });
    expect(waiting.data.kind).toBe('');
    expect(await slotEvents('Slot Viewed', 5)).toContainEqual({ slotId: 'late', variantId: 'default' });
    // Without a timeout property, the SDK's personalization.timeout (1500 ms here) applies.
    const t1 = Date.now();
    const sdkWait = mount(def, { slotId: 'x', decision: null });
    await new Promise((r) => setTimeout(r, 500));
    expect(sdkWait.data.state).toBe('pending');
    await vi.waitFor(() => expect(sdkWait.data.state).toBe('shown'), { timeout: 3000, interval: 10 });
    expect(Date.now() - t1).toBeGreaterThanOrEqual(1450);
  });

  it('the A/B split is stable per person and both variants occur across people', async () => {
    const seen = new Set<string>();
    const first = (await tutti.personalize(['hero'])).hero.variantId;
    expect((await tutti.personalize(['hero'])).hero.variantId).toBe(first);
    for (let i = 0; i < 12 && seen.size < 2; i++) {
      tutti.reset();
      seen.add((await tutti.personalize(['hero'])).hero.variantId);
    }
    expect([...seen].sort()).toEqual(['A', 'B']);
  });
});

describe('html → rich-text nodes', () => {
  const { htmlToNodes } = loadCjs(join(COMPONENT_DIR, 'html-nodes.js'), {});
  const ALLOWED_ATTRS = ['class', 'src', 'alt', 'width', 'height', 'colspan', 'rowspan', 'start', 'span'];
  function walk(nodes: any[], visit: (n: any) => void) {
    for (const n of nodes) {
      visit(n);
      if (n.children) walk(n.children, visit);
    }
  }

  it.each(HTML_VECTORS)('%s: only whitelisted tags and attributes, http(s) images', (_name, html) => {
    walk(htmlToNodes(html), (n) => {
      if (n.type === 'text') return expect(typeof n.text).toBe('string');
      expect(['script', 'style', 'iframe', 'object', 'embed', 'form', 'svg', 'math', 'template', 'noscript', 'meta', 'base', 'link', 'button', 'video']).not.toContain(n.name);
      for (const a of Object.keys(n.attrs)) expect(ALLOWED_ATTRS).toContain(a);
      if (n.attrs.src !== undefined) expect(n.attrs.src).toMatch(/^https?:\/\//);
    });
  });

  it('drops the content of scripts, styles, SVG and MathML; keeps text of unknown wrappers', () => {
    const text: string[] = [];
    walk(htmlToNodes('<script>a()</script><style>p{}</style><svg><text>s</text></svg><math><mi>m</mi></math><custom-el>kept</custom-el><textarea><b>t</b></textarea>'), (n) => n.type === 'text' && text.push(n.text));
    expect(text.join('')).toBe('kept');
  });

  it('decodes entities before checking URLs and bounds hostile input', () => {
    expect(htmlToNodes('<img src="&#x6a;avascript:alert(1)">')).toEqual([]);
    expect(htmlToNodes('<img src="https://a.example/x.png?a=1&amp;b=2">')[0].attrs.src).toBe('https://a.example/x.png?a=1&b=2');
    const deep = '<div>'.repeat(5000) + 'x';
    const t0 = Date.now();
    expect(() => htmlToNodes(deep)).not.toThrow();
    expect(() => htmlToNodes('<p>'.repeat(100000))).not.toThrow();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(htmlToNodes(null)).toEqual([]);
  });
});

describe('component files', () => {
  it('WXML uses only data the component sets, and the json declares a component', () => {
    const wxml = readFileSync(join(COMPONENT_DIR, 'index.wxml'), 'utf8');
    const used = new Set([...wxml.matchAll(/\{\{([^}]*)\}\}/g)].flatMap((m) => m[1].replace(/'[^']*'/g, '').match(/\b[a-z][a-zA-Z]*\b/g) || []));
    for (const name of used) expect(Object.keys(def.data).concat(Object.keys(def.properties))).toContain(name);
    expect(wxml).toContain('bindtap="onTap"');
    expect(typeof def.methods.onTap).toBe('function');
    expect(JSON.parse(readFileSync(join(COMPONENT_DIR, 'index.json'), 'utf8')).component).toBe(true);
    expect(readFileSync(join(COMPONENT_DIR, 'index.wxss'), 'utf8')).toMatch(/\.tutti-slot--pending\s*\{\s*visibility:\s*hidden/);
  });

  it('the JS files run on old WeChat engines: CommonJS, ES2017, no DOM, no eval', () => {
    for (const f of ['index.js', 'html-nodes.js']) {
      const code = readFileSync(join(COMPONENT_DIR, f), 'utf8').replace(/\/\/.*$/gm, '');
      for (const bad of [/\?\?/, /\?\.[a-zA-Z_$(]/, /\bwindow\./, /\bdocument\./, /\beval\(/, /new Function/, /^\s*(import|export)\s/m]) expect(code).not.toMatch(bad);
    }
  });
});
