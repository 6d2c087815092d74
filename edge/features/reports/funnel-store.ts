/**
 * The lead funnel of a site for a period: the counts of one query, and the
 * leads of the cohort with the moment each first reached each step.
 *
 * Behaviour steps count distinct (consented) visitor ids with events
 * received in [from, to); visitors in anonymous mode have no id and cannot be
 * counted as people, so they appear only as `anonymousPageviews`. Lead steps
 * follow the cohort of leads created in the period: how many of them were
 * confirmed and ever reached MQL, SQL and, with sales, accepted, opportunity
 * and won (so conversions compare like with like). A step counts a lead that
 * reached it or any later one: a deal won without an "accepted" in between
 * was still accepted.
 */
import { firstEventSql, firstMagnetSql } from './lead-filter-store';

export interface BehaviourCounts {
  visitors: number;
  pricingVisitors: number;
  formViewers: number;
  anonymousPageviews: number;
}

export async function behaviourCounts(db: D1Database, siteId: string, from: number, to: number): Promise<BehaviourCounts> {
  const row = await db
    .prepare(`
      WITH ev AS (SELECT kind, visitor_id FROM events WHERE site_id = ?1 AND received_at >= ?2 AND received_at < ?3)
      SELECT
        (SELECT COUNT(DISTINCT visitor_id) FROM ev WHERE visitor_id IS NOT NULL) AS visitors,
        (SELECT COUNT(DISTINCT visitor_id) FROM ev WHERE visitor_id IS NOT NULL AND kind = 'pricing_view') AS pricingVisitors,
        (SELECT COUNT(DISTINCT visitor_id) FROM ev WHERE visitor_id IS NOT NULL AND kind = 'form_view') AS formViewers,
        (SELECT COUNT(*) FROM ev WHERE visitor_id IS NULL AND kind = 'pageview') AS anonymousPageviews`)
    .bind(siteId, from, to)
    .first<BehaviourCounts>();
  return row!;
}

/** A lead of the cohort: when it first reached each step (null: never), its deal, and what it can be grouped by. */
export interface CohortLead {
  createdAt: number;
  confirmedAt: number | null;
  mqlAt: number | null;
  sqlAt: number | null;
  acceptedAt: number | null;
  opportunityAt: number | null;
  wonAt: number | null;
  salesStatus: string | null;
  value: number | null;
  currency: string | null;
  country: string | null;
  industry: string | null;
  owner: string | null;
  magnet: string | null;
  /** The first event's UTM parameters (JSON) and referrer: the first touch. */
  firstUtm: string | null;
  firstReferrer: string | null;
}

/**
 * The cohort of leads created in [from, to), only those whose first magnet
 * is `onlyMagnet` when given. The first moment per step comes from one pass
 * over the site's stage history; the first touch and the magnet are looked
 * up per lead only when the report is broken down (or filtered) by them.
 */
export async function cohortLeads(
  db: D1Database, siteId: string, from: number, to: number, need: { source?: boolean; magnet?: boolean } = {}, onlyMagnet: string | null = null,
): Promise<CohortLead[]> {
  const firstEvent = (col: 'utm' | 'referrer') => need.source ? firstEventSql(col, 'l.id') : 'NULL';
  const cohort = `l.site_id = ?1 AND l.created_at >= ?2 AND l.created_at < ?3 AND (?4 IS NULL OR ${firstMagnetSql('l.id')} = ?4)`;
  const { results } = await db
    .prepare(`
      WITH h AS (
        SELECT lead_id,
               MIN(CASE WHEN to_stage = 'mql' THEN at END) AS mqlAt, MIN(CASE WHEN to_stage = 'sql' THEN at END) AS sqlAt,
               MIN(CASE WHEN to_stage = 'accepted' THEN at END) AS acceptedAt, MIN(CASE WHEN to_stage = 'opportunity' THEN at END) AS opportunityAt,
               MIN(CASE WHEN to_stage = 'won' THEN at END) AS wonAt
        FROM stage_history
        WHERE site_id = ?1 AND lead_id IN (SELECT l.id FROM leads l WHERE ${cohort})
        GROUP BY lead_id)
      SELECT l.created_at AS createdAt, l.confirmed_at AS confirmedAt, h.mqlAt, h.sqlAt, h.acceptedAt, h.opportunityAt, h.wonAt,
             l.sales_status AS salesStatus, l.deal_value AS value, l.deal_currency AS currency,
             l.country, l.industry, l.owner_id AS owner,
             ${need.magnet ? firstMagnetSql('l.id') : 'NULL'} AS magnet,
             ${firstEvent('utm')} AS firstUtm, ${firstEvent('referrer')} AS firstReferrer
      FROM leads l LEFT JOIN h ON h.lead_id = l.id
      WHERE ${cohort}`)
    .bind(siteId, from, to, onlyMagnet)
    .all<CohortLead>();
  return results;
}
