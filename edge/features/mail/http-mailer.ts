import { assertHeaderSafe } from '../../core/mail/escape';
import { formatSender, parseSender } from '../../core/mail/sender';
import { MailError, type Mailer } from '../../core/mail/types';

export interface HttpMailerOptions {
  /** Endpoint, e.g. https://api.resend.com/emails. */
  url: string;
  /** Secret sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** Injected for tests; the Worker's fetch otherwise. */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * An HTTP mail API, called with fetch and a secret. The body is the common
 * JSON shape { from, to: [..], subject, text, html, headers } (Resend's API;
 * Postmark, SES or others fit behind a small proxy Worker).
 *
 * A message's idempotency key goes out as `Idempotency-Key` (Resend keeps
 * it for 24 hours; an API that does not know it ignores it).
 *
 * Only 400, 413 and 422 mean the provider refused this message (e.g. an
 * invalid recipient): permanent. Everything else is retried: network
 * errors, timeouts, 5xx, and 401/403/404/429 (an expired key or a wrong
 * URL is fixed by the operator, and the mail should then still go out).
 */
export const PERMANENT_STATUSES: readonly number[] = [400, 413, 422];

export function createHttpMailer(opts: HttpMailerOptions): Mailer {
  if (!/^https:\/\//.test(opts.url) && !/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\//.test(opts.url)) {
    throw new MailError('MAIL_API_URL must be an https URL', true);
  }
  const doFetch = opts.fetch ?? fetch;
  return {
    name: 'http',
    async send(message) {
      assertHeaderSafe(message);
      let res: Response;
      try {
        res = await doFetch(opts.url, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${opts.apiKey}`,
            'content-type': 'application/json',
            ...(message.idempotencyKey ? { 'idempotency-key': message.idempotencyKey } : {}),
          },
          body: JSON.stringify({
            from: formatSender(parseSender(message.from)),
            to: [message.to],
            subject: message.subject,
            text: message.text,
            html: message.html,
            headers: message.headers,
          }),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
        });
      } catch (err) {
        throw new MailError(`mail API unreachable: ${(err as Error).message}`);
      }
      const body = await res.text().catch(() => '');
      if (!res.ok) {
        const permanent = PERMANENT_STATUSES.includes(res.status);
        throw new MailError(`mail API answered ${res.status}: ${body.slice(0, 200)}`, permanent);
      }
      let id = '';
      try {
        id = String((JSON.parse(body) as { id?: unknown }).id ?? '');
      } catch {
        /* an id is nice to have, not required */
      }
      return { id: id || `http-${Date.now()}` };
    },
  };
}
