// Shared set-up of the web end-to-end suites: Chromium, the reference collector and
// the customer site on separate ports (separate origins), plus bounded polling.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startCollector, type CollectorHandle } from '../../examples/collector/index';
import { launchBrowser } from './browser';
import { startSite, type Site } from './site';

export interface World {
  browser: Browser;
  collector: CollectorHandle;
  site: Site;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  if (!existsSync('dist/tutti.min.js')) {
    throw new Error('dist/tutti.min.js is missing: run `npx rollup -c rollup.config.ts --configPlugin typescript` first');
  }
  const collector = await startCollector({ port: 0, dbPath: ':memory:', writeKeys: '*', quiet: true });
  const site = await startSite();
  const browser = await launchBrowser();
  return {
    browser,
    collector,
    site,
    async close() {
      await Promise.allSettled([browser.close(), collector.close(), site.close()]);
    },
  };
}

/**
 * The world of one test file: started before its first test, closed after its last.
 * Each test starts with an empty collector that is up (a test may have taken it down),
 * and every browser context a test opened is closed after it.
 * The object is filled in by the beforeAll hook, so read its fields inside tests/hooks.
 */
export function useWorld(): World {
  const w = {} as World;
  beforeAll(async () => {
    Object.assign(w, await startWorld());
  });
  beforeEach(async () => {
    w.collector.reset();
    await w.collector.up();
  });
  afterEach(async () => {
    await Promise.all((w.browser?.contexts() ?? []).map((c) => c.close()));
  });
  afterAll(async () => {
    await w.close?.();
  });
  return w;
}

/** A stored event as the collector returns it. */
export type Ev = Record<string, any>;

/**
 * The script tag's data attributes the web suites start from: write key 'e2e', this
 * world's collector, and no web vitals (they would add events of their own); `extra` wins.
 */
export const pageAttrs = (w: World, extra: Record<string, string | number | boolean> = {}) => ({
  'write-key': 'e2e',
  endpoint: w.collector.url,
  'web-vitals': false,
  ...extra,
});

/** Polls `check` every 50 ms until it returns true; fails after `timeout` ms with `what`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeout = 10000): Promise<void> {
  const end = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Batch requests the collector answered, with the event count of each. */
export const batches = (c: CollectorHandle) => c.requests.filter((r) => r.method === 'POST' && r.path === '/v1/batch');
