/**
 * Text, path and domain matching for scoring rules. Pure: no I/O.
 *
 * Everything here runs on the ingest hot path once per event and rule, and
 * the matched strings come from visitors (paths up to 2 KB), so matching must
 * not backtrack: globs run as a small NFA simulation, linear in the text
 * (O(text × pattern) in the worst case, never exponential), and no regular
 * expression is ever built from a pattern.
 */

const LITERAL_MAX = 0x10ffff;
/** `?`: one character other than the separator. */
const ONE = -1;
/** `*`: any run of characters without the separator. */
const STAR = -2;
/** `**`: any run of characters, separators included. */
const ANY = -3;

/** A compiled glob: token codes (char codes ≥ 0, or ONE/STAR/ANY) and the separator. */
export interface Glob {
  readonly tokens: Int32Array;
  readonly sep: number;
}

/**
 * Compiles a glob. `*` stays within one segment (it never matches `sep`),
 * `**` crosses segments, `?` is one character other than `sep`. Runs of
 * stars collapse (a `**` next to a `*` is just `**`). There is no escaping:
 * paths and keywords never need a literal `*` or `?`.
 */
export function compileGlob(pattern: string, sep = '/'): Glob {
  const out: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === 42 /* * */) {
      let tok = STAR;
      if (pattern.charCodeAt(i + 1) === 42) {
        tok = ANY;
        while (pattern.charCodeAt(i + 1) === 42) i++;
      }
      const last = out[out.length - 1];
      if (last === ANY) continue;
      if (last === STAR) {
        out[out.length - 1] = tok;
        continue;
      }
      out.push(tok);
    } else if (c === 63 /* ? */) {
      out.push(ONE);
    } else {
      out.push(Math.min(c, LITERAL_MAX));
    }
  }
  return { tokens: Int32Array.from(out), sep: sep.charCodeAt(0) };
}

/** Adds state `s` and everything reachable from it without input (stars may match nothing). */
function enter(tokens: Int32Array, set: Uint8Array, s: number): void {
  for (;;) {
    set[s] = 1;
    if (s >= tokens.length) return;
    const t = tokens[s]!;
    if (t !== STAR && t !== ANY) return;
    s++;
  }
}

/** Whether the whole `text` matches the glob (anchored at both ends). */
export function globMatch(glob: Glob, text: string): boolean {
  const { tokens, sep } = glob;
  const m = tokens.length;
  let cur = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  enter(tokens, cur, 0);
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    next.fill(0);
    let alive = false;
    for (let s = 0; s < m; s++) {
      if (!cur[s]) continue;
      const t = tokens[s]!;
      // A literal or `?` consumes the character and moves on; a star stays.
      const to = t >= 0 ? (t === ch ? s + 1 : -1) : t === ONE ? (ch !== sep ? s + 1 : -1) : t === STAR ? (ch !== sep ? s : -1) : s;
      if (to < 0) continue;
      enter(tokens, next, to);
      alive = true;
    }
    if (!alive) return false;
    [cur, next] = [next, cur];
  }
  return cur[m] === 1;
}

/**
 * A URL path as rules see it: percent-decoded where possible (so a pattern
 * may say `/über-uns`), lowercased, without trailing slashes (`/preise/` is
 * `/preise`). Hash routes stay: `/app#/pricing`.
 */
export function normalisePath(path: string): string {
  let s = path.trim();
  try {
    s = decodeURI(s);
  } catch {
    // Malformed escapes: match on the raw text.
  }
  s = s.toLowerCase();
  while (s.length > 1 && s.endsWith('/')) s = s.slice(0, -1);
  return s;
}

/** A path pattern, compiled: see `compilePathPattern`. */
export interface PathMatcher {
  readonly full: Glob;
  /** The pattern without its trailing `/**`, when it has one. */
  readonly bare: Glob | null;
}

/**
 * Path patterns are globs over the normalised path with `/` as separator.
 * A trailing `/**` also matches the path itself, so `**\/preise/**` covers
 * `/preise`, `/de/preise`, `/preise/team` and `/app#/preise`.
 */
export function compilePathPattern(pattern: string): PathMatcher {
  const p = normalisePath(pattern);
  const bare = p.endsWith('/**') && p.length > 3 ? compileGlob(p.slice(0, -3)) : null;
  return { full: compileGlob(p), bare };
}

/** Whether a normalised path matches a compiled pattern. */
export function pathMatches(m: PathMatcher, normalisedPath: string): boolean {
  return globMatch(m.full, normalisedPath) || (m.bare !== null && globMatch(m.bare, normalisedPath));
}

/**
 * Free text as keyword rules see it: Unicode-normalised (NFKC), lowercased,
 * every run of characters that are not letters or digits turned into one
 * space. "Head of  Marketing", "head-of-marketing" and "HEAD OF MARKETING"
 * are all "head of marketing".
 */
export function normaliseWords(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** A keyword as written in a rule: like `normaliseWords`, but `*` survives as a wildcard. */
export function normaliseKeyword(keyword: string): string {
  return keyword.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}*]+/gu, ' ').trim();
}

/**
 * A keyword matches whole words: "cto" matches "CTO & Founder" but not
 * "Director". `*` stands for letters within one word, so "*leiter" matches the
 * German compound "Marketingleiter" and "vertriebs*" matches "Vertriebsleiterin".
 * A keyword of several words matches them in sequence ("head of").
 */
export function compileKeyword(keyword: string): Glob {
  return compileGlob(`** ${normaliseKeyword(keyword)} **`, ' ');
}

/** Whether normalised words (see `normaliseWords`) contain a compiled keyword. */
export function keywordMatches(glob: Glob, normalisedWords: string): boolean {
  return normalisedWords !== '' && globMatch(glob, ` ${normalisedWords} `);
}

/**
 * A host name in the form e-mail addresses are stored in: lowercase ASCII
 * (IDNA), no trailing dot. Null when it is not a host name.
 */
export function toAsciiDomain(raw: string): string | null {
  const s = raw.trim().toLowerCase().replace(/\.+$/, '');
  if (!s || /[\s/?#@:\\]/.test(s)) return null;
  try {
    const host = new URL(`http://${s}/`).hostname;
    return host.includes('.') ? host : null;
  } catch {
    return null;
  }
}

/** The domain of an e-mail address (after the last `@`), normalised; null without one. */
export function emailDomain(email: string | null | undefined): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at < 0) return null;
  return toAsciiDomain(email.slice(at + 1));
}

/**
 * Whether `domain` is one of `domains` or a subdomain of one: a competitor
 * listed as "rival.example" also catches "eu.rival.example".
 */
export function domainInList(domain: string, domains: ReadonlySet<string>): boolean {
  for (let d = domain; ; ) {
    if (domains.has(d)) return true;
    const dot = d.indexOf('.');
    if (dot < 0) return false;
    d = d.slice(dot + 1);
  }
}
