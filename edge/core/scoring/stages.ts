import { DAY_MS, decayed } from './decay';
import type { ScoringModel } from './model';
import { crossingTime } from './ranking';

/**
 * Score, stages and temperature.
 *
 * Score at `now` = fit + engagement, engagement = E_norm · decayFactor(now).
 *
 * Stages follow the path of docs/domain.md: lead (pending → confirmed) → MQL →
 * SQL, plus withdrawn. The lead's consent status decides the first part,
 * the score the rest:
 * - pending / withdrawn: the stage is the status; scores do not matter
 *   (nobody hands over a lead without a confirmed opt-in).
 * - confirmed: MQL when score ≥ mql and (if set) engagement ≥
 *   mqlMinEngagement; SQL when, in addition, score ≥ sql and (if set)
 *   fit ≥ sqlMinFit and engagement ≥ sqlMinEngagement. Otherwise confirmed.
 *   Comparisons are ≥ on the double values.
 *
 * Transitions move one step at a time along confirmed → mql → sql, so a
 * jump from confirmed to SQL records confirmed→mql and mql→sql at the same
 * moment (funnel counts between consecutive stages stay consistent).
 * Status changes are single steps (anything → withdrawn, pending/withdrawn →
 * confirmed). Every transition carries from, to, at (= now), score, fit,
 * engagement, model version and direction; every transition is a stage
 * change event for webhooks.
 *
 * Hysteresis (the cool-down): a lead whose score drops below a threshold
 * (decay, negative points, a new model) drops back at once, and the drop is
 * recorded. Entering MQL or SQL (upwards) is allowed when the lead never
 * entered that stage before, or when at least `stageCooldownDays` have
 * passed since it last entered it. Within the cool-down the lead stays one
 * step below and `heldUntil` says when it may move up; the next evaluation
 * at or after that time moves it up (if it still qualifies) and fires again.
 * So each stage fires at most once per cool-down, and, unlike a threshold
 * that fires once ever, a lead that comes back is announced again. A cool-down
 * of 0 fires on every crossing. Drops are never delayed: a stage must not
 * claim more than the score supports.
 *
 * Without new events a lead's stage can still change: engagement decays (or,
 * when negative, recovers). `recheckAt` is the earliest moment that can
 * happen (exactly, from the decay curve) or the cool-down ends; evaluate the
 * lead again then and the transition is stamped to the millisecond.
 */

export type LeadStatus = 'pending' | 'confirmed' | 'withdrawn';
export type Stage = 'pending' | 'confirmed' | 'mql' | 'sql' | 'withdrawn';
/** Every stage, in funnel order (the filters of the lead list and of segments). */
export const STAGES = ['pending', 'confirmed', 'mql', 'sql', 'withdrawn'] as const satisfies readonly Stage[];
export type Temperature = 'cold' | 'warm' | 'hot';

/** What to persist per lead between evaluations. JSON-safe. */
export interface StageState {
  stage: Stage;
  /** When the current stage was entered; null before the first evaluation. */
  since: number | null;
  /** When the lead last entered MQL and SQL upwards (the cool-down's clock). */
  entered: { mql?: number; sql?: number };
}

export interface StageTransition {
  from: Stage;
  to: Stage;
  at: number;
  score: number;
  fit: number;
  engagement: number;
  modelVersion: number;
  direction: 'up' | 'down';
}

/** A stage change as the history keeps it: numbered per lead, stages as stored text. */
export interface StageHistoryEntry {
  seq: number;
  from: string;
  to: string;
  direction: 'up' | 'down';
  at: number;
  score: number;
  fit: number;
  engagement: number;
  modelVersion: number;
  /** Who made a sales change (absent for the scoring's own changes): e.g. "key:CRM sync", "routing". */
  by?: string;
  /** A sales change's particulars: reason, owner, value, currency. */
  detail?: Record<string, unknown>;
}

export interface StageInput {
  status: LeadStatus;
  fit: number;
  /** The lead's normalised engagement (EngagementState.eNorm). */
  eNorm: number;
  /**
   * Sales sent the lead back to marketing: its engagement counts only from
   * then on, and until there is some, fit alone cannot make it MQL or SQL.
   */
  needsNewEngagement?: boolean;
}

export interface StageResult {
  state: StageState;
  /** In order; empty when nothing changed. */
  transitions: StageTransition[];
  /** The stage the score qualifies for now (differs from state.stage only while held). */
  qualified: Stage;
  score: number;
  engagement: number;
  temperature: Temperature;
  /** While the cool-down holds the lead below `qualified`: when it ends. */
  heldUntil: number | null;
  /** The earliest time the stage may change without a new event; null if never. */
  recheckAt: number | null;
}

const RANK: Record<Stage, number> = { withdrawn: -1, pending: 0, confirmed: 1, mql: 2, sql: 3 };
const LADDER = ['pending', 'confirmed', 'mql', 'sql'] as const;

export function initialStageState(): StageState {
  return { stage: 'pending', since: null, entered: {} };
}

/** cold / warm / hot, on engagement (default) or on the whole score (`temperature.basis`). */
export function temperatureOf(model: ScoringModel, score: number, engagement: number): Temperature {
  const t = model.temperature;
  const x = t.basis === 'score' ? score : engagement;
  return x >= t.hot ? 'hot' : x >= t.warm ? 'warm' : 'cold';
}

/** The current score of a lead from its stored fit and E_norm. */
export function currentScore(model: ScoringModel, fit: number, eNorm: number, now: number) {
  const engagement = decayed(eNorm, now, model.halfLifeDays);
  const score = fit + engagement;
  return { fit, engagement, score, temperature: temperatureOf(model, score, engagement) };
}

/** The stage a lead qualifies for, ignoring the cool-down. */
export function qualifiedStage(model: ScoringModel, status: LeadStatus, fit: number, engagement: number): Stage {
  if (status !== 'confirmed') return status;
  const t = model.thresholds;
  const score = fit + engagement;
  const mql = score >= t.mql && (t.mqlMinEngagement === undefined || engagement >= t.mqlMinEngagement);
  if (!mql) return 'confirmed';
  const sql =
    score >= t.sql &&
    (t.sqlMinFit === undefined || fit >= t.sqlMinFit) &&
    (t.sqlMinEngagement === undefined || engagement >= t.sqlMinEngagement);
  return sql ? 'sql' : 'mql';
}

/** Evaluates a lead's stage at `now`. Pure: `prev` is not changed. */
export function nextStage(model: ScoringModel, prev: StageState, input: StageInput, now: number): StageResult {
  const { fit, eNorm, status } = input;
  const engagement = decayed(eNorm, now, model.halfLifeDays);
  const score = fit + engagement;
  const scored = qualifiedStage(model, status, fit, engagement);
  const qualified = input.needsNewEngagement && engagement <= 0 && RANK[scored] > RANK.confirmed ? 'confirmed' : scored;
  const cooldown = model.stageCooldownDays * DAY_MS;
  const entered = { ...prev.entered };
  const transitions: StageTransition[] = [];
  let stage = prev.stage;
  let since = prev.since;
  let heldUntil: number | null = null;

  const move = (to: Stage) => {
    transitions.push({
      from: stage, to, at: now, score, fit, engagement, modelVersion: model.version,
      direction: RANK[to] > RANK[stage] ? 'up' : 'down',
    });
    stage = to;
    since = now;
  };

  if (qualified === 'pending' || qualified === 'withdrawn') {
    if (stage !== qualified) move(qualified);
  } else {
    if (stage === 'pending' || stage === 'withdrawn') move('confirmed');
    while (RANK[stage] > RANK[qualified]) move(LADDER[RANK[stage] - 1]!);
    while (RANK[stage] < RANK[qualified]) {
      const next = LADDER[RANK[stage] + 1] as 'mql' | 'sql';
      const last = entered[next];
      if (last !== undefined && now < last + cooldown) {
        heldUntil = last + cooldown;
        break;
      }
      entered[next] = now;
      move(next);
    }
  }

  return {
    state: { stage, since, entered },
    transitions,
    qualified,
    score,
    engagement,
    temperature: temperatureOf(model, score, engagement),
    heldUntil,
    recheckAt: recheckAt(model, input, now, heldUntil),
  };
}

/**
 * The first moment after `now` at which any stage condition flips by decay
 * alone (score against mql/sql, engagement against the floors), or the
 * cool-down ends. One millisecond past the exact crossing, so that the
 * re-evaluation sees the new side despite rounding.
 */
function recheckAt(model: ScoringModel, input: StageInput, now: number, heldUntil: number | null): number | null {
  const times: number[] = heldUntil === null ? [] : [heldUntil];
  if (input.status === 'confirmed') {
    const t = model.thresholds;
    const H = model.halfLifeDays;
    const crossings = [
      crossingTime(input.fit, input.eNorm, t.mql, H),
      crossingTime(input.fit, input.eNorm, t.sql, H),
      t.mqlMinEngagement === undefined ? null : crossingTime(0, input.eNorm, t.mqlMinEngagement, H),
      t.sqlMinEngagement === undefined ? null : crossingTime(0, input.eNorm, t.sqlMinEngagement, H),
    ];
    for (const c of crossings) if (c !== null && c > now) times.push(Math.floor(c) + 1);
  }
  return times.length ? Math.min(...times) : null;
}
