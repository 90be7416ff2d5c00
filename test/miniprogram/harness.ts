// Boots one mini-program "process" on the fake runtime: installs the globals, imports the
// SDK (fresh module state, as a new JS context would have) before or after the app and
// its pages register, and defines a small app whose handlers record how they were called.
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { startCollector, type CollectorHandle } from '../../examples/collector/index';
import type { Tutti, TuttiOptions } from '../../src/types';
import { createRuntime, type Runtime, type RuntimeOptions } from './wx-runtime';

type Options = { [k: string]: any };

/** What the host's own handlers saw: their `this`, arguments, and how often they ran. */
export interface HostLog {
  calls: Array<{ name: string; self: unknown; args: unknown[] }>;
  count(name: string): number;
}

export interface Booted {
  rt: Runtime;
  tutti: Tutti;
  createTutti: (o?: TuttiOptions) => Tutti;
  host: HostLog;
  appOptions: Options;
}

export interface BootOptions extends RuntimeOptions {
  /** 'before': SDK first (the documented way); 'after': App() and every page first (a framework did it). */
  importAt?: 'before' | 'after';
  /** init options (merged over writeKey/endpoint); false: do not init. */
  init?: Partial<TuttiOptions> | false;
  endpoint: string;
  /** Extra page definitions run after the standard ones. */
  pages?: (rt: Runtime, g: Options) => void;
  /** Page, component and behavior files evaluated before the SDK import (with importAt 'before'). */
  early?: (rt: Runtime, g: Options) => void;
  /** The host's onShareAppMessage for pages/item/item. */
  itemShare?: (this: any, arg: unknown) => unknown;
}

const g = globalThis as Options;

function defineApp(rt: Runtime, host: HostLog, o: BootOptions): Options {
  const log =
    (name: string, ret?: unknown) =>
    function (this: unknown, ...args: unknown[]) {
      host.calls.push({ name, self: this, args });
      return ret;
    };
  const appOptions: Options = {
    globalData: { user: null },
    onLaunch: log('app.onLaunch', 'launch-return'),
    onShow: log('app.onShow'),
    onHide: log('app.onHide'),
  };
  g.App(appOptions);
  rt.define('pages/index/index', () =>
    g.Page({
      data: { n: 0 },
      onLoad: log('index.onLoad'),
      onShow: log('index.onShow'),
      onHide: log('index.onHide'),
      onShareAppMessage: log('index.onShareAppMessage', { title: 'Home', path: '/pages/index/index?from=share' }),
      tap: log('index.tap', 'tap-return'),
    }),
  );
  rt.define('pages/item/item', () =>
    g.Page({
      onLoad: log('item.onLoad'),
      onUnload: log('item.onUnload'),
      onShareAppMessage:
        o.itemShare ||
        function (this: unknown, arg: unknown) {
          host.calls.push({ name: 'item.onShareAppMessage', self: this, args: [arg] });
          return { title: 'Item', path: '/pages/item/item?id=42', imageUrl: 'https://img.example/42.png' };
        },
      onShareTimeline: log('item.onShareTimeline', { title: 'Item', query: 'id=42' }),
    }),
  );
  // A page that does not share: the SDK must not turn WeChat's share menu on for it.
  rt.define('pages/plain/plain', () => g.Page({}));
  // A Component-built page (Taro/uni-app style) with a child component that also hears pageLifetimes.
  rt.define('components/card', () => g.Component({ pageLifetimes: { show: log('card.show') } }));
  rt.define(
    'pages/comp/comp',
    () =>
      g.Component({
        methods: { onLoad: log('comp.onLoad'), onShow: log('comp.onShow'), onShareAppMessage: log('comp.onShareAppMessage', { title: 'Comp' }) },
        pageLifetimes: { show: log('comp.pageShow') },
      }),
    ['components/card'],
  );
  // A Component page whose lifecycle lives in a behavior (the SDK must not override it).
  rt.define('pages/behave/behave', () =>
    g.Component({ behaviors: [g.Behavior({ methods: { onShow: log('behave.onShow'), onLoad: log('behave.onLoad') } })] }),
  );
  if (o.pages) o.pages(rt, g);
  return appOptions;
}

export async function boot(o: BootOptions): Promise<Booted> {
  const rt = createRuntime(o);
  rt.install();
  vi.resetModules();
  const host: HostLog = { calls: [], count: (name) => host.calls.filter((c) => c.name === name).length };
  let mod: typeof import('../../adapters/miniprogram/index') | undefined;
  if (o.early) o.early(rt, g);
  if (o.importAt !== 'after') mod = await import('../../adapters/miniprogram/index');
  const appOptions = defineApp(rt, host, o);
  if (!mod) mod = await import('../../adapters/miniprogram/index');
  if (o.init !== false) mod.default.init({ writeKey: 'mp-key', endpoint: o.endpoint, flushInterval: 50, ...(o.init || {}) } as TuttiOptions);
  return { rt, tutti: mod.default, createTutti: mod.createTutti, host, appOptions };
}

/** Polls until `check` is truthy (bounded). */
export async function until<T>(check: () => T, timeout = 8000, what = 'condition'): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const end = Date.now() + timeout;
  for (;;) {
    const v = check();
    if (v) return v as Exclude<T, false | null | undefined | 0 | ''>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A reference collector for the whole test file, and `start()` for mini-programs sending to
 * it; every mini-program started in a test is killed after it.
 */
export function collectorSuite() {
  let handle: CollectorHandle | undefined;
  let running: Booted[] = [];
  beforeAll(async () => {
    handle = await startCollector({ port: 0, dbPath: ':memory:', writeKeys: '*' });
  });
  afterAll(async () => {
    if (handle) await handle.close();
  });
  afterEach(() => {
    for (const b of running.reverse()) b.rt.kill();
    running = [];
  });
  const suite = {
    get collector(): CollectorHandle {
      return handle as CollectorHandle;
    },
    async start(o: Omit<BootOptions, 'endpoint'> = {}): Promise<Booted> {
      const b = await boot({ ...o, endpoint: suite.collector.url } as BootOptions);
      running.push(b);
      return b;
    },
  };
  return suite;
}
