/**
 * The lead funnel of a site for a period, as one query.
 *
 * Behaviour steps count distinct (consented) visitor ids with events
 * received in [from, to); visitors in anonymous mode have no id and cannot be
 * counted as people, so they appear only as `anonymousPageviews`. Lead steps
 * follow the cohort of leads created in the period: how many of them were
 * confirmed and ever reached MQL and SQL (so conversions compare like with like).
 */
export interface FunnelCounts {
  visitors: number;
  pricingVisitors: number;
  formViewers: number;
  leads: number;
  confirmed: number;
  mql: number;
  sql: number;
  anonymousPageviews: number;
}

export async function funnelCounts(db: D1Database, siteId: string, from: number, to: number): Promise<FunnelCounts> {
  const row = await db
    .prepare(`
      WITH ev AS (SELECT kind, visitor_id FROM events WHERE site_id = ?1 AND received_at >= ?2 AND received_at < ?3),
           cohort AS (SELECT id, confirmed_at FROM leads WHERE site_id = ?1 AND created_at >= ?2 AND created_at < ?3)
      SELECT
        (SELECT COUNT(DISTINCT visitor_id) FROM ev WHERE visitor_id IS NOT NULL) AS visitors,
        (SELECT COUNT(DISTINCT visitor_id) FROM ev WHERE visitor_id IS NOT NULL AND kind = 'pricing_view') AS pricingVisitors,
        (SELECT COUNT(DISTINCT visitor_id) FROM ev WHERE visitor_id IS NOT NULL AND kind = 'form_view') AS formViewers,
        (SELECT COUNT(*) FROM ev WHERE visitor_id IS NULL AND kind = 'pageview') AS anonymousPageviews,
        (SELECT COUNT(*) FROM cohort) AS leads,
        (SELECT COUNT(*) FROM cohort WHERE confirmed_at IS NOT NULL) AS confirmed,
        (SELECT COUNT(*) FROM cohort c WHERE EXISTS (SELECT 1 FROM stage_history h WHERE h.site_id = ?1 AND h.lead_id = c.id AND h.to_stage IN ('mql', 'sql'))) AS mql,
        (SELECT COUNT(*) FROM cohort c WHERE EXISTS (SELECT 1 FROM stage_history h WHERE h.site_id = ?1 AND h.lead_id = c.id AND h.to_stage = 'sql')) AS sql`)
    .bind(siteId, from, to)
    .first<FunnelCounts>();
  return row!;
}

/** The report: each step with its count and the conversion from the step before (null for the first, or after a zero). */
export function funnelReport(c: FunnelCounts) {
  const steps = [
    ['visitors', c.visitors], ['pricing_visitors', c.pricingVisitors], ['form_viewers', c.formViewers], ['leads', c.leads],
    ['confirmed', c.confirmed], ['mql', c.mql], ['sql', c.sql],
  ] as const;
  return steps.map(([step, count], i) => {
    const before = i ? steps[i - 1]![1] : null;
    return { step, count, conversion: before ? count / before : null, lost: before === null ? null : Math.max(0, before - count) };
  });
}
