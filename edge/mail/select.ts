import type { Env } from '../env';
import { createCloudflareMailer } from './cloudflare-mailer';
import { createHttpMailer } from './http-mailer';
import { createOutboxMailer } from './outbox-mailer';
import { formatSender, parseSender } from './sender';
import { MAIL_MODES, type Mailer, type MailMode } from './types';

/** The sender used by the local-dev outbox when MAIL_FROM is not set. */
export const DEV_SENDER = 'Lodestone (local dev) <no-reply@lodestone.localhost>';

/** Whether the local-dev outbox is switched on (only `npm run dev` does). */
export const devOutboxEnabled = (env: Env) => env.DEV_OUTBOX === 'on';

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
