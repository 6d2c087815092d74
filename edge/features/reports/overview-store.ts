import { temperatureSql } from '../leads';
import { firstMagnetSql, firstTouchSql } from './lead-filter-store';

/**
 * The counts behind GET /v1/reports/overview, grouped in SQL. Each query
 * reads one index range (leads by creation time, stage changes by time) and
 * groups by UTC day; a first-magnet filter is applied in SQL. The first
 * touch cannot be told in SQL exactly as core/funnel sourceOf tells it (a
 * referrer's host name is the URL parser's business), so when `touch` is
 * asked, every group is split by the first event's [utm, referrer] as well,
 * and the use case keeps the groups of the source asked for: one index seek
 * per lead, the rows returned stay grouped.
 */

export interface LeadSetFilter {
  /** Only leads whose first magnet (consent ledger) is this one. */
  magnet: string | null;
  /** Split groups by the first touch, for a source filter outside SQL. */
  touch: boolean;
}

export interface CohortGroup {
  day: string;
  /** −1 below 0, 0–9 for [0, 10) … [90, 100), 10 from 100 on. */
  band: number;
  temperature: 'hot' | 'warm' | 'cold';
  /** JSON [utm, referrer] of the first event; null without events or when not asked. */
  touch: string | null;
  count: number;
}

export interface StageChangeGroup {
  day: string;
  stage: string;
  touch: string | null;
  count: number;
}

/**
 * The leads created in [from, to), by creation day, current score band and
 * temperature. `d` is the decay factor of now; `t` the model's
 * [basis, hot, warm] (leads' temperatureParams).
 */
export async function cohortGroups(
  db: D1Database, siteId: string, from: number, to: number, d: number, t: [string, number, number], f: LeadSetFilter,
): Promise<CohortGroup[]> {
  const { results } = await db
    .prepare(`
      SELECT day, band, temperature, touch, COUNT(*) AS count FROM (
        SELECT date(x.created_at / 1000, 'unixepoch') AS day,
               CASE WHEN x.score < 0 THEN -1 WHEN x.score >= 100 THEN 10 ELSE CAST(x.score / 10 AS INTEGER) END AS band,
               ${temperatureSql('x.score', 'x.engagement', { basis: '?5', hot: '?6', warm: '?7' })} AS temperature,
               ${f.touch ? firstTouchSql('x.id') : 'NULL'} AS touch
        FROM (SELECT l.id, l.created_at, COALESCE(s.fit, 0) + COALESCE(s.e_norm, 0) * ?4 AS score, COALESCE(s.e_norm, 0) * ?4 AS engagement
              FROM leads l INDEXED BY leads_by_site_created
              LEFT JOIN lead_scores s ON s.site_id = l.site_id AND s.lead_id = l.id
              WHERE l.site_id = ?1 AND l.created_at >= ?2 AND l.created_at < ?3
                AND (?8 IS NULL OR ${firstMagnetSql('l.id')} = ?8)) x)
      GROUP BY day, band, temperature, touch`)
    .bind(siteId, from, to, d, ...t, f.magnet)
    .all<CohortGroup>();
  return results;
}

/** Stage changes (stage_history, sales steps included) in [from, to) of the leads the filter keeps, by day and stage entered. */
export async function stageChangeGroups(db: D1Database, siteId: string, from: number, to: number, f: LeadSetFilter): Promise<StageChangeGroup[]> {
  const { results } = await db
    .prepare(`
      SELECT day, stage, touch, COUNT(*) AS count FROM (
        SELECT date(h.at / 1000, 'unixepoch') AS day, h.to_stage AS stage, ${f.touch ? firstTouchSql('h.lead_id') : 'NULL'} AS touch
        FROM stage_history h INDEXED BY stage_history_by_site_time
        WHERE h.site_id = ?1 AND h.at >= ?2 AND h.at < ?3
          AND (?4 IS NULL OR ${firstMagnetSql('h.lead_id')} = ?4))
      GROUP BY day, stage, touch`)
    .bind(siteId, from, to, f.magnet)
    .all<StageChangeGroup>();
  return results;
}
