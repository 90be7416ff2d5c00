// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { optionsFromDataset } from '../../adapters/web/lib/data-attributes';

function datasetOf(html: string): DOMStringMap {
  const holder = document.createElement('div');
  holder.innerHTML = html;
  return (holder.firstElementChild as HTMLElement).dataset;
}

describe('script data attributes', () => {
  it('maps every documented attribute to a typed option', () => {
    const ds = datasetOf(
      `<script data-write-key="123" data-endpoint="https://c.example.com" data-batch-size="50" data-flush-interval="1000"
        data-max-queue-size="500" data-session-timeout="60000" data-debug data-auto-pageview="false" data-web-vitals="0"
        data-cookie-domain="example.com" data-link-domains="a.com, b.example.org ,," data-consent="pending"
        data-accept-handoff="anonymous" data-conversion-events="Order Completed,Lead"
        data-retry-max-attempts="3" data-retry-base-delay="500"></script>`,
    );
    expect(optionsFromDataset(ds)).toEqual({
      writeKey: '123',
      endpoint: 'https://c.example.com',
      batchSize: 50,
      flushInterval: 1000,
      maxQueueSize: 500,
      sessionTimeout: 60000,
      debug: true,
      autoPageview: false,
      webVitals: false,
      cookieDomain: 'example.com',
      linkDomains: ['a.com', 'b.example.org'],
      consent: 'pending',
      acceptHandoff: 'anonymous',
      conversionEvents: ['Order Completed', 'Lead'],
      retry: { maxAttempts: 3, baseDelay: 500 },
    });
  });

  it('keeps a numeric-looking write key a string and leaves out unparsable numbers', () => {
    const o = optionsFromDataset(datasetOf('<script data-write-key="0042" data-batch-size="lots" data-flush-interval=""></script>'));
    expect(o).toEqual({ writeKey: '0042' });
  });

  it('turns data-accept-handoff="false" into false and passes unknown attributes through', () => {
    const o = optionsFromDataset(datasetOf('<script data-accept-handoff="false" data-bridge="true" data-app-name="shop" data-auto-init="false"></script>'));
    expect(o).toEqual({ acceptHandoff: false, bridge: true, appName: 'shop' });
  });
  it('maps data-personalization-* to the nested personalization options', () => {
    expect(
      optionsFromDataset({ personalizationTimeout: '600', personalizationSlots: 'hero, promo', personalizationAntiFlicker: 'false', personalizationNonce: 'abc' }),
    ).toEqual({ personalization: { timeout: 600, slots: ['hero', 'promo'], antiFlicker: false, nonce: 'abc' } });
    expect(optionsFromDataset({ personalizationSlots: 'auto', personalizationTimeout: 'soon' })).toEqual({ personalization: { slots: 'auto' } });
  });
});
