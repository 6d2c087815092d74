import { Hono } from 'hono';
import { CLIENT_ID_FULL_PATTERN, LIMITS, type CollectResult } from '../../../protocol';
import { insertEventStatements } from './events-store';
import { leadScoresByVisitor, leadScoresForVisitorsStatement, modelAt, planIngestScoring, refreshLead, type LeadScoreRow } from '../scoring';
import { getSite, siteFrom, siteStatement, allowOrigin, type Site } from '../sites';
import type { AppEnv } from '../../platform/env';
import { readJson } from '../../http/body';
import { forbiddenOrigin, unknownSite } from '../../http/problem';
import { limitClient } from '../../platform/rate-limit';
import { randomToken } from '../../core/crypto';
import { toEventRow } from '../../core/event-row';
import { batchEnvelope, collectBatch } from '../../core/schemas/events';
import { validate } from '../../http/validate';
import { afterResponse } from '../../platform/after-response';
import { deliverFreshWebhooks } from '../webhook-delivery';

/**
 * Visitor ids a (not yet validated) body names: only used as a bound
 * parameter of the lead lookup, so the lookup can share a round trip with
 * the site lookup; validation of the events follows later.
 */
function candidateVisitorIds(body: unknown): string[] {
  const events = (body as { events?: unknown }).events;
  if (!Array.isArray(events)) return [];
  const ids = new Set<string>();
  for (const e of events.slice(0, LIMITS.batchEvents)) {
    const vid = (e as { vid?: unknown } | null)?.vid;
    if (typeof vid === 'string' && CLIENT_ID_FULL_PATTERN.test(vid)) ids.add(vid);
  }
  return [...ids];
}

/** text/plain lets sendBeacon post without a CORS preflight. */
const MEDIA_TYPES = ['text/plain', 'application/json'] as const;

/**
 * POST /v1/collect: a batch of events from the snippet or the widget.
 *
 * Order matters: cheap checks first (type, size, JSON), then the site and its
 * origin, and only for an allowed origin the full event validation. Nothing is
 * written unless every check passed, and then all rows in one D1 batch,
 * together with the incremental score updates of the leads they belong to.
 */
export const collectRoutes = new Hono<AppEnv>().post('/v1/collect', async (c) => {
  const body = await readJson(c.req.raw, { maxBytes: LIMITS.batchBytes, mediaTypes: MEDIA_TYPES });
  const { site: siteId } = validate(batchEnvelope, body);

  const db = c.env.DB;
  // The site and the leads behind the batch's visitors, in one round trip.
  const visitors = c.env.SCORING === 'off' ? [] : candidateVisitorIds(body);
  let site: Site | null;
  let leads = new Map<string, LeadScoreRow>();
  if (visitors.length) {
    const [siteRows, leadRows] = await db.batch([siteStatement(db, siteId), leadScoresForVisitorsStatement(db, siteId, visitors)]);
    site = siteFrom(siteRows!.results);
    leads = leadScoresByVisitor(leadRows!.results);
  } else {
    site = await getSite(db, siteId);
  }
  if (!site) throw unknownSite(siteId);
  const origin = c.req.header('origin') ?? '';
  if (!site.origins.includes(origin)) throw forbiddenOrigin(origin);
  allowOrigin(c, origin);

  await limitClient(c, site.id);

  const batch = validate(collectBatch, body);
  const receivedAt = Date.now();
  const country = (c.req.raw.cf?.country as string | undefined) ?? null;
  const rows = batch.events.map((e) => toEventRow(e, { siteId: site.id, receivedAt, country }));

  // Events of visitors who became leads are scored in the same batch.
  for (const [vid, lead] of leads) if (lead.status === 'withdrawn') leads.delete(vid); // no linkage after withdrawal
  const ingestId = randomToken(9);
  const inserts = insertEventStatements(db, rows, ingestId, (vid) => (vid && leads.get(vid)?.leadId) || null);
  const plan = leads.size
    ? planIngestScoring(db, await modelAt(db, site.id, site.scoringModelVersion), rows, leads, ingestId, receivedAt)
    : { statements: [], writes: [], slow: [], enqueuesWebhooks: false };

  const results = await db.batch([...inserts, ...plan.statements]);
  const accepted = results.slice(0, inserts.length).reduce((n, r) => n + r.meta.changes, 0);
  const lost = plan.writes.filter((w) => results[inserts.length + w.index]!.meta.changes === 0).map((w) => w.leadId);
  let enqueuedWebhooks = plan.enqueuesWebhooks;
  for (const leadId of [...plan.slow, ...lost]) {
    if ((await refreshLead(db, site.id, leadId, receivedAt)).enqueuedWebhooks) enqueuedWebhooks = true;
  }
  // A stage change goes to sales right after this answer, not at the next cron.
  if (enqueuedWebhooks) afterResponse(c, 'webhook delivery', deliverFreshWebhooks);
  return c.json<CollectResult>({ accepted, duplicates: rows.length - accepted }, 202);
});
