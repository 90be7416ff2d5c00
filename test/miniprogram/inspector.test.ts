// The mini-program <tutti-inspector> component on the fake WeChat runtime, with the real SDK
// (adapters/miniprogram) and the reference collector: the gate (debug property or SDK
// option, never in a release build), events listed newest first with their delivery
// status (queued → sent / failed / dropped), hostile event data kept as text, the flush
// button, attaching before init, and detaching (listeners removed, events unchanged).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Plugin, TuttiEvent } from '../../src/types';
import { loadCjs, mount, type Mounted } from '../personalize/mp-component';
import { collectorSuite, sleep, until, type Booted } from './harness';

const DIR = resolve('adapters/miniprogram/components/tutti-inspector');
const g = globalThis as Record<string, any>;

const suite = collectorSuite();
afterEach(() => suite.collector.fail(null));

interface Setup extends Booted {
  def: Record<string, any>;
  /** Listeners added through tutti.on and not removed yet. */
  live(): number;
  /** Plugins registered through tutti.use. */
  plugins: Plugin[];
}

/** A mini-program in a develop build (unless said otherwise) with the component file registered. */
async function setup(o: Parameters<typeof suite.start>[0] = {}, sdk?: unknown): Promise<Setup> {
  const b = await suite.start({ envVersion: 'develop', ...o, init: o.init === false ? false : { flushInterval: 600000, ...(o.init || {}) } });
  let live = 0;
  const plugins: Plugin[] = [];
  const on = b.tutti.on.bind(b.tutti);
  vi.spyOn(b.tutti, 'on').mockImplementation(((name: any, fn: any) => {
    const off = on(name, fn);
    live++;
    let done = false;
    return () => {
      if (!done) live--;
      done = true;
      off();
    };
  }) as typeof b.tutti.on);
  const use = b.tutti.use.bind(b.tutti);
  vi.spyOn(b.tutti, 'use').mockImplementation((p: Plugin) => (plugins.push(p), use(p)));
  b.rt.launch({ path: 'pages/index/index' });
  let def: Record<string, any> = {};
  // Registered through the SDK-wrapped global Component, as in a real mini-program.
  b.rt.define('components/tutti-inspector/index', () =>
    loadCjs(join(DIR, 'index.js'), { Component: (opts: Record<string, any>) => ((def = opts), g.Component(opts)) }, { '../../index': sdk === undefined ? { default: b.tutti } : sdk }),
  );
  return { ...b, def, live: () => live, plugins };
}

type Row = { id: string; type: string; name: string; time: string; status: string; cls: string };
const rows = (m: Mounted): Row[] => m.data.rows;
const row = (m: Mounted, name: string): Row | undefined => rows(m).find((r) => r.name === name);
const collected = (aid: string, event: string) => suite.collector.events({ anonymousId: aid, event });

describe('<tutti-inspector>', () => {
  it('shows nothing and listens to nothing unless enabled, and never in a release build', async () => {
    const s = await setup();
    const off = mount(s.def, {});
    s.tutti.track('Quiet');
    await sleep(120);
    expect(off.data).toMatchObject({ on: false, rows: [], count: 0, state: '' });
    expect(s.live()).toBe(0);
    expect(s.plugins).toEqual([]); // initialised without debug: no need to wait for init either
    off.detach();

    // A release build: not even the debug property turns it on; nothing is registered.
    const r = await setup({ envVersion: 'release', init: { debug: true } });
    const rel = mount(r.def, { debug: true, open: true });
    r.tutti.track('Released');
    await sleep(120);
    expect(rel.data).toMatchObject({ on: false, rows: [], state: '' });
    expect(r.live()).toBe(0);
    expect(r.plugins).toEqual([]);
    rel.setProps({ debug: true });
    expect(rel.data.on).toBe(false);
  });

  it('the debug property or the SDK debug option turns it on (develop and trial builds)', async () => {
    const s = await setup({ envVersion: 'trial' });
    const m = mount(s.def, {});
    expect(m.data.on).toBe(false);
    m.setProps({ debug: true });
    expect(m.data).toMatchObject({ on: true, expanded: false });
    expect(s.live()).toBe(3);
    m.setProps({ debug: false });
    expect(m.data.on).toBe(false);
    expect(s.live()).toBe(0);

    const d = await setup({ init: { debug: true } });
    const viaSdk = mount(d.def, { open: true });
    expect(viaSdk.data).toMatchObject({ on: true, expanded: true });
    expect(viaSdk.data.state).toContain('anonymousId: ' + d.tutti.getAnonymousId());
  });

  it('lists events newest first, queued → sent, and shows events built before it attached once delivered', async () => {
    const s = await setup();
    const aid = s.tutti.getAnonymousId();
    const m = mount(s.def, { debug: true, open: true });
    const flush = vi.spyOn(s.tutti, 'flush');
    s.tutti.track('Signed Up', { plan: 'pro' });
    s.tutti.screen('Pricing');
    await until(() => rows(m).length === 2, 2000, 'two rows');
    expect(rows(m).map((r) => [r.type, r.name, r.status, r.cls])).toEqual([
      ['screen', 'Pricing', 'queued', 'queued'],
      ['track', 'Signed Up', 'queued', 'queued'],
    ]);
    expect(rows(m)[0].time).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(m.data.count).toBe(2);
    expect(m.data.state).toMatch(/anonymousId: [0-9a-f-]{36}\nuserId: –\nsessionId: \S+\nconsent: granted\ncampaign first: \{.*"source":"wechat".*\}\ncampaign last: /);

    // The "Flush now" button.
    expect(flush).not.toHaveBeenCalled();
    m.call('onFlush');
    expect(flush).toHaveBeenCalledTimes(1);
    await until(() => row(m, 'Signed Up')?.cls === 'sent', 5000, 'sent');
    expect(row(m, 'Signed Up')!.status).toBe('sent (200)');
    expect(row(m, 'Pricing')!.status).toBe('sent (200)');
    expect(collected(aid, 'Signed Up')[0].properties).toEqual({ plan: 'pro' });
    // Built at launch, before the panel: listed once the flush delivered them.
    await until(() => rows(m).length === 5, 5000, 'launch events listed');
    // In time order: the launch events go below the ones built since.
    expect(rows(m).map((r) => r.name)).toEqual(['Pricing', 'Signed Up', 'pages/index/index', 'Mini App Shown', 'Mini App Launched']);
    expect(rows(m).every((r) => r.status === 'sent (200)')).toBe(true);

    // Tap a row: its JSON, as text; tap again: closed.
    const id = row(m, 'Signed Up')!.id;
    m.call('onRow', { currentTarget: { dataset: { id } } });
    expect(m.data.sel).toBe(id);
    expect(JSON.parse(m.data.json)).toMatchObject({ type: 'track', event: 'Signed Up', messageId: id, properties: { plan: 'pro' } });
    m.call('onRow', { currentTarget: { dataset: { id } } });
    expect(m.data).toMatchObject({ sel: '', json: '' });

    // Collapsed: only the count is kept up to date.
    m.call('onToggle');
    expect(m.data.expanded).toBe(false);
    m.call('onToggle');
    expect(m.data.expanded).toBe(true);
    m.detach();
  });

  it('shows failed (HTTP 400) and dropped (maxQueueSize)', async () => {
    const s = await setup({ init: { maxQueueSize: 3 } });
    const m = mount(s.def, { debug: true, open: true });
    for (let i = 0; i < 6; i++) s.tutti.track('Burst ' + i);
    await until(() => row(m, 'Burst 0')?.cls === 'dropped', 3000, 'dropped');
    expect(row(m, 'Burst 0')!.status).toBe('dropped: maxQueueSize');
    expect(row(m, 'Burst 5')!.status).toBe('queued');

    suite.collector.fail({ status: 400 });
    await s.tutti.flush();
    await until(() => row(m, 'Burst 5')?.cls === 'failed', 5000, 'failed');
    expect(row(m, 'Burst 5')!.status).toBe('failed: HTTP 400 (400)');
    m.detach();
  });

  it('keeps hostile event data as plain text and hands every event on unchanged', async () => {
    const s = await setup();
    const aid = s.tutti.getAnonymousId();
    const m = mount(s.def, { debug: true, open: true });
    const name = '<script>alert(1)</script>{{x}}';
    const props = { html: '<rich-text nodes="{{evil}}"/><img src=x onerror=alert(1)>', n: 1, nested: { a: ['</text><view>'] } };
    s.tutti.track(name, props);
    await until(() => row(m, name), 2000, 'hostile row');
    const id = row(m, name)!.id;
    m.call('onRow', { currentTarget: { dataset: { id } } });
    expect(m.data.json).toContain('"event": "<script>alert(1)</script>{{x}}"');
    expect(m.data.json).toContain('<rich-text nodes=\\"{{evil}}\\"/><img src=x onerror=alert(1)>');
    expect(JSON.parse(m.data.json).properties).toEqual(props);

    // The template binds event data only as text content, never as rich-text or markup.
    const wxml = readFileSync(join(DIR, 'index.wxml'), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
    expect(wxml).not.toMatch(/rich-text|nodes=|<web-view|<import|<include/);
    for (const b of ['item.status', 'item.type', 'item.name', 'item.time', 'json', 'state']) {
      expect(wxml).toMatch(new RegExp(`<text[^>]*>\\{\\{${b.replace('.', '\\.')}\\}\\}</text>`));
    }

    // The plugin returns the very event it got, unchanged (even with the panel open on it).
    expect(s.plugins.map((p) => p.name)).toEqual(['tutti-inspector']);
    const e = { type: 'track', event: 'X', properties: { a: '<b>' }, messageId: 'm-1', timestamp: new Date().toISOString(), anonymousId: aid, userId: null, context: {} } as unknown as TuttiEvent;
    const copy = JSON.parse(JSON.stringify(e));
    expect(s.plugins[0].beforeSend!(e)).toBe(e);
    expect(e).toEqual(copy);
    expect(s.plugins[0].beforeSend!(null as unknown as TuttiEvent)).toBe(null); // no throw on junk
    await s.tutti.flush();
    const got = await until(() => collected(aid, name)[0], 5000, 'hostile event delivered');
    expect(got.properties).toEqual(props);
    expect(got.messageId).toBe(id);
    m.detach();
  });

  it('a page under another in the stack renders nothing until it shows again, then catches up', async () => {
    const s = await setup();
    const m = mount(s.def, { debug: true, open: true });
    s.tutti.track('Before Hide');
    await until(() => row(m, 'Before Hide'), 2000, 'first row');
    m.pageHide();
    s.tutti.track('While Hidden');
    await new Promise((r) => setTimeout(r, 2300)); // past a render (50 ms) and the 2 s refresh
    expect(row(m, 'While Hidden')).toBeUndefined();
    m.pageShow();
    await until(() => row(m, 'While Hidden'), 2000, 'row after show');
    m.detach();
  });

  it('detaching removes its listeners: later events no longer change its data', async () => {
    const s = await setup();
    const a = mount(s.def, { debug: true, open: true });
    const b = mount(s.def, { debug: true, open: true, max: 2 });
    expect(s.live()).toBe(3); // one set of listeners for every panel
    s.tutti.track('One');
    s.tutti.track('Two');
    s.tutti.track('Three');
    await until(() => rows(a).length === 3 && rows(b).length === 2, 2000, 'rows in both');
    expect(rows(b).map((r) => r.name)).toEqual(['Three', 'Two']); // max: 2
    a.detach();
    expect(s.live()).toBe(3); // b still shows
    s.tutti.track('Four');
    await until(() => rows(b)[0].name === 'Four', 2000, 'b still updated');
    b.detach();
    expect(s.live()).toBe(0);
    const before = JSON.stringify(b.data);
    const aBefore = JSON.stringify(a.data);
    s.tutti.track('Five');
    await s.tutti.flush();
    const aid = s.tutti.getAnonymousId();
    await until(() => collected(aid, 'Five').length === 1, 5000, 'Five delivered');
    await sleep(150);
    expect(JSON.stringify(b.data)).toBe(before);
    expect(JSON.stringify(a.data)).toBe(aBefore);
    // The host's events went through unchanged, each once.
    for (const n of ['One', 'Two', 'Three', 'Four', 'Five']) expect(collected(aid, n).map((e) => e.properties)).toEqual([{}]);
    expect(s.plugins.length).toBe(1); // registered once, left inert
  });

  it('works when attached before init (the SDK debug option is read at init)', async () => {
    const s = await setup({ init: false });
    const m = mount(s.def, {});
    const withProp = mount(s.def, { debug: true, open: true });
    expect(m.data.on).toBe(false);
    expect(withProp.data).toMatchObject({ on: true, state: 'SDK not initialised' });
    s.tutti.track('Early'); // buffered until init
    s.tutti.init({ writeKey: 'mp-key', endpoint: suite.collector.url, flushInterval: 600000, debug: true });
    expect(m.data.on).toBe(true); // the plugin's setup re-checked the gate
    await until(() => row(withProp, 'Early'), 2000, 'Early listed');
    expect(row(withProp, 'Early')!.status).toBe('queued');
    m.call('onToggle');
    await until(() => row(m, 'Early'), 2000, 'Early in the other panel');
    expect(m.data.state).toContain('anonymousId: ' + s.tutti.getAnonymousId());
    await s.tutti.flush();
    await until(() => row(m, 'Early')?.cls === 'sent', 5000, 'sent');
    m.detach();
    withProp.detach();
  });

  it('runs in a context with only WeChat globals, written in ES5 syntax (no build step needed)', async () => {
    const s = await setup();
    const file = readFileSync(join(DIR, 'index.js'), 'utf8');
    expect(file.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').replace(/'[^'\n]*'/g, "''")).not.toMatch(/=>|\blet\b|\bconst\b|\bclass\b|`/);
    let def: Record<string, any> = {};
    const module = { exports: {} };
    const context = createContext({ wx: g.wx, Component: (o: Record<string, any>) => (def = o), setTimeout, clearTimeout, setInterval, clearInterval, Promise });
    const req = (spec: string) => (spec === '../../index' ? { default: s.tutti } : undefined);
    runInContext(`(function (module, exports, require) {${file}\n})`, context)(module, module.exports, req);
    const m = mount(def, { debug: true, open: true });
    s.tutti.track('Bare');
    await until(() => row(m, 'Bare'), 2000, 'row in a bare context');
    m.detach();
    expect(s.live()).toBe(0);
  });

  it('never throws into the page without an SDK', async () => {
    const s = await setup({}, {
      get default() {
        throw new Error('no SDK');
      },
    });
    const m = mount(s.def, { debug: true, open: true });
    expect(m.data).toMatchObject({ on: true, state: 'SDK not initialised', rows: [] });
    expect(() => m.call('onFlush')).not.toThrow();
    expect(() => m.call('onRow', {})).not.toThrow();
    expect(() => m.call('onToggle')).not.toThrow();
    expect(() => m.detach()).not.toThrow();
  });
});
