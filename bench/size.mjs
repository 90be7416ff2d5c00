// CI size check: gzip and brotli of each shipped bundle against bench/budgets.json.
// Prints a table; exits 1 when a bundle exceeds its enforced gzip ceiling or is missing
// (a missing bundle means the build broke). The issues' targets are reported beside it.
//
//   node bench/size.mjs [--json]
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compressed } from './lib/stats.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { bundles } = JSON.parse(readFileSync(new URL('./budgets.json', import.meta.url), 'utf8'));

const rows = bundles.map((b) => {
  const path = ROOT + b.file;
  if (!existsSync(path)) return { ...b, missing: true };
  const size = compressed(readFileSync(path));
  const over = typeof b.gzip === 'number' && size.gzip > b.gzip;
  return { ...b, ...size, budget: b.gzip, over };
});

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(rows, null, 1));
} else {
  const fmt = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : '–');
  const head = ['bundle', 'file', 'minified', 'gzip', 'brotli', 'gzip ceiling', 'status', 'target'];
  const body = rows.map((r) => [
    r.label,
    r.file,
    fmt(r.raw),
    fmt(r.gzip),
    fmt(r.brotli),
    r.budget === null || r.budget === undefined ? 'report only' : fmt(r.budget),
    r.missing ? 'MISSING: not built' : r.over ? `OVER by ${fmt(r.gzip - r.budget)} B` : typeof r.budget === 'number' ? `ok (${fmt(r.budget - r.gzip)} B left)` : 'ok',
    typeof r.target !== 'number' || r.missing ? '' : r.gzip <= r.target ? `${fmt(r.target)} met` : `${fmt(r.target)}: ${fmt(r.gzip - r.target)} B to go`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => String(row[i]).length)));
  const line = (cells) => cells.map((c, i) => (i >= 2 && i <= 5 ? String(c).padStart(widths[i]) : i === cells.length - 1 ? String(c) : String(c).padEnd(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
}

const over = rows.filter((r) => r.over || r.missing);
if (over.length) {
  console.error(`\nsize check failed: ${over.map((r) => (r.missing ? `${r.file} missing` : `${r.file} ${r.gzip} B gzip > ${r.budget} B`)).join('; ')}`);
  process.exit(1);
}
