import type { Env } from '../../platform/env';
import { mailLinkBase } from '../../platform/request';
import { deliverFreshWebhooks } from '../webhook-delivery';
import { routeHandoffs } from './assignment';
import { sendOwnerMails } from './owner-mail';

/** Leads of a site that just reached the hand-off get their owner within seconds, not at the next cron. */
const NOW_LIMIT = 20;

/**
 * After a request that changed stages: route the site's due leads, then send
 * the owners' mails and the webhooks that caused. What this leaves undone
 * the cron does.
 */
export async function handOffNow(env: Env, siteId: string): Promise<void> {
  const now = Date.now();
  const report = await routeHandoffs(env.DB, now, mailLinkBase(env), { siteId, limit: NOW_LIMIT });
  if (report.ownerMails) await sendOwnerMails(env, now);
  if (report.webhooks) await deliverFreshWebhooks(env);
}
