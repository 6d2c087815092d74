import type { Lang } from '../../../protocol';
import { escapeHtml, headerSafe, textSafe } from './escape';

/**
 * The confirmation mail (double opt-in), text and HTML, German and English.
 * Pure: no I/O. Every value that is not a fixed string is escaped here, and
 * the only visitor value repeated is the first name (validated as a name).
 */

export interface ConfirmationMailInput {
  lang: Lang;
  siteName: string;
  magnetTitle: string;
  firstName?: string | null;
  confirmUrl: string;
  withdrawUrl: string;
  /** Days until the confirmation link expires. */
  validDays: number;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

interface Copy {
  subject: (title: string) => string;
  hello: (name: string | null) => string;
  asked: (title: string, site: string) => string;
  button: string;
  validity: (days: number) => string;
  ignore: string;
  withdraw: string;
  withdrawLink: string;
  footer: (site: string) => string;
}

const COPY: Record<Lang, Copy> = {
  en: {
    subject: (t) => `Confirm your request: ${t}`,
    hello: (n) => (n ? `Hello ${n},` : 'Hello,'),
    asked: (t, s) => `you asked for “${t}” on ${s}. Please confirm your e-mail address to get the download:`,
    button: 'Confirm and download',
    validity: (d) => `The link works once and expires in ${d} ${d === 1 ? 'day' : 'days'}.`,
    ignore: 'If you did not ask for this, ignore this e-mail: nothing happens without your confirmation.',
    withdraw: 'You can withdraw your consent at any time, and we will stop e-mailing you, with one click:',
    withdrawLink: 'Withdraw consent',
    footer: (s) => `Sent on behalf of ${s} because this address was entered in a download form.`,
  },
  de: {
    subject: (t) => `Bitte bestätigen Sie Ihre Anfrage: ${t}`,
    hello: (n) => (n ? `Hallo ${n},` : 'Guten Tag,'),
    asked: (t, s) => `Sie haben „${t}“ auf ${s} angefordert. Bitte bestätigen Sie Ihre E-Mail-Adresse, um den Download zu erhalten:`,
    button: 'Bestätigen und herunterladen',
    validity: (d) => `Der Link funktioniert einmal und ist ${d} ${d === 1 ? 'Tag' : 'Tage'} gültig.`,
    ignore: 'Falls Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ohne Ihre Bestätigung passiert nichts.',
    withdraw: 'Sie können Ihre Einwilligung jederzeit mit einem Klick widerrufen; dann schreiben wir Ihnen nicht mehr:',
    withdrawLink: 'Einwilligung widerrufen',
    footer: (s) => `Gesendet im Auftrag von ${s}, weil diese Adresse in ein Download-Formular eingegeben wurde.`,
  },
};

export function renderConfirmationMail(input: ConfirmationMailInput): RenderedMail {
  const c = COPY[input.lang];
  const title = textSafe(input.magnetTitle);
  const site = textSafe(input.siteName);
  const name = input.firstName ? textSafe(input.firstName) : null;
  const days = Math.max(1, Math.round(input.validDays));

  const text = [
    c.hello(name),
    '',
    c.asked(title, site),
    '',
    input.confirmUrl,
    '',
    c.validity(days),
    '',
    c.ignore,
    '',
    c.withdraw,
    input.withdrawUrl,
    '',
    '--',
    c.footer(site),
    '',
  ].join('\n');

  const e = escapeHtml;
  const html = `<!doctype html>
<html lang="${input.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(c.subject(title))}</title></head>
<body style="margin:0;padding:24px;background:#f4f4f5;color:#18181b;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif">
<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:8px">
<p>${e(c.hello(name))}</p>
<p>${e(c.asked(title, site))}</p>
<p style="margin:24px 0"><a href="${e(input.confirmUrl)}" style="display:inline-block;background:#0b57d0;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:600">${e(c.button)}</a></p>
<p style="font-size:14px;color:#3f3f46">${e(c.validity(days))}</p>
<p style="font-size:14px;color:#3f3f46;word-break:break-all">${e(input.confirmUrl)}</p>
<p style="font-size:14px;color:#3f3f46">${e(c.ignore)}</p>
<p style="font-size:14px;color:#3f3f46">${e(c.withdraw)} <a href="${e(input.withdrawUrl)}" style="color:#0b57d0">${e(c.withdrawLink)}</a></p>
<hr style="border:0;border-top:1px solid #e4e4e7">
<p style="font-size:12px;color:#52525b">${e(c.footer(site))}</p>
</div></body></html>
`;
  return { subject: headerSafe(c.subject(title)), text, html };
}

/**
 * RFC 2369 / RFC 8058 headers: mail clients show an "unsubscribe" button
 * that POSTs to the withdraw URL, so withdrawing really is one click.
 */
export function withdrawHeaders(withdrawUrl: string): Record<string, string> {
  return {
    'List-Unsubscribe': `<${withdrawUrl}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}
