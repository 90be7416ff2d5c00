// Query-string helpers without the URL class: WeChat mini-program runtimes lack it.

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/**
 * Parses the query of a URL, a '?a=b' search string or a bare 'a=b&c=d' string. A repeated
 * name keeps its first non-empty value: `?utm_source=&utm_source=x` is 'x' (an empty value
 * says nothing, so it must not hide one that does).
 */
export function parseQuery(input: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof input !== 'string') return out;
  let s = splitHash(input)[0];
  const q = s.indexOf('?');
  if (q >= 0) s = s.slice(q + 1);
  else if (s.indexOf('=') < 0 || /^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return out;
  // (An empty part gives an empty key: skipped.)
  for (const part of s.split('&')) {
    const eq = part.indexOf('=');
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    if (key && !out[key]) out[key] = eq < 0 ? '' : decode(part.slice(eq + 1));
  }
  return out;
}

/** [url before the #fragment, the #fragment or ''] */
function splitHash(url: string): [string, string] {
  const at = url.indexOf('#');
  return at < 0 ? [url, ''] : [url.slice(0, at), url.slice(at)];
}

/** Returns url with the given params set (replacing same-named ones), before any #fragment. */
export function withParams(url: string, params: Record<string, string | undefined>): string {
  const names = Object.keys(params);
  let [base, hash] = splitHash(withoutParams(url, names));
  for (const k of names) {
    const v = params[k];
    if (v === undefined) continue;
    base += (base.indexOf('?') >= 0 ? (/[?&]$/.test(base) ? '' : '&') : '?') + encodeURIComponent(k) + '=' + encodeURIComponent(v);
  }
  return base + hash;
}

/** Removes the named params from a URL, keeping everything else as it was written. */
export function withoutParams(url: string, names: string[]): string {
  const [path, hash] = splitHash(url);
  const q = path.indexOf('?');
  if (q < 0) return url;
  const kept = path
    .slice(q + 1)
    .split('&')
    .filter((part) => part && names.indexOf(decode(part.split('=')[0])) < 0);
  return path.slice(0, q) + (kept.length ? '?' + kept.join('&') : '') + hash;
}

/**
 * Campaign parameters of a landing URL: the query, plus the query inside a hash route
 * (`/#/promo?utm_source=wx`), which H5 pages in WeChat commonly use.
 */
export const landingParams = (url: string): Record<string, string> =>
  // No fragment parses as '' and gives {}; the query proper wins over the hash route's.
  Object.assign(parseQuery(splitHash(url)[1].slice(1)), parseQuery(url));
