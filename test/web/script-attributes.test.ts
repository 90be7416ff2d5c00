// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://www.example.com/start"}
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Tutti } from '../../src/types';
import { recordFetch } from './helpers';

const rec = recordFetch();
afterAll(() => vi.unstubAllGlobals());

describe('script tag auto-init', () => {
  it('reads options from its own data attributes and sends the initial page view', async () => {
    document.head.innerHTML =
      '<script src="https://cdn.example.com/t/tutti.min.js" data-write-key="k1" data-endpoint="https://c.example.com" data-web-vitals="false" data-batch-size="2" data-link-domains="partner.com"></script>';
    const tag = document.querySelector('script') as HTMLScriptElement;
    Object.defineProperty(document, 'currentScript', { configurable: true, get: () => tag });
    const t = (await import('../../adapters/web/script')).default as Tutti & { options?: Record<string, unknown> };
    delete (document as unknown as Record<string, unknown>).currentScript;
    expect((window as unknown as { tutti: Tutti }).tutti).toBe(t);
    expect(t.options).toMatchObject({ writeKey: 'k1', batchSize: 2, linkDomains: ['partner.com'], webVitals: false });
    await t.flush();
    expect(rec.events().map((e) => e.type)).toEqual(['page']);
    expect(rec.posted[0].body.writeKey).toBe('k1');
  });
});

describe('web vitals loader', () => {
  it('derives the add-on URL from the SDK URL', async () => {
    const { vitalsUrl } = await import('../../adapters/web/lib/vitals-loader');
    expect(vitalsUrl('https://cdn.example.com/t/tutti.min.js?v=3#x')).toBe('https://cdn.example.com/t/tutti.vitals.min.js');
    expect(vitalsUrl('/dist/tutti.min.js')).toBe('/dist/tutti.vitals.min.js');
  });

  it('injects the add-on once (with the page nonce) and resolves when it registers', async () => {
    const { scriptVitalsLoader } = await import('../../adapters/web/lib/vitals-loader');
    const load = scriptVitalsLoader('https://cdn.example.com/t/tutti.vitals.min.js', 'n0nce');
    const a = load();
    const b = load();
    const tags = document.querySelectorAll('script[src="https://cdn.example.com/t/tutti.vitals.min.js"]');
    expect(tags.length).toBe(1);
    expect((tags[0] as HTMLScriptElement).nonce).toBe('n0nce');
    await import('../../adapters/web/vitals-script'); // what the add-on does when it runs
    const [la, lb] = await Promise.all([a, b]);
    expect(typeof la.onLCP).toBe('function');
    expect(lb).toBe(la);
    expect(await load()).toBe(la); // already there: no new tag
    expect(document.querySelectorAll('script[src$="tutti.vitals.min.js"]').length).toBe(1);
  });

  it('reports each metric as a Web Vitals event with name, value, rating, id and navigationType', async () => {
    const { reportVitals } = await import('../../adapters/web/lib/vitals');
    const tracked: Array<[string, object]> = [];
    const metric = { name: 'LCP', value: 1234.5, rating: 'good', id: 'v5-1', navigationType: 'navigate', delta: 1, entries: [] };
    const fake = (cb: (m: unknown) => void) => cb(metric);
    const broken = () => {
      throw new Error('unsupported');
    };
    reportVitals({ onLCP: fake, onINP: broken, onCLS: fake, onFCP: fake, onTTFB: fake } as never, (e, p) => tracked.push([e, p]));
    expect(tracked.length).toBe(4);
    expect(tracked[0]).toEqual(['Web Vitals', { name: 'LCP', value: 1234.5, rating: 'good', id: 'v5-1', navigationType: 'navigate' }]);
  });
});
