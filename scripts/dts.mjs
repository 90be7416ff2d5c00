// Last step of `npm run build`, after `tsc -p tsconfig.build.json` has emitted dist/types.
//
// tsc copies the sources' extensionless relative imports ('./types', '.') into the .d.ts
// files. Bundler and node10 resolution accept them, but NodeNext/Node16 do not, so a project
// on those saw `import { type Tutti } from 'tutti'` fail. This rewrites every relative
// specifier to the file it means ('./types.js', './index.js'), and writes a CommonJS twin of
// each declaration file (.d.cts, importing '.cjs') for package.json's "require" condition,
// which loads dist/cjs: the package is "type": "module", so plain .d.ts files describe ES
// modules, which Node16 refuses to `require`. Declaration files only: no JavaScript changes.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

const root = 'dist/types';

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** The module specifier string literals of a declaration file (imports, exports, import types). */
function specifiers(sf) {
  const found = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal);
    } else if (ts.isExternalModuleReference(node) && ts.isStringLiteral(node.expression)) {
      found.push(node.expression);
    } else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) {
      found.push(node.name);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** './types' -> './types' + ext, '.' -> './index' + ext (also on a rerun: './types.js'); throws if absent. */
function explicit(file, spec, ext) {
  const base = spec.replace(/\.c?js$/, '');
  const full = join(dirname(file), base);
  if (existsSync(full + '.d.ts')) return base + ext;
  if (base === spec && existsSync(join(full, 'index.d.ts'))) return spec.replace(/\/?$/, '/index') + ext;
  throw new Error(`${file}: cannot resolve '${spec}'`);
}

// Earlier builds' twins, including those of since-deleted sources.
for (const f of walk(root)) if (f.endsWith('.d.cts')) rmSync(f);

let count = 0;
for (const file of walk(root)) {
  if (!file.endsWith('.d.ts')) continue;
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const relative = specifiers(sf).filter((lit) => /^\.\.?(\/|$)/.test(lit.text));
  for (const [out, ext] of [[file, '.js'], [file.replace(/\.d\.ts$/, '.d.cts'), '.cjs']]) {
    let result = '';
    let at = 0;
    for (const lit of relative) {
      const start = lit.getStart(sf) + 1; // inside the quotes
      const end = lit.getEnd() - 1;
      result += text.slice(at, start) + explicit(file, lit.text, ext);
      at = end;
    }
    result += text.slice(at);
    if (out !== file || result !== text) writeFileSync(out, result);
  }
  count++;
}
if (!count) throw new Error(`no declaration files under ${root}`);
