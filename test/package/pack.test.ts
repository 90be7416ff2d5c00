// The package as users install it: the `npm pack` tarball unpacked into a project's
// node_modules, next to its three runtime dependencies and nothing else of this repo, then
// every entry of package.json "exports" imported (ESM) and required (CommonJS) by a fresh
// Node process. It catches a file the "files" list leaves out, an "exports" path that
// points nowhere, and measuring-only builds shipped by mistake.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(root + 'package.json', 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'tutti-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every file path named in "exports" (conditions nested or not), without the leading './'. */
function exportPaths(node: unknown): string[] {
  if (typeof node === 'string') return [node.replace(/^\.\//, '')];
  return Object.values(node as Record<string, unknown>).flatMap(exportPaths);
}

it('ships dist only, with every file "exports" names, and each entry loads with import and require', () => {
  const [info] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }));
  const files: string[] = info.files.map((f: { path: string }) => f.path);
  expect(files.filter((f) => !f.startsWith('dist/') && !/^(package\.json|README\.md|LICENSE)$/.test(f))).toEqual([]);
  expect(files.filter((f) => f.startsWith('dist/size/'))).toEqual([]);
  for (const path of exportPaths(pkg.exports)) expect(files).toContain(path);
  expect(files).toContain(pkg.miniprogram + '/index.js');

  const modules = join(work, 'app', 'node_modules');
  mkdirSync(modules, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, info.filename), '-C', modules]);
  renameSync(join(modules, 'package'), join(modules, 'tutti'));
  for (const dep of Object.keys(pkg.dependencies)) symlinkSync(join(root, 'node_modules', dep), join(modules, dep), 'dir');

  const entries = Object.keys(pkg.exports).filter((k) => k !== './package.json').map((k) => 'tutti' + k.slice(1));
  // Each entry's exports, named; the default export (the ready singleton) must have `init`.
  const describe = (m: string) => `[${JSON.stringify(m)}, Object.keys(m_).sort().join(), typeof (m_.default && m_.default.init)]`;
  writeFileSync(
    join(work, 'app', 'esm.mjs'),
    entries.map((e, i) => `import * as m${i} from ${JSON.stringify(e)};`).join('\n') +
      `\nconsole.log(JSON.stringify([${entries.map((e, i) => describe(e).replace(/m_/g, 'm' + i)).join(',')}]));\n`,
  );
  writeFileSync(
    join(work, 'app', 'cjs.cjs'),
    `console.log(JSON.stringify([${entries.map((e) => describe(e).replace(/m_/g, `require(${JSON.stringify(e)})`)).join(',')}]));\n`,
  );
  const run = (file: string) => JSON.parse(execFileSync(process.execPath, [file], { cwd: join(work, 'app'), encoding: 'utf8' }));
  const esm = run('esm.mjs');
  const cjs = run('cjs.cjs');
  expect(esm.map((r: unknown[]) => r[0])).toEqual(entries);
  // The same names through both doors.
  expect(cjs.map((r: unknown[]) => r[1])).toEqual(esm.map((r: unknown[]) => r[1]));
  for (const [entry, names, init] of esm) {
    if (entry === 'tutti/inspector' || entry === 'tutti/personalize' || entry === 'tutti/core') expect(names).not.toBe('');
    else {
      expect(init, entry).toBe('function');
      expect(names.split(','), entry).toContain('createTutti');
    }
  }
}, 60000);
