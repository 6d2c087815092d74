import { compile, prepareEvent, ruleMatches } from './compile';
import { decayed, growth, utcDay } from './decay';
import { assertEvent, type EngagementState, type RuleState, type ScoringEvent } from './engagement';
import { evaluateFit, type FitResult, type LeadProfile } from './fit';
import type { ScoringModel } from './model';
import { temperatureOf, type Temperature } from './stages';

/**
 * Scoring from scratch: the reference that rescoring uses after a model
 * change, and the specification the incremental path is tested against.
 *
 * Deliberately written differently from engagement.ts (per rule and in
 * closed form, not event by event), so that the property test comparing the
 * two checks the cap semantics twice instead of running one code path twice:
 *
 * For one rule with points p (a = |p|), take its matching events in
 * canonical order (ascending seq). Each event's cap day is the running
 * maximum of their UTC days, so equal cap days form consecutive groups. A
 * group of n events may count L = min(n·a, capPerDay, capTotal − counted
 * before) in total; greedily, its k-th event (from 0) counts
 * clamp(L − k·a, 0, a). The rule is capped when some group counted less than
 * n·a.
 *
 * The result is a complete EngagementState: after a rescore, the caller
 * stores it and continues incrementally with events of higher seq.
 */

export interface ScoreSnapshot {
  fit: FitResult;
  state: EngagementState;
  /** Decayed engagement at `now`. */
  engagement: number;
  /** fit + engagement at `now`. */
  score: number;
  temperature: Temperature;
}

/** Events sorted into canonical order; throws on a repeated seq (the order would be ambiguous). */
export function canonicalOrder(events: readonly ScoringEvent[]): ScoringEvent[] {
  const sorted = [...events].sort((x, y) => x.seq - y.seq);
  for (let i = 0; i < sorted.length; i++) {
    assertEvent(sorted[i]!);
    if (i > 0 && sorted[i]!.seq === sorted[i - 1]!.seq) throw new RangeError(`two events share seq ${sorted[i]!.seq}`);
  }
  return sorted;
}

/** The engagement state after all `events`, replayed in canonical order. */
export function replayEngagement(model: ScoringModel, events: readonly ScoringEvent[]): EngagementState {
  const c = compile(model);
  const ordered = canonicalOrder(events);
  const prepared = ordered.map(prepareEvent);
  const rules: Record<string, RuleState> = {};
  let eNorm = 0;

  for (const r of c.engagement) {
    const matching = ordered.filter((_, i) => ruleMatches(r, prepared[i]!));
    if (matching.length === 0) continue;
    const a = Math.abs(r.points);
    const sign = Math.sign(r.points);

    // Cap days: the running maximum of UTC days, grouped.
    const groups: { day: number; events: ScoringEvent[] }[] = [];
    let capDay = Number.NEGATIVE_INFINITY;
    for (const e of matching) {
      const d = utcDay(e.ts);
      if (d > capDay || groups.length === 0) {
        capDay = Math.max(capDay, d);
        groups.push({ day: capDay, events: [] });
      }
      groups[groups.length - 1]!.events.push(e);
    }

    let total = 0;
    let norm = 0;
    let capped = false;
    let lastGroup = 0;
    for (const g of groups) {
      const n = g.events.length;
      const allowed = Math.max(0, Math.min(n * a, r.capPerDay, r.capTotal - total));
      if (allowed < n * a) capped = true;
      g.events.forEach((e, k) => {
        const counted = Math.max(0, Math.min(a, allowed - k * a));
        if (counted !== 0) norm += sign * counted * growth(e.ts, model.halfLifeDays);
      });
      total += allowed;
      lastGroup = allowed;
    }

    rules[r.id] = {
      count: matching.length,
      raw: total === 0 ? 0 : sign * total,
      day: groups[groups.length - 1]!.day,
      dayRaw: lastGroup === 0 ? 0 : sign * lastGroup,
      norm,
      capped,
      lastTs: matching.reduce((m, e) => Math.max(m, e.ts), Number.NEGATIVE_INFINITY),
    };
    eNorm += norm;
  }

  return {
    modelVersion: model.version,
    lastSeq: ordered.length ? ordered[ordered.length - 1]!.seq : -1,
    events: ordered.length,
    eNorm,
    rules,
  };
}

/**
 * The whole score of a lead from its profile and every event scored for it
 * (in any order; they are sorted by seq), evaluated at `now`.
 */
export function scoreFromScratch(
  model: ScoringModel,
  profile: LeadProfile,
  events: readonly ScoringEvent[],
  now: number,
): ScoreSnapshot {
  const fit = evaluateFit(model, profile);
  const state = replayEngagement(model, events);
  const engagement = decayed(state.eNorm, now, model.halfLifeDays);
  const score = fit.fit + engagement;
  return { fit, state, engagement, score, temperature: temperatureOf(model, score, engagement) };
}
