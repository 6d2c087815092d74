/**
 * Read-only SQL of the GDPR access export: every row the edge holds about
 * one lead, table by table. Plain reads, no transaction needed: the export
 * is a snapshot for the person, not input to a write.
 */

type Row = Record<string, unknown>;

/** Webhook tables that carry a lead: found at run time, so a new one is exported without a change here. */
export async function webhookTablesWithLead(db: D1Database): Promise<string[]> {
  const { results } = await db
    .prepare(`SELECT m.name AS tbl FROM sqlite_master m
              WHERE m.type = 'table' AND m.name LIKE 'webhook%'
                AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) p WHERE p.name = 'lead_id')
                AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) p WHERE p.name = 'site_id')`)
    .all<{ tbl: string }>();
  return results.map((r) => r.tbl).filter((t) => /^[a-z_][a-z0-9_]*$/.test(t));
}

/** `table` must come from webhookTablesWithLead (checked identifier). */
export async function rowsOfLeadIn(db: D1Database, table: string, siteId: string, leadId: string): Promise<Row[]> {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`not a table name: ${table}`);
  return (await db.prepare(`SELECT * FROM ${table} WHERE site_id = ? AND lead_id = ?`).bind(siteId, leadId).all<Row>()).results;
}

export const leadRowOf = (db: D1Database, siteId: string, leadId: string) =>
  db.prepare('SELECT * FROM leads WHERE site_id = ? AND id = ?').bind(siteId, leadId).first<Row>();

export const siteOf = (db: D1Database, siteId: string) =>
  db.prepare('SELECT id, name FROM sites WHERE id = ?').bind(siteId).first<{ id: string; name: string }>();

/** The consent texts the lead actually agreed to, by version. */
export const consentTextsOf = async (db: D1Database, siteId: string, leadId: string) =>
  (await db.prepare(`SELECT t.magnet_id, t.purpose, t.version, t.hash, t.text, t.created_at FROM consent_texts t
                WHERE t.site_id = ?1 AND EXISTS (
                  SELECT 1 FROM consent_ledger c WHERE c.site_id = ?1 AND c.lead_id = ?2 AND c.magnet_id = t.magnet_id
                    AND c.purpose = t.purpose AND c.text_version = t.version)
                ORDER BY t.magnet_id, t.purpose, t.version`).bind(siteId, leadId).all<Row>()).results;

export const visitorLinksOf = async (db: D1Database, siteId: string, leadId: string) =>
  (await db.prepare('SELECT visitor_id, linked_at FROM lead_visitors WHERE site_id = ? AND lead_id = ? ORDER BY linked_at')
    .bind(siteId, leadId).all<{ visitor_id: string; linked_at: number }>()).results;

/** Opt-in requests without their token hashes. */
export const optinRequestsOf = async (db: D1Database, siteId: string, leadId: string) =>
  (await db.prepare(`SELECT magnet_id, profile, visitor_id, lang, consent_version, marketing_version, coupled, page_url, created_at,
                       expires_at, used_at, used_by FROM optin_tokens WHERE site_id = ? AND lead_id = ? ORDER BY created_at`)
    .bind(siteId, leadId).all<Row>()).results;

export const outboxOf = async (db: D1Database, siteId: string, leadId: string) =>
  (await db.prepare(`SELECT id, magnet_id, kind, lang, link_base, status, attempts, last_error, provider_id, created_at, updated_at, sent_at,
                       sequence_id, step_id, clicked_at
                FROM mail_outbox WHERE site_id = ? AND lead_id = ? ORDER BY created_at`).bind(siteId, leadId).all<Row>()).results;

/** The lead's events and those of its visitor ids not yet linked to it. */
export const eventsOfSubject = async (db: D1Database, siteId: string, leadId: string, visitorIds: string[]) =>
  (await db
    // Each half through its index (an OR of both would scan every event of the site).
    .prepare(`SELECT * FROM (
                SELECT event_id, kind, name, visitor_id, url, path, referrer, utm, target, magnet_id, engaged_ms, props, ts, client_ts,
                       received_at, country, 1 AS linked
                FROM events INDEXED BY events_by_lead WHERE site_id = ?1 AND lead_id = ?2
                UNION ALL
                SELECT event_id, kind, name, visitor_id, url, path, referrer, utm, target, magnet_id, engaged_ms, props, ts, client_ts,
                       received_at, country, 0 AS linked
                FROM events INDEXED BY events_by_visitor
                WHERE site_id = ?1 AND visitor_id IS NOT NULL AND visitor_id IN (SELECT value FROM json_each(?3)) AND lead_id IS NULL)
              ORDER BY ts, event_id`)
    .bind(siteId, leadId, JSON.stringify(visitorIds))
    .all<Row>()).results;

/** The scoring review's facts of the lead (its profile and behaviour at the hand-off, as the review judges them). */
export const outcomeFactsOf = (db: D1Database, siteId: string, leadId: string) =>
  db.prepare(`SELECT model_version, sales_status, ref_at, score, fit, engagement, facts, computed_at FROM outcome_facts
              WHERE site_id = ? AND lead_id = ?`).bind(siteId, leadId).first<Row>();
