// What each source file adds to a minified bundle: esbuild's per-input byte counts.
// A guide for size work (esbuild minifies a little differently from the terser build that
// the budgets measure, so totals differ by a few percent; the ranking holds).
//
//   node bench/lib/composition.mjs adapters/web/script.ts
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';

const entry = process.argv[2] || 'src/index.ts';
const r = await build({ entryPoints: [entry], bundle: true, minify: true, format: 'iife', target: 'es2019', metafile: true, write: false, define: { __TUTTI_VERSION__: '"0"' }, logLevel: 'error' });
const code = r.outputFiles[0].contents;
console.log(`${entry}: ${code.length} B minified, ${gzipSync(code, { level: 9 }).length} B gzip`);
const inputs = Object.values(r.metafile.outputs)[0].inputs;
for (const [file, v] of Object.entries(inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)) {
  if (v.bytesInOutput) console.log(String(v.bytesInOutput).padStart(7), file);
}
