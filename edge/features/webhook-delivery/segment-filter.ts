import { deliveredBefore, type ClaimedMessage } from '../webhooks';
import { getSegment } from '../segments';
import { leadMatches, segmentLeadFilters } from '../leads';
import { modelAt } from '../scoring';
import { getSite } from '../sites';

/**
 * The segment filter of a webhook endpoint, evaluated at delivery time.
 *
 * Why not when the message is enqueued: messages are enqueued in SQL inside
 * the scoring and sales batches (webhooks/store.ts), guarded by the score
 * revision, and the segment's filter is the lead list's SQL (leads/
 * list-store.ts); joining them would make webhooks depend on leads, which
 * depend on scoring, which enqueues webhooks: a cycle, and a second copy of
 * the list's query. So every subscribed endpoint still gets its message,
 * and the first attempt (when the payload is built and frozen, normally
 * within a second of the change) asks the list's own query whether the lead
 * is in the segment now. A lead that is not is recorded as a cancelled
 * attempt with the reason (GET /v1/webhooks/deliveries shows it) and never
 * sent; retries and replays of a message already sent are not asked again.
 *
 * A withdrawal still reaches an endpoint that was sent the lead before,
 * in or out of the segment (a withdrawn lead is in hardly any): the
 * receiver must learn to stop. A deleted segment lets nothing through.
 */
export async function segmentSkipReason(db: D1Database, m: ClaimedMessage, segmentId: string, now: number): Promise<string | null> {
  const segment = await getSegment(db, m.siteId, segmentId);
  if (!segment) return `skipped: the endpoint's segment "${segmentId}" no longer exists`;
  if (m.type === 'lead.withdrawn' && (await deliveredBefore(db, m.siteId, m.endpointId, m.leadId))) return null;
  const site = await getSite(db, m.siteId);
  if (!site) return 'the site no longer exists';
  const model = await modelAt(db, m.siteId, site.scoringModelVersion);
  const inSegment = await leadMatches(db, m.siteId, m.leadId, segmentLeadFilters(segment.filter, now), now, model);
  return inSegment ? null : `skipped: the lead is not in the endpoint's segment "${segmentId}"`;
}
