import { decayFactor } from '../../core/scoring/decay';

/**
 * Leads by current (decayed) score, through the index (site_id, fit, e_norm).
 *
 * The score at `now` is fit + e_norm·d with one d for the whole site, so
 * within one fit value e_norm orders leads exactly as the score does. Both
 * queries therefore work per distinct fit value (a few dozen at most: fit is
 * a sum of a handful of rule points): "top k" reads the first k rows of each
 * fit value, "score ≥ X" one index range per fit value. See
 * edge/core/scoring/ranking.ts for the math.
 */

export interface RankedLead {
  leadId: string;
  fit: number;
  eNorm: number;
  score: number;
}

/** Above this many distinct fit values, one ordered scan is cheaper than per-value ranges. */
const MAX_FIT_GROUPS = 200;

/** Distinct fit values of a site by skip-scan: one index seek per value. */
export async function distinctFits(db: D1Database, siteId: string): Promise<number[]> {
  const { results } = await db
    .prepare(`WITH RECURSIVE f(fit, n) AS (
                SELECT (SELECT MIN(fit) FROM lead_scores WHERE site_id = ?1), 0
                UNION ALL
                SELECT (SELECT MIN(fit) FROM lead_scores WHERE site_id = ?1 AND fit > f.fit), n + 1 FROM f
                WHERE f.fit IS NOT NULL AND n < ?2)
              SELECT fit FROM f WHERE fit IS NOT NULL`)
    .bind(siteId, MAX_FIT_GROUPS + 1)
    .all<{ fit: number }>();
  return results.map((r) => r.fit);
}

interface Row {
  lead_id: string;
  fit: number;
  e_norm: number;
}

/** Widens an index bound by a hair so rounding in (X − fit)/d never drops a row; exact scores decide after. */
const widen = (x: number, up: boolean) => (up ? x + Math.abs(x) * 1e-12 + 1e-12 : x - Math.abs(x) * 1e-12 - 1e-12);

/**
 * The leads of a site by current score at `now` (best first, ties by id),
 * optionally only those with score ≥ `minScore` and only after the keyset
 * position `after` (the previous page's last score and id). Returns one row
 * more than `limit` when there is more.
 */
export async function rankLeads(
  db: D1Database,
  siteId: string,
  opts: {
    limit: number; minScore?: number; now: number; halfLifeDays: number;
    /** The previous page's last row: its score, id, and its stored fit and e_norm. */
    after?: { value: number; id: string; fit: number; e: number } | null;
  },
): Promise<RankedLead[]> {
  const { limit, minScore, now, halfLifeDays, after } = opts;
  const fits = await distinctFits(db, siteId);
  if (!fits.length) return [];
  const d = decayFactor(now, halfLifeDays);
  const take = limit + 1;
  let rows: Row[];
  if (fits.length > MAX_FIT_GROUPS) {
    const { results } = await db
      .prepare(`SELECT lead_id, fit, e_norm FROM (SELECT lead_id, fit, e_norm, fit + e_norm * ?3 AS score FROM lead_scores WHERE site_id = ?1)
                WHERE (?2 IS NULL OR score >= ?2) AND (?4 IS NULL OR score < ?4 OR (score = ?4 AND lead_id > ?5))
                ORDER BY score DESC, lead_id LIMIT ?6`)
      .bind(siteId, minScore ?? null, d, after?.value ?? null, after?.id ?? null, take)
      .all<Row>();
    rows = results;
  } else {
    // One index range per fit value, each ordered like the overall list and
    // cut at limit + 1: one round trip for all of them.
    // In the last row's own fit group, ties on e_norm continue exactly by id.
    const range = db.prepare(`SELECT lead_id, fit, e_norm FROM lead_scores
                              WHERE site_id = ?1 AND fit = ?2 AND e_norm >= ?3 AND e_norm <= ?4
                              ORDER BY e_norm DESC, lead_id ASC LIMIT ?5`);
    const resume = db.prepare(`SELECT lead_id, fit, e_norm FROM lead_scores
                               WHERE site_id = ?1 AND fit = ?2 AND e_norm >= ?3 AND (e_norm < ?4 OR (e_norm = ?4 AND lead_id > ?6))
                               ORDER BY e_norm DESC, lead_id ASC LIMIT ?5`);
    const answers = await db.batch<Row>(fits.map((fit) => {
      const lower = minScore === undefined ? -Number.MAX_VALUE : widen((minScore - fit) / d, false);
      if (after && fit === after.fit) return resume.bind(siteId, fit, lower, after.e, take, after.id);
      const upper = after ? widen((after.value - fit) / d, true) : Number.MAX_VALUE;
      return range.bind(siteId, fit, lower, upper, take);
    }));
    rows = answers.flatMap((a) => a.results);
  }
  // Exact scores, computed as SQL computes them (fit + e_norm·d), decide.
  return rows
    .map((r) => ({ leadId: r.lead_id, fit: r.fit, eNorm: r.e_norm, score: r.fit + r.e_norm * d }))
    .filter((r) => (minScore === undefined || r.score >= minScore) &&
      (!after || r.fit === after.fit || r.score < after.value || (r.score === after.value && r.leadId > after.id)))
    .sort((a, b) => b.score - a.score || (a.leadId < b.leadId ? -1 : a.leadId > b.leadId ? 1 : 0))
    .slice(0, take);
}
