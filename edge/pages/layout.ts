import type { Lang } from '../../protocol';
import { escapeHtml } from '../mail/escape';

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
main{max-width:40rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:.5rem}
h1{font-size:1.5rem;margin-top:0}
button{font:inherit;font-weight:600;padding:.75rem 1.25rem;border:0;border-radius:.375rem;background:#0b57d0;color:#fff;cursor:pointer}
button:focus-visible,a:focus-visible{outline:3px solid #18181b;outline-offset:2px}
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
