import type { Env } from './platform/env';
import { retryOutbox } from './features/mail';
import { runScoringMaintenance } from './features/scoring';
import { runWebhookDelivery } from './features/webhook-delivery';
import { erasureSecret } from './core/erasure-hash';
import { runRetention } from './features/gdpr';
import { reassignOverdue, routeHandoffs, sendOwnerMails } from './features/sales';
import { mailLinkBase } from './platform/request';
import { runReviewMaintenance } from './features/review';
import { runNurture, sendNurtureMails } from './features/nurture';

/**
 * Nurture's share of a cron run (wall time, mostly spent waiting on D1 and
 * the mail API): planning for up to a minute, sending until four minutes
 * after the start, so a run ends before the next one starts. Overlapping
 * runs would be safe, but would only compete for the same rows.
 */
const NURTURE_PLAN_MS = 60_000;
const NURTURE_SEND_UNTIL_MS = 240_000;

/** Nurture: enter and move leads, then send what was planned (and retries), within the run's budget. */
async function runNurtureCron(env: Env, now: number): Promise<void> {
  const deadline = Date.now() + NURTURE_SEND_UNTIL_MS;
  const r = await runNurture(env.DB, now, { budgetMs: NURTURE_PLAN_MS, linkBase: mailLinkBase(env) });
  if (r.entered || r.moved || r.exited) console.log('nurture', JSON.stringify({ ...r, mailIds: r.mailIds.length }));
  while (Date.now() < deadline) {
    const sent = await sendNurtureMails(env, now);
    if (sent.sent + sent.retry + sent.dead + sent.cancelled === 0) break;
  }
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
    // Leads that reached the hand-off get an owner; answers overdue move on; then their mails and webhooks go.
    await routeHandoffs(env.DB, controller.scheduledTime, mailLinkBase(env)).catch((err) => console.error('routing', err));
    await reassignOverdue(env.DB, controller.scheduledTime, mailLinkBase(env)).catch((err) => console.error('owner deadline', err));
    await sendOwnerMails(env, controller.scheduledTime).catch((err) => console.error('owner mails', err));
    await runWebhookDelivery(env.DB, controller.scheduledTime).catch((err) => console.error('webhook delivery', err));
    // The scoring review's facts and the likelihood calibration: after rescoring, so they follow a new model.
    await runReviewMaintenance(env.DB, controller.scheduledTime).catch((err) => console.error('scoring review', err));
    // Nurture after routing: a lead handed to sales this run leaves its sequences before its next mail is planned.
    await runNurtureCron(env, controller.scheduledTime).catch((err) => console.error('nurture', err));
  })());
  // GDPR retention: bounded per run, resumed by the next one.
  ctx.waitUntil(runRetention(env.DB, controller.scheduledTime, { secret: erasureSecret(env.SIGNING_KEY) })
    .then((r) => { if (r.pendingErased || r.withdrawnErased || r.eventsDeleted || r.tokensDeleted || r.ledgerDeleted || r.orphansFixed) console.log('retention', JSON.stringify(r)); })
    .catch((err) => console.error('retention', err)));
};
