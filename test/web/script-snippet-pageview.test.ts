// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://www.example.com/landing?utm_source=wechat"}
// Through the async snippet, the landing page's automatic view is timed by the snippet's
// init() call, not by the SDK's arrival: a track() queued between the two must not come
// before the page view in time (funnels are ordered by timestamp).
import { readFileSync } from 'node:fs';
import { afterAll, expect, it, vi } from 'vitest';
import type { Tutti } from '../../src/types';
import { loadScriptTag, recordFetch, sleep } from './helpers';

const rec = recordFetch();
afterAll(() => vi.unstubAllGlobals());
const w = window as unknown as Window & { tutti: Tutti };

it('the automatic page view carries the snippet init() time and comes first, once', async () => {
  const source = readFileSync('adapters/web/snippet.js', 'utf8').replace('https://cdn.example.com/tutti/tutti.min.js', 'https://cdn.example.com/dist/tutti.min.js');
  new Function(source.replace(/tutti\.init\([^)]*\);/, ''))();
  const initAt = Date.now();
  w.tutti.init({ writeKey: 'snip', endpoint: 'https://c.example.com', webVitals: false });
  await sleep(40);
  const clickAt = Date.now();
  w.tutti.track('CTA Clicked');
  await sleep(80); // the SDK arrives late
  const loadedAt = Date.now();
  await loadScriptTag(); // the script element the snippet inserted is the one executing
  history.replaceState(null, '', location.href); // a router settling on the same URL
  await w.tutti.flush();

  const events = rec.events();
  expect(events.map((e) => e.event || e.type)).toEqual(['page', 'CTA Clicked']);
  const [page, click] = events;
  expect(Math.abs(Date.parse(page.timestamp) - initAt)).toBeLessThan(10);
  expect(Date.parse(page.timestamp)).toBeLessThan(loadedAt - 50);
  expect(Math.abs(Date.parse(click.timestamp) - clickAt)).toBeLessThan(10);
  expect(page.context.sequence! < click.context.sequence!).toBe(true);
  expect(page.context.campaign?.source).toBe('wechat');
});
