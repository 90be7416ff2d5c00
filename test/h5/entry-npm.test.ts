// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://h5.example.com/promo?utm_source=moments&utm_medium=social"}
// `import tutti from 'tutti/h5'` in a page: the web SDK on channel 'h5' with the container
// in every event, sharing the page's one instance with any other Tutti copy.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { recordFetch } from '../web/helpers';
import { UA } from './user-agents';

const rec = recordFetch();
beforeAll(() => {
  Object.defineProperty(navigator, 'userAgent', { configurable: true, get: () => UA.alipay });
});
afterAll(() => vi.unstubAllGlobals());

describe('tutti/h5 npm entry', () => {
  it('sends page view and track on channel h5 with the container and the landing campaign', async () => {
    const { default: tutti } = await import('../../adapters/h5/index');
    tutti.init({ writeKey: 'wk', endpoint: 'https://collect.example.com', webVitals: false, flushInterval: 20 });
    tutti.track('Coupon Claimed', { coupon: 'x' });
    await tutti.flush();
    const events = rec.events();
    expect(events.map((e) => e.type)).toEqual(['page', 'track']);
    for (const e of events) {
      expect(e.context.channel).toBe('h5');
      expect(e.context.container).toBe('alipay');
      expect(e.context.campaign).toMatchObject({ source: 'moments', medium: 'social' });
    }
    expect(rec.posted.every((p) => p.url === 'https://collect.example.com/v1/batch')).toBe(true);
  });

  it('is the page singleton: a second copy (web entry) joins it', async () => {
    const h5 = (await import('../../adapters/h5/index')).default;
    const web = (await import('../../adapters/web/index')).default;
    expect(web).toBe(h5);
  });
});
