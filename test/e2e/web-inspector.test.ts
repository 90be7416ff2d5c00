// End-to-end in real headless Chromium: the inspector add-on under a strict CSP
// (`script-src 'self'; style-src 'self'`, no 'unsafe-inline'), opened by ?tutti_debug=1,
// shows a tracked event turning "sent" once the reference collector has it, renders the
// event's HTML-looking properties as text, and causes no CSP violation.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pageAttrs, useWorld, waitFor } from './helpers';

const w = useWorld();
let ctx: BrowserContext;

let server: Server | undefined;

beforeEach(async () => {
  ctx = await w.browser.newContext();
});
afterEach(async () => {
  await new Promise((r) => (server ? (server.closeAllConnections(), server.close(r)) : r(undefined)));
  server = undefined;
});

const CSP = "script-src 'self'; style-src 'self'";
const EVIL = '<img src=x onerror="window.__pwned=1">';

describe('inspector add-on in Chromium', () => {
  it('under a strict CSP, ?tutti_debug=1 opens it and a tracked event turns "sent" with no CSP violation', async () => {
    const data = Object.entries(pageAttrs(w, { 'flush-interval': 200, 'auto-pageview': false }))
      .map(([k, v]) => ` data-${k}="${String(v)}"`)
      .join('');
    // Every script is a same-origin file: the CSP allows no inline script.
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>CSP</title>
<script src="/watch.js"></script>
<script src="/dist/tutti.min.js"${data}></script>
<script src="/dist/tutti.inspector.min.js"></script>
<script src="/app.js"></script></head><body><h1>Strict CSP</h1></body></html>`;
    const watch = `window.__violations = []; window.__errors = [];
document.addEventListener('securitypolicyviolation', function (e) { window.__violations.push(e.violatedDirective + ' ' + e.blockedURI); });
window.addEventListener('error', function (e) { window.__errors.push(String(e.message)); });`;
    const app = `tutti.track('Inspector E2E', { html: ${JSON.stringify(EVIL)} });`;
    // A server of its own: the page needs a CSP header, and a page fulfilled by the test
    // (page.route) would count as a public one, which Chromium bars from the loopback collector.
    const files: Record<string, [string, string | Buffer]> = {
      '/csp.html': ['text/html; charset=utf-8', html],
      '/watch.js': ['text/javascript', watch],
      '/app.js': ['text/javascript', app],
      '/dist/tutti.min.js': ['text/javascript', readFileSync('dist/tutti.min.js')],
      '/dist/tutti.inspector.min.js': ['text/javascript', readFileSync('dist/tutti.inspector.min.js')],
    };
    server = createServer((req, res) => {
      const f = files[new URL(req.url || '/', 'http://x').pathname];
      if (!f) return res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': f[0], 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store' }).end(f[1]);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const page = await ctx.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/csp.html?tutti_debug=1`);

    const panel = page.locator('tutti-inspector');
    await panel.locator('button').first().click(); // expand
    const row = panel.locator('li', { hasText: 'Inspector E2E' });
    await row.locator('i', { hasText: 'sent (200)' }).waitFor({ timeout: 10000 });
    await waitFor('the event at the collector', () => w.collector.events({ event: 'Inspector E2E' }).length === 1);
    // the panel lists the messageId the collector stored
    await row.locator('b').click();
    const shown = JSON.parse((await row.locator('pre').textContent()) || '{}');
    expect(shown.messageId).toBe(w.collector.events({ event: 'Inspector E2E' })[0].messageId);
    expect(shown.properties.html).toBe(EVIL);
    expect(await panel.locator('img').count()).toBe(0);
    // its styles applied (constructed stylesheet): a fixed panel on top of the page
    const style = await page.evaluate(() => {
      const s = getComputedStyle(document.querySelector('tutti-inspector')!);
      return [s.position, s.zIndex];
    });
    expect(style).toEqual(['fixed', '2147483647']);
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
    expect(await page.evaluate(() => (window as any).__violations)).toEqual([]);
    expect(await page.evaluate(() => (window as any).__errors)).toEqual([]);
    // Chromium also logs each refusal ("Refused to apply inline style ... Content Security Policy").
    expect(consoleErrors.filter((m) => /Refused|Security Policy/i.test(m))).toEqual([]);

    // Control: the CSP is in force and the listener hears it; a <style> element is refused.
    await page.evaluate(() => {
      const s = document.createElement('style');
      s.textContent = 'h1{color:red}';
      document.head.appendChild(s);
    });
    await page.waitForFunction(() => (window as any).__violations.length > 0, null, { timeout: 5000 });
    expect((await page.evaluate(() => (window as any).__violations))[0]).toMatch(/^style-src/);
  });
});
