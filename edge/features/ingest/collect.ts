import { CLIENT_ID_FULL_PATTERN, LIMITS } from '../../../protocol';
import { insertEventStatements } from './events-store';
import { foldVisitorsStatement } from './visitors-store';
import { leadScoresByVisitor, leadScoresForVisitorsStatement, modelAt, planIngestScoring, refreshLead, type LeadScoreRow } from '../scoring';
import { getSite, siteFrom, siteStatement, type Site } from '../sites';
import { randomToken } from '../../core/crypto';
import type { EventRow } from '../../core/event-row';

/**
 * The collect use case: who is behind a batch, then its events and the
 * score updates they cause, written together. The route keeps the HTTP
 * part (body, origin, rate limit, answer); this module owns the D1 work, in
 * two round trips on the common path (one read, one batch).
 */

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

/** The site a batch is for, and the leads behind its visitors (by visitor id). */
export interface BatchAudience {
  site: Site | null;
  leads: Map<string, LeadScoreRow>;
}

/**
 * The site and the leads behind the batch's visitors, in one round trip.
 * With scoring off no lead is looked up: events are then stored unlinked.
 */
export async function batchAudience(db: D1Database, siteId: string, body: unknown, scoring: boolean): Promise<BatchAudience> {
  const visitors = scoring ? candidateVisitorIds(body) : [];
  if (!visitors.length) return { site: await getSite(db, siteId), leads: new Map() };
  const [siteRows, leadRows] = await db.batch([siteStatement(db, siteId), leadScoresForVisitorsStatement(db, siteId, visitors)]);
  return { site: siteFrom(siteRows!.results), leads: leadScoresByVisitor(leadRows!.results) };
}

export interface Recorded {
  accepted: number;
  duplicates: number;
  /** A lead changed stage: its webhook messages wait in the outbox. */
  enqueuedWebhooks: boolean;
}

/**
 * Stores validated events of an allowed site. Events of visitors who became
 * leads are scored in the same batch; a lead whose score row changed under
 * us, or whose update is too big to plan inline, is refreshed right after.
 * A repeated event id is counted as a duplicate, never stored twice.
 */
export async function recordEvents(
  db: D1Database,
  site: Site,
  leads: Map<string, LeadScoreRow>,
  rows: EventRow[],
  receivedAt: number,
): Promise<Recorded> {
  const linked = new Map([...leads].filter(([, lead]) => lead.status !== 'withdrawn')); // no linkage after withdrawal
  const ingestId = randomToken(9);
  const inserts = insertEventStatements(db, rows, ingestId, (vid) => (vid && linked.get(vid)?.leadId) || null);
  const plan = linked.size
    ? planIngestScoring(db, await modelAt(db, site.id, site.scoringModelVersion), rows, linked, ingestId, receivedAt)
    : { statements: [], writes: [], slow: [], enqueuesWebhooks: false };

  const withVisitor = rows.filter((r) => r.visitorId).map((r) => r.eventId);
  const results = await db.batch([...inserts, ...plan.statements, ...(withVisitor.length ? [foldVisitorsStatement(db, site.id, withVisitor)] : [])]);
  const accepted = results.slice(0, inserts.length).reduce((n, r) => n + r.meta.changes, 0);
  const lost = plan.writes.filter((w) => results[inserts.length + w.index]!.meta.changes === 0).map((w) => w.leadId);
  let enqueuedWebhooks = plan.enqueuesWebhooks;
  for (const leadId of [...plan.slow, ...lost]) {
    if ((await refreshLead(db, site.id, leadId, receivedAt)).enqueuedWebhooks) enqueuedWebhooks = true;
  }
  return { accepted, duplicates: rows.length - accepted, enqueuedWebhooks };
}
