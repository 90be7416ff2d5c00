// Typed tracking plan (README "Typed tracking plan"), and the shipped .d.ts under every module
// resolution the README lists ("TypeScript:" under "npm (web, H5, SSR)"). The fixtures in
// ./fixture use the package the way a user does (`import … from 'tutti'`, 'tutti/h5', …), with
// plain lines that must compile and `@ts-expect-error` lines that must not; the compiler fails
// on either kind of mistake (an `@ts-expect-error` with nothing to expect is an error too).
//
// Each setup is a throwaway project in a temp folder: a copy of the fixtures, its own
// package.json ("type" module or commonjs) and tsconfig (extending ./fixture/tsconfig.json), and
// node_modules/tutti linked to this repo, so 'tutti' resolves through this repo's package.json
// ("exports", "types", "typesVersions") to the built dist/types, as it would once installed.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = root + 'test/types/fixture';
const work = mkdtempSync(join(tmpdir(), 'tutti-types-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const setups: Array<[name: string, type: 'module' | 'commonjs', module: string, moduleResolution: string]> = [
  ['Bundler', 'module', 'ESNext', 'Bundler'],
  ['NodeNext, ESM project', 'module', 'NodeNext', 'NodeNext'],
  ['NodeNext, CommonJS project', 'commonjs', 'NodeNext', 'NodeNext'],
  ['Node16, CommonJS project', 'commonjs', 'Node16', 'Node16'],
  ['node10 (module CommonJS)', 'commonjs', 'CommonJS', 'node10'],
];

// TypeScript's own lib files (lib.dom.d.ts, …) are parsed once for all setups.
const libDir = dirname(ts.getDefaultLibFilePath({}));
const libFiles = new Map<string, ts.SourceFile | undefined>();

/** The compiler's complaints about the fixtures in one setup ('' when all is as expected). */
function check(index: number): string {
  const [, type, module, moduleResolution] = setups[index]!;
  const dir = join(work, String(index));
  const files = readdirSync(fixture).filter((f) => f.endsWith('.ts'));
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  for (const f of files) cpSync(join(fixture, f), join(dir, f));
  symlinkSync(root, join(dir, 'node_modules/tutti'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: join(fixture, 'tsconfig.json'), compilerOptions: { module, moduleResolution }, files }),
  );
  const config = ts.getParsedCommandLineOfConfigFile(join(dir, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) return 'unreadable tsconfig';
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (name, options, ...rest) => {
    if (dirname(name) !== libDir) return getSourceFile.call(host, name, options, ...rest);
    const key = name + JSON.stringify(options);
    if (!libFiles.has(key)) libFiles.set(key, getSourceFile.call(host, name, options, ...rest));
    return libFiles.get(key);
  };
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
  const diagnostics = [...config.errors, ...ts.getPreEmitDiagnostics(program)];
  return ts.formatDiagnostics(diagnostics, host);
}

const built = existsSync(root + 'dist/types/adapters/web/index.d.ts');

describe('typed tracking plan (shipped .d.ts)', () => {
  it.each(setups.map((s, i) => [s[0], i] as const))(
    '%s: accepts the plan\'s events, refuses misuse, leaves untyped instances as they were',
    (_, i) => {
      expect(built, 'run `npm run build` first').toBe(true);
      expect(check(i)).toBe('');
    },
    30_000,
  );
});
