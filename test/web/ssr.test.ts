// @vitest-environment node
// Importing the npm entry during server-side rendering must never throw, and the SDK
// still works there with memory storage and fetch.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { recordFetch } from './helpers';

const rec = recordFetch();
afterAll(() => vi.unstubAllGlobals());

describe('npm entry outside a browser', () => {
  it('imports without window or document', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const mod = await import('../../adapters/web/index');
    expect(typeof mod.default.track).toBe('function');
    expect(typeof mod.createTutti).toBe('function');
  });

  it('tracks with memory storage and fetch', async () => {
    const { createTutti } = await import('../../adapters/web/index');
    const t = createTutti({ writeKey: 'srv', endpoint: 'http://127.0.0.1:9/c' });
    t.track('Rendered', { page: '/x' });
    t.page('Home');
    expect(t.getAnonymousId()).toMatch(/^[0-9a-f-]{36}$/);
    await t.flush();
    const events = rec.events();
    expect(events.map((e) => e.event || e.name)).toEqual(['Rendered', 'Home']);
    expect(events[0].context.channel).toBe('web');
  });
});
