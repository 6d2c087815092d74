import { getDefaults, Lexer, type Token, type Tokens } from 'marked';
import { InvalidInput } from '../errors';
import { escapeHtml, headerSafe, textSafe } from '../mail/escape';

/**
 * Nurture mail templates: a subject and a Markdown body with variables,
 * `{{firstName}}` or `{{firstName | "there"}}`. Pure: no I/O.
 *
 * Variable values are data, never markup. Each variable becomes a
 * private-use placeholder character before Markdown is parsed, and the value
 * replaces it only in the text of the parsed tokens, escaped there. We render
 * marked's tokens ourselves: raw HTML comes out as escaped text, images as
 * their alt text (no remote images, so no tracking pixels), and only http(s)
 * and mailto links become links.
 */

export const TEMPLATE_VARIABLES = ['firstName', 'company', 'siteName', 'magnetTitle'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateVars = Partial<Record<TemplateVariable, string | null>>;

export const SUBJECT_MAX = 150;
export const BODY_MAX = 20_000;
export const FALLBACK_MAX = 60;

export interface TemplateInput {
  subject: string;
  body: string;
  vars: TemplateVars;
  /** Rewrites an http(s) link of the body (click tracking); index: distinct URLs in order of first appearance. */
  link: (url: string, index: number) => string;
}

export interface RenderedTemplate {
  subject: string;
  /** An HTML fragment, to be wrapped in the mail's layout. */
  html: string;
  text: string;
  /** The distinct original http(s) URLs, in index order. */
  links: string[];
}

// ---------------------------------------------------------------------------
// Variables

const PLACEHOLDER_FIRST = 0xe000;
const PLACEHOLDER_LAST = 0xf8ff;
const PLACEHOLDER = /[\ue000-\uf8ff]/;
const PLACEHOLDERS = /[\ue000-\uf8ff]/g;
const VARIABLE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*"([^"{}\r\n]*)"\s*)?$/;
const KNOWN: ReadonlySet<string> = new Set(TEMPLATE_VARIABLES);

type Occurrence =
  | { ok: true; raw: string; name: TemplateVariable; fallback: string | null }
  | { ok: false; raw: string; problem: string };

/** Splits a source into literal text and `{{…}}` occurrences, good or bad. */
function scan(source: string): (string | Occurrence)[] {
  const parts: (string | Occurrence)[] = [];
  let pos = 0;
  for (;;) {
    const open = source.indexOf('{{', pos);
    if (open === -1) break;
    const close = source.indexOf('}}', open + 2);
    const reopen = source.indexOf('{{', open + 2);
    parts.push(source.slice(pos, open));
    if (close === -1 || (reopen !== -1 && reopen < close)) {
      // Unmatched: keep the braces as text and look on from the next "{{".
      const end = reopen === -1 ? source.length : reopen;
      parts.push({ ok: false, raw: source.slice(open, end), problem: `malformed variable: "{{" without a matching "}}" near "${excerpt(source.slice(open))}"` });
      pos = end;
      continue;
    }
    const raw = source.slice(open, close + 2);
    pos = close + 2;
    const m = VARIABLE.exec(source.slice(open + 2, close));
    if (!m) {
      parts.push({ ok: false, raw, problem: `malformed variable ${excerpt(raw)}: write {{name}} or {{name | "fallback"}}` });
    } else if (!KNOWN.has(m[1]!)) {
      parts.push({ ok: false, raw, problem: `unknown variable "${m[1]}"; known variables: ${TEMPLATE_VARIABLES.join(', ')}` });
    } else if (m[2] !== undefined && m[2].length > FALLBACK_MAX) {
      parts.push({ ok: false, raw, problem: `the fallback of {{${m[1]}}} is longer than ${FALLBACK_MAX} characters` });
    } else {
      parts.push({ ok: true, raw, name: m[1] as TemplateVariable, fallback: m[2] ?? null });
    }
  }
  parts.push(source.slice(pos));
  return parts;
}

function resolve(o: { name: TemplateVariable; fallback: string | null }, vars: TemplateVars): string {
  const value = textSafe(vars[o.name] ?? '');
  if (value) return value;
  // Built-in defaults are all '': firstName and company may be missing; siteName and magnetTitle are always passed.
  return o.fallback === null ? '' : textSafe(o.fallback);
}

/**
 * Replaces every good variable by a placeholder character (one per distinct
 * key); bad ones stay as literal text. Placeholder characters the author
 * typed are dropped so they cannot be confused with ours.
 */
function placehold(source: string, keyOf: (o: Occurrence & { ok: true }) => string): { text: string; slots: Map<string, string> } {
  const chars = new Map<string, string>();
  const slots = new Map<string, string>();
  let text = '';
  for (const part of scan(source.replace(PLACEHOLDERS, ''))) {
    if (typeof part === 'string' || !part.ok) {
      text += typeof part === 'string' ? part : part.raw;
      continue;
    }
    const key = keyOf(part);
    let char = chars.get(key);
    if (char === undefined) {
      // Out of reach for a body within BODY_MAX (each distinct value needs its own fallback).
      if (PLACEHOLDER_FIRST + chars.size > PLACEHOLDER_LAST) {
        throw new InvalidInput('The template has too many variables.', [{ path: '/body', message: 'too many distinct variable values' }]);
      }
      char = String.fromCharCode(PLACEHOLDER_FIRST + chars.size);
      chars.set(key, char);
      slots.set(char, key);
    }
    text += char;
  }
  return { text, slots };
}

const AFTER_EMPTY_DROPS_SPACE = /^[\n,.;:!?)…]/;

/**
 * One run of text with the values put in, escaped for HTML when asked. An
 * empty value takes the space it leaves with it: "Hello {{firstName}}," →
 * "Hello,", "a {{company}} b" → "a b".
 */
function fill(text: string, slots: Map<string, string>, html: boolean): string {
  const valueOf = (chars: string) => [...chars].map((c) => slots.get(c) ?? '').join('');
  const collapsed = text.replace(/([ \t]*)([\ue000-\uf8ff]+)([ \t]*)/g, (m: string, before: string, chars: string, after: string, at: number) => {
    if (valueOf(chars)) return m;
    if (before && after) return before;
    if (before) return AFTER_EMPTY_DROPS_SPACE.test(text.slice(at + m.length)) ? '' : before;
    if (after) return at === 0 || text[at - 1] === '\n' ? '' : after;
    return '';
  });
  // Values go in last, in one pass over the template's text: a value is never read as a placeholder or as markup.
  const esc = html ? escapeHtml : (s: string) => s;
  let out = '';
  let last = 0;
  for (const m of collapsed.matchAll(PLACEHOLDERS)) {
    out += esc(collapsed.slice(last, m.index)) + esc(slots.get(m[0]) ?? '');
    last = m.index + 1;
  }
  return out + esc(collapsed.slice(last));
}

// ---------------------------------------------------------------------------
// Checking

const LINK_SCHEMES = /^(?:https?:\/\/|mailto:)/i;
/** The longest link target a click link carries (browsers and mail clients cut longer URLs). */
export const MAX_LINK_LENGTH = 2048;

/**
 * What is wrong with a subject or a body, in sentences for the author; empty
 * when it is fine. Renders nothing.
 */
export function checkTemplate(source: string, where: 'subject' | 'body'): string[] {
  const problems: string[] = [];
  const add = (p: string) => {
    if (!problems.includes(p)) problems.push(p);
  };
  for (const part of scan(source)) if (typeof part !== 'string' && !part.ok) add(part.problem);

  if (where === 'subject') {
    if (source.length > SUBJECT_MAX) add(`the subject is longer than ${SUBJECT_MAX} characters`);
    if (/[\r\n\u2028\u2029]/.test(source)) add('the subject must be one line');
    return problems;
  }

  // Not parsed when too long: the length is the problem to fix first, and parsing it costs.
  if (source.length > BODY_MAX) return [...problems, `the body is longer than ${BODY_MAX} characters`];
  const { text, slots } = placehold(sanitize(source), (o) => o.raw);
  const unplace = (s: string) => s.replace(PLACEHOLDERS, (c) => slots.get(c) ?? '');
  walk(lex(text), (t) => {
    // Once, with the first example: one is enough to see what is meant.
    if (t.type === 'html' && !problems.some((p) => p.startsWith('raw HTML'))) add(`raw HTML is not allowed; write Markdown (found "${excerpt(unplace(t.raw.trim()))}")`);
    if (t.type === 'link') {
      const href = linkHref(t as Tokens.Link);
      if (PLACEHOLDER.test(href)) add(`a link URL cannot contain a variable (links are fixed when the template is saved): "${excerpt(unplace(href))}"`);
      else if (!target(cleanUrl(href))) add(`a link must go to an http(s) or mailto: URL, not "${excerpt(href)}"`);
      else if (cleanUrl(href).length > MAX_LINK_LENGTH) add(`a link may be at most ${MAX_LINK_LENGTH} characters long (its click link carries it): "${excerpt(href)}"`);
    }
  });
  return problems;
}

// ---------------------------------------------------------------------------
// Rendering

export function renderTemplate(input: TemplateInput): RenderedTemplate {
  const subjectSlots = placehold(input.subject, (o) => resolve(o, input.vars));
  const subject = headerSafe(fill(subjectSlots.text, subjectSlots.slots, false));

  const { text: source, slots } = placehold(sanitize(input.body), (o) => resolve(o, input.vars));
  const tokens = lex(source);
  const rewritten = new Map<string, string>();
  const r: Renderer = {
    fill: (s, html) => fill(s, slots, html),
    href: (token) => {
      const href = cleanUrl(linkHref(token).replace(PLACEHOLDERS, '')); // links are fixed: a value never goes into a URL
      const kind = target(href);
      if (kind !== 'http') return kind === 'mailto' ? href : null;
      let url = rewritten.get(href);
      if (url === undefined) {
        url = input.link(href, rewritten.size);
        rewritten.set(href, url);
      }
      return url;
    },
  };
  const html = blocksHtml(tokens, r);
  const text = tidyText(blocksText(tokens, r).join('\n\n'));
  return { subject, html, text, links: [...rewritten.keys()] };
}

interface Renderer {
  fill: (s: string, html: boolean) => string;
  /** The URL a link points to after rewriting, or null when it may not be a link. */
  href: (token: Tokens.Link) => string | null;
}

// eslint-disable-next-line no-control-regex
const BODY_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Line breaks normalised, control characters gone, and no numeric reference that decodes to a placeholder. */
function sanitize(body: string): string {
  return body
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(BODY_CONTROLS, '')
    .replace(/&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));/g, (ref, hex?: string, dec?: string) => {
      const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(dec!, 10);
      return cp >= PLACEHOLDER_FIRST && cp <= PLACEHOLDER_LAST ? '\ufffd' : ref;
    });
}

function lex(source: string): Token[] {
  // A fresh options object: marked's global defaults stay untouched. breaks: one newline is one line break, as typed.
  return new Lexer({ ...getDefaults(), gfm: true, breaks: true }).lex(source);
}

function walk(tokens: readonly Token[], visit: (t: Token) => void): void {
  for (const t of tokens) {
    visit(t);
    if (t.type === 'list') walk((t as Tokens.List).items, visit);
    else if (t.type === 'table') {
      const table = t as Tokens.Table;
      for (const cell of [...table.header, ...table.rows.flat()]) walk(cell.tokens, visit);
    } else if ('tokens' in t && t.tokens) walk(t.tokens, visit);
  }
}

/** The link's URL as written, character references decoded like marked's renderer does. */
function linkHref(t: Tokens.Link): string {
  return t.autolink ? t.href : decodeEntities(t.href);
}

/** Percent-encoded as marked's renderer does; '' when it cannot be (a lone surrogate). */
function cleanUrl(href: string): string {
  try {
    return encodeURI(href).replace(/%25/g, '%');
  } catch {
    return '';
  }
}

function target(href: string): 'http' | 'mailto' | null {
  if (!LINK_SCHEMES.test(href)) return null;
  try {
    const url = new URL(href);
    if (url.protocol === 'mailto:') return url.pathname ? 'mailto' : null;
    return url.hostname ? 'http' : null;
  } catch {
    return null;
  }
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/**
 * marked leaves character references in text tokens (and turns "&" into
 * "&amp;" when it decodes a numeric one). We decode the common ones and
 * escape again, so both parts show the same thing.
 */
function decodeEntities(s: string): string {
  return s.replace(/&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([a-zA-Z]+));/g, (ref, hex?: string, dec?: string, name?: string) => {
    if (name !== undefined) return NAMED[name] ?? ref;
    const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(dec!, 10);
    if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= PLACEHOLDER_FIRST && cp <= PLACEHOLDER_LAST)) return '\ufffd';
    return textSafe(String.fromCodePoint(cp)) || ' ';
  });
}

const e = escapeHtml;
const LINK_STYLE = 'color:#0b57d0';
const CODE_FONT = "font-family:ui-monospace,Menlo,Consolas,monospace";
const HEADING_SIZE = [22, 19, 17, 16, 16, 16];

function blocksHtml(tokens: readonly Token[], r: Renderer): string {
  return tokens.map((t) => blockHtml(t, r)).filter(Boolean).join('\n');
}

function blockHtml(t: Token, r: Renderer): string {
  switch (t.type) {
    case 'space':
    case 'def':
      return '';
    case 'paragraph':
      return `<p>${inlineHtml((t as Tokens.Paragraph).tokens, r)}</p>`;
    case 'text': {
      const tt = t as Tokens.Text;
      return tt.tokens ? inlineHtml(tt.tokens, r) : r.fill(decodeEntities(tt.text), true);
    }
    case 'heading': {
      const h = t as Tokens.Heading;
      const d = Math.min(6, Math.max(1, h.depth));
      return `<h${d} style="margin:24px 0 8px;font-size:${HEADING_SIZE[d - 1]}px;line-height:1.3">${inlineHtml(h.tokens, r)}</h${d}>`;
    }
    case 'list': {
      const list = t as Tokens.List;
      const tag = list.ordered ? 'ol' : 'ul';
      const start = list.ordered && typeof list.start === 'number' && list.start !== 1 ? ` start="${list.start}"` : '';
      const items = list.items.map((item) => `<li>${blocksHtml(item.tokens, r)}</li>`).join('\n');
      return `<${tag}${start} style="margin:0 0 16px;padding-left:24px">\n${items}\n</${tag}>`;
    }
    case 'blockquote':
      return `<blockquote style="margin:0 0 16px;padding:0 0 0 12px;border-left:3px solid #d4d4d8;color:#3f3f46">\n${blocksHtml((t as Tokens.Blockquote).tokens, r)}\n</blockquote>`;
    case 'code':
      return `<pre style="margin:0 0 16px;padding:12px;background:#f4f4f5;border-radius:6px;white-space:pre-wrap;${CODE_FONT};font-size:14px"><code>${r.fill((t as Tokens.Code).text, true)}</code></pre>`;
    case 'hr':
      return '<hr style="border:0;border-top:1px solid #e4e4e7">';
    case 'table': {
      const table = t as Tokens.Table;
      const cell = (c: Tokens.TableCell, tag: 'th' | 'td') =>
        `<${tag} style="border:1px solid #e4e4e7;padding:4px 8px;text-align:${c.align ?? 'left'}">${inlineHtml(c.tokens, r)}</${tag}>`;
      const rows = [`<tr>${table.header.map((c) => cell(c, 'th')).join('')}</tr>`, ...table.rows.map((row) => `<tr>${row.map((c) => cell(c, 'td')).join('')}</tr>`)];
      return `<table style="border-collapse:collapse;margin:0 0 16px">\n${rows.join('\n')}\n</table>`;
    }
    case 'html':
      // Refused by checkTemplate; if it gets here anyway, it is shown, never run.
      return `<p>${r.fill(t.raw.trim(), true).replace(/\n/g, '<br>')}</p>`;
    default:
      return `<p>${r.fill(t.raw, true)}</p>`;
  }
}

function inlineHtml(tokens: readonly Token[], r: Renderer): string {
  return tokens.map((t) => oneInlineHtml(t, r)).join('');
}

function oneInlineHtml(t: Token, r: Renderer): string {
  switch (t.type) {
    case 'text': {
      const tt = t as Tokens.Text;
      return tt.tokens ? inlineHtml(tt.tokens, r) : r.fill(decodeEntities(tt.text), true);
    }
    case 'escape':
      return e(t.text as string);
    case 'strong':
      return `<strong>${inlineHtml((t as Tokens.Strong).tokens, r)}</strong>`;
    case 'em':
      return `<em>${inlineHtml((t as Tokens.Em).tokens, r)}</em>`;
    case 'del':
      return `<del>${inlineHtml((t as Tokens.Del).tokens, r)}</del>`;
    case 'codespan':
      return `<code style="${CODE_FONT};background:#f4f4f5;padding:0 3px;border-radius:3px">${r.fill((t as Tokens.Codespan).text, true)}</code>`;
    case 'br':
      return '<br>';
    case 'checkbox':
      return (t as Tokens.Checkbox).checked ? '[x] ' : '[ ] ';
    case 'link': {
      const link = t as Tokens.Link;
      const content = link.autolink ? e(link.text.replace(PLACEHOLDERS, '')) : inlineHtml(link.tokens, r);
      const href = r.href(link);
      return href === null ? content : `<a href="${e(href)}" style="${LINK_STYLE}">${content}</a>`;
    }
    case 'image':
      // The alt text only: a remote image would be fetched on opening (a tracking pixel).
      return e(inlineText((t as Tokens.Image).tokens, r));
    case 'html':
      return r.fill(t.raw, true);
    default:
      return r.fill(t.raw, true);
  }
}

function blocksText(tokens: readonly Token[], r: Renderer): string[] {
  return tokens.map((t) => blockText(t, r)).filter((s) => s.trim() !== '');
}

function blockText(t: Token, r: Renderer): string {
  switch (t.type) {
    case 'space':
    case 'def':
      return '';
    case 'paragraph':
    case 'heading':
      return inlineText((t as Tokens.Paragraph | Tokens.Heading).tokens, r).trim();
    case 'text': {
      const tt = t as Tokens.Text;
      return (tt.tokens ? inlineText(tt.tokens, r) : r.fill(decodeEntities(tt.text), false)).trim();
    }
    case 'list': {
      const list = t as Tokens.List;
      const first = list.ordered && typeof list.start === 'number' ? list.start : 1;
      return list.items
        .map((item, i) => {
          const marker = list.ordered ? `${first + i}. ` : '- ';
          const body = blocksText(item.tokens, r).join(item.loose ? '\n\n' : '\n');
          return marker + body.replace(/\n(?=.)/g, `\n${' '.repeat(marker.length)}`);
        })
        .join('\n');
    }
    case 'blockquote':
      return blocksText((t as Tokens.Blockquote).tokens, r)
        .join('\n\n')
        .split('\n')
        .map((line) => (line ? `> ${line}` : '>'))
        .join('\n');
    case 'code':
      return r.fill((t as Tokens.Code).text, false);
    case 'hr':
      return '----------';
    case 'table': {
      const table = t as Tokens.Table;
      const row = (cells: Tokens.TableCell[]) => cells.map((c) => inlineText(c.tokens, r).trim()).join(' | ');
      return [row(table.header), ...table.rows.map(row)].join('\n');
    }
    default:
      return r.fill(t.raw.trim(), false);
  }
}

function inlineText(tokens: readonly Token[], r: Renderer): string {
  return tokens.map((t) => oneInlineText(t, r)).join('');
}

function oneInlineText(t: Token, r: Renderer): string {
  switch (t.type) {
    case 'text': {
      const tt = t as Tokens.Text;
      return tt.tokens ? inlineText(tt.tokens, r) : r.fill(decodeEntities(tt.text), false);
    }
    case 'escape':
      return t.text as string;
    case 'strong':
    case 'em':
    case 'del':
      return inlineText((t as Tokens.Strong).tokens, r);
    case 'codespan':
      return r.fill((t as Tokens.Codespan).text, false);
    case 'br':
      return '\n';
    case 'checkbox':
      return (t as Tokens.Checkbox).checked ? '[x] ' : '[ ] ';
    case 'link': {
      const link = t as Tokens.Link;
      const content = link.autolink ? link.text.replace(PLACEHOLDERS, '') : inlineText(link.tokens, r).trim();
      const href = r.href(link);
      if (href === null) return content;
      const shown = href.replace(/^mailto:/i, '');
      // An autolink shows its URL: once is enough.
      return link.autolink || !content || content === shown ? shown : `${content} (${shown})`;
    }
    case 'image':
      return inlineText((t as Tokens.Image).tokens, r);
    default:
      return r.fill(t.raw, false);
  }
}

/** No trailing spaces, at most one blank line in a row, one final newline. */
function tidyText(text: string): string {
  return `${text.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

function excerpt(s: string, max = 60): string {
  const line = textSafe(s);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
