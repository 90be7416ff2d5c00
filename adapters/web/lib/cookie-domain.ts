// Finds the registrable domain ("example.co.uk" for "shop.example.co.uk") so every
// subdomain shares one anonymous ID. Browsers refuse cookies on public suffixes, so
// writing a probe cookie from the shortest candidate down finds the right level
// without shipping a public-suffix list. Memoised: the probe costs cookie writes.
import { readCookie, writeCookie } from './cookie';

const memo: Record<string, string> = {};

/**
 * The cookie domain for `option` on `host`: 'auto' probes; any other non-empty value
 * is used as given; '' means a host-only cookie (also the answer for IPs and localhost).
 */
export function resolveCookieDomain(option: string | undefined, host: string): string {
  if (option !== 'auto') return option || '';
  if (host in memo) return memo[host];
  let found = '';
  if (host.indexOf('.') > 0 && !/^[\d.]+$/.test(host) && host.indexOf(':') < 0) {
    const labels = host.split('.');
    const probe = 'tutti_probe';
    for (let i = labels.length - 2; i >= 0; i--) {
      const candidate = labels.slice(i).join('.');
      const token = String(Math.random()).slice(2, 10);
      writeCookie(probe, token, candidate, 60);
      if (readCookie(probe) === token) {
        writeCookie(probe, '', candidate, 0);
        found = candidate;
        break;
      }
    }
  }
  return (memo[host] = found);
}
