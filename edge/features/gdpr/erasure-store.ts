import { recountVisitorsStatements } from '../ingest';
import type { LeadStatus } from '../leads';

/**
 * Erasure of one lead (Art. 17 GDPR): every row that names the person is
 * deleted or de-identified in one D1 batch (one transaction). What stays:
 * - events, de-identified: no lead id, visitor id, referrer, UTM, props,
 *   country, custom event name, link target, ingest id or scoring order;
 *   kind, url/path (never a query string), magnet, engagement time and
 *   timestamps remain for aggregate analytics;
 * - consent ledger rows, pseudonymised (ledger pseudonym instead of the lead
 *   id; page URL, IP hash and user agent dropped): the proof of what was
 *   agreed and when (Art. 7(1)), deleted after the site's ledger retention;
 * - one erasure_log row: a keyed hash of the lead id, the pseudonym, the
 *   reason and the time. No personal data in clear.
 * See PRIVACY.md and migration 0005 (the ledger's triggers allow exactly
 * this pseudonymisation and nothing else).
 */

export type ErasureReason = 'request' | 'retention_pending' | 'retention_withdrawn';

export type ErasureResult =
  | { outcome: 'erased'; erasedAt: number }
  | { outcome: 'already'; erasedAt: number }
  | { outcome: 'unknown' }
  /** The lead changed while being erased (retention only gives up; a request retries). */
  | { outcome: 'changed' };

export interface ErasureTarget {
  siteId: string;
  leadId: string;
  /** ledgerPseudonym(secret, site, email_key) of this lead. */
  pseudonym: (emailKey: string) => Promise<string>;
  /** erasedLeadRef(secret, site, lead id). */
  leadRef: string;
  reason: ErasureReason;
  now: number;
  /** Retention: erase only while the lead is still in this status. */
  onlyIfStatus?: LeadStatus;
}

/**
 * What de-identifying an event clears: every column that links it to the
 * person, and the free texts the site or the page chose (a custom event's
 * name, a link target) since they can spell out the address or the name.
 */
const DEIDENTIFY = `lead_id = NULL, visitor_id = NULL, referrer = NULL, utm = NULL, props = NULL, country = NULL,
                    name = NULL, target = NULL, lead_seq = NULL, ingest_id = NULL`;

interface LeadFacts {
  email_key: string;
  status: LeadStatus;
  visitor_id: string | null;
  updated_at: number;
}

/** Every visitor id the lead was ever known by: its row, its links, its opt-in requests and its events. */
export async function visitorIdsOf(db: D1Database, siteId: string, leadId: string, own: string | null): Promise<string[]> {
  const { results } = await db
    .prepare(`SELECT visitor_id FROM lead_visitors WHERE site_id = ?1 AND lead_id = ?2
              UNION SELECT visitor_id FROM optin_tokens WHERE site_id = ?1 AND lead_id = ?2 AND visitor_id IS NOT NULL
              UNION SELECT visitor_id FROM events WHERE site_id = ?1 AND lead_id = ?2 AND visitor_id IS NOT NULL`)
    .bind(siteId, leadId)
    .all<{ visitor_id: string }>();
  const ids = new Set(results.map((r) => r.visitor_id));
  if (own) ids.add(own);
  return [...ids];
}

/**
 * Webhooks (migration 0004): the outbox messages about the lead (their
 * payloads hold the profile) and their delivery log (receivers' answers may
 * echo it). Found through the schema, so erasure keeps covering any further
 * webhook table with a lead_id column; the log goes first, by message id.
 * Same statements as webhookErasureStatements (webhooks/store.ts), plus the
 * erasure guard.
 */
async function webhookStatements(db: D1Database, siteId: string, leadId: string, guard: Guard): Promise<D1PreparedStatement[]> {
  const { results } = await db
    .prepare(`SELECT m.name AS tbl, p.name AS col FROM sqlite_master m, pragma_table_info(m.name) p
              WHERE m.type = 'table' AND m.name LIKE 'webhook%'`)
    .all<{ tbl: string; col: string }>();
  const columns = new Map<string, Set<string>>();
  for (const r of results) columns.set(r.tbl, (columns.get(r.tbl) ?? new Set()).add(r.col));
  const out: D1PreparedStatement[] = [];
  const messages = columns.get('webhook_messages');
  if (messages?.has('lead_id') && columns.get('webhook_attempts')?.has('message_id')) {
    out.push(db.prepare(`DELETE FROM webhook_attempts WHERE message_id IN (
                           SELECT id FROM webhook_messages WHERE site_id = ? AND lead_id = ?) AND ${guard.sql}`)
      .bind(siteId, leadId, ...guard.params));
  }
  for (const [table, cols] of columns) {
    if (!/^[a-z_][a-z0-9_]*$/.test(table) || !cols.has('lead_id') || !cols.has('site_id')) continue;
    out.push(db.prepare(`DELETE FROM ${table} WHERE site_id = ? AND lead_id = ? AND ${guard.sql}`).bind(siteId, leadId, ...guard.params));
  }
  return out;
}

interface Guard {
  sql: string;
  params: unknown[];
}

/** When a lead of the site with this erasure reference was erased, or null. */
export async function erasedAt(db: D1Database, siteId: string, leadRef: string): Promise<number | null> {
  const done = await db.prepare('SELECT erased_at FROM erasure_log WHERE site_id = ? AND lead_ref = ?').bind(siteId, leadRef).first<{ erased_at: number }>();
  return done?.erased_at ?? null;
}

/**
 * Erases one lead. Every statement runs only while the lead is exactly as
 * read (same status and updated_at), so a lead that changes in between (a
 * new submission, a confirmation) is never half erased: the batch then
 * changes nothing and the request is tried again with fresh facts.
 */
export async function eraseLead(db: D1Database, t: ErasureTarget): Promise<ErasureResult> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const lead = await db.prepare('SELECT email_key, status, visitor_id, updated_at FROM leads WHERE site_id = ? AND id = ?')
      .bind(t.siteId, t.leadId).first<LeadFacts>();
    if (!lead) {
      const at = await erasedAt(db, t.siteId, t.leadRef);
      return at !== null ? { outcome: 'already', erasedAt: at } : { outcome: 'unknown' };
    }
    if (t.onlyIfStatus && lead.status !== t.onlyIfStatus) return { outcome: 'changed' };
    const statements = await erasureStatements(db, t, lead);
    const results = await db.batch(statements);
    if (results.at(-1)!.meta.changes === 1) return { outcome: 'erased', erasedAt: t.now };
    if (t.onlyIfStatus) return { outcome: 'changed' };
  }
  return { outcome: 'changed' };
}

async function erasureStatements(db: D1Database, t: ErasureTarget, lead: LeadFacts): Promise<D1PreparedStatement[]> {
  const { siteId, leadId, now } = t;
  const guard: Guard = {
    sql: 'EXISTS (SELECT 1 FROM leads WHERE site_id = ? AND id = ? AND status = ? AND updated_at = ?)',
    params: [siteId, leadId, lead.status, lead.updated_at],
  };
  const g = guard.params;
  const pseudonym = await t.pseudonym(lead.email_key);
  const visitors = JSON.stringify(await visitorIdsOf(db, siteId, leadId, lead.visitor_id));
  return [
    db.prepare(`INSERT INTO erasure_log (site_id, lead_ref, pseudonym, reason, lead_status, erased_at)
                SELECT ?, ?, ?, ?, ?, ? WHERE ${guard.sql} ON CONFLICT (site_id, lead_ref) DO NOTHING`)
      .bind(siteId, t.leadRef, pseudonym, t.reason, lead.status, now, ...g),
    // The one change the ledger's triggers allow (migrations 0005 and 0008).
    db.prepare(`UPDATE consent_ledger SET lead_id = ?, page_url = NULL, ip_hash = NULL, user_agent = NULL, source = NULL, erased_at = ?
                WHERE site_id = ? AND lead_id = ? AND erased_at IS NULL AND ${guard.sql}`)
      .bind(pseudonym, now, siteId, leadId, ...g),
    // Events: the lead's own, then unlinked ones of its visitor ids (never another lead's). Two statements,
    // each through its index: one with an OR of both would scan every event of the site.
    db.prepare(`UPDATE events INDEXED BY events_by_lead SET ${DEIDENTIFY}
                WHERE site_id = ?1 AND lead_id = ?2 AND ${guard.sql}`)
      .bind(siteId, leadId, ...g),
    db.prepare(`UPDATE events INDEXED BY events_by_visitor SET ${DEIDENTIFY}
                WHERE site_id = ?1 AND visitor_id IS NOT NULL AND visitor_id IN (SELECT value FROM json_each(?2)) AND lead_id IS NULL
                  AND ${guard.sql}`)
      .bind(siteId, visitors, ...g),
    // The visitors rollup forgets them (their events no longer carry the id).
    ...recountVisitorsStatements(db, siteId, JSON.parse(visitors) as string[]),
    db.prepare(`DELETE FROM optin_tokens WHERE site_id = ? AND lead_id = ? AND ${guard.sql}`).bind(siteId, leadId, ...g),
    db.prepare(`DELETE FROM mail_outbox WHERE site_id = ? AND lead_id = ? AND ${guard.sql}`).bind(siteId, leadId, ...g),
    // Local dev's mailbox: mails to the address (they hold the address, the name and the lead id in links),
    // and mails about the lead to its owners (they hold the address and the lead id).
    db.prepare(`DELETE FROM dev_mailbox WHERE (lower(to_addr) = ?1 OR instr(lower(text_body), ?1) > 0 OR instr(text_body, ?2) > 0)
                AND EXISTS (SELECT 1 FROM leads WHERE site_id = ?3 AND id = ?4 AND status = ?5 AND updated_at = ?6)`)
      .bind(lead.email_key, leadId, ...g),
    db.prepare(`DELETE FROM lead_visitors WHERE site_id = ? AND lead_id = ? AND ${guard.sql}`).bind(siteId, leadId, ...g),
    db.prepare(`DELETE FROM stage_history WHERE site_id = ? AND lead_id = ? AND ${guard.sql}`).bind(siteId, leadId, ...g),
    db.prepare(`DELETE FROM lead_scores WHERE site_id = ? AND lead_id = ? AND ${guard.sql}`).bind(siteId, leadId, ...g),
    db.prepare(`DELETE FROM outcome_facts WHERE site_id = ? AND lead_id = ? AND ${guard.sql}`).bind(siteId, leadId, ...g),
    db.prepare(`DELETE FROM nurture_enrollments WHERE site_id = ? AND lead_id = ? AND ${guard.sql}`).bind(siteId, leadId, ...g),
    // The review's snapshot counted the lead: the next read recomputes it without.
    db.prepare(`DELETE FROM review_snapshots WHERE site_id = ? AND ${guard.sql}`).bind(siteId, ...g),
    // A rescoring cursor is a lead id: step it back to the previous lead (same resume point, other id).
    db.prepare(`UPDATE rescore_jobs SET cursor = (SELECT COALESCE(MAX(id), '') FROM leads WHERE site_id = ?1 AND id < ?2)
                WHERE site_id = ?1 AND cursor = ?2
                  AND EXISTS (SELECT 1 FROM leads WHERE site_id = ?3 AND id = ?4 AND status = ?5 AND updated_at = ?6)`)
      .bind(siteId, leadId, ...g),
    ...(await webhookStatements(db, siteId, leadId, guard)),
    // Last: its change count says whether the whole batch applied.
    db.prepare('DELETE FROM leads WHERE site_id = ? AND id = ? AND status = ? AND updated_at = ?')
      .bind(siteId, leadId, lead.status, lead.updated_at),
  ];
}

/**
 * Events stored for a lead that no longer exists: a collect or a refresh
 * that read the lead just before its erasure and wrote just after. De-
 * identified like erased events. Looks at recent events of one site only.
 */
export async function deidentifyOrphanEvents(db: D1Database, siteId: string, since: number, limit: number): Promise<number> {
  const { results } = await db
    .prepare(`SELECT e.event_id, e.visitor_id FROM events e
              WHERE e.site_id = ?1 AND e.received_at >= ?2 AND e.lead_id IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.site_id = e.site_id AND l.id = e.lead_id)
              LIMIT ?3`)
    .bind(siteId, since, limit)
    .all<{ event_id: string; visitor_id: string | null }>();
  if (!results.length) return 0;
  // The same condition again in the batch: a lead that exists by now keeps its events.
  const [res] = await db.batch([
    db.prepare(`UPDATE events SET ${DEIDENTIFY}
                WHERE site_id = ?1 AND event_id IN (SELECT value FROM json_each(?2)) AND lead_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.site_id = events.site_id AND l.id = events.lead_id)`)
      .bind(siteId, JSON.stringify(results.map((r) => r.event_id))),
    ...recountVisitorsStatements(db, siteId, results.map((r) => r.visitor_id)),
  ]);
  return res!.meta.changes;
}


/** Score rows (and stage history) of leads that no longer exist: the same race, on the scoring side. */
export async function deleteOrphanScores(db: D1Database, siteId: string, limit: number): Promise<number> {
  const { results } = await db
    .prepare(`SELECT s.lead_id FROM lead_scores s WHERE s.site_id = ?
              AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.site_id = s.site_id AND l.id = s.lead_id) LIMIT ?`)
    .bind(siteId, limit)
    .all<{ lead_id: string }>();
  if (!results.length) return 0;
  const ids = JSON.stringify(results.map((r) => r.lead_id));
  const { results: visitors } = await db
    .prepare(`SELECT DISTINCT visitor_id FROM events INDEXED BY events_by_lead
              WHERE site_id = ? AND lead_id IS NOT NULL AND lead_id IN (SELECT value FROM json_each(?)) AND visitor_id IS NOT NULL`)
    .bind(siteId, ids)
    .all<{ visitor_id: string }>();
  await db.batch([
    db.prepare('DELETE FROM stage_history WHERE site_id = ? AND lead_id IN (SELECT value FROM json_each(?))').bind(siteId, ids),
    // Through the lead index, not a scan of the site's events (see scoring's eventsOfLeads).
    db.prepare(`UPDATE events INDEXED BY events_by_lead SET ${DEIDENTIFY}
                WHERE site_id = ? AND lead_id IS NOT NULL AND lead_id IN (SELECT value FROM json_each(?))`).bind(siteId, ids),
    ...recountVisitorsStatements(db, siteId, visitors.map((r) => r.visitor_id)),
    db.prepare('DELETE FROM lead_scores WHERE site_id = ? AND lead_id IN (SELECT value FROM json_each(?))').bind(siteId, ids),
    db.prepare('DELETE FROM outcome_facts WHERE site_id = ? AND lead_id IN (SELECT value FROM json_each(?))').bind(siteId, ids),
    db.prepare('DELETE FROM nurture_enrollments WHERE site_id = ? AND lead_id IN (SELECT value FROM json_each(?))').bind(siteId, ids),
    db.prepare('DELETE FROM review_snapshots WHERE site_id = ?').bind(siteId),
  ]);
  return results.length;
}
