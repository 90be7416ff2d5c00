// Bad input (SPEC §3): whatever the host passes, no method throws, the bad part is
// coerced or dropped, and the SDK keeps delivering later events. Also plugins and
// listeners that misbehave, and init with broken options.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CoreTutti, TuttiEvent, TuttiOptions } from '../../src/index';
import { make, settle } from './harness';

afterEach(() => vi.restoreAllMocks());

const OPTS = { writeKey: 'wk', endpoint: 'https://collect.example.com' };

/** Runs `fn` (which must not throw), then a sentinel track; returns the events sent. */
async function survive(fn: (core: CoreTutti) => void, options: Partial<TuttiOptions> = {}): Promise<TuttiEvent[]> {
  const { core, net } = make(options);
  expect(() => fn(core)).not.toThrow();
  core.track('Sentinel');
  await core.flush();
  const list = net.events();
  expect(list[list.length - 1].event).toBe('Sentinel');
  return list.slice(0, -1);
}

/** The properties of the single event sent by `track('E', props)`. */
async function sentProperties(props: unknown): Promise<Record<string, unknown>> {
  const list = await survive((c) => c.track('E', props as object));
  expect(list.length).toBe(1);
  expect(list[0].event).toBe('E');
  return list[0].properties as Record<string, unknown>;
}

describe('event names', () => {
  it('coerces a number to a string', async () => {
    const list = await survive((c) => c.track(42 as unknown as string));
    expect(list.map((e) => e.event)).toEqual(['42']);
  });

  it.each([[{}], [undefined], [null], [NaN], [true], [() => 'x'], [Symbol('s')], [''], ['   ']])('drops the event named %s', async (name) => {
    const list = await survive((c) => c.track(name as unknown as string, { a: 1 }));
    expect(list).toEqual([]);
  });

  it('trims names and cuts very long ones', async () => {
    const list = await survive((c) => {
      c.track('  Signed Up  ');
      c.track('x'.repeat(100000));
    });
    expect(list[0].event).toBe('Signed Up');
    expect(list[1].event!.length).toBeLessThanOrEqual(8192);
    expect(list[1].event!.length).toBeGreaterThan(0);
  });
});

describe('properties', () => {
  it('replaces circular references and keeps the rest', async () => {
    const a: Record<string, unknown> = { name: 'a', list: [1] };
    a.self = a;
    (a.list as unknown[]).push(a);
    const p = await sentProperties({ a, ok: true });
    expect(p.ok).toBe(true);
    expect((p.a as Record<string, unknown>).name).toBe('a');
    expect(typeof (p.a as Record<string, unknown>).self).toBe('string');
    expect((p.a as Record<string, unknown[]>).list[0]).toBe(1);
  });

  it('keeps a shared (non-circular) object twice', async () => {
    const shared = { x: 1 };
    const p = await sentProperties({ a: shared, b: shared });
    expect(p).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  it('turns BigInt into a string', async () => {
    const p = await sentProperties({ big: BigInt('12345678901234567890'), n: 1 });
    expect(p).toEqual({ big: '12345678901234567890', n: 1 });
  });

  it('drops functions, symbols and undefined values', async () => {
    const p = await sentProperties({ fn: () => 1, sym: Symbol('x'), u: undefined, [Symbol('k')]: 1, keep: 'yes' });
    expect(p).toEqual({ keep: 'yes' });
  });

  it('truncates huge strings to 8192 characters', async () => {
    const p = await sentProperties({ text: 'a'.repeat(1_000_000), nested: { t: 'b'.repeat(9000) }, list: ['c'.repeat(9000)] });
    expect((p.text as string).length).toBe(8192);
    expect((p.nested as { t: string }).t.length).toBe(8192);
    expect((p.list as string[])[0].length).toBe(8192);
  });

  it('sends NaN and ±Infinity as null', async () => {
    const p = await sentProperties({ a: NaN, b: Infinity, c: -Infinity, d: [NaN], e: 0 });
    expect(p).toEqual({ a: null, b: null, c: null, d: [null], e: 0 });
  });

  it('sends Dates as ISO strings and invalid Dates as null', async () => {
    const p = await sentProperties({ at: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)), bad: new Date('nope') });
    expect(p).toEqual({ at: '2025-01-02T03:04:05.000Z', bad: null });
  });

  it('drops a throwing getter and keeps the other properties', async () => {
    const props = {
      keep: 1,
      get boom(): number {
        throw new Error('getter');
      },
      also: 'kept',
    };
    const p = await sentProperties(props);
    expect(p.keep).toBe(1);
    expect(p.also).toBe('kept');
    expect('boom' in p).toBe(false);
  });

  it('drops a nested throwing getter and keeps its siblings', async () => {
    const inner = {
      get boom(): number {
        throw new Error('getter');
      },
    };
    const p = await sentProperties({ inner, keep: 1 });
    expect(p.keep).toBe(1);
  });

  it('survives a Proxy whose traps throw', async () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('get');
        },
        ownKeys() {
          throw new Error('ownKeys');
        },
        getPrototypeOf() {
          throw new Error('proto');
        },
      },
    );
    const list = await survive((c) => {
      c.track('A', hostile);
      c.track('B', { nested: hostile, keep: 1 });
      c.identify('u1', hostile);
      c.page(hostile);
    });
    expect(list.map((e) => e.event || e.type)).toEqual(['A', 'B', 'identify', 'page']);
    expect(list[1].properties!.keep).toBe(1);
    expect(list[2].userId).toBe('u1');
  });

  it('keeps arrays inside properties, ignores an array or a string as the properties', async () => {
    const list = await survive((c) => {
      c.track('A', { items: [{ sku: 1 }, 'x', null, undefined] });
      c.track('B', [1, 2, 3] as unknown as object);
      c.track('C', 'not an object' as unknown as object);
      c.track('D', 7 as unknown as object);
    });
    expect(list.map((e) => e.event)).toEqual(['A', 'B', 'C', 'D']);
    expect(list[0].properties).toEqual({ items: [{ sku: 1 }, 'x', null, null] });
    for (const e of list.slice(1)) expect(e.properties).toEqual({});
  });

  it('cuts absurdly deep nesting instead of overflowing the stack', async () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 10000; i++) deep = { d: deep };
    const p = await sentProperties({ deep, keep: 1 });
    expect(p.keep).toBe(1);
    expect(JSON.stringify(p).length).toBeLessThan(1000);
  });

  it('uses toJSON when an object has one, and survives a throwing toJSON', async () => {
    const p = await sentProperties({
      money: { toJSON: () => ({ amount: 5, currency: 'CNY' }) },
      bad: {
        toJSON() {
          throw new Error('toJSON');
        },
      },
      keep: 1,
    });
    expect(p.money).toEqual({ amount: 5, currency: 'CNY' });
    expect(p.keep).toBe(1);
  });

  it("under Prototype.js's Array#toJSON (it returns a string) arrays stay arrays, in properties and in the request body", async () => {
    const proto = Array.prototype as unknown as { toJSON?: () => string };
    proto.toJSON = function (this: unknown[]) {
      return '[' + this.map((v) => JSON.stringify(v)).join(', ') + ']';
    };
    try {
      // (The harness parses the body as JSON: a malformed one fails here.)
      const p = await sentProperties({ list: [1, 'a', { in: [true] }] });
      expect(p.list).toEqual([1, 'a', { in: [true] }]);
    } finally {
      delete proto.toJSON;
    }
  });

  it('a caller mutating its object after track does not change the event', async () => {
    const { core, net } = make();
    const props: Record<string, unknown> = { step: 1 };
    core.track('E', props);
    props.step = 2;
    await core.flush();
    expect(net.events()[0].properties).toEqual({ step: 1 });
  });

  it('cleans traits of identify and group the same way', async () => {
    const t: Record<string, unknown> = { n: NaN, fn: () => 1, big: BigInt(1) };
    t.self = t;
    const list = await survive((c) => {
      c.identify('u1', t);
      c.group('g1', t);
    });
    for (const e of list) {
      expect(e.traits!.n).toBeNull();
      expect(e.traits!.big).toBe('1');
      expect('fn' in e.traits!).toBe(false);
      expect(typeof e.traits!.self).toBe('string');
    }
  });
});

describe('plugins', () => {
  it('a throwing beforeSend keeps the event unchanged', async () => {
    const list = await survive((c) => c.track('Kept', { a: 1 }), {
      plugins: [
        {
          name: 'broken',
          beforeSend() {
            throw new Error('plugin bug');
          },
        },
      ],
    });
    expect(list.map((e) => e.event)).toEqual(['Kept']);
    expect(list[0].properties).toEqual({ a: 1 });
  });

  it('beforeSend returning null drops the event', async () => {
    const { core, net } = make({ plugins: [{ name: 'filter', beforeSend: (e) => (e.event === 'Secret' ? null : e) }] });
    core.track('Secret');
    core.track('Public');
    await core.flush();
    expect(net.events().map((e) => e.event)).toEqual(['Public']);
  });

  it('a modifying beforeSend changes what is sent, and plugins run in order', async () => {
    const { core, net } = make({
      plugins: [
        { name: 'redact', beforeSend: (e) => ({ ...e, properties: { ...e.properties, email: '[redacted]' } }) },
        { name: 'tag', beforeSend: (e) => ((e.context.app = { build: 7 }), e) },
      ],
    });
    core.track('Signed Up', { email: 'a@example.com', plan: 'pro' });
    await core.flush();
    const [e] = net.events();
    expect(e.properties).toEqual({ email: '[redacted]', plan: 'pro' });
    expect(e.context.app).toEqual({ build: 7 });
  });

  it('beforeSend returning undefined or garbage keeps the event', async () => {
    const list = await survive((c) => c.track('Kept'), {
      plugins: [{ name: 'void', beforeSend: () => undefined }, { name: 'num', beforeSend: () => 5 as never }],
    });
    expect(list.map((e) => e.event)).toEqual(['Kept']);
  });

  it('use() registers a plugin at runtime and calls its setup', async () => {
    const setup = vi.fn();
    const { core, net } = make();
    core.use({ name: 'late', setup, beforeSend: (e) => ({ ...e, properties: { late: true } }) });
    core.track('E');
    await core.flush();
    expect(setup).toHaveBeenCalledTimes(1);
    expect(net.events()[0].properties).toEqual({ late: true });
  });

  it.each([[null], [undefined], [42], ['plugin'], [{}], [{ name: 5 }], [[1, 2]], [{ name: 'bad', beforeSend: 'no', setup: 7 }], [{ name: 'throws', setup: () => { throw new Error('setup'); } }]])(
    'use(%j) never throws and tracking goes on',
    async (plugin) => {
      await survive((c) => c.use(plugin as never));
    },
  );

  it('garbage in the plugins option does not stop tracking', async () => {
    const { core, net } = make({ plugins: [null, 42, 'x', { name: 'ok' }, { name: 'bad', beforeSend: 'no' }] as never });
    core.track('E');
    await core.flush();
    expect(net.events().map((e) => e.event)).toEqual(['E']);
  });
});

describe('listeners', () => {
  it("a throwing on('sent') listener does not stop delivery or other listeners", async () => {
    const { core, net } = make();
    const seen: string[] = [];
    core.on('sent', () => {
      throw new Error('listener bug');
    });
    core.on('sent', (info) => seen.push(...info.events.map((e) => e.event as string)));
    core.track('a');
    await core.flush();
    core.track('b');
    await core.flush();
    expect(net.events().map((e) => e.event)).toEqual(['a', 'b']);
    expect(seen).toEqual(['a', 'b']);
  });

  it('on() with garbage returns an unsubscribe function and never throws', async () => {
    const list = await survive((c) => {
      expect(typeof c.on('sent', undefined as never)).toBe('function');
      expect(typeof c.on('nope' as never, () => undefined)).toBe('function');
      expect(typeof (c.on as (...a: unknown[]) => unknown)()).toBe('function');
      const off = c.on('sent', () => undefined);
      off();
      off();
    });
    expect(list).toEqual([]);
  });
});

describe('init', () => {
  it.each([
    ['no options', undefined],
    ['null', null],
    ['a string', 'wk'],
    ['a number', 42],
    ['no writeKey', { endpoint: 'https://collect.example.com' }],
    ['no endpoint', { writeKey: 'wk' }],
    ['empty strings', { writeKey: '', endpoint: '' }],
  ])('with %s does not throw, and a later valid init delivers the calls made meanwhile', async (_label, bad) => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { core, net } = make({}, { init: false });
    expect(() => core.init(bad as never)).not.toThrow();
    core.track('meanwhile');
    expect(() => core.init(OPTS)).not.toThrow();
    core.track('after');
    await core.flush();
    expect(net.events().map((e) => e.event)).toEqual(['meanwhile', 'after']);
  });

  it('ignores option values of the wrong type and keeps working with defaults', async () => {
    const garbage = {
      batchSize: 'lots',
      flushInterval: -5,
      maxQueueSize: {},
      retry: 5,
      sessionTimeout: 'never',
      linkDomains: 'example.net',
      conversionEvents: 'Order Completed',
      personalization: 3,
      cookieDomain: 12,
      autoPageview: 'no',
      debug: 'verbose',
    };
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const list = await survive((c) => {
      c.track('Order Completed');
      expect(c.options!.batchSize).toBe(20);
      expect(c.options!.sessionTimeout).toBe(1800000);
      expect(c.options!.consent).toBe('granted');
    }, garbage as never);
    expect(list.map((e) => e.event)).toEqual(['Order Completed']);
  });

  it('an unknown consent value holds events (pending) with a warning, never sends them as if granted', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (const consent of ['Pending', 'yes please', 0, true]) {
      const { core, net } = make({ consent: consent as never, debug: true });
      expect(core.options!.consent).toBe('pending');
      core.track('Held');
      await core.flush();
      expect(net.events()).toEqual([]);
      core.setConsent('granted');
      await core.flush();
      expect(net.events().map((e) => e.event)).toEqual(['Held']);
    }
    expect(warn.mock.calls.some((c) => c.join(' ').includes('consent'))).toBe(true);
    // Not given (or null): the SPEC default.
    expect(make({}).core.options!.consent).toBe('granted');
    expect(make({ consent: null as never }).core.options!.consent).toBe('granted');
    expect(make({ consent: '' as never }).core.options!.consent).toBe('granted');
  });

  it("option warnings show when the same options turn debug on (init read debug only after them)", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    make({ batchSize: 'lots' as never, debug: true });
    expect(warn.mock.calls.some((c) => c.join(' ').includes('batchSize'))).toBe(true);
    warn.mockClear();
    make({ batchSize: 'lots' as never });
    expect(warn).not.toHaveBeenCalled();
  });

  it('an unknown acceptHandoff value adopts nothing, with a warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (const acceptHandoff of ['none', 'Anonymous', 'false', 1]) {
      expect(make({ acceptHandoff: acceptHandoff as never, debug: true }).core.options!.acceptHandoff).toBe(false);
    }
    expect(warn.mock.calls.some((c) => c.join(' ').includes('acceptHandoff'))).toBe(true);
    expect(make({}).core.options!.acceptHandoff).toBe('all');
    // true says "accept": all; '' (an empty data attribute) is not given.
    expect(make({ acceptHandoff: true as never }).core.options!.acceptHandoff).toBe('all');
    expect(make({ acceptHandoff: '' as never }).core.options!.acceptHandoff).toBe('all');
  });

  it('a contract override of the wrong type falls back to the default', async () => {
    const list = await survive((c) => c.track('E'), {
      contract: { encode: 'json' as never, batchPath: 42 as never, headers: 'x' as never, decodeDecisions: null as never },
    });
    expect(list.map((e) => e.event)).toEqual(['E']);
  });

  it('options whose getters throw do not throw out of init', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('get');
        },
      },
    );
    const { core } = make({}, { init: false });
    expect(() => core.init(hostile as never)).not.toThrow();
    expect(() => core.track('x')).not.toThrow();
  });
});

describe('wrong arity and wrong types on every method', () => {
  it('never throws and later events are still delivered', async () => {
    const anyCore = (c: CoreTutti) => c as unknown as Record<string, (...a: unknown[]) => unknown>;
    const list = await survive((c) => {
      const a = anyCore(c);
      a.track();
      a.track('Extra', { ok: 1 }, 'x', 5, null);
      a.page();
      a.page(1, 2, 3, 4);
      a.page({ section: 'x' });
      a.screen(null, 'props');
      a.identify();
      a.identify(undefined, undefined);
      a.identify({ a: 1 }, 'extra');
      a.alias();
      a.alias(null, null);
      a.group();
      a.group({}, []);
      a.setExternalId();
      a.setExternalId('wechat_openid');
      a.setExternalId(null, 'id');
      a.setConsent();
      a.setConsent(1);
      a.reset('now', 1);
      a.linkUrl();
      a.linkUrl(42);
      a.getCampaign(1);
      a.getSessionId(1);
      a.getAnonymousId(1);
      a.touch();
      a.touch('x');
      a.touch({ url: 5, referrer: {} });
      a.call();
      a.call('nope', 'args');
      a.call('track', 'not-an-array', 'not-a-number');
      a.call('track', ['Via Call'], NaN);
      a.flushNow();
      a.adoptHandoff();
      a.adoptHandoff('x');
      a.adoptHandoff({ tutti_aid: 5, tutti_ts: {} });
    });
    const names = list.map((e) => e.event || e.type);
    expect(names).toContain('Extra');
    expect(names).toContain('Via Call');
    expect(list.find((e) => e.event === 'Extra')!.properties).toEqual({ ok: 1 });
    const viaCall = list.find((e) => e.event === 'Via Call')!;
    expect(Number.isNaN(Date.parse(viaCall.timestamp))).toBe(false);
  });

  it('flush() always returns a promise that resolves', async () => {
    const { core } = make({}, { init: false });
    await expect(core.flush()).resolves.toBeUndefined();
    core.init(OPTS);
    await expect(core.flush()).resolves.toBeUndefined();
  });

  it('on() with an Object.prototype name (toString, constructor, __proto__) neither throws nor breaks the real events', async () => {
    const { core, net } = make();
    const sent = vi.fn();
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(() => (core.on as (n: string, f: () => void) => () => void)(name, () => undefined)()).not.toThrow();
    }
    core.on('sent', sent);
    core.track('After');
    await core.flush();
    expect(net.events().map((e) => e.event)).toContain('After');
    expect(sent).toHaveBeenCalledTimes(1);
  });

  it('personalize() with garbage resolves to {}', async () => {
    const { core } = make();
    await expect(core.personalize(5 as never)).resolves.toEqual({});
    await expect(core.personalize([null, 7] as never)).resolves.toEqual({});
    await settle();
  });
});
