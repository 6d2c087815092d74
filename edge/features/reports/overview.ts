import { modelAt } from '../scoring';
import { getSite } from '../sites';
import { temperatureParams } from '../leads';
import { decayFactor } from '../../core/scoring/decay';
import { sourceOf } from '../../core/funnel';
import { DAY } from './period';
import { cohortGroups, stageChangeGroups } from './overview-store';

/**
 * The overview of a period for the dashboard (GET /v1/reports/overview).
 *
 * - `newLeads`: the leads created in [from, to), per UTC day, every day of
 *   the period listed (count 0 included);
 * - `stageChanges`: the stage changes in [from, to) (stage_history: the
 *   score's stages and the sales steps), per UTC day and stage entered, of
 *   every lead the filters keep, whenever it was created; only pairs with
 *   changes are listed;
 * - `scoreDistribution` and `temperature`: the current scores (now) of the
 *   leads created in the period, in bands of 10 from 0 to 100, with those
 *   below 0 and from 100 on apart; the temperature is the lead list's
 *   (leads' temperatureSql, the rule of core/scoring temperatureOf);
 * - `totals`: the sums.
 *
 * `magnet` keeps the leads whose first magnet (consent ledger) it is, in
 * SQL; `source` those whose first touch core/funnel sourceOf names so, here
 * (see overview-store.ts): both as the funnel's by=magnet and by=source.
 */

export interface OverviewQuery {
  from: number;
  to: number;
  magnet: string | null;
  source: string | null;
}

export interface Overview {
  from: string;
  to: string;
  filters: { magnet: string | null; source: string | null };
  newLeads: { day: string; count: number }[];
  stageChanges: { day: string; stage: string; count: number }[];
  scoreDistribution: { bands: { from: number; to: number; count: number }[]; below: number; above: number };
  temperature: { hot: number; warm: number; cold: number };
  totals: { newLeads: number; stageChanges: number; byStage: Record<string, number> };
}

const BANDS = 10;
const BAND_WIDTH = 10;

/** The UTC days [from, to) touches, as YYYY-MM-DD. */
export function daysOf(from: number, to: number): string[] {
  const days: string[] = [];
  for (let t = Math.floor(from / DAY) * DAY; t < to; t += DAY) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** Whether a group's first touch ([utm, referrer] as JSON, or null) is the source asked for. */
function touchIs(source: string | null): (touch: string | null) => boolean {
  if (source === null) return () => true;
  const memo = new Map<string | null, boolean>();
  return (touch) => {
    let hit = memo.get(touch);
    if (hit === undefined) {
      const [utm, referrer] = touch ? (JSON.parse(touch) as [string | null, string | null]) : [null, null];
      hit = sourceOf(utm, referrer) === source;
      memo.set(touch, hit);
    }
    return hit;
  };
}

export async function overviewOf(db: D1Database, siteId: string, q: OverviewQuery, now: number): Promise<Overview> {
  const site = (await getSite(db, siteId))!;
  const model = await modelAt(db, siteId, site.scoringModelVersion);
  const filter = { magnet: q.magnet, touch: q.source !== null };
  const [cohort, changes] = await Promise.all([
    cohortGroups(db, siteId, q.from, q.to, decayFactor(now, model.halfLifeDays), temperatureParams(model), filter),
    stageChangeGroups(db, siteId, q.from, q.to, filter),
  ]);
  const keep = touchIs(q.source);

  const perDay = new Map<string, number>();
  const bands = Array.from({ length: BANDS }, (_, i) => ({ from: i * BAND_WIDTH, to: (i + 1) * BAND_WIDTH, count: 0 }));
  const scores = { bands, below: 0, above: 0 };
  const temperature = { hot: 0, warm: 0, cold: 0 };
  let newLeads = 0;
  for (const g of cohort) {
    if (!keep(g.touch)) continue;
    newLeads += g.count;
    perDay.set(g.day, (perDay.get(g.day) ?? 0) + g.count);
    if (g.band < 0) scores.below += g.count;
    else if (g.band >= BANDS) scores.above += g.count;
    else bands[g.band]!.count += g.count;
    temperature[g.temperature] += g.count;
  }

  const perDayStage = new Map<string, { day: string; stage: string; count: number }>();
  const byStage: Record<string, number> = {};
  let stageChanges = 0;
  for (const g of changes) {
    if (!keep(g.touch)) continue;
    stageChanges += g.count;
    byStage[g.stage] = (byStage[g.stage] ?? 0) + g.count;
    const key = `${g.day} ${g.stage}`;
    const row = perDayStage.get(key);
    if (row) row.count += g.count;
    else perDayStage.set(key, { day: g.day, stage: g.stage, count: g.count });
  }

  return {
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    filters: { magnet: q.magnet, source: q.source },
    newLeads: daysOf(q.from, q.to).map((day) => ({ day, count: perDay.get(day) ?? 0 })),
    stageChanges: [...perDayStage.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.stage < b.stage ? -1 : a.stage > b.stage ? 1 : 0)),
    scoreDistribution: scores,
    temperature,
    totals: { newLeads, stageChanges, byStage },
  };
}
