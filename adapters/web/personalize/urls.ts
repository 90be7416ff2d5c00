// URL checks shared by the image renderer and the HTML sanitizer. Parsing with `URL`
// (rather than testing the raw string) is what defeats the usual tricks: tabs, newlines
// or entities inside "java\tscript:", mixed case, leading spaces — the parser
// normalises them exactly as the browser will when it loads or follows the URL.

/** The absolute http(s) URL `value` resolves to on this page, else undefined (javascript:, data:, blob:, junk). */
export function httpUrl(value: unknown): string | undefined {
  const u = parse(value);
  return u && (u.protocol === 'http:' || u.protocol === 'https:') ? u.href : undefined;
}

/** Links may also be mailto: and tel:. */
export function linkUrl(value: unknown): string | undefined {
  const u = parse(value);
  return u && /^(https?|mailto|tel):$/.test(u.protocol) ? u.href : undefined;
}

function parse(value: unknown): URL | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  try {
    return new URL(value.trim(), document.baseURI);
  } catch {
    return undefined;
  }
}
