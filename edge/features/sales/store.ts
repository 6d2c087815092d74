import type { LeadRow } from '../leads';
import type { SalesStatus } from '../../core/sales';

/**
 * Data access for the sales side of a lead: its status after hand-off,
 * owner, outcome, CRM id and qualification (columns of `leads`), and the
 * queues of the cron (leads due for routing, answers overdue). Every write
 * carries a fresh `sales_rev`; statements that belong to it (history,
 * webhooks, mail, the owner's count) take effect only while it stands.
 */

export type SalesRow = Pick<LeadRow, 'id' | 'status' | 'email' | 'first_name' | 'company' | 'role' | 'company_size' | 'industry' | 'country'
  | 'lang' | 'sales_status' | 'sales_reason' | 'owner_id' | 'assigned_at' | 'sla_due_at' | 'deal_value' | 'deal_currency' | 'closed_at'
  | 'crm_id' | 'budget' | 'authority' | 'need' | 'timeline' | 'sales_rev' | 'engagement_since' | 'email_key'> & {
  /** The scoring stage (null before the first score). */
  stage: string | null;
};

/** The sales columns one write sets. */
export type SalesFields = Pick<SalesRow, 'sales_status' | 'sales_reason' | 'owner_id' | 'assigned_at' | 'sla_due_at' | 'deal_value'
  | 'deal_currency' | 'closed_at' | 'crm_id' | 'budget' | 'authority' | 'need' | 'timeline' | 'engagement_since'>;

export const SALES_FIELDS: readonly (keyof SalesFields)[] = ['sales_status', 'sales_reason', 'owner_id', 'assigned_at', 'sla_due_at', 'deal_value',
  'deal_currency', 'closed_at', 'crm_id', 'budget', 'authority', 'need', 'timeline', 'engagement_since'];

const SALES_COLUMNS = `
  l.id, l.status, l.email, l.email_key, l.first_name, l.company, l.role, l.company_size, l.industry, l.country, l.lang,
  l.sales_status, l.sales_reason, l.owner_id, l.assigned_at, l.sla_due_at, l.deal_value, l.deal_currency, l.closed_at, l.crm_id,
  l.budget, l.authority, l.need, l.timeline, l.sales_rev, l.engagement_since, s.stage`;

const SELECT_SALES = `SELECT ${SALES_COLUMNS} FROM leads l LEFT JOIN lead_scores s ON s.site_id = l.site_id AND s.lead_id = l.id`;

export async function salesRowOf(db: D1Database, siteId: string, leadId: string): Promise<SalesRow | null> {
  return db.prepare(`${SELECT_SALES} WHERE l.site_id = ? AND l.id = ?`).bind(siteId, leadId).first<SalesRow>();
}

/** Leads of a site by id, lower-cased address or CRM id (the keys of a bulk update). */
export async function salesRowsBy(db: D1Database, siteId: string, key: 'id' | 'email_key' | 'crm_id', values: readonly string[]): Promise<SalesRow[]> {
  if (!values.length) return [];
  const { results } = await db
    // From the list into the key's index: with "IN (list)" the planner would scan the site's leads.
    .prepare(`SELECT DISTINCT ${SALES_COLUMNS} FROM json_each(?2) j CROSS JOIN leads l ON l.site_id = ?1 AND l.${key} = j.value
              LEFT JOIN lead_scores s ON s.site_id = l.site_id AND s.lead_id = l.id`)
    .bind(siteId, JSON.stringify(values))
    .all<SalesRow>();
  return results;
}

/** Another lead of the site that has this CRM id already. */
export async function crmIdTaken(db: D1Database, siteId: string, crmId: string, leadId: string): Promise<boolean> {
  const r = await db.prepare('SELECT 1 AS x FROM leads WHERE site_id = ? AND crm_id = ? AND id != ?').bind(siteId, crmId, leadId).first();
  return r !== null;
}

/** The guard of the statements that belong to the sales write `rev`. */
export const salesWriteWon = (siteId: string, leadId: string, rev: string) => ({
  sql: 'EXISTS (SELECT 1 FROM leads WHERE site_id = ? AND id = ? AND sales_rev = ?)',
  params: [siteId, leadId, rev] as unknown[],
});

/**
 * The sales write itself: first in its batch. Optimistic: it takes effect
 * only if nobody wrote since `expectedRev` was read, and never on a
 * withdrawn lead.
 */
export function salesWriteStatement(
  db: D1Database,
  w: { siteId: string; leadId: string; expectedRev: string | null; rev: string; now: number; fields: SalesFields },
): D1PreparedStatement {
  const sets = SALES_FIELDS.map((f) => `${f} = ?`).join(', ');
  return db
    .prepare(`UPDATE leads SET ${sets}, sales_rev = ?, updated_at = ?
              WHERE site_id = ? AND id = ? AND sales_rev IS ? AND status != 'withdrawn'`)
    .bind(...SALES_FIELDS.map((f) => w.fields[f]), w.rev, w.now, w.siteId, w.leadId, w.expectedRev);
}

/**
 * Confirmed leads at their site's hand-off stage that nobody owns and sales
 * has not had (or had recycled): the routing queue. Oldest scores first.
 */
export async function dueForRouting(db: D1Database, limit: number, siteId?: string): Promise<{ siteId: string; leadId: string }[]> {
  const { results } = await db
    .prepare(`SELECT l.site_id, l.id FROM lead_scores s
              JOIN leads l ON l.site_id = s.site_id AND l.id = s.lead_id
              LEFT JOIN sales_settings ss ON ss.site_id = s.site_id
              WHERE s.stage IN ('mql', 'sql') AND (s.stage = 'sql' OR COALESCE(ss.handoff_stage, 'sql') = 'mql')
                AND (?2 IS NULL OR s.site_id = ?2)
                AND l.status = 'confirmed' AND l.owner_id IS NULL AND (l.sales_status IS NULL OR l.sales_status = 'recycled')
              ORDER BY s.updated_at LIMIT ?1`)
    .bind(limit, siteId ?? null)
    .all<{ site_id: string; id: string }>();
  return results.map((r) => ({ siteId: r.site_id, leadId: r.id }));
}

/** Open assignments whose owner did not answer in time. */
export async function overdueAssignments(db: D1Database, now: number, limit: number): Promise<{ siteId: string; leadId: string }[]> {
  const { results } = await db
    .prepare(`SELECT site_id, id FROM leads WHERE sla_due_at IS NOT NULL AND sla_due_at <= ? AND sales_status = 'open'
              ORDER BY sla_due_at LIMIT ?`)
    .bind(now, limit)
    .all<{ site_id: string; id: string }>();
  return results.map((r) => ({ siteId: r.site_id, leadId: r.id }));
}

export type { SalesStatus };

/** A lead waiting for its owner's answer (sales status open), with the deadline. */
export interface WaitingLead {
  id: string;
  email: string;
  firstName: string | null;
  company: string | null;
  ownerId: string | null;
  assignedAt: number | null;
  slaDueAt: number | null;
  /** The deadline has passed (the cron moves it on at its next run). */
  overdue: boolean;
}

/** Open assignments of a site, the most urgent first (overdue ones at the top): the dashboard's sales view. */
export async function waitingLeads(db: D1Database, siteId: string, now: number, limit: number): Promise<{ leads: WaitingLead[]; more: boolean }> {
  const { results } = await db
    .prepare(`SELECT id, email, first_name, company, owner_id, assigned_at, sla_due_at FROM leads
              WHERE site_id = ? AND sales_status = 'open'
              ORDER BY sla_due_at IS NULL, sla_due_at, id LIMIT ?`)
    .bind(siteId, limit + 1)
    .all<Pick<LeadRow, 'id' | 'email' | 'first_name' | 'company' | 'owner_id' | 'assigned_at' | 'sla_due_at'>>();
  return {
    more: results.length > limit,
    leads: results.slice(0, limit).map((r) => ({
      id: r.id, email: r.email, firstName: r.first_name, company: r.company, ownerId: r.owner_id, assignedAt: r.assigned_at,
      slaDueAt: r.sla_due_at, overdue: r.sla_due_at !== null && r.sla_due_at <= now,
    })),
  };
}
