/**
 * The Mailer interface: one shape for the three ways Lodestone sends mail
 * (local-dev outbox, Cloudflare Email Service binding, HTTP mail API).
 */

/** A fully rendered mail. Header values are checked by `assertHeaderSafe`. */
export interface MailMessage {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers: Record<string, string>;
  /**
   * The same for every attempt at one mail: an HTTP mail API that honours
   * `Idempotency-Key` sends it once even when an attempt's answer was lost.
   */
  idempotencyKey?: string;
}

export interface Mailer {
  readonly name: MailMode;
  /** Resolves with the provider's message id; rejects with a MailError. */
  send(message: MailMessage): Promise<{ id: string }>;
}

export const MAIL_MODES = ['outbox', 'cloudflare', 'http'] as const;
export type MailMode = (typeof MAIL_MODES)[number];

/**
 * A failed send. `permanent` failures (the provider refused the message
 * itself) are not retried; everything else is, with backoff.
 */
export class MailError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'MailError';
  }
}
