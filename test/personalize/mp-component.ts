// A small extension of the fake WeChat runtime (test/miniprogram/wx-runtime.ts) for
// custom-component instances, which that runtime does not model: properties with their
// defaults, data, setData with observers, lifetimes, pageLifetimes,
// createIntersectionObserver (driven by the test) and triggerEvent. The component's
// files are evaluated as WeChat does: CommonJS, with `Component` as a global.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runInThisContext } from 'node:vm';

type Options = { [k: string]: any };

export const COMPONENT_DIR = resolve('adapters/miniprogram/components/tutti-slot');

/** Evaluates a CommonJS file; `modules` answers requires by specifier before files are tried. */
export function loadCjs(file: string, globals: Options, modules: Options = {}): Options {
  const module = { exports: {} as Options };
  const names = Object.keys(globals);
  const fn = runInThisContext(`(function (module, exports, require, ${names.join(', ')}) {${readFileSync(file, 'utf8')}\n})`, { filename: file });
  const req = (spec: string) => (spec in modules ? modules[spec] : loadCjs(resolve(dirname(file), spec.endsWith('.js') ? spec : spec + '.js'), globals, modules));
  fn(module, module.exports, req, ...names.map((n) => globals[n]));
  return module.exports;
}

export interface FakeObserver {
  options: Options;
  selector?: string;
  relative?: string;
  disconnected: boolean;
  /** Reports an intersection ratio to the component, as WeChat would on scroll. */
  ratio(r: number): void;
}

export interface Mounted {
  data: Options;
  events: Array<{ name: string; detail: unknown }>;
  observer: FakeObserver;
  /** The parent page re-renders with new property values. */
  setProps(p: Options): void;
  tap(): void;
  /** Calls a handler as WeChat does for a bound event (`bindtap="name"`). */
  call(name: string, event?: Options): unknown;
  pageHide(): void;
  pageShow(): void;
  detach(): void;
}

const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

/** Creates and attaches one instance of a component definition. */
export function mount(def: Options, props: Options = {}): Mounted {
  const data: Options = clone(def.data || {});
  for (const k in def.properties || {}) data[k] = k in props ? clone(props[k]) : clone(def.properties[k].value);
  let cb: ((res: Options) => void) | undefined;
  const observer: FakeObserver = {
    options: {},
    disconnected: false,
    ratio(r) {
      if (cb && !observer.disconnected) cb({ intersectionRatio: r, boundingClientRect: {}, intersectionRect: {} });
    },
  };
  const events: Mounted['events'] = [];
  const self: Options = {
    data,
    // setData serialises like WeChat's bridge does, then runs observers of touched fields.
    setData(d: Options) {
      for (const k in d) data[k] = clone(d[k]);
      for (const k in d) if (def.observers && typeof def.observers[k] === 'function') def.observers[k].call(self, data[k]);
    },
    createIntersectionObserver(options: Options) {
      observer.options = options;
      const api = {
        relativeToViewport() {
          observer.relative = 'viewport';
          return api;
        },
        observe(selector: string, fn: (res: Options) => void) {
          observer.selector = selector;
          cb = fn;
        },
        disconnect() {
          observer.disconnected = true;
        },
      };
      return api;
    },
    triggerEvent(name: string, detail: unknown) {
      events.push({ name, detail });
    },
  };
  for (const k in def.methods || {}) self[k] = def.methods[k];
  const life = (name: string) => {
    const fn = (def.lifetimes && def.lifetimes[name]) || def[name];
    if (typeof fn === 'function') fn.call(self);
  };
  const page = (name: string) => {
    const fn = def.pageLifetimes && def.pageLifetimes[name];
    if (typeof fn === 'function') fn.call(self);
  };
  life('attached');
  return {
    data,
    events,
    observer,
    setProps: (p) => self.setData(p),
    tap: () => self.onTap({ type: 'tap' }),
    call: (name, event = { type: 'tap', currentTarget: { dataset: {} } }) => self[name](event),
    pageHide: () => page('hide'),
    pageShow: () => page('show'),
    detach: () => life('detached'),
  };
}
