import { DAY_MS, decayFactor, MAX_EXPONENT, T0 } from './decay';

/**
 * The math the SQL layer needs to filter and sort leads by their current,
 * decayed score through an index, without touching rows as time passes.
 *
 * Stored per lead: `fit` (a number) and `e_norm` (E_norm, see decay.ts).
 * The score at `now` is fit + e_norm · d with d = decayFactor(now) > 0, the
 * same d for every lead of a site (one half-life per model).
 *
 * Exact index plans, with an index on (site_id, fit, e_norm):
 * - Within one fit value, the order of e_norm IS the order of the score (d is
 *   a positive constant at a given moment).
 * - `score ≥ X` is, for each distinct fit value f, the index range
 *   e_norm ≥ (X − f) / d on (site_id, f, e_norm): `thresholdRanges` yields
 *   the bounds. The union of those ranges is exactly the answer; no row
 *   outside it is read and no row inside it needs a recheck.
 * - "Top k by score" is, for each f, the first k rows of (site_id, f) by
 *   e_norm descending; merging those lists by score (`mergeTopByScore`)
 *   gives the exact top k.
 * The number of distinct fit values is small: fit is a sum of the points of
 * the matching fit rules, and real profiles fall into a few dozen
 * combinations. They can be listed through the same index by a skip-scan
 * (repeatedly "the smallest fit greater than the previous one"), or kept in
 * a small per-site table of fit values and lead counts.
 *
 * Floating point: the bound (X − f)/d is computed once; a lead exactly at the
 * boundary can land on either side by one rounding (≈1e-16 relative). Stage
 * decisions never use this path; they use the score computed in JS.
 */

export { decayFactor } from './decay';

/** The score at `now` of a lead with stored fit and E_norm. */
export function scoreAt(fit: number, eNorm: number, now: number, halfLifeDays: number): number {
  return fit + eNorm * decayFactor(now, halfLifeDays);
}

/** The smallest E_norm with which a lead of this fit has score ≥ threshold at `now`. */
export function minENorm(threshold: number, fit: number, now: number, halfLifeDays: number): number {
  return (threshold - fit) / decayFactor(now, halfLifeDays);
}

export interface FitRange {
  fit: number;
  /** Inclusive lower bound on e_norm for this fit value. */
  minENorm: number;
}

/** One index range per distinct fit value for `score ≥ threshold` at `now` (duplicates removed, ascending fit). */
export function thresholdRanges(fits: Iterable<number>, threshold: number, now: number, halfLifeDays: number): FitRange[] {
  const d = decayFactor(now, halfLifeDays);
  return [...new Set(fits)].sort((a, b) => a - b).map((fit) => ({ fit, minENorm: (threshold - fit) / d }));
}

/**
 * Merges per-fit candidate lists (each already the top k of its fit value by
 * e_norm) into the overall top k by score at `now`; ties by score keep a
 * stable order (by input position).
 */
export function mergeTopByScore<T extends { fit: number; eNorm: number }>(
  lists: readonly (readonly T[])[],
  k: number,
  now: number,
  halfLifeDays: number,
): (T & { score: number })[] {
  const d = decayFactor(now, halfLifeDays);
  return lists
    .flat()
    .map((row) => ({ ...row, score: row.fit + row.eNorm * d }))
    .sort((a, b) => b.score - a.score)
    .slice(0, Math.max(0, k));
}

/**
 * When the score fit + E_norm · decayFactor(t) of a lead without new events
 * equals `threshold`: decaying engagement moves the score monotonically
 * toward fit (down for positive, up for negative engagement), so there is at
 * most one such time. Null when it never happens (no engagement, or fit on
 * the same side as the score) or lies outside the representable range.
 * For an engagement floor, pass fit = 0.
 *
 * Use: store the next such time per lead and re-evaluate stages then
 * (stages.ts returns it as `recheckAt`), instead of scanning all leads.
 */
export function crossingTime(fit: number, eNorm: number, threshold: number, halfLifeDays: number): number | null {
  if (eNorm === 0) return null;
  const ratio = (threshold - fit) / eNorm;
  if (!(ratio > 0) || !Number.isFinite(ratio)) return null;
  const halfLives = -Math.log2(ratio);
  if (Math.abs(halfLives) > MAX_EXPONENT) return null;
  return T0 + halfLives * halfLifeDays * DAY_MS;
}
