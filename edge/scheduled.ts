import type { Env } from './platform/env';
import { claimDueMails } from './features/mail/outbox-store';
import { SEND_LEASE_MS } from './core/mail/backoff';
import { deliverConfirmation } from './features/mail/confirmation-mail';
import { runScoringMaintenance } from './features/scoring/maintenance';
import { retrySettings } from './features/mail/settings';
import { runWebhookDelivery } from './features/webhook-delivery/delivery';
import { erasureSecret } from './core/erasure-hash';
import { runRetention } from './features/gdpr/retention';

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

/**
 * Cron Trigger: the mail outbox retry, and scoring maintenance (decay
 * re-checks, stragglers, unscored events, rescoring after a model change).
 */
export const scheduled: ExportedHandlerScheduledHandler<Env> = async (controller, env, ctx) => {
  ctx.waitUntil(retryOutbox(env, controller.scheduledTime));
  // Scoring first, then webhook delivery: stage changes found by this run's
  // decay re-checks and rescoring are handed to sales in the same run.
  ctx.waitUntil((async () => {
    await runScoringMaintenance(env.DB, controller.scheduledTime).catch((err) => console.error('scoring maintenance', err));
    await runWebhookDelivery(env.DB, controller.scheduledTime).catch((err) => console.error('webhook delivery', err));
  })());
  // GDPR retention: bounded per run, resumed by the next one.
  ctx.waitUntil(runRetention(env.DB, controller.scheduledTime, { secret: erasureSecret(env.SIGNING_KEY) })
    .then((r) => { if (r.pendingErased || r.withdrawnErased || r.eventsDeleted || r.tokensDeleted || r.ledgerDeleted || r.orphansFixed) console.log('retention', JSON.stringify(r)); })
    .catch((err) => console.error('retention', err)));
};
