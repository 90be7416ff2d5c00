// Set-up shared by the H5 browser suites: the reference collector serving the example
// landing page (examples/h5), the built SDK (dist) and per-test variant pages from a
// temporary folder, all on one ephemeral 127.0.0.1 port; Debian Chromium; mobile
// emulation with a given in-app user agent.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startCollector, type CollectorHandle } from '../../examples/collector/index';
import { launchBrowser } from '../e2e/browser';

export interface H5World {
  browser: Browser;
  collector: CollectorHandle;
  /** Writes `html` as /t/<name> and returns its URL. */
  page(name: string, html: string): string;
  close(): Promise<void>;
}

export async function startH5World(): Promise<H5World> {
  if (!existsSync('dist/tutti.h5.min.js')) {
    throw new Error('dist/tutti.h5.min.js is missing: run `npx rollup -c rollup.config.ts --configPlugin typescript` first');
  }
  const dir = mkdtempSync(join(tmpdir(), 'tutti-h5-'));
  const collector = await startCollector({
    port: 0,
    dbPath: ':memory:',
    writeKeys: '*',
    quiet: true,
    static: { '/': 'examples/h5', '/dist': 'dist', '/t': dir },
  });
  const browser = await launchBrowser();
  return {
    browser,
    collector,
    page(name, html) {
      writeFileSync(join(dir, name), html);
      return `${collector.url}/t/${name}`;
    },
    async close() {
      await Promise.allSettled([browser.close(), collector.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The H5 world of one test file: started before its first test, closed after its last.
 * After each test, every browser context the test opened is closed and only then is the
 * collector reset, so nothing a closing page still sends leaks into the next test. (Vitest
 * runs "after" hooks in reverse order, so a file's own afterEach runs before this one.)
 * The object is filled in by the beforeAll hook, so read its fields inside tests/hooks.
 */
export function useH5World(): H5World {
  const w = {} as H5World;
  beforeAll(async () => {
    Object.assign(w, await startH5World());
  });
  afterEach(async () => {
    await Promise.all((w.browser?.contexts() ?? []).map((c) => c.close()));
    w.collector?.reset();
  });
  afterAll(async () => {
    await w.close?.();
  });
  return w;
}

/** A phone (Pixel 7 sized) running `userAgent`: mobile viewport, touch, DPR, Chinese locale. */
export function phone(userAgent: string, extra: BrowserContextOptions = {}): BrowserContextOptions {
  return {
    userAgent,
    viewport: { width: 412, height: 915 },
    deviceScaleFactor: 2.625,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...extra,
  };
}

/** A page loading the H5 script-tag build with `attrs` as data attributes (same-origin collector). */
export function h5Html(attrs: Record<string, string | number | boolean>, body = ''): string {
  const data = Object.entries({ 'write-key': 'h5-key', endpoint: '/', 'web-vitals': false, ...attrs })
    .map(([k, v]) => ` data-${k}="${String(v).replace(/"/g, '&quot;')}"`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>H5 test</title>
<script>window.__errors = []; window.onerror = function (m) { window.__errors.push(String(m)); };
window.addEventListener('unhandledrejection', function (e) { window.__errors.push('rejection: ' + e.reason); });</script>
<script src="/dist/tutti.h5.min.js"${data}></script></head><body><h1>H5</h1>${body}</body></html>`;
}

/** Waits until window.tutti is initialised; returns its anonymous ID. */
export async function ready(page: Page): Promise<string> {
  await page.waitForFunction(() => (window as any).tutti && (window as any).tutti.getAnonymousId() !== '', null, { timeout: 5000 });
  return page.evaluate(() => (window as any).tutti.getAnonymousId() as string);
}

/** Flushes the page's queue (instead of waiting for the flush interval). */
export const flush = (page: Page) => page.evaluate(() => (window as any).tutti.flush());

/** Makes the page hidden as a phone does when the user switches apps: no pagehide, only
 *  visibilitychange. (Playwright keeps its pages "visible", so the state is emulated.) */
export const hide = (page: Page) =>
  page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  });

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Polls `check` every 50 ms until it returns something truthy; fails after `timeout` ms naming `what`. */
export async function until<T>(what: string, check: () => T | Promise<T>, timeout = 8000): Promise<Truthy<T>> {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await check();
    if (v) return v as Truthy<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type { BrowserContext, Page };
