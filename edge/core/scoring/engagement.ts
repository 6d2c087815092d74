import { compile, prepareEvent, ruleMatches } from './compile';
import { growth, utcDay } from './decay';
import type { ScoringModel } from './model';

/**
 * Incremental engagement: one event in, the lead's new state and the change
 * of its normalised engagement out, in O(number of rules), with no I/O.
 *
 * Canonical order. Caps make the result depend on the order of events (the
 * event that fills a cap counts, the next one does not), so the order is
 * defined once: ascending `seq`, an integer the caller assigns when it
 * scores an event for a lead, strictly increasing per lead. Arrival order is
 * the intended source (e.g. a per-lead counter bumped in the same D1 batch),
 * never the event's own `ts`: a client's offline queue may replay old
 * timestamps late, and the order must not change once an event is scored.
 * `applyEvent` refuses an event whose seq is not above the state's last one
 * (a retry, or a stitched older event), so a replay of the same events in
 * seq order (rescore.ts) always reproduces the incremental state.
 *
 * Cap semantics (all on raw points, before decay):
 * - Each matching event offers the rule's points p. The part that fits under
 *   both caps counts; the rest is dropped and the rule is marked capped.
 * - capTotal bounds |sum of counted points| of the rule over its lifetime.
 * - capPerDay bounds |sum of counted points| of the rule on one cap day. The
 *   cap day of an event is the latest UTC day of any event of this rule so
 *   far in canonical order: usually the event's own UTC day; an event that
 *   arrives late for an earlier day draws on the latest day's allowance. So
 *   one counter per rule suffices, no cap day ever exceeds capPerDay, and the
 *   total never exceeds capPerDay × (number of distinct days).
 * - A rule's points have one sign, so caps bound the absolute value for
 *   negative rules exactly as for positive ones: −10 with capTotal 30 counts
 *   at most −30. Symmetric by construction: negating every rule's points
 *   negates every score.
 * - Points dropped by caps do not come back when an earlier contribution
 *   decays: caps count raw points, and decay is a separate view on them.
 *
 * Several rules may match one event; each applies with its own caps.
 */

/** An event as scoring needs it. */
export interface ScoringEvent {
  /** The canonical order key: a safe integer ≥ 0, strictly increasing per lead in arrival order. */
  seq: number;
  /** Event kind, e.g. pageview, pricing_view, form_submit, optin_confirmed, magnet_download. */
  kind: string;
  /** Event time, epoch ms (clamped by the edge). Decides decay and the UTC day for caps. */
  ts: number;
  /** URL path with hash route, e.g. '/preise' or '/app#/pricing'. */
  path?: string | null;
  magnet?: string | null;
  /** Name of a custom event. */
  name?: string | null;
}

/** What a lead has accumulated under one rule. JSON-safe. */
export interface RuleState {
  /** Matching events, capped or not. */
  count: number;
  /** Raw points counted (after caps), signed. */
  raw: number;
  /** Current cap day (UTC days since 1970) and the raw points counted on it, signed. */
  day: number;
  dayRaw: number;
  /** Σ counted points · 2^((ts − T0)/H): this rule's part of E_norm. */
  norm: number;
  /** True once any points of this rule were dropped by a cap. */
  capped: boolean;
  /** Latest event time (max ts) of a matching event. */
  lastTs: number;
}

/** A lead's engagement state. JSON-safe; persist it as one document per lead. */
export interface EngagementState {
  /** The model version this state was computed with. */
  modelVersion: number;
  /** seq of the last applied event; −1 before any. */
  lastSeq: number;
  /** Events applied, matching or not. */
  events: number;
  /** Σ over rules of `norm`: the lead's normalised engagement (E_norm). */
  eNorm: number;
  /** Per rule id, only for rules that matched at least once. */
  rules: Record<string, RuleState>;
}

/** One rule's share of one event. */
export interface RuleHit {
  id: string;
  /** Raw points counted, signed. */
  points: number;
  /** Raw points dropped by caps (absolute). */
  dropped: number;
  /** Normalised contribution (points · growth(ts)). */
  norm: number;
}

export interface ApplyResult {
  state: EngagementState;
  /** Change of E_norm; 0 when not applied. */
  delta: number;
  applied: boolean;
  /**
   * Why not applied: 'stale-seq' (seq not above lastSeq: a retry, or an
   * older event that needs a replay) or 'model-version' (the state belongs
   * to another model version: rescore the lead).
   */
  reason?: 'stale-seq' | 'model-version';
  hits: RuleHit[];
}

export function emptyEngagementState(model: ScoringModel): EngagementState {
  return { modelVersion: model.version, lastSeq: -1, events: 0, eNorm: 0, rules: {} };
}

/** Own-property read: rule ids such as "constructor" must not hit Object.prototype. */
export function ruleState(state: EngagementState, id: string): RuleState | undefined {
  return Object.hasOwn(state.rules, id) ? state.rules[id] : undefined;
}

export function assertEvent(e: ScoringEvent): void {
  if (!Number.isSafeInteger(e.seq) || e.seq < 0) throw new TypeError(`event seq must be a safe integer ≥ 0, got ${e.seq}`);
  if (!Number.isFinite(e.ts)) throw new TypeError(`event ts must be finite epoch milliseconds, got ${e.ts}`);
}

/** Avoids −0 in stored state (JSON has no −0; tests compare with Object.is). */
const signed = (sign: number, magnitude: number) => (magnitude === 0 ? 0 : sign * magnitude);

/**
 * Applies one event. Pure: returns a new state (rule entries that did not
 * change are shared with the old one) and never mutates its input.
 */
export function applyEvent(model: ScoringModel, state: EngagementState, event: ScoringEvent): ApplyResult {
  assertEvent(event);
  if (state.modelVersion !== model.version) return { state, delta: 0, applied: false, reason: 'model-version', hits: [] };
  if (event.seq <= state.lastSeq) return { state, delta: 0, applied: false, reason: 'stale-seq', hits: [] };

  const c = compile(model);
  const e = prepareEvent(event);
  const w = growth(event.ts, model.halfLifeDays);
  const day = utcDay(event.ts);
  const hits: RuleHit[] = [];
  let rules = state.rules;
  let delta = 0;

  for (const r of c.engagement) {
    if (!ruleMatches(r, e)) continue;
    const prev = ruleState(state, r.id);
    const capDay = prev ? Math.max(prev.day, day) : day;
    const dayRaw = prev && prev.day === capDay ? prev.dayRaw : 0;
    const raw = prev?.raw ?? 0;
    const offered = Math.abs(r.points);
    const room = Math.max(0, Math.min(offered, r.capTotal - Math.abs(raw), r.capPerDay - Math.abs(dayRaw)));
    const sign = Math.sign(r.points);
    const counted = signed(sign, room);
    const norm = counted === 0 ? 0 : counted * w;
    if (rules === state.rules) rules = { ...state.rules };
    rules[r.id] = {
      count: (prev?.count ?? 0) + 1,
      raw: raw + counted,
      day: capDay,
      dayRaw: dayRaw + counted,
      norm: (prev?.norm ?? 0) + norm,
      capped: (prev?.capped ?? false) || room < offered,
      lastTs: prev ? Math.max(prev.lastTs, event.ts) : event.ts,
    };
    delta += norm;
    hits.push({ id: r.id, points: counted, dropped: offered - room, norm });
  }

  return {
    state: { modelVersion: state.modelVersion, lastSeq: event.seq, events: state.events + 1, eNorm: state.eNorm + delta, rules },
    delta,
    applied: true,
    hits,
  };
}
