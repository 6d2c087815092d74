import type { Env } from '../../platform/env';
import { afterResponse } from '../../platform/after-response';
import { deliverFreshWebhooks } from '../webhook-delivery';
import { sendOwnerMails } from './owner-mail';
import type { WriteOutcome } from './write-back';

/** Webhooks and owner mails a sales write queued go out right after the answer; the cron retries what fails. */
export function followUp(c: { readonly env: Env; readonly executionCtx: { waitUntil(promise: Promise<unknown>): void } }, f: WriteOutcome['followUp']): void {
  if (f.webhooks) afterResponse(c, 'webhook delivery', deliverFreshWebhooks);
  if (f.ownerMails) afterResponse(c, 'owner mails', (env) => sendOwnerMails(env, Date.now()));
}
