import type { Options } from './types';

/**
 * The tracker's configuration from data attributes (`script.dataset`) or
 * `init()` options. Pure. (The first-load part reads its few options —
 * site, mode, consent, gpc — directly.)
 */

export interface TrackerConfig {
  /** Absolute URL of POST /v1/collect. */
  endpoint: string;
  /** Paths (plus hash route) that count as a pricing page. */
  pricing: RegExp;
  /** Link paths that count as a download. */
  downloads: RegExp;
  /** `data-hash="true"`: hash routes (#/…, #!/…) are pages of their own. */
  hash: boolean;
}

/** Defaults include German paths; `data-pricing` replaces them. */
export const DEFAULT_PRICING = '*/pricing,*/prices,*/plans,*/preise,*/preis,*/preisliste,*/tarife';

/**
 * A broad list of file types people download, as a RegExp alternation
 * (documents, spreadsheets, slides, archives, installers, media, e-books,
 * calendar and contact files); `data-downloads` adds to it.
 */
export const DEFAULT_DOWNLOADS =
  '7z|aac|apk|avi|azw3|bz2|csv|deb|dmg|docx?|epub|exe|flac|gz|ics|iso|jar|key|m4a|mobi|mov|mp[34]|msi|numbers|od[pst]|ogg|pages|pdf|pkg|pptx?|rar|rpm|rtf|tar|tgz|txt|vcf|wav|webm|xls[mx]?|xz|zip';

const list = (value = '') => value.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * Comma-separated path patterns to one RegExp. `*` matches anything; a
 * pattern matches the whole path, optionally followed by a file extension
 * (`/pricing.html`) or deeper segments (`/pricing/teams`). Case-insensitive.
 */
export function pathMatcher(patterns: string): RegExp {
  const parts = list(patterns).map((p) => p.replace(/\/+$/, '').replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*'));
  return RegExp(`^(${parts.join('|') || '$.'})(\\.\\w+)?(/.*)?$`, 'i');
}

/** Download extensions: the defaults plus extra ones (letters and digits only; others are ignored). */
export const extensionMatcher = (extra?: string): RegExp =>
  RegExp(`\\.(${[DEFAULT_DOWNLOADS, ...list(extra).filter((e) => /^\w+$/.test(e))].join('|')})$`, 'i');

export const trackerConfig = (o: Options, base: string): TrackerConfig => ({
  endpoint: new URL(o.endpoint || 'v1/collect', base).href,
  pricing: pathMatcher(o.pricing || DEFAULT_PRICING),
  downloads: extensionMatcher(o.downloads),
  hash: o.hash == 'true',
});
