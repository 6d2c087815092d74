// @ts-check
/** Rendering helpers: API data is untrusted, so nothing reaches the terminal raw. */

const hex = (/** @type {number} */ n, /** @type {number} */ w) => n.toString(16).padStart(w, '0');

/**
 * Makes C0/C1 controls, DEL and lone surrogates visible (`\x1b`, `\u009b`,
 * `\ud800`): an event's text must not be able to clear the screen or retitle it.
 * @param {string} s
 */
export function visible(s) {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]|[\u0080-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x80 ? `\\x${hex(n, 2)}` : `\\u${hex(n, 4)}`;
  });
}

const RAW = Symbol('raw');

/**
 * A copy of an API answer with every string made visible; `raw()` gives the original back.
 * @param {any} value @returns {any}
 */
export function sanitize(value) {
  /** @type {(v: any) => any} */
  const copy = (v) => {
    if (typeof v === 'string') return visible(v);
    if (Array.isArray(v)) return v.map(copy);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [visible(k), copy(x)]));
    return v;
  };
  const out = copy(value);
  if (out && typeof out === 'object') Object.defineProperty(out, RAW, { value, enumerable: false });
  return out;
}

/** The API's own answer behind a sanitized copy (for JSON output). @param {any} value @returns {any} */
export const raw = (value) => (value && typeof value === 'object' && RAW in value ? value[RAW] : value);

/** @param {unknown[][]} rows */
export function table(rows) {
  const cell = (/** @type {unknown} */ c) => visible(String(c ?? ''));
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => cell(r[i]).length)));
  return rows.map((r) => r.map((c, i) => cell(c).padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** An AUC with its 95 % interval, or why there is none. @param {{ auc: number, ci: [number, number] } | null | undefined} a */
export const auc = (a) => (a ? `${a.auc.toFixed(2)} (95% CI ${a.ci[0].toFixed(2)}–${a.ci[1].toFixed(2)})` : 'n/a (needs won and not-won outcomes)');

export const iso = (/** @type {number | null | undefined} */ ms) => (ms ? new Date(ms).toISOString().replace('.000Z', 'Z') : '');

/**
 * A browser origin as the API stores it: scheme://host[:port], lower-case host,
 * no default port, no path. Returns an error message for anything else.
 * @param {string} input @returns {{ origin: string } | { error: string }}
 */
export function normalizeOrigin(input) {
  let url;
  try {
    url = new URL(input.trim());
  } catch {
    return { error: `"${visible(input)}" is not an origin; write it like https://www.example.com` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `"${visible(input)}" is not an http(s) origin` };
  if (url.username || url.password) return { error: `"${visible(input)}" must not contain credentials` };
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || /[?#]/.test(input)) {
    return { error: `"${visible(input)}" has a path, query or fragment; an origin is only scheme://host[:port], e.g. ${url.origin}` };
  }
  return { origin: url.origin };
}
