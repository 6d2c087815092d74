/**
 * URL rules for events. Pure. URLs leave the browser without query string
 * (it can carry personal data; UTM parameters are sent separately) and
 * never longer than the edge accepts.
 */
import { LIMITS, UTM_KEYS, type Utm } from '../protocol/events';

interface Loc {
  origin: string;
  pathname: string;
  hash: string;
}

const clip = (s: string) => s.slice(0, LIMITS.urlMaxLength);
const isHttp = (u: URL) => /^https?:$/.test(u.protocol);
/** A URL without query and fragment, clipped. */
const plain = (u: URL) => clip(u.origin + u.pathname);

/** What identifies a page: its path, plus the hash route (#/…, #!/…, without its own query) when hash routing is on. */
export const pageKey = (loc: Loc, hash: boolean): string =>
  loc.pathname + (hash && /^#!?\//.test(loc.hash) ? loc.hash.replace(/\?.*/, '') : '');

/** The URL sent with an event. */
export const pageUrl = (loc: Loc, hash: boolean): string => clip(loc.origin + pageKey(loc, hash));

/** The referrer when it is another site's http(s) page, without query; else undefined. */
export function externalReferrer(referrer: string, host: string): string | undefined {
  try {
    const u = new URL(referrer);
    if (isHttp(u) && u.host != host) return plain(u);
  } catch {
    /* empty or not a URL */
  }
}

/** utm_* parameters of a query string; undefined when there are none. */
export function utmFrom(search: string): Utm | undefined {
  const q = new URLSearchParams(search);
  let utm: Utm | undefined;
  for (const key of UTM_KEYS) {
    const v = q.get(`utm_${key}`);
    if (v) (utm ||= {})[key] = v.slice(0, LIMITS.propValueMaxLength);
  }
  return utm;
}

/** A clicked link, as far as the tracker cares (an HTMLAnchorElement in the browser). */
export interface Link {
  /** Absolute href. */
  href: string;
  getAttribute(name: string): string | null;
}

/**
 * Is this link a download, an outbound link, or neither? Downloads: the
 * `download` attribute, `data-lodestone-download` (its value, if any, names
 * the download), or a listed extension. Outbound: http(s) to another host.
 * The target has no query string (think of signed download URLs); blob: and
 * data: downloads are named by their `download` attribute.
 */
export function classifyLink(link: Link, host: string, extensions: RegExp): ['download' | 'outbound', string] | undefined {
  const u = new URL(link.href);
  const tag = link.getAttribute('data-lodestone-download');
  const download = link.getAttribute('download');
  if (tag != null || download != null || extensions.test(u.pathname)) {
    return ['download', clip(tag || (isHttp(u) ? plain(u) : download || u.protocol.slice(0, -1)))];
  }
  if (isHttp(u) && u.host != host) return ['outbound', plain(u)];
}
