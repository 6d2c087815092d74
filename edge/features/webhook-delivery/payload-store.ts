import type { EventRow } from '../../core/event-row';
import type { LeadRow } from '../leads';

/** Plain reads of what a webhook payload says about a lead. */

export type SnapshotRow = Pick<LeadRow, 'id' | 'email' | 'status' | 'marketing' | 'first_name' | 'company' | 'role' | 'company_size' | 'industry'
  | 'country' | 'lang' | 'created_at' | 'confirmed_at' | 'withdrawn_at'>;

/** The stored columns of an event a payload shows, in the names the ingest path gives them. */
export type RecentEventRow = Pick<EventRow, 'kind' | 'name' | 'ts' | 'url' | 'path' | 'target' | 'magnetId' | 'utm'>;

export const leadSnapshotRow = (db: D1Database, siteId: string, leadId: string) =>
  db
    .prepare(`SELECT id, email, status, marketing, first_name, company, role, company_size, industry, country, lang,
                     created_at, confirmed_at, withdrawn_at
              FROM leads WHERE site_id = ? AND id = ?`)
    .bind(siteId, leadId)
    .first<SnapshotRow>();

/** Newest first. */
export const recentEventRows = async (db: D1Database, siteId: string, leadId: string, limit: number) =>
  (await db
    .prepare(`SELECT kind, name, ts, url, path, target, magnet_id AS magnetId, utm FROM events
              WHERE site_id = ? AND lead_id = ? ORDER BY ts DESC, event_id DESC LIMIT ?`)
    .bind(siteId, leadId, limit)
    .all<RecentEventRow>()).results;
