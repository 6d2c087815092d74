import type { Env } from '../../platform/env';
import { createCloudflareMailer } from '../../platform/cloudflare-mailer';
import { createHttpMailer } from './http-mailer';
import { createOutboxMailer } from './outbox-mailer';
import { formatSender, parseSender } from '../../core/mail/sender';
import { MAIL_MODES, type Mailer, type MailMode } from '../../core/mail/types';

/** The sender used by the local-dev outbox when MAIL_FROM is not set. */
export const DEV_SENDER = 'Lodestone (local dev) <no-reply@lodestone.localhost>';

/** Whether the local-dev outbox is switched on (only `npm run dev` does). */
export const devOutboxEnabled = (env: Env) => env.DEV_OUTBOX === 'on';

/** One configuration check, as /admin/health reports it. */
export interface MailCheck {
  ok: boolean;
  detail: string;
}

const modeOf = (env: Env) => (MAIL_MODES.includes(env.MAIL_MODE as MailMode) ? (env.MAIL_MODE as MailMode) : null);

/** MAIL_FROM: set and an address (the outbox has a default sender). */
export function senderCheck(env: Env): MailCheck {
  const mode = modeOf(env);
  try {
    const from = formatSender(parseSender(env.MAIL_FROM || (mode === 'outbox' ? DEV_SENDER : undefined)));
    return { ok: true, detail: env.MAIL_FROM ? from : `${from} (the local-dev default)` };
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  }
}

/** MAIL_MODE and what it needs: the send_email binding, the HTTP API URL and key, or the dev outbox. */
export function transportCheck(env: Env): MailCheck {
  const mode = modeOf(env);
  if (!mode) return { ok: false, detail: `MAIL_MODE must be one of ${MAIL_MODES.join(', ')}.` };
  switch (mode) {
    case 'outbox':
      return devOutboxEnabled(env)
        ? { ok: true, detail: 'outbox: mails stay in D1 (/dev/outbox)' }
        : { ok: false, detail: 'MAIL_MODE=outbox needs DEV_OUTBOX=on (local development only).' };
    case 'cloudflare':
      return env.EMAIL
        ? { ok: true, detail: 'cloudflare: send_email binding EMAIL' }
        : { ok: false, detail: 'MAIL_MODE=cloudflare needs the send_email binding EMAIL.' };
    case 'http':
      if (!env.MAIL_API_URL || !env.MAIL_API_KEY) return { ok: false, detail: 'MAIL_MODE=http needs MAIL_API_URL and the secret MAIL_API_KEY.' };
      try {
        createHttpMailer({ url: env.MAIL_API_URL, apiKey: env.MAIL_API_KEY });
      } catch (err) {
        return { ok: false, detail: (err as Error).message };
      }
      return { ok: true, detail: `http: ${new URL(env.MAIL_API_URL).origin}` };
  }
}

/**
 * The Mailer that MAIL_MODE selects, or the reason there is none. Checked
 * before a lead is stored, so a deployment that cannot send fails visibly
 * rather than collecting addresses it never mails.
 *
 * "outbox" works only together with DEV_OUTBOX=on: a production Worker with
 * a leftover MAIL_MODE=outbox would otherwise swallow every mail.
 */
export function mailerFromEnv(env: Env): { mailer: Mailer; from: string } | { error: string } {
  const mode = (env.MAIL_MODE ?? '') as MailMode;
  if (!MAIL_MODES.includes(mode)) return { error: `MAIL_MODE must be one of ${MAIL_MODES.join(', ')}.` };
  try {
    const from = formatSender(parseSender(env.MAIL_FROM || (mode === 'outbox' ? DEV_SENDER : undefined)));
    switch (mode) {
      case 'outbox':
        if (!devOutboxEnabled(env)) return { error: 'MAIL_MODE=outbox needs DEV_OUTBOX=on (local development only).' };
        return { mailer: createOutboxMailer(env.DB), from };
      case 'cloudflare':
        if (!env.EMAIL) return { error: 'MAIL_MODE=cloudflare needs the send_email binding EMAIL.' };
        return { mailer: createCloudflareMailer(env.EMAIL), from };
      case 'http':
        if (!env.MAIL_API_URL || !env.MAIL_API_KEY) return { error: 'MAIL_MODE=http needs MAIL_API_URL and the secret MAIL_API_KEY.' };
        return { mailer: createHttpMailer({ url: env.MAIL_API_URL, apiKey: env.MAIL_API_KEY }), from };
    }
  } catch (err) {
    return { error: (err as Error).message };
  }
}
