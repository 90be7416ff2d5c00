// The few WeChat globals the adapter touches. They are looked up once per instance and
// never assumed: the same bundle is imported by Taro/uni-app code that is also built for
// H5, and by Node during tests or server-side rendering, where none of them exist.

/** The subset of `wx` the adapter calls; every member is optional because base libraries differ. */
export type Wx = { [api: string]: any };

/** Launch/show options of WeChat (`App.onLaunch`, `wx.onAppShow`, `wx.getLaunchOptionsSync`). */
export interface EntryOptions {
  scene?: number;
  path?: string;
  query?: Record<string, string>;
  referrerInfo?: { appId?: string; extraData?: unknown };
  shareTicket?: string;
}

/** A page instance as WeChat hands it to lifecycle methods and `getCurrentPages()`. */
export type PageInstance = { route?: string; is?: string; __route__?: string; options?: Record<string, string> };

declare let wx: Wx | undefined;

/** The `wx` object of this runtime, or undefined outside WeChat. */
export function getWx(): Wx | undefined {
  try {
    return typeof wx === 'object' && wx ? wx : undefined;
  } catch {
    return undefined;
  }
}

/** Calls `w[name](...args)` (a wx API, or a method of a task one returned) when it exists; returns undefined instead of throwing. */
export function wxCall<T = any>(w: Wx | undefined, name: string, ...args: unknown[]): T | undefined {
  try {
    const fn = w && w[name];
    return typeof fn === 'function' ? fn.apply(w, args) : undefined;
  } catch {
    return undefined;
  }
}
