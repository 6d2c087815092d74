import { assertHeaderSafe } from './escape';
import { formatSender, parseSender } from './sender';
import { MailError, type Mailer } from './types';

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
 * 4xx answers other than 408 and 429 mean the provider refused this message:
 * permanent. Network errors, timeouts, 408, 429 and 5xx are retried.
 */
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
          headers: { authorization: `Bearer ${opts.apiKey}`, 'content-type': 'application/json' },
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
        const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
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
