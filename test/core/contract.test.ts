import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { make, scriptedTransport } from './harness';
import type { Transport } from '../../src/index';

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }));
afterEach(() => vi.useRealTimers());

describe('backend contract', () => {
  it('posts {writeKey, sentAt, batch} to {endpoint}/v1/batch by default', async () => {
    const { core, net } = make({ endpoint: 'https://collect.example.com/' });
    core.track('Signed Up', { plan: 'pro' });
    await core.flush();
    expect(net.requests[0].url).toBe('https://collect.example.com/v1/batch');
    expect(Object.keys(net.requests[0].body).sort()).toEqual(['batch', 'sentAt', 'writeKey']);
  });

  it('joins the SPEC paths to an endpoint written with trailing slashes without doubling them', async () => {
    const { core, net } = make({ endpoint: 'https://collect.example.com//' });
    core.track('Signed Up');
    await core.flush();
    await core.personalize(['hero']);
    expect(net.requests.map((r) => r.url)).toEqual(['https://collect.example.com/v1/batch', 'https://collect.example.com/v1/decide']);
  });

  it("keeps a same-origin endpoint written as '/' (the site's root): batches go to /v1/batch", async () => {
    const { core, net } = make({ endpoint: '/' });
    core.track('Signed Up');
    await core.flush();
    expect(net.requests.map((r) => r.url)).toEqual(['/v1/batch']);
  });

  it('lets paths, headers, encoder and transport be replaced for another pipeline', async () => {
    const seen: Array<{ url: string; body: string; headers: Record<string, string> | undefined }> = [];
    const transport: Transport = {
      async send(url, body, options) {
        seen.push({ url, body: body as string, headers: options.headers });
        return { status: 200 };
      },
    };
    const { core, net } = make({
      endpoint: 'https://rudder.example.com',
      contract: {
        batchPath: '/v1/batch?source=web',
        headers: { Authorization: 'Basic d2s6' },
        encode: (b) => JSON.stringify({ batch: b.batch, sentAt: b.sentAt, custom: true }),
        compress: false,
        transport,
      },
    });
    core.track('Order Completed', { total: 1 });
    await core.flush();
    expect(net.requests).toHaveLength(0);
    expect(seen[0].url).toBe('https://rudder.example.com/v1/batch?source=web');
    expect(seen[0].headers).toEqual({ Authorization: 'Basic d2s6' });
    expect(JSON.parse(seen[0].body).custom).toBe(true);
  });

  it('a throwing custom encoder does not break tracking', async () => {
    const { core, net } = make({ contract: { encode: () => { throw new Error('boom'); } } });
    core.track('A');
    await core.flush();
    expect(net.requests).toHaveLength(0);
    core.track('B');
    expect(() => core.flushNow(false)).not.toThrow();
  });
});

describe('personalize', () => {
  it('asks /v1/decide for the slots, emits decision and returns only known slots', async () => {
    const net = scriptedTransport((req) =>
      req.url.endsWith('/v1/decide')
        ? {
            status: 200,
            body: JSON.stringify({
              decisions: {
                hero: { variantId: 'b', experimentId: 'exp1', content: { type: 'text', text: 'Hello' } },
                junk: { variantId: 'x' },
              },
            }),
          }
        : { status: 200 },
    );
    const { core } = make({}, { net });
    core.identify('u1', { plan: 'pro' });
    core.setExternalId('wechat_openid', 'o123');
    const decided: string[] = [];
    core.on('decision', (d) => decided.push(d.slotId + ':' + d.decision.variantId));
    const out = await core.personalize(['hero', 'junk', 'missing']);
    expect(Object.keys(out)).toEqual(['hero']);
    expect(decided).toEqual(['hero:b']);
    const req = net.requests.find((r) => r.url.endsWith('/v1/decide'))!;
    expect(req.body).toMatchObject({ writeKey: 'wk', userId: 'u1', traits: { plan: 'pro' }, slots: ['hero', 'junk', 'missing'] });
    expect(req.body.anonymousId).toBe(core.getAnonymousId());
    expect(req.body.externalIds[0]).toMatchObject({ type: 'wechat_openid', id: 'o123' });
  });

  it('gives up after the timeout with no decisions, so defaults stay', async () => {
    const net = scriptedTransport((req) => (req.url.endsWith('/v1/decide') ? new Promise(() => undefined) : { status: 200 }));
    const { core } = make({ personalization: { timeout: 300 } }, { net });
    const p = core.personalize(['hero']);
    await vi.advanceTimersByTimeAsync(400);
    expect(await p).toEqual({});
  });

  it('clears its timeout timer when the answer arrives, so no timer outlives the call (a Node process exits)', async () => {
    const net = scriptedTransport((req) => (req.url.endsWith('/v1/decide') ? { status: 200, body: '{"decisions":{}}' } : { status: 200 }));
    const { core } = make({ personalization: { timeout: 60000 } }, { net });
    const before = vi.getTimerCount();
    expect(await core.personalize(['hero'])).toEqual({});
    expect(net.requests.length).toBe(1);
    expect(vi.getTimerCount()).toBe(before);
  });

  it('answers {} on a server error or a garbage body', async () => {
    const net = scriptedTransport((req, i) => (req.url.endsWith('/v1/decide') ? (i % 2 ? { status: 500 } : { status: 200, body: 'not json' }) : { status: 200 }));
    const { core } = make({}, { net });
    expect(await core.personalize(['hero'])).toEqual({});
    expect(await core.personalize(['hero'])).toEqual({});
  });
});

describe('decided()', () => {
  it('tells on("decision") listeners about a decision served from a cache', () => {
    const { core } = make();
    const heard: string[] = [];
    core.on('decision', (d) => heard.push(d.slotId + ':' + d.decision.variantId));
    core.decided('hero', { variantId: 'b', content: { type: 'json', data: { x: 1 } } });
    expect(heard).toEqual(['hero:b']);
  });
});
