// @vitest-environment node
// `tutti/h5` imported during server-side rendering: no window, no document, no throw;
// events still flow (memory storage, fetch) on channel 'h5', without a container guess.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { recordFetch } from '../web/helpers';

const rec = recordFetch();
afterAll(() => vi.unstubAllGlobals());

describe('tutti/h5 outside a browser', () => {
  it('imports, and the singleton and createTutti work with memory storage and fetch', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const mod = await import('../../adapters/h5/index');
    expect(typeof mod.default.init).toBe('function');
    const t = mod.createTutti({ writeKey: 'srv', endpoint: 'http://127.0.0.1:9/c' });
    t.track('Rendered');
    await t.flush();
    const [e] = rec.events();
    expect(e.event).toBe('Rendered');
    expect(e.context.channel).toBe('h5');
    expect(e.context.container).toBeUndefined();
    expect(rec.posted[0].url).toBe('http://127.0.0.1:9/c/v1/batch');
  });
});
