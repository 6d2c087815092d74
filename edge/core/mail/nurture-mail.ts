import type { Lang } from '../../../protocol';
import { renderTemplate, type TemplateVars } from '../nurture/template';
import { escapeHtml, textSafe } from './escape';
import { withdrawHeaders, type RenderedMail } from './render';

/**
 * A nurture mail: the owner's template in the layout of the confirmation
 * mail, with a footer in the lead's language that says why the mail comes
 * and how to stop it (a visible link and the RFC 8058 one-click headers).
 * Pure: no I/O.
 */

export interface NurtureMailInput {
  lang: Lang;
  siteName: string;
  subject: string;
  /** Markdown with variables (see checkTemplate). */
  body: string;
  /** siteName defaults to the site's name. */
  vars: TemplateVars;
  /** Rewrites each distinct http(s) link of the body (click tracking). */
  link: (url: string, index: number) => string;
  unsubscribeUrl: string;
}

export interface RenderedNurtureMail extends RenderedMail {
  /** The distinct original http(s) URLs of the body, in the order `link` saw them. */
  links: string[];
  headers: Record<string, string>;
}

interface Copy {
  why: (site: string) => string;
  unsubscribe: string;
}

const COPY: Record<Lang, Copy> = {
  en: {
    why: (s) => `You receive this e-mail from ${s} because you agreed to receive information by e-mail.`,
    unsubscribe: 'Unsubscribe',
  },
  de: {
    why: (s) => `Sie erhalten diese E-Mail von ${s}, weil Sie eingewilligt haben, Informationen per E-Mail zu erhalten.`,
    unsubscribe: 'Abmelden',
  },
};

export function renderNurtureMail(input: NurtureMailInput): RenderedNurtureMail {
  const c = COPY[input.lang];
  const site = textSafe(input.siteName);
  const t = renderTemplate({
    subject: input.subject,
    body: input.body,
    vars: { ...input.vars, siteName: input.vars.siteName ?? input.siteName },
    link: input.link,
  });

  const text = `${t.text}\n--\n${c.why(site)}\n${c.unsubscribe}: ${input.unsubscribeUrl}\n`;

  const e = escapeHtml;
  const html = `<!doctype html>
<html lang="${input.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(t.subject)}</title></head>
<body style="margin:0;padding:24px;background:#f4f4f5;color:#18181b;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif">
<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:8px">
${t.html}
<hr style="border:0;border-top:1px solid #e4e4e7">
<p style="font-size:12px;color:#52525b">${e(c.why(site))} <a href="${e(input.unsubscribeUrl)}" style="color:#0b57d0">${e(c.unsubscribe)}</a></p>
</div></body></html>
`;
  return { subject: t.subject, text, html, links: t.links, headers: withdrawHeaders(input.unsubscribeUrl) };
}
