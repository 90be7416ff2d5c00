// Host and registrable-domain helpers for referrer classification. Without a public
// suffix list we treat "<label>.<sld>.<cc>" (example.com.cn, example.co.uk) as one site;
// the web adapter finds the real cookie domain by probing.

/** Lower-case host of an absolute URL, without port; '' when there is none (undefined and null read as 'undefined' and 'null': no host). */
export function hostOf(url: string | undefined): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#:]+)/i.exec(url as string);
  return m ? m[1].toLowerCase() : '';
}

/** The registrable domain ("site") of a host: a.b.example.com.cn → example.com.cn. */
export function siteOf(host: string): string {
  if (!host || /^[\d.]+$/.test(host) || host.indexOf('.') < 0) return host;
  const labels = host.split('.');
  const n = labels.length;
  const keep = n > 2 && labels[n - 1].length === 2 && /^(com|net|org|gov|edu|co|ac|ne|or|go|gv)$/.test(labels[n - 2]) ? 3 : 2;
  return labels.slice(-keep).join('.');
}

/** True when host is domain or one of its subdomains. */
export const onDomain = (host: string, domain: string): boolean =>
  host === domain || host.slice(-domain.length - 1) === '.' + domain;
