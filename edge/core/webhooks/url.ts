/**
 * Which URLs a webhook endpoint may have. Pure: no I/O.
 *
 * Policy "public" (the default; production): https only, a host name with a
 * dot or a public IP literal, no credentials in the URL, and no private,
 * loopback, link-local or otherwise internal target (RFC 1918, 127/8,
 * 169.254/16, 100.64/10, ::1, fc00::/7, fe80::/10, …, "localhost", *.local,
 * *.internal, …). The check is on the URL as written: a public name that
 * resolves to a private address is not caught here (Workers cannot resolve
 * names before fetching; on Cloudflare such addresses are not reachable from
 * a Worker anyway).
 *
 * Policy "local" (local dev, `WEBHOOK_TARGETS=local`, or DEV_OUTBOX=on):
 * additionally plain http to localhost, 127.0.0.1 and [::1], and https to
 * any host, so a receiver on the developer's machine can be used.
 */

export type TargetPolicy = 'public' | 'local';

export const MAX_URL_LENGTH = 2048;

const INTERNAL_SUFFIXES = ['.localhost', '.local', '.internal', '.intranet', '.lan', '.home.arpa', '.corp', '.private'];
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The policy configured by the environment. */
export function targetPolicy(env: { WEBHOOK_TARGETS?: string | undefined; DEV_OUTBOX?: string | undefined }): TargetPolicy {
  if (env.WEBHOOK_TARGETS === 'local' || env.WEBHOOK_TARGETS === 'public') return env.WEBHOOK_TARGETS;
  return env.DEV_OUTBOX === 'on' ? 'local' : 'public';
}

function ipv4(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
}

function privateIpv4([a, b]: number[]): boolean {
  return (
    a === 0 || a === 10 || a === 127 || (a === 100 && b! >= 64 && b! <= 127) || (a === 169 && b === 254) ||
    (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168) || (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19)) || a! >= 224
  );
}

/** IPv6 literal (URL form "[…]") that is not a global unicast address. */
function privateIpv6(host: string): boolean {
  const h = host.slice(1, -1).toLowerCase();
  if (h === '::' || h === '::1') return true;
  // IPv4-mapped/compatible forms: the URL parser writes them in hex ("::ffff:a00:1").
  if (h.startsWith('::ffff:') || /^::[0-9a-f]{1,4}(:[0-9a-f]{1,4})?$/.test(h)) return true;
  const first = parseInt(h.split(':')[0] || '0', 16);
  return (
    (first & 0xfe00) === 0xfc00 || // fc00::/7 unique local
    (first & 0xffc0) === 0xfe80 || // fe80::/10 link-local
    (first & 0xffc0) === 0xfec0 || // fec0::/10 site-local (deprecated)
    (first & 0xff00) === 0xff00 || // multicast
    first === 0x2001 && h.startsWith('2001:db8') || // documentation
    first === 0x64 && h.startsWith('64:ff9b') // NAT64 (may map to private IPv4)
  );
}

/** Null when `raw` is acceptable under `policy`, else why not (for the problem's field error). */
export function checkTargetUrl(raw: string, policy: TargetPolicy): string | null {
  if (raw.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not contain credentials (user:password@)';
  if (url.hash) return 'must not contain a fragment (#…)';
  const host = url.hostname.toLowerCase();
  const loopback = LOOPBACK_HOSTS.has(host);
  if (url.protocol === 'http:') {
    if (policy === 'local' && loopback) return null;
    return policy === 'local'
      ? 'must use https (plain http only for localhost, 127.0.0.1 and [::1] in local dev)'
      : 'must use https';
  }
  if (url.protocol !== 'https:') return 'must use https';
  if (policy === 'local') return null;
  if (loopback) return 'must not point to this machine (localhost); use a public https URL';
  const v4 = ipv4(host);
  if (v4) return privateIpv4(v4) ? 'must not point to a private or internal address' : null;
  if (host.startsWith('[')) return privateIpv6(host) ? 'must not point to a private or internal address' : null;
  if (!host.includes('.')) return 'must name a public host (with a dot), not an internal name';
  if (INTERNAL_SUFFIXES.some((s) => host.endsWith(s))) return 'must not point to an internal or reserved host name';
  return null;
}
