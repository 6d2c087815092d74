import type { Lang } from '../../protocol';
import { escapeHtml } from '../core/mail/escape';

/**
 * The frame of the few HTML pages the edge serves (confirm, withdraw, dev
 * outbox). Pure. A per-response nonce is the only way a script or style
 * runs; everything interpolated is escaped by the caller or here.
 */

export interface Page {
  html: string;
  /** Content-Security-Policy for this page. */
  csp: string;
}

export function layout(opts: { lang: Lang; title: string; body: string; script?: string; nonce: string }): Page {
  const { nonce } = opts;
  const html = `<!doctype html>
<html lang="${opts.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow">
<title>${escapeHtml(opts.title)}</title>
<style nonce="${nonce}">
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#18181b;background:#f4f4f5}
main{max-width:40rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:.5rem;overflow-wrap:anywhere}
h1{font-size:1.5rem;margin-top:0}
button,.button{display:inline-block;font:inherit;font-weight:600;padding:.75rem 1.25rem;border:0;border-radius:.375rem;background:#0b57d0;color:#fff;cursor:pointer;text-decoration:none}
button.secondary{background:#fff;color:#0b57d0;box-shadow:inset 0 0 0 2px #0b57d0}
form.answer{margin:1.25rem 0;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
select{font:inherit;padding:.6rem;border:1px solid #71717a;border-radius:.375rem;background:#fff;color:#18181b;max-width:100%}
h2{font-size:1.05rem;margin:1.25rem 0 .25rem}
button:focus-visible,a:focus-visible,h1:focus-visible,select:focus-visible{outline:3px solid #18181b;outline-offset:2px}
h1:focus{outline:0}
.site{margin:0 0 .5rem;color:#52525b;font-size:.875rem}
@media (max-width:30rem){main{margin:0;border-radius:0;padding:1.25rem}}
a{color:#0b57d0}
[hidden]{display:none}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem;border-bottom:1px solid #d4d4d8;vertical-align:top}
pre{white-space:pre-wrap;word-break:break-word;background:#f4f4f5;padding:1rem;border-radius:.375rem}
</style>
</head>
<body>
<main>
${opts.body}
</main>
${opts.script ? `<script nonce="${nonce}">${opts.script}</script>` : ''}
</body>
</html>
`;
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}

export const langOf = (raw: string | undefined): Lang => (raw === 'de' ? 'de' : 'en');

const isLang = (raw: string | null | undefined): raw is Lang => raw === 'de' || raw === 'en';

/**
 * The language of a page: the link's own `lang`, else the lead's, else the
 * first of German or English the browser asks for (Accept-Language), else English.
 */
export function pageLang(query: string | undefined, leadLang: string | null | undefined, acceptLanguage: string | undefined): Lang {
  if (isLang(query)) return query;
  if (isLang(leadLang)) return leadLang;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { base: tag!.split('-')[0]!, q: q === undefined ? 1 : Number(q), i };
    })
    .filter((t) => t.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked.map((t) => t.base).find(isLang) ?? 'en';
}
