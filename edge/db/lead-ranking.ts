import { decayFactor } from '../scoring/decay';
import { mergeTopByScore, thresholdRanges } from '../scoring';

/**
 * Leads by current (decayed) score, through the index (site_id, fit, e_norm).
 *
 * The score at `now` is fit + e_norm·d with one d for the whole site, so
 * within one fit value e_norm orders leads exactly as the score does. Both
 * queries therefore work per distinct fit value (a few dozen at most: fit is
 * a sum of a handful of rule points): "top k" reads the first k rows of each
 * fit value, "score ≥ X" one index range per fit value. See
 * edge/scoring/ranking.ts for the math.
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

/**
 * The leads of a site with the highest current score (ties: stable), or with
 * `minScore` only those at or above it, best first, at most `limit`.
 */
export async function rankLeads(
  db: D1Database,
  siteId: string,
  opts: { limit: number; minScore?: number; now: number; halfLifeDays: number },
): Promise<RankedLead[]> {
  const { limit, minScore, now, halfLifeDays } = opts;
  const fits = await distinctFits(db, siteId);
  if (!fits.length) return [];
  const d = decayFactor(now, halfLifeDays);
  let rows: Row[];
  if (fits.length > MAX_FIT_GROUPS) {
    const { results } = await db
      .prepare(`SELECT lead_id, fit, e_norm FROM lead_scores WHERE site_id = ?1 AND (?2 IS NULL OR fit + e_norm * ?3 >= ?2)
                ORDER BY fit + e_norm * ?3 DESC LIMIT ?4`)
      .bind(siteId, minScore ?? null, d, limit)
      .all<Row>();
    rows = results;
  } else {
    const ranges = minScore === undefined ? fits.map((fit) => ({ fit, minENorm: -Infinity })) : thresholdRanges(fits, minScore, now, halfLifeDays);
    // One index range per fit value, each already ordered and cut at `limit`:
    // one round trip for all of them.
    const stmt = db.prepare(`SELECT lead_id, fit, e_norm FROM lead_scores
                             WHERE site_id = ?1 AND fit = ?2 AND e_norm >= ?3 ORDER BY e_norm DESC LIMIT ?4`);
    const answers = await db.batch<Row>(ranges.map((r) => stmt.bind(siteId, r.fit, Number.isFinite(r.minENorm) ? r.minENorm : -1e308, limit)));
    rows = answers.flatMap((a) => a.results);
  }
  const lists = [rows.map((r) => ({ leadId: r.lead_id, fit: r.fit, eNorm: r.e_norm }))];
  return mergeTopByScore(lists, limit, now, halfLifeDays).filter((r) => minScore === undefined || r.score >= minScore);
}
