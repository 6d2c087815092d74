import type { Env } from '../../platform/env';
import { SEND_LEASE_MS } from '../../core/mail/backoff';
import { claimDueMails } from './outbox-store';
import { deliverConfirmation } from './confirmation-mail';
import { retrySettings } from './settings';

/** Mails per cron run; the rest wait for the next run (every few minutes). */
export const RETRY_BATCH = 25;

export interface RetryReport {
  claimed: number;
  sent: number;
  retry: number;
  dead: number;
  cancelled: number;
}

/**
 * Cron Trigger: retries due mails of the durable outbox (or, after a
 * requeue, only the rows `only` names). A configuration failure counts as a
 * failed attempt of each due mail, with backoff, so it is recorded. The controller's
 * scheduled time is the clock, so a run is judged by when it was due, and
 * tests can run "the cron of ten minutes from now".
 */
export async function retryOutbox(env: Env, now: number, only?: readonly string[]): Promise<RetryReport> {
  const report: RetryReport = { claimed: 0, sent: 0, retry: 0, dead: 0, cancelled: 0 };
  const settings = retrySettings(env);
  const ids = await claimDueMails(env.DB, now, now + SEND_LEASE_MS, RETRY_BATCH, only);
  if (ids.length && settings.unavailable) console.error('mail outbox: cannot send,', settings.unavailable);
  report.claimed = ids.length;
  for (const id of ids) {
    const result = await deliverConfirmation(env.DB, id, { ...settings, now });
    report[result]++;
  }
  if (ids.length) console.log('mail outbox retry', JSON.stringify(report));
  return report;
}
