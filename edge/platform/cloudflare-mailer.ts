import { assertHeaderSafe } from '../core/mail/escape';
import { parseSender } from '../core/mail/sender';
import { MailError, type Mailer } from '../core/mail/types';

/**
 * Cloudflare Email Service through the `send_email` binding. The structured
 * form ({ from, to, subject, text, html, headers }) lets Cloudflare build the
 * MIME message, so no MIME is assembled (or mis-escaped) here.
 */
export function createCloudflareMailer(binding: SendEmail): Mailer {
  return {
    name: 'cloudflare',
    async send(message) {
      assertHeaderSafe(message);
      const sender = parseSender(message.from);
      try {
        const result = await binding.send({
          from: sender.name ? { name: sender.name, email: sender.email } : sender.email,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers: message.headers,
        });
        return { id: result.messageId };
      } catch (err) {
        throw new MailError(`send_email binding: ${(err as Error).message}`);
      }
    },
  };
}
