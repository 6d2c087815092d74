import type { Cursor } from '../../core/cursor';
import { decayFactor } from '../../core/scoring/decay';
import type { ScoringModel } from '../../core/scoring';
import type { LeadRow } from './store';

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

/** LIKE pattern for a free-text search, with the wildcards of the input escaped. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

export async function queryLeads(
  db: D1Database,
  siteId: string,
  opts: { filters: LeadFilters; sort: 'score' | 'updated'; limit: number; at: number; after: Cursor | null; model: ScoringModel },
): Promise<{ rows: LeadListRow[]; more: boolean }> {
  const { filters: f, sort, limit, at, after, model } = opts;
  const d = decayFactor(at, model.halfLifeDays);
  const t = model.temperature;
  const sortExpr = sort === 'score' ? 'score' : 'updated';
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
    )
    WHERE (?5 IS NULL OR stage IN (SELECT value FROM json_each(?5)))
      AND (?6 IS NULL OR score >= ?6)
      AND (?7 IS NULL OR updated >= ?7)
      AND (?8 IS NULL OR (CASE WHEN (CASE WHEN ?9 = 'score' THEN score ELSE engagement END) >= ?10 THEN 'hot'
                               WHEN (CASE WHEN ?9 = 'score' THEN score ELSE engagement END) >= ?11 THEN 'warm'
                               ELSE 'cold' END) = ?8)
      AND (?12 IS NULL OR ${sortExpr} < ?12 OR (${sortExpr} = ?12 AND id > ?13))
    ORDER BY ${sortExpr} DESC, id ASC
    LIMIT ?14`;
  const { results } = await db
    .prepare(sql)
    .bind(
      siteId, d, f.q ? likePattern(f.q) : null, f.magnet ?? null, f.stages?.length ? JSON.stringify(f.stages) : null,
      f.minScore ?? null, f.updatedSince ?? null, f.temperature ?? null, t.basis ?? 'engagement', t.hot, t.warm,
      after ? after.value : null, after ? after.id : null, limit + 1,
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
