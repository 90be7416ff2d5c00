// The copy-paste documentation compiles and the README's async snippet is the real one.
//
// Extraction rules (keep them in sync with the docs):
// - Every ```ts block of the READMEs in DOCS is a user's file, type-checked against the built
//   package (`import … from 'tutti'`, 'tutti/h5', … resolve through this repo's package.json
//   "exports" to dist/types, as once installed; moduleResolution "Bundler", strict; the other
//   resolutions are plan.test.ts's job). Each block is compiled as its own program, so a block
//   that uses `tutti` without importing it fails (as it would when pasted), and a block's
//   `declare global` reaches no other block.
// - A block whose first line is a comment naming a file (`// tracking-plan.ts`,
//   `// miniprogram/utils/analytics.ts (…)`) is a file of that name; every block is written in a
//   project of its own, with the other named blocks beside it (by their base names), so
//   `./tracking-plan` resolves from any of them. Unnamed blocks get a generated name.
// - A line whose comment starts with `// error` must NOT compile (a `// @ts-expect-error` is put
//   above it, so the check fails if that line compiles or if any other line does not).
// - Markers, on the line just before a block: `<!-- docs-check: skip (reason) -->` leaves it out
//   (a fragment); `<!-- docs-check: in test/ -->` compiles it as a file in this repo's test/
//   folder (with Node's types), for code meant for this repo's own tests and benchmarks.
// - ```js blocks must at least parse (syntax errors fail).
// - The minified async snippet (the ```html block containing `!function(`) in README.md and
//   adapters/web/README.md must be byte-identical in both and behave as the readable source
//   adapters/web/snippet.js: same stub methods, same queue entries, same promise-returning
//   methods, same script URL, async, and a second run doing nothing.
// - README.md's Options table names every option, and its default (the first `literal` of the
//   default column) is what src/options.ts applies; every `data-*` attribute named in the
//   Script tag sections of README.md and adapters/web/README.md is one the script tag maps to an
//   option (adapters/web/lib/data-attributes.ts).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { optionsFromDataset } from '../../adapters/web/lib/data-attributes';
import { resolveOptions } from '../../src/options';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DOCS = [
  'README.md',
  'adapters/web/README.md',
  'adapters/h5/README.md',
  'adapters/miniprogram/README.md',
  'adapters/web/personalize/README.md',
  'examples/collector/README.md',
];

interface Block {
  doc: string;
  line: number;
  lang: string;
  code: string;
  skip: boolean;
  inTest: boolean;
}

/** Fenced code blocks (indented ones inside list items included) of a Markdown file. */
function blocks(doc: string, text: string): Block[] {
  const out: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !/^\s*```\s*$/.test(lines[i]!)) body.push(lines[i]!.slice(indent));
    const before = lines.slice(0, start).reverse().find((l) => l.trim() !== '') || '';
    out.push({ doc, line: start + 1, lang: open[2]!, code: body.join('\n') + '\n', skip: /<!--\s*docs-check:\s*skip/.test(before), inTest: /<!--\s*docs-check:\s*in test\/\s*-->/.test(before) });
  }
  return out;
}

const all = DOCS.flatMap((doc) => blocks(doc, readFileSync(root + doc, 'utf8')));
const tsBlocks = all.filter((b) => b.lang === 'ts' && !b.skip);

const work = mkdtempSync(join(tmpdir(), 'tutti-readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** File name a block is written under. */
function fileName(b: Block, index: number): string {
  const named = /^\/\/\s*([\w./-]+\.ts)\b/.exec(b.code);
  return named ? named[1]! : `block-${index}.ts`;
}

/** Writes the project once: block i as work/i/<its name>, with the other named blocks beside it; the package as node_modules/tutti. */
function project(): string[] {
  mkdirSync(join(work, 'node_modules'), { recursive: true });
  symlinkSync(root, join(work, 'node_modules/tutti'), 'dir');
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const files = tsBlocks.map((b, i) => ({
    name: fileName(b, i),
    named: fileName(b, i) !== `block-${i}.ts`,
    code: b.code.replace(/^([ \t]*)(.*\/\/\s*error\b.*)$/gm, '$1// @ts-expect-error\n$1$2'),
  }));
  return files.map((f, i) => {
    const dir = join(work, String(i));
    mkdirSync(dirname(join(dir, f.name)), { recursive: true });
    for (const other of files) {
      if (other === f || !other.named || other.name.endsWith('.d.ts')) continue;
      const base = other.name.split('/').pop()!;
      if (base !== f.name.split('/').pop()) writeFileSync(join(dirname(join(dir, f.name)), base), other.code);
    }
    writeFileSync(join(dir, f.name), f.code);
    return tsBlocks[i]!.inTest ? join(root, 'test', `.readme-block-${i}.ts`) : join(dir, f.name);
  });
}

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2020,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2020.d.ts', 'lib.dom.d.ts'],
  strict: true,
  noEmit: true,
  types: [],
};

// Files outside the project (TypeScript's libs, the package's .d.ts) are parsed once.
const shared = new Map<string, ts.SourceFile | undefined>();
const host = ts.createCompilerHost(options);
const getSourceFile = host.getSourceFile;
// Blocks marked `in test/` are virtual files in this repo's test/ folder (nothing is written there).
const virtual = new Map<string, string>();
const { fileExists, readFile } = host;
host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
host.readFile = (name) => virtual.get(name) ?? readFile.call(host, name);
host.getSourceFile = (name, languageVersion, ...rest) => {
  if (virtual.has(name)) return ts.createSourceFile(name, virtual.get(name)!, languageVersion);
  if (name.startsWith(work) && !name.includes('node_modules')) return getSourceFile.call(host, name, languageVersion, ...rest);
  if (!shared.has(name)) shared.set(name, getSourceFile.call(host, name, languageVersion, ...rest));
  return shared.get(name);
};

const built = (() => {
  try {
    return !!readFileSync(root + 'dist/types/adapters/web/index.d.ts');
  } catch {
    return false;
  }
})();
const names = built ? project() : [];
tsBlocks.forEach((b, i) => b.inTest && virtual.set(names[i]!, b.code));

describe('README code blocks', () => {
  it('finds the blocks it is meant to check', () => {
    expect(tsBlocks.length).toBeGreaterThanOrEqual(12);
  });

  it.each(tsBlocks.map((b, i) => [`${b.doc}:${b.line}`, i] as const))('```ts at %s compiles as pasted', (_, i) => {
    expect(built, 'run `npm run build` first').toBe(true);
    // wx-typings.d.ts: what miniprogram-api-typings gives a native TypeScript mini-program (`require`).
    const file = names[i]!;
    const inTest = tsBlocks[i]!.inTest;
    const rootNames = inTest ? [file] : [file, join(root, 'test/types/fixture/wx-typings.d.ts')];
    const program = ts.createProgram({ rootNames, options: inTest ? { ...options, types: ['node'] } : options, host });
    // The block's own complaints (a repo file's would be another test's business).
    const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(file));
    expect(ts.formatDiagnostics(diagnostics, host)).toBe('');
  }, 30_000);

  it.each(all.filter((b) => b.lang === 'js' && !b.skip).map((b) => [`${b.doc}:${b.line}`, b] as const))('```js at %s parses', (_, b) => {
    const out = ts.transpileModule(b.code, { reportDiagnostics: true, compilerOptions: { allowJs: true } });
    expect(ts.formatDiagnostics(out.diagnostics || [], host)).toBe('');
  });
});

describe('README async snippet', () => {
  const minified = all.filter((b) => b.lang === 'html' && b.code.includes('!function('));

  /** Runs a snippet on a fake page: what it defines, queues and loads. */
  function run(code: string) {
    const appended: Array<{ src: string; async: boolean }> = [];
    const document = {
      head: { appendChild: (s: { src: string; async: boolean }) => appended.push(s) },
      createElement: (tag: string) => ({ tag }),
    };
    const window: Record<string, unknown> = {};
    const context = { window, document, Date: { now: () => 42 }, Promise };
    Object.assign(context, { tutti: undefined });
    // `tutti.init(...)` after the IIFE reads the global: the window is the global object here.
    const sandbox = new Proxy(context as Record<string, unknown>, {
      get: (t, k) => (k === 'tutti' ? window.tutti : t[k as string]),
      has: () => true,
    });
    runInNewContext(`with (sandbox) { ${code} }`, { sandbox });
    const stub = window.tutti as Record<string, (...a: unknown[]) => unknown> & { _q: unknown[][] };
    const methods = Object.keys(stub).filter((k) => k !== '_q');
    const promises = methods.filter((m) => stub[m]!('x') instanceof Promise);
    const queue = stub._q.map((c) => [c[0], c[1], c[2]]);
    // A second copy of the snippet leaves the first stub alone and loads nothing more.
    runInNewContext(`with (sandbox) { ${code} }`, { sandbox });
    return { methods, promises, queue: queue.slice(0, 1), appended, same: window.tutti === stub };
  }

  it('is the same in README.md and adapters/web/README.md', () => {
    expect(minified.map((b) => b.doc)).toEqual(['README.md', 'adapters/web/README.md']);
    expect(minified[1]!.code).toBe(minified[0]!.code);
  });

  it('behaves as adapters/web/snippet.js', () => {
    const html = minified[0]!.code;
    const code = /<script>\n([\s\S]*)<\/script>/.exec(html)![1]!;
    const readable = run(readFileSync(root + 'adapters/web/snippet.js', 'utf8'));
    const pasted = run(code);
    expect(pasted).toEqual(readable);
    expect(pasted.queue[0]).toEqual(['init', [{ writeKey: 'YOUR_WRITE_KEY', endpoint: 'https://collect.example.com' }], 42]);
    expect(pasted.appended).toEqual([{ tag: 'script', async: true, src: 'https://cdn.example.com/tutti/tutti.min.js' }]);
    expect(pasted.same).toBe(true);
    // "about 570 bytes" (README.md, adapters/web/README.md): the script element's content.
    const size = Buffer.byteLength(code.trim());
    expect(Math.abs(size - 570)).toBeLessThan(30);
  });
});

describe('README option table and data attributes', () => {
  const readme = readFileSync(root + 'README.md', 'utf8');
  const defaults = resolveOptions({ writeKey: 'k', endpoint: 'https://e.example' }, () => {}) as unknown as Record<string, unknown>;
  const table = readme.slice(readme.indexOf('## Options'), readme.indexOf('## Methods'));
  const rows = [...table.matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()] as const);

  it('lists every option, each with the default the code applies', () => {
    const documented = rows.map((r) => r[0]);
    // Every resolved option (SPEC §2 plus waitForExternalId, which has no default: off) is a row.
    expect(documented.filter((o) => o !== 'waitForExternalId').sort()).toEqual(Object.keys(defaults).sort());
    for (const [name, cell] of rows) {
      // The first `literal` of the cell is the default; "—", "off" and "the default contract" are prose.
      const literal = /^`([^`]+)`/.exec(cell);
      if (!literal) continue;
      const value = runInNewContext(`(${literal[1]})`);
      expect([name, defaults[name]], cell).toEqual([name, value]);
    }
  });

  it('names only data attributes the script tag understands', () => {
    const web = readFileSync(root + 'adapters/web/README.md', 'utf8');
    const text = readme.slice(readme.indexOf('### Script tag'), readme.indexOf('### Async snippet')) + web.slice(web.indexOf('### Script tag'), web.indexOf('### Async snippet'));
    const attrs = [...new Set([...text.matchAll(/data-([a-z-]+)/g)].map((m) => m[1]!))];
    expect(attrs.length).toBeGreaterThan(15);
    const known = new Set([...Object.keys(defaults), 'waitForExternalId']);
    for (const attr of attrs) {
      const key = attr.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      if (key === 'autoInit' || key === 'vitalsSrc') continue; // the tag's own switches
      const parsed = optionsFromDataset({ [key]: '1' }) as Record<string, Record<string, unknown>>;
      const [top] = Object.keys(parsed);
      expect(known.has(top!), `data-${attr}`).toBe(true);
      // A nested one (data-retry-max-attempts) must land on a field the defaults have.
      if (top === 'retry' || top === 'personalization') {
        expect(Object.keys(defaults[top] as object), `data-${attr}`).toContain(Object.keys(parsed[top]!)[0]);
      }
    }
  });
});
