// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://www.example.com/"}
// A sandboxed iframe without allow-same-origin (ad slots, embeds, CodePen-like hosts):
// every storage API throws SecurityError synchronously (document.cookie, localStorage,
// indexedDB.open, as Chromium does). Tutti must keep tracking in memory, never throw.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { recordFetch } from './helpers';

const denied = () => {
  throw new DOMException('The document is sandboxed', 'SecurityError');
};
vi.stubGlobal('indexedDB', { open: denied });
Object.defineProperty(window, 'localStorage', { configurable: true, get: denied });
Object.defineProperty(document, 'cookie', { configurable: true, get: denied, set: denied });
afterAll(() => vi.unstubAllGlobals());

describe('every storage API throws (sandboxed iframe)', () => {
  it('init never throws, the ID lives in memory and events are delivered', async () => {
    const rec = recordFetch();
    const { createTutti } = await import('../../adapters/web/index');
    let t!: ReturnType<typeof createTutti>;
    expect(() => (t = createTutti({ writeKey: 'wk', endpoint: 'https://c.example.com', webVitals: false }))).not.toThrow();
    t.track('In Frame');
    await new Promise((r) => setTimeout(r, 400));
    await t.flush();
    expect(t.getAnonymousId()).toMatch(/^[0-9a-f-]{36}$/);
    expect(rec.events().map((e) => e.event || e.type).sort()).toEqual(['In Frame', 'page']);
    expect(new Set(rec.events().map((e) => e.anonymousId))).toEqual(new Set([t.getAnonymousId()]));
  });
});
