import { buildReview } from '../../core/review/report';
import { modelAt } from '../scoring';
import { OPEN_DAYS } from './constants';
import { factRows, getSnapshot, putSnapshot } from './store';

const DAY = 86_400_000;
/** The default period of the report: hand-offs of the last year. */
export const DEFAULT_PERIOD_DAYS = 365;
/** A snapshot older than this is recomputed: the period slides and open leads age into "not won". */
export const SNAPSHOT_MAX_AGE_MS = 3_600_000;

/**
 * The review of the default period from its snapshot when it is fresh (same
 * model version, under an hour old, no facts changed since: a change drops
 * it), else computed and stored. Throws the 422 refusal below the minimum.
 */
export async function defaultReview(db: D1Database, siteId: string, modelVersion: number, now: number): Promise<string> {
  const s = await getSnapshot(db, siteId);
  if (s && s.modelVersion === modelVersion && s.openDays === OPEN_DAYS && now - s.computedAt < SNAPSHOT_MAX_AGE_MS && s.computedAt <= now) return s.report;
  const report = JSON.stringify(await reviewOf(db, siteId, modelVersion, { from: now - DEFAULT_PERIOD_DAYS * DAY, to: now, openDays: OPEN_DAYS }, now));
  await putSnapshot(db, siteId, { modelVersion, openDays: OPEN_DAYS, computedAt: now, report });
  return report;
}

/** The review of hand-offs in [from, to) from the stored facts, stamped with when it was computed. */
export async function reviewOf(db: D1Database, siteId: string, modelVersion: number, p: { from: number; to: number; openDays: number }, now: number) {
  const model = await modelAt(db, siteId, modelVersion);
  const rows = await factRows(db, siteId, modelVersion, { from: p.from, to: p.to });
  return { ...buildReview(model, rows, { now, ...p }), computedAt: new Date(now).toISOString() };
}
