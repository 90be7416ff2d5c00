// bench/chart.svg: the main figures as hand-built horizontal bar charts (no chart
// library), one panel per figure, shorter bars are better in every panel.
import { figures } from './report.mjs';

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const partial = (f) => (f.delivered !== null && f.delivered < 1000 ? ` (${Math.round(f.delivered)}/1,000 delivered)` : '');
const PANELS = [
  { key: 'gzip', title: 'Script bytes loaded (gzip, KB)', value: (v) => v / 1000, fmt: (v) => v.toFixed(1) },
  { key: 'cpuMs', title: 'Main-thread CPU, 1,000 track() + delivery (ms)', value: (v) => v, fmt: (v) => (v < 100 ? v.toFixed(1) : v.toFixed(0)), note: partial },
  { key: 'wirePerEvent', title: 'Bytes on the wire per event delivered', value: (v) => v, fmt: (v) => v.toFixed(0), note: partial },
  { key: 'heapPer1000', title: 'JS heap per 1,000 calls, collector down (KiB)', value: (v) => v / 1024, fmt: (v) => v.toFixed(0), note: (f) => (f.heapKeptAll ? '' : ' (not shown to hold them)') },
];

export function renderChart(results, sdks) {
  const f = figures(results);
  const names = sdks.map((s) => s.name).filter((n) => f[n]);
  const labels = Object.fromEntries(sdks.map((s) => [s.name, s.name === 'tutti' ? 'Tutti' : s.label]));
  const W = 980;
  const colW = W / 2;
  const row = 22;
  const top = 34;
  const labelW = 170;
  const barMax = colW - labelW - 60;
  const panelH = top + names.length * row + 18;
  const H = 40 + Math.ceil(PANELS.length / 2) * panelH + 24;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="-apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="16" y="24" font-size="15" font-weight="600" fill="#111">Tutti vs peer SDKs: medians of ${results.meta.reps} run${results.meta.reps > 1 ? 's' : ''} (shorter is better)</text>`);
  PANELS.forEach((p, i) => {
    const x0 = (i % 2) * colW + 16;
    const y0 = 40 + Math.floor(i / 2) * panelH;
    const values = names.map((n) => (f[n][p.key] === null || f[n][p.key] === undefined ? null : p.value(f[n][p.key])));
    const top1 = Math.max(...values.filter((v) => v !== null), 1e-9);
    out.push(`<text x="${x0}" y="${y0 + 18}" font-size="13" font-weight="600" fill="#222">${esc(p.title)}</text>`);
    names.forEach((n, j) => {
      const y = y0 + top + j * row;
      const v = values[j];
      const tutti = n === 'tutti';
      out.push(`<text x="${x0 + labelW - 8}" y="${y + 12}" text-anchor="end" fill="#333"${tutti ? ' font-weight="700"' : ''}>${esc(labels[n])}</text>`);
      if (v === null) {
        out.push(`<text x="${x0 + labelW}" y="${y + 12}" fill="#888">n/a</text>`);
        return;
      }
      const w = Math.max(1, (v / top1) * barMax);
      out.push(`<rect x="${x0 + labelW}" y="${y}" width="${w.toFixed(1)}" height="${row - 6}" rx="2" fill="${tutti ? '#0f766e' : '#94a3b8'}"/>`);
      const note = p.note ? p.note(f[n]) : '';
      const text = `${esc(p.fmt(v))}${note ? `<tspan font-size="10">${esc(note)}</tspan>` : ''}`;
      const width = p.fmt(v).length * 7 + note.length * 5.5; // rough text width
      if (x0 + labelW + w + 6 + width > x0 + colW - 8) {
        // No room after the bar: write inside it, right-aligned.
        out.push(`<text x="${(x0 + labelW + w - 6).toFixed(1)}" y="${y + 12}" text-anchor="end" fill="#fff"${tutti ? ' font-weight="700"' : ''}>${text}</text>`);
      } else {
        out.push(`<text x="${(x0 + labelW + w + 6).toFixed(1)}" y="${y + 12}" fill="#111"${tutti ? ' font-weight="700"' : ''}>${text.replace('<tspan ', '<tspan fill="#777" ')}</text>`);
      }
    });
  });
  out.push(`<text x="16" y="${H - 10}" fill="#666" font-size="11">${esc(`Chromium ${results.meta.chromium}, ${results.meta.cpu}, ${results.meta.date.slice(0, 10)}. Details and method: bench/RESULTS.md, bench/README.md.`)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
