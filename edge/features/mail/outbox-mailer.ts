import { insertDevMail } from './dev-mailbox-store';
import { assertHeaderSafe } from '../../core/mail/escape';
import type { Mailer } from '../../core/mail/types';

/**
 * Local development: "sending" stores the mail in D1, where /dev/outbox shows
 * it with clickable links. Never used in production (see `mailerFromEnv`).
 */
export function createOutboxMailer(db: D1Database): Mailer {
  return {
    name: 'outbox',
    async send(message) {
      assertHeaderSafe(message);
      const id = await insertDevMail(db, message, Date.now());
      return { id };
    },
  };
}
