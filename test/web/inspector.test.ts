// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://shop.example.com/"}
// The inspector (tutti/inspector, dist/tutti.inspector.min.js): lists the events the SDK
// builds with their delivery status (matched by messageId), shows event data as text
// only, keeps at most `max` rows, removes itself completely, and the script add-on opens
// only with ?tutti_debug=1, whichever of SDK and add-on loads first.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWebTutti } from '../../adapters/web/lib/create';
import { pageSingleton } from '../../adapters/web/lib/registry';
import { enableInspector } from '../../adapters/web/inspector/index';
import type { CoreTutti } from '../../src/core';
import type { Tutti, TuttiEvent } from '../../src/types';
import { loadScriptTag } from './helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Win = Window & { tutti?: Tutti; __tutti__?: Record<string, unknown> };
const w = window as unknown as Win;
const OPTIONS = { writeKey: 'wk', endpoint: 'https://c.example.com', webVitals: false, autoPageview: false, flushInterval: 60000 };

/** Collector stub: answers 200 and rejects (by messageId) every event named in `reject`. */
let reject: string[] = [];
let status = 200;
/** Requests answered; later ones never are. Infinity: all. */
let answered = Infinity;
beforeEach(() => {
  w.__tutti__?.inspector && (w.__tutti__.inspector as () => void)();
  delete w.__tutti__;
  delete w.tutti;
  document.body.innerHTML = '';
  localStorage.clear();
  sessionStorage.clear();
  history.replaceState(null, '', '/');
  reject = [];
  status = 200;
  answered = Infinity;
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init: RequestInit) => {
      if (answered-- <= 0) return new Promise<Response>(() => undefined);
      const text = init.body instanceof Uint8Array ? gunzipSync(init.body).toString('utf8') : String(init.body);
      const batch: TuttiEvent[] = JSON.parse(text).batch;
      const rejected = batch.filter((e) => reject.includes(String(e.event))).map((e) => ({ messageId: e.messageId, reason: 'schema' }));
      return new Response(JSON.stringify({ rejected }), { status });
    }),
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const host = () => document.querySelector('tutti-inspector') as HTMLElement | null;
const root = () => host()!.shadowRoot!;
const rows = () => Array.from(root().querySelectorAll('li'));
const rowOf = (name: string) => rows().find((li) => li.querySelector('span')!.textContent!.trim() === name)!;
const statusOf = (name: string) => rowOf(name).querySelector('i')!.textContent;

async function started(options = {}): Promise<CoreTutti> {
  const t = createWebTutti().init({ ...OPTIONS, ...options }) as CoreTutti;
  await sleep(20);
  return t;
}

describe('enableInspector', () => {
  it('lists built events as queued, then sent or failed as the collector answers each messageId', async () => {
    const t = await started();
    enableInspector(t);
    reject = ['Bad Event'];
    t.track('Good Event', { plan: 'pro' });
    t.track('Bad Event');
    expect(statusOf('Good Event')).toBe('queued');
    expect(statusOf('Bad Event')).toBe('queued');
    expect(rowOf('Good Event').querySelector('b')!.textContent).toBe('track');
    await t.flush();
    expect(statusOf('Good Event')).toBe('sent (200)');
    expect(rowOf('Good Event').querySelector('i')!.className).toBe('sent');
    expect(statusOf('Bad Event')).toBe('failed: rejected: schema (200)');
  });

  it('shows HTTP failures with their reason', async () => {
    const t = await started();
    enableInspector(t);
    status = 400;
    t.track('Refused');
    await t.flush();
    expect(statusOf('Refused')).toBe('failed: HTTP 400 (400)');
  });

  it('shows events dropped from a full queue', async () => {
    const t = await started({ consent: 'pending', maxQueueSize: 1 });
    enableInspector(t);
    t.track('First');
    t.track('Second');
    expect(statusOf('First')).toBe('dropped: maxQueueSize');
    expect(statusOf('Second')).toBe('queued');
  });

  it('renders event data as text, never as HTML', async () => {
    const t = await started();
    enableInspector(t, { open: true });
    const evil = '<img src=x onerror="window.__pwned=1">';
    t.track(evil, { html: evil, nested: { b: '<b>bold</b>' } });
    const li = rowOf(evil);
    expect(li.querySelector('span')!.textContent).toContain(evil);
    li.querySelector('b')!.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
    const pre = li.querySelector('pre')!;
    expect(pre.hidden).toBe(false);
    expect(JSON.parse(pre.textContent!).properties).toEqual({ html: evil, nested: { b: '<b>bold</b>' } });
    expect(root().querySelector('img')).toBeNull();
    expect(root().querySelector('li b')!.textContent).toBe('track'); // no <b> from the data
    expect(root().querySelectorAll('b').length).toBe(1);
    await sleep(10);
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it('keeps the newest `max` events (100 by default)', async () => {
    const t = await started();
    enableInspector(t);
    for (let i = 0; i < 130; i++) t.track('E' + i);
    expect(rows().length).toBe(100);
    expect(rows()[0].querySelector('span')!.textContent!.trim()).toBe('E129');
    expect(rows()[99].querySelector('span')!.textContent!.trim()).toBe('E30');
    // a status for an event no longer listed does not bring it back
    await t.flush();
    expect(rows().length).toBe(100);
    expect(rows()[0].querySelector('span')!.textContent!.trim()).toBe('E129');
    expect(rows()[99].querySelector('span')!.textContent!.trim()).toBe('E30');
    expect(rows().every((li) => li.querySelector('i')!.textContent === 'sent (200)')).toBe(true);
  });

  it('a status for an event no longer listed does not bring it back', async () => {
    const t = await started({ batchSize: 2 });
    enableInspector(t, { max: 3 });
    for (let i = 0; i < 5; i++) t.track('E' + i);
    const names = () => rows().map((li) => li.querySelector('span')!.textContent!.trim() + ' ' + li.querySelector('i')!.textContent);
    expect(names()).toEqual(['E4 queued', 'E3 queued', 'E2 queued']);
    answered = 1; // the collector answers the first batch (E0, E1) only
    void t.flush();
    await vi.waitFor(() => expect((fetch as unknown as { mock: { calls: unknown[] } }).mock.calls.length).toBe(2), { timeout: 2000, interval: 5 });
    await sleep(10); // the answers are read
    expect(names()).toEqual(['E4 queued', 'E3 queued', 'E2 queued']);
  });

  it('lists events built before it opened once they are delivered', async () => {
    const t = await started();
    t.track('Before');
    await sleep(5);
    enableInspector(t);
    expect(rows().length).toBe(0);
    await t.flush();
    expect(statusOf('Before')).toBe('sent (200)');
  });

  it('lists an event built in the very millisecond it opened, before its plugin was there (a landing page view)', async () => {
    const t = await started();
    vi.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-12-07T10:00:00.000Z'));
    t.track('Same millisecond');
    enableInspector(t);
    vi.mocked(Date.now).mockRestore();
    await t.flush();
    expect(statusOf('Same millisecond')).toBe('sent (200)');
  });

  it('shows identity, session, campaign and consent; "Flush now" sends the queue', async () => {
    history.replaceState(null, '', '/?utm_source=news&utm_medium=email');
    const t = await started();
    t.identify('user-7');
    enableInspector(t);
    t.track('Queued');
    const buttons = root().querySelectorAll('button');
    buttons[0].click(); // expand
    const state = root().querySelector('.s')!.textContent!;
    expect(state).toContain('anonymousId: ' + t.getAnonymousId());
    expect(state).toContain('userId: user-7');
    expect(state).toContain('sessionId: ' + t.getSessionId());
    expect(state).toContain('consent: granted');
    expect(state).toContain('campaign first: {"source":"news","medium":"email"}');
    buttons[1].click(); // Flush now
    await vi.waitFor(() => expect(statusOf('Queued')).toBe('sent (200)'), { timeout: 2000, interval: 5 });
    t.setConsent('denied');
    buttons[0].click();
    buttons[0].click();
    expect(root().querySelector('.s')!.textContent).toContain('consent: not granted');
  });

  it('hands every event on unchanged, and an inspector failure never reaches the SDK', async () => {
    const t = await started({ debug: true });
    enableInspector(t);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const seen: TuttiEvent[] = [];
    t.use({ name: 'after', beforeSend: (e) => (seen.push(e), e) });
    vi.spyOn(document, 'createElement').mockImplementation(() => {
      throw new Error('DOM broken');
    });
    t.track('Still Sent', { a: 1 });
    vi.mocked(document.createElement).mockRestore();
    expect(seen.map((e) => [e.event, e.properties])).toEqual([['Still Sent', { a: 1 }]]);
    expect(warn).not.toHaveBeenCalled(); // the SDK saw no plugin throw
    await t.flush();
    expect((fetch as unknown as { mock: { calls: unknown[] } }).mock.calls.length).toBe(1);
  });

  it('the remover takes the panel, its listeners and its plugin away', async () => {
    const t = await started();
    const live = new Set<unknown>();
    const on = t.on;
    t.on = ((name: 'sent', fn: () => void) => {
      const off = on(name, fn);
      live.add(fn);
      return () => (live.delete(fn), off());
    }) as typeof t.on;
    const remove = enableInspector(t);
    expect(host()).not.toBeNull();
    expect(live.size).toBe(3);
    expect(enableInspector(t)).toBe(remove); // one per page
    remove();
    expect(host()).toBeNull();
    expect(live.size).toBe(0);
    t.track('After');
    await t.flush();
    expect(host()).toBeNull();
    // enabled again after removal: a fresh panel
    enableInspector(t);
    expect(rows().length).toBe(0);
  });

  it('waits for init on an instance that is not initialised yet', async () => {
    const t = createWebTutti();
    enableInspector(t);
    expect(host()).toBeNull();
    t.init(OPTIONS);
    await sleep(20);
    t.track('Later');
    expect(statusOf('Later')).toBe('queued');
  });

  it('does nothing but warn without an instance', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const remove = enableInspector(undefined as unknown as Tutti);
    expect(host()).toBeNull();
    expect(warn).toHaveBeenCalled();
    expect(() => remove()).not.toThrow();
  });

  it('falls back to a <style> element with the nonce where constructed stylesheets are missing', async () => {
    const t = await started();
    vi.stubGlobal('CSSStyleSheet', undefined);
    enableInspector(t, { nonce: 'n0nce' });
    const style = root().querySelector('style')!;
    expect(style.getAttribute('nonce')).toBe('n0nce');
    expect(style.textContent).toContain(':host');
  });

  it('uses a constructed stylesheet where available, with no <style> element', async () => {
    const t = await started();
    enableInspector(t);
    expect(root().querySelector('style')).toBeNull();
    expect((root() as ShadowRoot & { adoptedStyleSheets: unknown[] }).adoptedStyleSheets.length).toBe(1);
  });
});

describe('dist/tutti.inspector.min.js', () => {
  async function runAddon(): Promise<void> {
    vi.resetModules();
    await import('../../adapters/web/inspector-script');
  }

  it('stays closed without ?tutti_debug=1', async () => {
    w.tutti = await started();
    await runAddon();
    expect(host()).toBeNull();
  });

  it('opens on window.tutti with ?tutti_debug=1', async () => {
    history.replaceState(null, '', '/?tutti_debug=1');
    const t = await started();
    w.tutti = t;
    await runAddon();
    t.track('Seen');
    expect(statusOf('Seen')).toBe('queued');
  });

  // A funnel spans pages: the choice made by ?tutti_debug=1 holds for the tab until ?tutti_debug=0.
  it('stays open on the next pages of the tab, until ?tutti_debug=0', async () => {
    /** A new page of the same tab (sessionStorage kept): its own SDK instance, the add-on run again. */
    const visit = async (url: string) => {
      (w.__tutti__?.inspector as (() => void) | undefined)?.();
      delete w.__tutti__;
      history.replaceState(null, '', url);
      w.tutti = await started();
      await runAddon();
      return host() !== null;
    };
    expect(await visit('/?tutti_debug=1')).toBe(true);
    expect(await visit('/checkout')).toBe(true);
    expect(await visit('/done?tutti_debug=0')).toBe(false);
    expect(await visit('/again')).toBe(false);
  });

  it('loaded before the SDK: opens once the page instance is made and initialised', async () => {
    history.replaceState(null, '', '/?x=1&tutti_debug=1');
    await runAddon();
    expect(host()).toBeNull();
    const t = pageSingleton(() => createWebTutti());
    t.init(OPTIONS);
    await sleep(20);
    t.track('Seen');
    expect(statusOf('Seen')).toBe('queued');
  });

  it('loaded after the async snippet, before the SDK: works through the stub', async () => {
    history.replaceState(null, '', '/?tutti_debug=1');
    document.head.innerHTML = '';
    const snippet = readFileSync('adapters/web/snippet.js', 'utf8').replace(
      "endpoint: 'https://collect.example.com' }",
      "endpoint: 'https://c.example.com', webVitals: false, autoPageview: false, flushInterval: 60000 }",
    );
    new Function(snippet)();
    expect(Array.isArray((w.tutti as unknown as { _q: unknown[] })._q)).toBe(true);
    await runAddon();
    w.tutti!.track('Via Stub');
    expect(host()).toBeNull();
    vi.resetModules();
    await loadScriptTag();
    await sleep(20);
    expect(statusOf('Via Stub')).toBe('queued');
    await w.tutti!.flush();
    expect(statusOf('Via Stub')).toBe('sent (200)');
  });

  it('no SDK by the time the page has loaded: a console warning only', async () => {
    history.replaceState(null, '', '/?tutti_debug=1');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await runAddon();
    window.dispatchEvent(new Event('load'));
    expect(host()).toBeNull();
    expect(warn).toHaveBeenCalledWith('[tutti] inspector: no Tutti on this page');
  });
});
