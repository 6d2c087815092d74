import { Hono } from 'hono';
import { LIMITS, type CollectResult } from '../../protocol';
import { insertEventStatements } from '../db/events';
import { leadScoresForVisitors } from '../db/scoring';
import { getSite } from '../db/sites';
import type { AppEnv } from '../env';
import { readJson } from '../http/body';
import { allowOrigin } from '../http/cors';
import { forbiddenOrigin, rateLimited, unknownSite } from '../http/problem';
import { randomToken } from '../lib/crypto';
import { toEventRow } from '../lib/event-row';
import { modelAt, planIngestScoring, refreshLead } from '../services/lead-scoring';
import { batchEnvelope, collectBatch } from '../validation/collect';
import { validate } from '../validation/validate';

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

  const site = await getSite(c.env.DB, siteId);
  if (!site) throw unknownSite(siteId);
  const origin = c.req.header('origin') ?? '';
  if (!site.origins.includes(origin)) throw forbiddenOrigin(origin);
  allowOrigin(c, origin);

  if (c.env.RATE_LIMITER && c.env.INGEST_RATE_LIMIT !== 'off') {
    // The client address is a rate-limit key only; it is never stored.
    const client = c.req.header('cf-connecting-ip') ?? 'unknown';
    const { success } = await c.env.RATE_LIMITER.limit({ key: `${site.id}:${client}` });
    if (!success) throw rateLimited(60);
  }

  const batch = validate(collectBatch, body);
  const receivedAt = Date.now();
  const country = (c.req.raw.cf?.country as string | undefined) ?? null;
  const rows = batch.events.map((e) => toEventRow(e, { siteId: site.id, receivedAt, country }));
  const db = c.env.DB;

  // Events of visitors who became leads are scored in the same batch.
  const visitorIds = [...new Set(rows.flatMap((r) => (r.visitorId ? [r.visitorId] : [])))];
  const scoring = c.env.SCORING !== 'off' && visitorIds.length > 0;
  const leads = scoring ? await leadScoresForVisitors(db, site.id, visitorIds) : new Map();
  for (const [vid, lead] of leads) if (lead.status === 'withdrawn') leads.delete(vid); // no linkage after withdrawal
  const ingestId = randomToken(9);
  const inserts = insertEventStatements(db, rows, ingestId, (vid) => (vid && leads.get(vid)?.leadId) || null);
  const plan = leads.size
    ? planIngestScoring(db, await modelAt(db, site.id, site.scoringModelVersion), rows, leads, ingestId, receivedAt)
    : { statements: [], writes: [], slow: [] };

  const results = await db.batch([...inserts, ...plan.statements]);
  const accepted = results.slice(0, inserts.length).reduce((n, r) => n + r.meta.changes, 0);
  const lost = plan.writes.filter((w) => results[inserts.length + w.index]!.meta.changes === 0).map((w) => w.leadId);
  for (const leadId of [...plan.slow, ...lost]) await refreshLead(db, site.id, leadId, receivedAt);
  return c.json<CollectResult>({ accepted, duplicates: rows.length - accepted }, 202);
});
