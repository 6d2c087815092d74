import type { Lang } from '../../../protocol';
import { getOutboxJob, insertRetryToken, markCancelled, markFailed, markSent, type OutboxJob } from './outbox-store';
import { nextAttemptAt } from '../../core/mail/backoff';
import { renderConfirmationMail, withdrawHeaders } from '../../core/mail/render';
import { MailError, type Mailer } from '../../core/mail/types';
import { newOptinToken } from '../../core/optin-token';
import { signUnsubscribe, signWithdraw } from '../../core/signing';

/**
 * Delivery of confirmation mails: used by POST /v1/leads for the immediate
 * send and by the cron for retries, so both behave the same.
 */

export interface DeliveryOptions {
  mailer: Mailer;
  /** From header value (already validated). */
  from: string;
  /** SIGNING_KEY, for the withdraw link. */
  secret: string;
  tokenTtlMs: number;
  now: number;
  /** The token minted with the submission (first attempt); retries mint their own. */
  token?: string;
  /**
   * Why mail cannot be sent at all right now (e.g. MAIL_FROM empty, binding
   * missing): the attempt fails with this reason and is retried like any
   * provider outage, without minting a token.
   */
  unavailable?: string;
  /** Origin for the links (PUBLIC_URL now); the row's stored origin otherwise. */
  linkBase?: string;
}

export type DeliveryResult = 'sent' | 'retry' | 'dead' | 'cancelled';

/** The two links of a confirmation mail. */
export async function confirmationLinks(
  secret: string,
  base: string,
  p: { siteId: string; leadId: string; token: string; lang: Lang },
): Promise<{ confirmUrl: string; withdrawUrl: string }> {
  const confirm = new URL('/v1/optin/confirm', base);
  confirm.searchParams.set('t', p.token);
  confirm.searchParams.set('lang', p.lang);
  return { confirmUrl: confirm.href, withdrawUrl: await withdrawUrl(secret, base, p) };
}

/** A lead's signed link to `path`: site, lead, signature and the page's language. */
function leadLink(path: string, base: string, p: { siteId: string; leadId: string; lang: Lang }, sig: string): string {
  const url = new URL(path, base);
  url.searchParams.set('s', p.siteId);
  url.searchParams.set('l', p.leadId);
  url.searchParams.set('sig', sig);
  url.searchParams.set('lang', p.lang);
  return url.href;
}

export async function withdrawUrl(secret: string, base: string, p: { siteId: string; leadId: string; lang: Lang }): Promise<string> {
  return leadLink('/v1/optin/withdraw', base, p, await signWithdraw(secret, p.siteId, p.leadId));
}

/** The unsubscribe link of a nurture mail: withdraws the marketing consent only. */
export async function unsubscribeUrl(secret: string, base: string, p: { siteId: string; leadId: string; lang: Lang }): Promise<string> {
  return leadLink('/v1/optin/unsubscribe', base, p, await signUnsubscribe(secret, p.siteId, p.leadId));
}

/**
 * One attempt to deliver an outbox row. Never throws for a mail failure: it
 * records the attempt and schedules the next one (or gives up), so a caller
 * in `waitUntil` or the cron cannot lose the row.
 */
export async function deliverConfirmation(db: D1Database, outboxId: string, opts: DeliveryOptions): Promise<DeliveryResult> {
  const job = await getOutboxJob(db, outboxId);
  if (!job || job.status !== 'pending') return 'cancelled';
  if (job.leadStatus === 'withdrawn' || !job.optinOpen) {
    await markCancelled(db, job.id, opts.now);
    return 'cancelled';
  }
  const attempts = job.attempts + 1;
  try {
    if (opts.unavailable) throw new MailError(opts.unavailable);
    const token = opts.token ?? (await mintRetryToken(db, job, opts));
    const links = await confirmationLinks(opts.secret, opts.linkBase ?? job.linkBase, { siteId: job.siteId, leadId: job.leadId, token, lang: job.lang });
    const mail = renderConfirmationMail({
      lang: job.lang,
      siteName: job.siteName,
      magnetTitle: job.magnetTitle ?? job.magnetId,
      firstName: job.firstName,
      confirmUrl: links.confirmUrl,
      withdrawUrl: links.withdrawUrl,
      validDays: opts.tokenTtlMs / 86_400_000,
    });
    const { id } = await opts.mailer.send({ to: job.email, from: opts.from, ...mail, headers: withdrawHeaders(links.withdrawUrl) });
    await markSent(db, job.id, id, attempts, opts.now);
    return 'sent';
  } catch (err) {
    const permanent = err instanceof MailError && err.permanent;
    const next = permanent ? null : nextAttemptAt(attempts, opts.now);
    const message = err instanceof Error ? err.message : String(err);
    console.warn('confirmation mail failed', job.id, `attempt ${attempts}`, message);
    await markFailed(db, job.id, attempts, next, message, opts.now);
    return next === null ? 'dead' : 'retry';
  }
}

async function mintRetryToken(db: D1Database, job: OutboxJob, opts: DeliveryOptions): Promise<string> {
  const { token, hash } = await newOptinToken();
  if (!(await insertRetryToken(db, job, hash, opts.now, opts.now + opts.tokenTtlMs))) {
    throw new MailError('no opt-in token to renew', true);
  }
  return token;
}
