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
import { LEAD_STEPS, type CohortFunnel } from '../../core/funnel';

/** The cohort of leads `l` created in [?2, ?3) on site ?1, only those whose first magnet is ?4 when it is set. */
const COHORT_SQL = `l.site_id = ?1 AND l.created_at >= ?2 AND l.created_at < ?3 AND (?4 IS NULL OR ${firstMagnetSql('l.id')} = ?4)`;

/** Per lead of `leadIds` (a subquery on ?1's site), the first moment it entered each step after confirmed. */
const firstStageTimesSql = (leadIds: string) => `
  SELECT lead_id,
         MIN(CASE WHEN to_stage = 'mql' THEN at END) AS mqlAt, MIN(CASE WHEN to_stage = 'sql' THEN at END) AS sqlAt,
         MIN(CASE WHEN to_stage = 'accepted' THEN at END) AS acceptedAt, MIN(CASE WHEN to_stage = 'opportunity' THEN at END) AS opportunityAt,
         MIN(CASE WHEN to_stage = 'won' THEN at END) AS wonAt
  FROM stage_history WHERE site_id = ?1 AND lead_id IN (${leadIds}) GROUP BY lead_id`;

export interface BehaviourCounts {
  visitors: number;
  pricingVisitors: number;
  formViewers: number;
  anonymousPageviews: number;
}

/**
 * The behaviour steps of [from, to). For a period that reaches the present
 * (`to` not before `now`: no event is received later) a visitor is in it
 * exactly when its last event is, so the visitors rollup answers from one
 * index range of visitors; an older period is counted from its events.
 */
export async function behaviourCounts(db: D1Database, siteId: string, from: number, to: number, now: number): Promise<BehaviourCounts> {
  const anonymous = `SELECT COUNT(*) FROM events INDEXED BY events_anonymous_pageviews
                     WHERE site_id = ?1 AND received_at >= ?2 AND received_at < ?3 AND visitor_id IS NULL AND kind = 'pageview'`;
  const sql = to >= now
    ? `SELECT COUNT(*) AS visitors,
              COUNT(CASE WHEN last_pricing_at >= ?2 THEN 1 END) AS pricingVisitors,
              COUNT(CASE WHEN last_form_at >= ?2 THEN 1 END) AS formViewers,
              (${anonymous}) AS anonymousPageviews
       FROM visitors_seen INDEXED BY visitors_seen_by_time
       WHERE site_id = ?1 AND last_seen_at >= ?2`
    // One pass over the time index, which carries kind and visitor id (migration 0015): no row lookups.
    : `SELECT COUNT(DISTINCT visitor_id) AS visitors,
              COUNT(DISTINCT CASE WHEN kind = 'pricing_view' THEN visitor_id END) AS pricingVisitors,
              COUNT(DISTINCT CASE WHEN kind = 'form_view' THEN visitor_id END) AS formViewers,
              (${anonymous}) AS anonymousPageviews
       FROM events INDEXED BY events_by_site_time
       WHERE site_id = ?1 AND received_at >= ?2 AND received_at < ?3`;
  return (await db.prepare(sql).bind(siteId, from, to).first<BehaviourCounts>())!;
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
  const { results } = await db
    .prepare(`
      WITH h AS (${firstStageTimesSql(`SELECT l.id FROM leads l WHERE ${COHORT_SQL}`)})
      SELECT l.created_at AS createdAt, l.confirmed_at AS confirmedAt, h.mqlAt, h.sqlAt, h.acceptedAt, h.opportunityAt, h.wonAt,
             l.sales_status AS salesStatus, l.deal_value AS value, l.deal_currency AS currency,
             l.country, l.industry, l.owner_id AS owner,
             ${need.magnet ? firstMagnetSql('l.id') : 'NULL'} AS magnet,
             ${firstEvent('utm')} AS firstUtm, ${firstEvent('referrer')} AS firstReferrer
      FROM leads l LEFT JOIN h ON h.lead_id = l.id
      WHERE ${COHORT_SQL}`)
    .bind(siteId, from, to, onlyMagnet)
    .all<CohortLead>();
  return results;
}

/** LEAD_STEPS index of each stage after confirmed (they share their names), as SQL over `stage`; NULL for any other stage. */
const stepOfStageSql = (stage: string) =>
  `CASE ${stage} ${LEAD_STEPS.map((s, i) => (i < 2 ? '' : `WHEN '${s}' THEN ${i} `)).join('')}END`;

/**
 * The lead steps of the cohort of leads created in [from, to) counted in SQL
 * (only those whose first magnet is `onlyMagnet` when given): how many
 * leads got furthest to each step (LEAD_STEPS index 0–6), the middle gap or
 * two of every step (leadStepsOf takes their mean; left out without
 * `medians`), and the won deals per currency.
 * A few dozen rows back however large the cohort: the report without a
 * breakdown or a source filter (those read each lead's first touch,
 * cohortLeads).
 *
 * The counts never hold a row per lead: the cohort is counted from the
 * creation index (which carries confirmed_at), and only the leads with a
 * stage after confirmed are grouped, from one index seek each. A lead
 * without one got furthest to confirmed or to leads, so those two steps are
 * what remains of the cohort's totals. Only the medians need each lead's
 * step times, so that query runs only when they are asked for.
 */
export async function cohortFunnel(
  db: D1Database, siteId: string, from: number, to: number, onlyMagnet: string | null, medians = true,
): Promise<CohortFunnel> {
  const counts = db
    .prepare(`
      SELECT 'cohort' AS part, NULL AS step, COUNT(*) AS value, COUNT(l.confirmed_at) AS confirmed, NULL AS currency
      FROM leads l INDEXED BY leads_by_site_created WHERE ${COHORT_SQL}
      UNION ALL
      SELECT 'reached', furthest, COUNT(*), SUM(confirmed), NULL FROM (
        SELECT l.confirmed_at IS NOT NULL AS confirmed, MAX(${stepOfStageSql('h.to_stage')}) AS furthest
        FROM leads l INDEXED BY leads_by_site_created CROSS JOIN stage_history h INDEXED BY stage_history_by_lead
        WHERE ${COHORT_SQL} AND h.site_id = ?1 AND h.lead_id = l.id
        GROUP BY l.id)
      WHERE furthest IS NOT NULL GROUP BY furthest
      UNION ALL
      SELECT 'revenue', NULL, SUM(l.deal_value), NULL, l.deal_currency
      FROM leads l INDEXED BY leads_by_sales_status
      WHERE l.sales_status = 'won' AND ${COHORT_SQL} AND l.deal_value IS NOT NULL AND l.deal_currency IS NOT NULL AND l.deal_currency <> ''
      GROUP BY l.deal_currency`)
    .bind(siteId, from, to, onlyMagnet);
  // Step i's time and the one before it, for each of steps 1–6 (D1 caps compound SELECTs, so no UNION per step).
  const at = (offset: number) => `CASE s.value ${[1, 2, 3, 4, 5, 6].map((i) => `WHEN ${i} THEN t${i - offset}`).join(' ')} END`;
  const middles = db
    .prepare(`
      WITH c AS (
        SELECT l.id, l.created_at AS t0, l.confirmed_at AS t1
        FROM leads l INDEXED BY leads_by_site_created WHERE ${COHORT_SQL}),
      h AS (${firstStageTimesSql('SELECT id FROM c')}),
      x AS MATERIALIZED (
        SELECT c.t0, c.t1, h.mqlAt AS t2, h.sqlAt AS t3, h.acceptedAt AS t4, h.opportunityAt AS t5, h.wonAt AS t6
        FROM c LEFT JOIN h ON h.lead_id = c.id),
      g AS (
        SELECT step, cur - prev AS gap FROM (SELECT s.value AS step, ${at(1)} AS prev, ${at(0)} AS cur FROM x CROSS JOIN json_each('[1,2,3,4,5,6]') s)
        WHERE prev IS NOT NULL AND cur >= prev),
      ranked AS (SELECT step, gap, ROW_NUMBER() OVER (PARTITION BY step ORDER BY gap) AS rn, COUNT(*) OVER (PARTITION BY step) AS n FROM g)
      SELECT step, gap FROM ranked WHERE rn IN ((n + 1) / 2, n / 2 + 1)`)
    .bind(siteId, from, to, onlyMagnet);
  type CountRow = { part: 'cohort' | 'reached' | 'revenue'; step: number | null; value: number; confirmed: number | null; currency: string | null };
  let countRows: CountRow[];
  let middleRows: { step: number; gap: number }[] = [];
  if (medians) {
    const [a, b] = await db.batch([counts, middles]);
    countRows = a!.results as CountRow[];
    middleRows = b!.results as { step: number; gap: number }[];
  } else countRows = (await counts.all<CountRow>()).results;
  const out: CohortFunnel = { furthest: [], middles: [], revenue: {} };
  let leads = 0, confirmed = 0;
  for (const r of countRows) {
    if (r.part === 'cohort') {
      leads += r.value;
      confirmed += r.confirmed!;
    } else if (r.part === 'reached') {
      out.furthest[r.step!] = r.value;
      leads -= r.value;
      confirmed -= r.confirmed!;
    } else out.revenue[r.currency!] = r.value;
  }
  // What the leads past confirmed leave of the cohort: confirmed ones got furthest to confirmed, the rest to leads.
  out.furthest[1] = confirmed;
  out.furthest[0] = leads - confirmed;
  for (const r of middleRows) (out.middles[r.step] ??= []).push(r.gap);
  return out;
}
