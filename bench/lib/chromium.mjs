// How the end-to-end tests (test/e2e, test/h5, test/personalize) and the benchmark start
// Chromium: Debian's /usr/bin/chromium (CHROMIUM_PATH overrides it), never a downloaded
// browser. CI runs offline, so every flag below stops the browser from reaching out on
// its own: the only traffic is the page's, and no request waits on a network that is
// not there. Plain .mjs so the bench runs without a build; chromium.d.mts types it.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  // CI containers run as root without user namespaces, where the sandbox cannot start.
  '--no-sandbox',
  // No GPU in CI; software rendering is what the figures are taken with.
  '--disable-gpu',
  // No QUIC/HTTP3 probing: everything is plain HTTP/1.1 to 127.0.0.1.
  '--disable-quic',
  // No first-run dialogs or default-browser checks.
  '--no-first-run',
  // No Safe Browsing, variations or other fetches of Chromium's own.
  '--disable-background-networking',
  // No component updater (it would try to download CRLSets, Widevine ...).
  '--disable-component-update',
  // No Google account sync.
  '--disable-sync',
];

/** Launches headless Chromium with the flags above plus `extraFlags`. */
export function launchChromium(extraFlags = []) {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS, ...extraFlags], timeout: 30000 });
}
