// Small statistics helpers: medians over repetitions, and the bundle sizes of served files.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export function median(values) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (!xs.length) return null;
  const m = xs.length >> 1;
  return xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
}

export const min = (values) => {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  return xs.length ? Math.min(...xs) : null;
};

export const max = (values) => {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  return xs.length ? Math.max(...xs) : null;
};

/** Minified, gzip -9 and brotli (quality 11) bytes of one file, as a CDN would serve it. */
export function compressed(buffer) {
  return {
    raw: buffer.length,
    gzip: gzipSync(buffer, { level: 9 }).length,
    brotli: brotliCompressSync(buffer, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buffer.length } }).length,
  };
}

/** Sizes of every file a page loaded (each file compressed on its own, as it travels). */
export function bundleSize(paths, bodies) {
  const total = { raw: 0, gzip: 0, brotli: 0, files: [] };
  const seen = new Set();
  paths.forEach((p, i) => {
    if (seen.has(p)) return;
    seen.add(p);
    const c = compressed(bodies[i]);
    total.raw += c.raw;
    total.gzip += c.gzip;
    total.brotli += c.brotli;
    total.files.push({ path: p, ...c });
  });
  return total;
}
