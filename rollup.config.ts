// One rollup config for every Tutti artifact. Entries whose source file does not
// exist yet are skipped, so adapters can land one at a time.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { OutputOptions, RollupOptions, Plugin } from 'rollup';
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import { nodeResolve } from '@rollup/plugin-node-resolve';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/**
 * Replaces __TUTTI_VERSION__ with the package version and __TUTTI_WX__ (src/lib/build.ts)
 * with `wx`: true only for the WeChat DevTools build, whose platform-free parts it never uses
 * are then dropped by terser.
 */
function version(wx = false): Plugin {
  return {
    name: 'tutti-version',
    // After TypeScript (so the `declare const` is gone) and before terser (so it folds).
    renderChunk(code) {
      if (!/__TUTTI_(VERSION|WX)__/.test(code)) return null;
      return code.split('__TUTTI_VERSION__').join(JSON.stringify(pkg.version)).split('__TUTTI_WX__').join(String(wx));
    },
  };
}

/** Copies the mini-program custom components (plain JS/WXML/WXSS/JSON) next to the build. */
function miniprogramComponents(): Plugin {
  const root = 'adapters/miniprogram/components';
  return {
    name: 'tutti-miniprogram-components',
    generateBundle() {
      // The root package.json says "type": "module"; this build is CommonJS, so Node-based
      // tools (test runners, SSR of Taro/uni-app H5 targets) must be told so.
      this.emitFile({ type: 'asset', fileName: 'package.json', source: '{ "type": "commonjs" }\n' });
      if (!existsSync(root)) return;
      for (const dir of readdirSync(root)) {
        for (const file of readdirSync(`${root}/${dir}`)) {
          if (!/\.(js|json|wxml|wxss)$/.test(file)) continue;
          this.emitFile({ type: 'asset', fileName: `components/${dir}/${file}`, source: readFileSync(`${root}/${dir}/${file}`) });
        }
      }
    },
  };
}

const ts = (target = 'ES2019') =>
  typescript({
    tsconfig: './tsconfig.json',
    compilerOptions: { target, declaration: false, noEmit: false, noEmitOnError: true },
    include: ['src/**/*.ts', 'adapters/**/*.ts'],
  });

/** Terser settings for bundles; `compress` adds to or overrides the defaults below. */
const min = (compress = {}) =>
  terser({
    ecma: 2017 as const,
    module: false,
    // A third pass still finds a little to fold (about 30 bytes gzip on the core); more do not.
    compress: { passes: 3, pure_getters: true, ...compress },
    format: { comments: false },
  });

const builds: RollupOptions[] = [];

/** Library entries: ESM + CJS for bundlers and Node (dependencies stay external). */
const libraries: Array<[name: string, input: string]> = [
  ['core', 'src/index.ts'],
  ['web', 'adapters/web/index.ts'],
  ['h5', 'adapters/h5/index.ts'],
  ['miniprogram', 'adapters/miniprogram/index.ts'],
  ['personalize', 'adapters/web/personalize/index.ts'],
  ['inspector', 'adapters/web/inspector/index.ts'],
];
for (const [name, input] of libraries) {
  if (!existsSync(input)) continue;
  // dir + entryFileNames (not file) so dynamic imports (personalization) become chunks.
  const output: OutputOptions[] = [
    { dir: 'dist/esm', format: 'es', entryFileNames: `${name}.js`, chunkFileNames: `${name}-[name]-[hash].js`, sourcemap: true },
    { dir: 'dist/cjs', format: 'cjs', exports: 'named', entryFileNames: `${name}.cjs`, chunkFileNames: `${name}-[name]-[hash].cjs`, sourcemap: true },
  ];
  builds.push({
    input,
    external: (id) => /^(idb-keyval|web-vitals|dompurify)(\/|$)/.test(id),
    plugins: [ts(), version()],
    output,
  });
}

/**
 * The WeChat mini-program build: CommonJS, ES2017, dependencies bundled, no DOM or
 * Node built-ins. package.json "miniprogram" points DevTools' "build npm" at it. Its
 * entry (wechat.ts) leaves out the outside-WeChat fallback that tutti/miniprogram
 * (index.ts, in the library builds above) keeps for Taro/uni-app H5 and SSR.
 */
if (existsSync('adapters/miniprogram/wechat.ts')) {
  builds.push({
    input: 'adapters/miniprogram/wechat.ts',
    // Measured: on this bundle hoisted function declarations give a smaller gzip (19 B);
    // hoisting keeps semantics (declarations are hoisted by the language anyway).
    plugins: [nodeResolve({ browser: true }), ts('ES2017'), version(true), min({ hoist_funs: true }), miniprogramComponents()],
    output: { file: 'dist/miniprogram/index.js', format: 'cjs', exports: 'named' },
  });
}

/** Script-tag builds: self-contained minified IIFEs. */
const scripts: Array<[file: string, input: string, name?: string]> = [
  ['dist/tutti.min.js', 'adapters/web/script.ts', 'tutti'],
  ['dist/tutti.h5.min.js', 'adapters/h5/script.ts', 'tutti'],
  ['dist/tutti.vitals.min.js', 'adapters/web/vitals-script.ts'],
  ['dist/tutti.personalize.min.js', 'adapters/web/personalize-script.ts'],
  // window.tuttiInspector.enableInspector; opens by itself with ?tutti_debug=1.
  ['dist/tutti.inspector.min.js', 'adapters/web/inspector-script.ts', 'tuttiInspector'],
  // The platform-free core alone, minified: only measured by the size budget.
  ['dist/size/core.min.js', 'src/index.ts', 'tuttiCore'],
];
for (const [file, input, name] of scripts) {
  if (!existsSync(input)) continue;
  builds.push({
    input,
    plugins: [nodeResolve({ browser: true }), ts(), version(), min()],
    output: { file, format: 'iife', name, exports: name ? 'auto' : 'none', inlineDynamicImports: true },
  });
}

/** `TUTTI_ONLY=tutti.min.js npm run build`-style filtering: only builds whose output path contains it (quick size checks). */
const only = process.env.TUTTI_ONLY;
export default only ? builds.filter((b) => JSON.stringify(b.output).includes(only)) : builds;
