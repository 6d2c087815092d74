import type { EventRow } from '../../core/event-row';
import type { LeadRow } from '../leads';

/** Plain reads of what a webhook payload says about a lead. */

export type SnapshotRow = Pick<LeadRow, 'id' | 'email' | 'status' | 'marketing' | 'first_name' | 'company' | 'role' | 'company_size' | 'industry'
  | 'country' | 'lang' | 'created_at' | 'confirmed_at' | 'withdrawn_at' | 'sales_status' | 'sales_reason' | 'owner_id' | 'assigned_at'
  | 'sla_due_at' | 'deal_value' | 'deal_currency' | 'closed_at' | 'crm_id' | 'budget' | 'authority' | 'need' | 'timeline'>
  & { owner_name: string | null; owner_email: string | null };

/** The stored columns of an event a payload shows, in the names the ingest path gives them. */
export type RecentEventRow = Pick<EventRow, 'kind' | 'name' | 'ts' | 'url' | 'path' | 'target' | 'magnetId' | 'utm'>;

export const leadSnapshotRow = (db: D1Database, siteId: string, leadId: string) =>
  db
    .prepare(`SELECT l.id, l.email, l.status, l.marketing, l.first_name, l.company, l.role, l.company_size, l.industry, l.country, l.lang,
                     l.created_at, l.confirmed_at, l.withdrawn_at, l.sales_status, l.sales_reason, l.owner_id, l.assigned_at, l.sla_due_at,
                     l.deal_value, l.deal_currency, l.closed_at, l.crm_id, l.budget, l.authority, l.need, l.timeline,
                     o.name AS owner_name, o.email AS owner_email
              FROM leads l LEFT JOIN owners o ON o.site_id = l.site_id AND o.id = l.owner_id
              WHERE l.site_id = ? AND l.id = ?`)
    .bind(siteId, leadId)
    .first<SnapshotRow>();

/** Newest first. */
export const recentEventRows = async (db: D1Database, siteId: string, leadId: string, limit: number) =>
  (await db
    .prepare(`SELECT kind, name, ts, url, path, target, magnet_id AS magnetId, utm FROM events
              WHERE site_id = ? AND lead_id = ? ORDER BY ts DESC, event_id DESC LIMIT ?`)
    .bind(siteId, leadId, limit)
    .all<RecentEventRow>()).results;
