import { Hono, type Context } from 'hono';
import { getDevMail, listDevMail, type DevMail } from './dev-mailbox-store';
import type { AppEnv } from '../../platform/env';
import { notFound } from '../../http/problem';
import { randomToken } from '../../core/crypto';
import { escapeHtml } from '../../core/mail/escape';
import { devOutboxEnabled } from './select';
import { layout } from '../../http/page-layout';
import { sendPage } from '../../http/page-response';

/**
 * /dev/outbox: the mails of the local-dev mailer, so `npm run dev` users can
 * click their confirmation links. Answers 404 unless DEV_OUTBOX=on, which
 * only the local stack sets.
 */

/** Escapes the text, then turns http(s) URLs into links. */
function linkify(text: string): string {
  return escapeHtml(text).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);
}

const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');


const guard = (c: Context<AppEnv>) => {
  if (!devOutboxEnabled(c.env)) throw notFound('The dev outbox exists in local development only (DEV_OUTBOX=on).');
};

const mailJson = (m: DevMail) => m;

/** Long header values and URLs break anywhere, so the mail view never scrolls sideways. */
const wrapStyle = (nonce: string) =>
  `<style nonce="${nonce}">table{table-layout:fixed}th{width:9rem}td,th,pre{overflow-wrap:anywhere;word-break:normal}@media(max-width:40rem){main{margin:0;padding:1rem;border-radius:0}th{width:6.5rem}}</style>`;

export const devOutboxRoutes = new Hono<AppEnv>()
  .get('/dev/outbox.json', async (c) => {
    guard(c);
    const mails = await listDevMail(c.env.DB, { to: c.req.query('to') || undefined, limit: 50 });
    c.header('Cache-Control', 'no-store');
    return c.json({ mails: mails.map(mailJson) });
  })
  .get('/dev/outbox', async (c) => {
    guard(c);
    const mails = await listDevMail(c.env.DB, { to: c.req.query('to') || undefined, limit: 50 });
    const rows = mails
      .map((m) => `<tr><td>${escapeHtml(time(m.createdAt))}</td><td>${escapeHtml(m.to)}</td><td><a href="/dev/outbox/${encodeURIComponent(m.id)}">${escapeHtml(m.subject)}</a></td></tr>`)
      .join('');
    const nonce = randomToken(16);
    const body = `${wrapStyle(nonce)}<h1>Dev outbox</h1>
<p>Mails sent by the local-dev mailer (MAIL_MODE=outbox), newest first. Nothing here left this machine.</p>
${mails.length ? `<table><thead><tr><th>Sent</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>No mails yet.</p>'}`;
    return sendPage(c, layout({ lang: 'en', title: 'Dev outbox', body, nonce }));
  })
  .get('/dev/outbox/:id', async (c) => {
    guard(c);
    const mail = await getDevMail(c.env.DB, c.req.param('id'));
    if (!mail) throw notFound('No such mail in the dev outbox.');
    const headers = Object.entries(mail.headers).map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
    const nonce = randomToken(16);
    const body = `${wrapStyle(nonce)}<p><a href="/dev/outbox">← All mails</a></p>
<h1>${escapeHtml(mail.subject)}</h1>
<table><tbody><tr><th>From</th><td>${escapeHtml(mail.from)}</td></tr><tr><th>To</th><td>${escapeHtml(mail.to)}</td></tr>
<tr><th>Sent</th><td>${escapeHtml(time(mail.createdAt))}</td></tr>${headers}</tbody></table>
<h2>Text</h2>
<pre>${linkify(mail.text)}</pre>
<p><a href="/dev/outbox/${encodeURIComponent(mail.id)}/html">View the HTML version</a></p>`;
    return sendPage(c, layout({ lang: 'en', title: mail.subject, body, nonce }));
  })
  /** The HTML part as the recipient's mail client would get it, without scripts. */
  .get('/dev/outbox/:id/html', async (c) => {
    guard(c);
    const mail = await getDevMail(c.env.DB, c.req.param('id'));
    if (!mail) throw notFound('No such mail in the dev outbox.');
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'");
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(mail.html);
  });
