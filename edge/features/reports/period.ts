import { invalid } from '../../http/problem';

/** Report periods: one rule for every report. */

export const DAY = 86_400_000;
/** The default period: the last 30 days. */
export const DEFAULT_DAYS = 30;
/** The longest period a report covers. */
export const MAX_DAYS = 400;

/** [from, to) from the optional query times: to defaults to now, from to 30 days before to; at most 400 days. */
export function periodOf(q: { from?: number | undefined; to?: number | undefined }, now = Date.now()): { from: number; to: number } {
  const to = q.to ?? now;
  const from = q.from ?? to - DEFAULT_DAYS * DAY;
  if (from >= to) throw invalid('"from" must be before "to".', [{ path: '/from', message: 'must be before to' }]);
  if (to - from > MAX_DAYS * DAY) throw invalid(`The period is longer than ${MAX_DAYS} days.`, [{ path: '/from', message: `must be at most ${MAX_DAYS} days before to` }]);
  return { from, to };
}
