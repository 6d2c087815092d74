import type { Cursor } from '../../core/cursor';
import { decayFactor } from '../../core/scoring/decay';
import type { ScoringModel } from '../../core/scoring';
import type { LeadRow } from './store';
import type { SegmentFilter } from '../segments';

/**
 * The filtered, sorted, keyset-paged lead list of the marketing API.
 *
 * Scores are compared at one snapshot time (`at`, carried in the cursor), so
 * every page of a listing orders leads by the same numbers. Keyset paging
 * (after the last row's sort value and id) means leads inserted meanwhile
 * never shift later pages: no gaps, no duplicates.
 */

export interface LeadFilters {
  stages?: string[];
  temperature?: 'cold' | 'warm' | 'hot';
  minScore?: number;
  updatedSince?: number;
  magnet?: string;
  q?: string;
  maxScore?: number;
  /** The sales owner's id (leads.owner_id). */
  owner?: string;
  /** The sales status after the hand-off (leads.sales_status), not the consent status. */
  salesStatus?: string;
  /** ISO 3166-1 alpha-2, upper case as stored. */
  country?: string;
  /** Exact, ignoring (ASCII) case. */
  industry?: string;
}

/**
 * The optional filters on lead columns and the score's upper bound, as SQL
 * only for the filters given (so the planner sees a plain `l.owner_id = ?`
 * and can use the site's owner and sales-status indexes), with numbered
 * parameters from `first` and their values in the same order.
 */
function columnFilters(f: LeadFilters, first: number): { inner: string; outer: string; values: (string | number)[] } {
  const values: (string | number)[] = [];
  const param = (value: string | number) => `?${first + values.push(value) - 1}`;
  const inner = [
    f.owner !== undefined ? `l.owner_id = ${param(f.owner)}` : '',
    f.salesStatus !== undefined ? `l.sales_status = ${param(f.salesStatus)}` : '',
    f.country !== undefined ? `l.country = ${param(f.country)}` : '',
    f.industry !== undefined ? `l.industry = ${param(f.industry)} COLLATE NOCASE` : '',
  ].filter(Boolean).map((c) => `AND ${c}`).join(' ');
  const outer = f.maxScore !== undefined ? `AND score <= ${param(f.maxScore)}` : '';
  return { inner, outer, values };
}

export interface LeadListRow {
  id: string;
  email: string;
  firstName: string | null;
  company: string | null;
  role: string | null;
  companySize: string | null;
  industry: string | null;
  country: string | null;
  status: string;
  stage: string;
  score: number;
  fit: number;
  engagement: number;
  updatedAt: number;
}

type Row = Pick<LeadRow, 'id' | 'email' | 'first_name' | 'company' | 'role' | 'company_size' | 'industry' | 'country' | 'status'> & {
  stage: string;
  fit: number;
  engagement: number;
  score: number;
  updated: number;
};

/**
 * A lead's temperature in SQL, the rule of core/scoring temperatureOf:
 * hot from `hot`, warm from `warm`, on the score or on the engagement as the
 * model's basis says. The arguments are SQL expressions (columns or
 * parameters such as '?9'); temperatureParams gives the values to bind for
 * basis, hot and warm. The lead list filters with it; reports count with it.
 */
export function temperatureSql(score: string, engagement: string, p: { basis: string; hot: string; warm: string }): string {
  const x = `(CASE WHEN ${p.basis} = 'score' THEN ${score} ELSE ${engagement} END)`;
  return `(CASE WHEN ${x} >= ${p.hot} THEN 'hot' WHEN ${x} >= ${p.warm} THEN 'warm' ELSE 'cold' END)`;
}

/** The values temperatureSql compares with: [basis, hot, warm] of the model. */
export const temperatureParams = (model: ScoringModel): [string, number, number] =>
  [model.temperature.basis ?? 'engagement', model.temperature.hot, model.temperature.warm];

/** LIKE pattern for a free-text search, with the wildcards of the input escaped. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

export async function queryLeads(
  db: D1Database,
  siteId: string,
  opts: { filters: LeadFilters; sort: 'score' | 'updated'; limit: number; at: number; after: Cursor | null; model: ScoringModel; leadId?: string },
): Promise<{ rows: LeadListRow[]; more: boolean }> {
  const { filters: f, sort, limit, at, after, model } = opts;
  const d = decayFactor(at, model.halfLifeDays);
  const t = temperatureParams(model);
  const sortExpr = sort === 'score' ? 'score' : 'updated';
  const columns = columnFilters(f, 16);
  const sql = `
    SELECT * FROM (
      SELECT l.id, l.email, l.first_name, l.company, l.role, l.company_size, l.industry, l.country, l.status,
             COALESCE(s.stage, l.status) AS stage,
             COALESCE(s.fit, 0) AS fit,
             COALESCE(s.e_norm, 0) * ?2 AS engagement,
             COALESCE(s.fit, 0) + COALESCE(s.e_norm, 0) * ?2 AS score,
             MAX(l.updated_at, COALESCE(s.updated_at, 0)) AS updated
      FROM leads l LEFT JOIN lead_scores s ON s.site_id = l.site_id AND s.lead_id = l.id
      WHERE l.site_id = ?1
        AND (?3 IS NULL OR l.email LIKE ?3 ESCAPE '\\' OR l.first_name LIKE ?3 ESCAPE '\\' OR l.company LIKE ?3 ESCAPE '\\')
        AND (?4 IS NULL OR EXISTS (SELECT 1 FROM events e WHERE e.site_id = l.site_id AND e.lead_id = l.id
                                   AND e.kind = 'form_submit' AND e.magnet_id = ?4))
        ${columns.inner}
    )
    WHERE (?5 IS NULL OR stage IN (SELECT value FROM json_each(?5)))
      AND (?6 IS NULL OR score >= ?6)
      AND (?7 IS NULL OR updated >= ?7)
      AND (?8 IS NULL OR ${temperatureSql('score', 'engagement', { basis: '?9', hot: '?10', warm: '?11' })} = ?8)
      AND (?15 IS NULL OR id = ?15)
      ${columns.outer}
      AND (?12 IS NULL OR ${sortExpr} < ?12 OR (${sortExpr} = ?12 AND id > ?13))
    ORDER BY ${sortExpr} DESC, id ASC
    LIMIT ?14`;
  const { results } = await db
    .prepare(sql)
    .bind(
      siteId, d, f.q ? likePattern(f.q) : null, f.magnet ?? null, f.stages?.length ? JSON.stringify(f.stages) : null,
      f.minScore ?? null, f.updatedSince ?? null, f.temperature ?? null, ...t,
      after ? after.value : null, after ? after.id : null, limit + 1, opts.leadId ?? null,
      ...columns.values,
    )
    .all<Row>();
  return {
    more: results.length > limit,
    rows: results.slice(0, limit).map((r) => ({
      id: r.id, email: r.email, firstName: r.first_name, company: r.company, role: r.role, companySize: r.company_size,
      industry: r.industry, country: r.country, status: r.status, stage: r.stage, score: r.score, fit: r.fit,
      engagement: r.engagement, updatedAt: r.updated,
    })),
  };
}

/** A saved segment's filter as the list's filters at `at` (its period is relative: updatedWithinDays before `at`). */
export function segmentLeadFilters(f: SegmentFilter, at: number): LeadFilters {
  return {
    stages: f.stage, temperature: f.temperature, minScore: f.minScore,
    updatedSince: f.updatedWithinDays !== undefined ? at - f.updatedWithinDays * 86_400_000 : undefined,
    magnet: f.magnet, q: f.q,
    maxScore: f.maxScore, owner: f.owner, salesStatus: f.salesStatus, country: f.country, industry: f.industry,
  };
}

/** Whether one lead is in the list the filters select at `at`: the very query of the list, narrowed to that lead. */
export async function leadMatches(db: D1Database, siteId: string, leadId: string, filters: LeadFilters, at: number, model: ScoringModel): Promise<boolean> {
  const { rows } = await queryLeads(db, siteId, { filters, sort: 'updated', limit: 1, at, after: null, model, leadId });
  return rows.length > 0;
}

/** The list columns of the given leads (any order), for a ranking computed outside SQL. */
export async function leadsByIds(db: D1Database, siteId: string, ids: string[]): Promise<Record<string, string | number | null>[]> {
  const { results } = await db
    .prepare(`SELECT l.id, l.email, l.first_name, l.company, l.role, l.company_size, l.industry, l.country, l.status,
                     COALESCE(s.stage, l.status) AS stage, MAX(l.updated_at, COALESCE(s.updated_at, 0)) AS updated
              FROM leads l LEFT JOIN lead_scores s ON s.site_id = l.site_id AND s.lead_id = l.id
              WHERE l.site_id = ? AND l.id IN (SELECT value FROM json_each(?))`)
    .bind(siteId, JSON.stringify(ids))
    .all<Record<string, string | number | null>>();
  return results;
}
