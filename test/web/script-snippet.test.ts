// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://www.example.com/"}
// The script-tag build: snippet stub → SDK arrives → queued calls replayed in order,
// each with its original timestamp; then a second copy of the SDK joins the first.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Tutti } from '../../src/types';
import { loadScriptTag, recordFetch, sleep } from './helpers';

const rec = recordFetch();
afterAll(() => vi.unstubAllGlobals());

type Win = Window & { tutti: Tutti & { _q?: unknown[] }; __tutti__?: { instance?: Tutti } };
const w = window as unknown as Win;

describe('async snippet', () => {
  const times: Record<string, number> = {};
  let flushed: Promise<void> | undefined;
  let stub: Tutti | undefined;

  it('is under 1 KB minified and defines a queuing stub that loads the SDK async', async () => {
    const source = readFileSync('adapters/web/snippet.js', 'utf8')
      .replace('https://cdn.example.com/tutti/tutti.min.js', 'https://cdn.example.com/dist/tutti.min.js')
      .replace("tutti.init({ writeKey: 'YOUR_WRITE_KEY', endpoint: 'https://collect.example.com' });", '');
    const { minify } = await import('terser');
    const min = (await minify(source, { compress: true, mangle: true })).code!;
    expect(min.length).toBeLessThan(1024);
    new Function(min)();
    const tag = document.querySelector('script[src="https://cdn.example.com/dist/tutti.min.js"]') as HTMLScriptElement;
    expect(tag.async).toBe(true);
    expect(Array.isArray(w.tutti._q)).toBe(true);
  });

  it('queues calls (even before init) with their call times', async () => {
    const at = (name: string) => (times[name] = Date.now());
    stub = w.tutti; // app code that keeps a reference (a framework plugin set up at boot)
    at('Before Init');
    w.tutti.track('Before Init', { step: 1 });
    await sleep(30);
    w.tutti.init({ writeKey: 'snip', endpoint: 'https://c.example.com', webVitals: false, autoPageview: false });
    await sleep(30);
    at('identify');
    w.tutti.identify('user-1', { plan: 'pro' });
    await sleep(30);
    at('After Identify');
    w.tutti.track('After Identify');
    flushed = w.tutti.flush();
    expect(flushed).toBeInstanceOf(Promise);
    expect(rec.posted.length).toBe(0);
  });

  it('the SDK replays them in order with original timestamps and settles the promises', async () => {
    await sleep(60); // the SDK arrives late
    const loadedAt = Date.now();
    await loadScriptTag(); // the script element the snippet inserted is the one executing
    expect(w.tutti._q).toBeUndefined(); // the stub is replaced by the real SDK
    expect(typeof w.tutti.getAnonymousId()).toBe('string');
    await flushed; // the snippet's flush() promise settles
    await w.tutti.flush();
    const events = rec.events();
    expect(events.map((e) => e.event || e.type)).toEqual(['Before Init', 'identify', 'After Identify']);
    const ts = (i: number) => Date.parse(events[i].timestamp);
    expect(Math.abs(ts(0) - times['Before Init'])).toBeLessThan(10);
    expect(Math.abs(ts(1) - times.identify)).toBeLessThan(10);
    expect(Math.abs(ts(2) - times['After Identify'])).toBeLessThan(10);
    expect(ts(2)).toBeLessThan(loadedAt);
    expect(events[2].userId).toBe('user-1');
    expect(events[0].context.sequence! < events[2].context.sequence!).toBe(true);
  });

  it('calls on the stub made after the SDK arrived (a kept reference) still reach the SDK', async () => {
    expect(stub).not.toBe(w.tutti);
    stub!.track('Via Kept Stub');
    const settled = await Promise.race([stub!.flush().then(() => true), sleep(2000).then(() => false)]);
    expect(settled).toBe(true); // the stub's flush() promise settles once the real flush ran
    expect(rec.events().filter((e) => e.event === 'Via Kept Stub').length).toBe(1);
  });

  it('a second copy of the SDK (script tag or npm) joins the first instead of sending twice', async () => {
    const first = w.tutti;
    vi.resetModules();
    const second = (await import('../../adapters/web/script')).default;
    const npm = (await import('../../adapters/web/index')).default;
    expect(second).toBe(first);
    expect(npm).toBe(first);
    expect(w.__tutti__!.instance).toBe(first);
    const before = rec.posted.length;
    npm.init({ writeKey: 'npm-copy', endpoint: 'https://other.example.com' });
    npm.track('Once');
    await first.flush();
    const once = rec.events().filter((e) => e.event === 'Once');
    expect(once.length).toBe(1);
    expect(rec.posted.slice(before).every((p) => p.url === 'https://c.example.com/v1/batch')).toBe(true);
  });
});
