// Build-time facts, folded by the bundler: see rollup.config.ts (version plugin).

declare const __TUTTI_WX__: boolean;

/**
 * True only in the WeChat DevTools build (dist/miniprogram/index.js). Its one platform
 * (adapters/miniprogram/create.ts, without a fallback) never has gzip, tabs, a landing URL,
 * a page lifecycle or a host, and its core gets no url/handoff/init hooks: code reading
 * those checks this first, so that build leaves it out. Everywhere else (other bundles,
 * library builds, tests from source) it is false and nothing changes.
 */
export const WX_BUILD: boolean = typeof __TUTTI_WX__ === 'boolean' && __TUTTI_WX__;
