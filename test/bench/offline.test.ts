// The bench's offline guard (bench/lib/web.mjs) must keep every page off the network
// without standing between the page and the local servers: a CORS preflight has to reach
// the sink, so SDKs that need one pay its round trip and its bytes in the wire figures.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSink, type Sink } from '../../bench/lib/sink.mjs';
import { startSite, type StaticSite } from '../../bench/lib/site.mjs';
import { launch, openPage } from '../../bench/lib/web.mjs';

let browser: Browser;
let sink: Sink;
let site: StaticSite;
beforeAll(async () => {
  [browser, sink, site] = await Promise.all([launch(), startSink(), startSite()]);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([sink?.close(), site?.close()]);
});

describe('bench offline guard', () => {
  it('lets a JSON POST preflight reach the sink (counted with its bytes), cached by Access-Control-Max-Age', async () => {
    const { ctx, page } = await openPage(browser);
    try {
      await page.goto(site.page('/preflight.html', '<!doctype html><title>p</title>'));
      const from = sink.log.length;
      const post = (url: string) =>
        page.evaluate((url) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' }).then((r) => r.status), url);
      expect(await post(sink.url + '/amplitude/2/httpapi')).toBe(200);
      expect(await post(sink.url + '/amplitude/2/httpapi')).toBe(200);
      const reqs = sink.requests('amplitude', from);
      // One preflight, then both POSTs: the second rides on the cached preflight (2 h).
      expect(reqs.map((r) => r.method)).toEqual(['OPTIONS', 'POST', 'POST']);
      expect(reqs[0].status).toBe(204);
      expect(reqs[0].bytes).toBeGreaterThan(100); // request line + Origin, Access-Control-Request-* ...
    } finally {
      await ctx.close();
    }
  });

  it('fails requests to any other host at once and lists them', async () => {
    const blocked: string[] = [];
    const { ctx, page } = await openPage(browser, blocked);
    try {
      await page.goto(site.page('/offline.html', '<!doctype html><title>o</title>'));
      const outcome = await page.evaluate(async () => {
        const t0 = performance.now();
        const r = await fetch('http://example.com/collect', { method: 'POST', body: 'x' }).then(
          () => 'sent',
          () => 'failed',
        );
        return { r, ms: performance.now() - t0 };
      });
      expect(outcome.r).toBe('failed');
      expect(outcome.ms).toBeLessThan(2000);
      expect(blocked).toEqual(['http://example.com/collect']);
    } finally {
      await ctx.close();
    }
  });
});
