// Headless Chromium for the end-to-end suites, started the same way as the benchmark's
// (the flags, and why each is there: bench/lib/chromium.mjs).
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../bench/lib/chromium.mjs';

export function launchBrowser(): Promise<Browser> {
  return launchChromium();
}
