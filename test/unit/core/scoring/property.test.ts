import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS, decayed } from '../../../../edge/core/scoring/decay';
import { applyEvent, emptyEngagementState, type EngagementState, type ScoringEvent } from '../../../../edge/core/scoring/engagement';
import { evaluateFit, type LeadProfile } from '../../../../edge/core/scoring/fit';
import { parseModel, type ScoringModel } from '../../../../edge/core/scoring/model';
import { replayEngagement, scoreFromScratch } from '../../../../edge/core/scoring/rescore';
import { nextStage, type LeadStatus, type StageResult, type StageState } from '../../../../edge/core/scoring/stages';

/**
 * Incremental (applyEvent, event by event in arrival order) equals from
 * scratch (scoreFromScratch, a closed-form replay written independently)
 * for random models and random event sequences, including out-of-order
 * timestamps, negative points, both caps and any half-life.
 */

const RUNS = 400;
const KINDS = ['pageview', 'pricing_view', 'download', 'form_submit', 'custom', 'optin_confirmed', 'magnet_download', 'outbound'] as const;
const PATHS = ['/', '/a', '/b', '/b/c', '/x', '/de/x/y', '/app#/pa', '/q/r/c', '/Preise/'];
const PATTERNS = ['/a', '/b/**', '**/x/**', '/app#/p*', '/*/c', '**/preise/**', '/?'];
const BASE = Date.UTC(2026, 10, 1);

const subset = <T>(items: readonly T[]) => fc.option(fc.uniqueArray(fc.constantFrom(...items), { minLength: 1, maxLength: 3 }), { nil: undefined });

const engagementRule = fc.record({
  kinds: subset(KINDS.slice(0, 7)),
  paths: subset(PATTERNS),
  magnets: subset(['m1', 'm2']),
  names: subset(['n1', 'N2']),
  points: fc.integer({ min: -60, max: 60 }),
  capPerDay: fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined }),
  capTotal: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
});

const fitRule = fc.oneof(
  fc.record({ field: fc.constant('companySize'), min: fc.constantFrom(1, 10, 50, 250, 1000), points: fc.integer({ min: -5000, max: 5000 }) }),
  fc.record({ field: fc.constant('country'), countries: subset(['DE', 'AT', 'US']).map((c) => c ?? ['DE']), points: fc.integer({ min: -500, max: 500 }) }),
  fc.record({ field: fc.constant('emailType'), is: fc.constantFrom('freemail', 'business'), points: fc.integer({ min: -500, max: 500 }) }),
  fc.record({ field: fc.constant('role'), keywords: subset(['ceo', 'head of', '*leiter']).map((k) => k ?? ['ceo']), points: fc.integer({ min: -500, max: 500 }) }),
);

const halfInt = (min: number, max: number) => fc.integer({ min, max }).map((n) => n + 0.5);

/**
 * Random valid models. Thresholds end in .5 while fit and raw points are
 * integers, so a score is never exactly at a threshold by construction; a
 * stage flip between two computations would then need a difference far
 * beyond rounding, and the stage comparison below stays exact.
 */
const modelArb = fc
  .record({
    version: fc.integer({ min: 1, max: 5 }),
    halfLifeDays: fc.oneof(fc.constantFrom(7, 30, 365), fc.double({ min: 7, max: 400, noNaN: true })),
    stageCooldownDays: fc.integer({ min: 0, max: 10 }),
    mql: halfInt(-100, 3000),
    sqlGap: fc.integer({ min: 0, max: 2000 }),
    sqlMinFit: fc.option(fc.integer({ min: -1000, max: 3000 }), { nil: undefined }),
    mqlMinEngagement: fc.option(halfInt(-20, 80), { nil: undefined }),
    sqlMinEngagement: fc.option(halfInt(-20, 150), { nil: undefined }),
    fit: fc.array(fitRule, { maxLength: 5 }),
    engagement: fc.array(engagementRule, { minLength: 1, maxLength: 8 }),
  })
  .map((r): ScoringModel =>
    parseModel({
      version: r.version,
      halfLifeDays: r.halfLifeDays,
      stageCooldownDays: r.stageCooldownDays,
      thresholds: {
        mql: r.mql, sql: r.mql + r.sqlGap, sqlMinFit: r.sqlMinFit, mqlMinEngagement: r.mqlMinEngagement, sqlMinEngagement: r.sqlMinEngagement,
      },
      temperature: { warm: 10, hot: 40 },
      fit: r.fit.map((f, i) => ({ id: `f${i}`, ...f })),
      // A rule with no criterion is invalid: fall back to a kind.
      engagement: r.engagement.map((e, i) => ({ id: `e${i}`, ...e, kinds: e.kinds ?? (e.paths || e.magnets || e.names ? undefined : ['pageview']) })),
    }),
  );

const eventArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  path: fc.option(fc.constantFrom(...PATHS), { nil: null }),
  magnet: fc.option(fc.constantFrom('m1', 'M2', 'm3'), { nil: null }),
  name: fc.option(fc.constantFrom('n1', 'n2', 'x'), { nil: null }),
  // ±40 days around BASE, to the millisecond: arrival order and time order differ.
  ts: fc.integer({ min: BASE - 40 * DAY_MS, max: BASE + 40 * DAY_MS }),
});

const profileArb: fc.Arbitrary<LeadProfile> = fc.record({
  email: fc.constantFrom('a@gmx.de', 'b@acme.de', null),
  companySize: fc.constantFrom('1-9', '10-49', '50-249', '250-999', '1000+', null),
  country: fc.constantFrom('de', 'AT', 'US', null),
  role: fc.constantFrom('CEO', 'Vertriebsleiter', 'Head of Sales', 'Intern', null),
});

const stageArb: fc.Arbitrary<StageState> = fc.record({
  stage: fc.constantFrom('pending', 'confirmed', 'mql', 'sql', 'withdrawn'),
  since: fc.constant(BASE - 50 * DAY_MS),
  entered: fc.record({
    mql: fc.option(fc.integer({ min: BASE - 60 * DAY_MS, max: BASE + 60 * DAY_MS }), { nil: undefined }),
    sql: fc.option(fc.integer({ min: BASE - 60 * DAY_MS, max: BASE + 60 * DAY_MS }), { nil: undefined }),
  }),
});

const scenario = fc.record({
  model: modelArb,
  profile: profileArb,
  events: fc.array(eventArb, { maxLength: 60, size: 'max' }),
  /** Gaps between seqs (arrival order): any positive integers. */
  gaps: fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 60, maxLength: 60 }),
  /** Where a rescore happens in the middle of the stream. */
  split: fc.nat(),
  nowAfter: fc.integer({ min: 0, max: 120 * DAY_MS }),
  prevStage: stageArb,
  status: fc.constantFrom<LeadStatus>('pending', 'confirmed', 'confirmed', 'withdrawn'),
  shuffleSeed: fc.integer(),
});

/** |a − b| within 1e-9, relative to `scale` (the sum of absolute contributions) when that is large. */
function close(a: number, b: number, scale: number, what: string) {
  const tol = 1e-9 * Math.max(1, Math.abs(scale));
  if (!(Math.abs(a - b) <= tol)) throw new Error(`${what}: ${a} vs ${b} (tolerance ${tol})`);
}

function compareStates(inc: EngagementState, ref: EngagementState) {
  expect(Object.keys(inc.rules).sort()).toEqual(Object.keys(ref.rules).sort());
  let scale = 0;
  for (const [id, r] of Object.entries(ref.rules)) {
    const i = inc.rules[id]!;
    expect({ ...i, norm: 0 }).toEqual({ ...r, norm: 0 });
    close(i.norm, r.norm, r.norm, `norm of ${id}`);
    scale += Math.abs(r.norm);
  }
  expect([inc.lastSeq, inc.events, inc.modelVersion]).toEqual([ref.lastSeq, ref.events, ref.modelVersion]);
  close(inc.eNorm, ref.eNorm, scale, 'eNorm');
  return scale;
}

function compareStages(a: StageResult, b: StageResult, scale: number) {
  expect(a.state).toEqual(b.state);
  expect([a.qualified, a.heldUntil, a.temperature]).toEqual([b.qualified, b.heldUntil, b.temperature]);
  expect(a.transitions.map(({ score: _s, engagement: _e, ...t }) => t)).toEqual(b.transitions.map(({ score: _s, engagement: _e, ...t }) => t));
  close(a.score, b.score, scale, 'score');
  if (a.recheckAt === null || b.recheckAt === null) expect(a.recheckAt).toBe(b.recheckAt);
  else expect(Math.abs(a.recheckAt - b.recheckAt)).toBeLessThanOrEqual(1);
}

/** A deterministic permutation (scoreFromScratch must not depend on the order it is given). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed | 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = Math.abs(x) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('incremental scoring equals scoring from scratch (property)', () => {
  it(`holds for random models and event sequences (${RUNS} runs)`, () => {
    let applied = 0;
    let capped = 0;
    let transitions = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const { model } = s;
        const H = model.halfLifeDays;
        let seq = 0;
        const events: ScoringEvent[] = s.events.map((e, i) => ({ ...e, seq: (seq += s.gaps[i]!) }));
        const now = Math.max(BASE, ...events.map((e) => e.ts)) + s.nowAfter;

        // Incremental, in arrival order; the deltas add up to E_norm.
        let state = emptyEngagementState(model);
        let deltas = 0;
        for (const e of events) {
          const r = applyEvent(model, state, e);
          expect(r.applied).toBe(true);
          deltas += r.delta;
          state = r.state;
          applied++;
        }

        // From scratch, given the events in another order.
        const ref = scoreFromScratch(model, s.profile, shuffled(events, s.shuffleSeed), now);
        const scale = compareStates(state, ref.state);
        close(deltas, ref.state.eNorm, scale, 'sum of deltas');
        close(decayed(state.eNorm, now, H), ref.engagement, decayed(scale, now, H), 'engagement now');
        capped += Object.values(ref.state.rules).filter((r) => r.capped).length;

        // Rescore after k events, then continue incrementally: same result.
        const k = events.length ? s.split % (events.length + 1) : 0;
        let resumed = replayEngagement(model, events.slice(0, k));
        for (const e of events.slice(k)) resumed = applyEvent(model, resumed, e).state;
        compareStates(resumed, ref.state);

        // Stages from either score are the same.
        const fit = evaluateFit(model, s.profile).fit;
        expect(fit).toBe(ref.fit.fit);
        const a = nextStage(model, s.prevStage, { status: s.status, fit, eNorm: state.eNorm }, now);
        const b = nextStage(model, s.prevStage, { status: s.status, fit, eNorm: ref.state.eNorm }, now);
        compareStages(a, b, fit + decayed(scale, now, H));
        expect(a.temperature).toBe(ref.temperature);
        transitions += a.transitions.length;
      }),
      { numRuns: RUNS },
    );
    if (process.env.SCORING_PROPERTY_STATS) console.log({ runs: RUNS, applied, capped, transitions });
    // The generators must actually exercise caps and stage changes.
    expect(applied).toBeGreaterThan(RUNS * 10);
    expect(capped).toBeGreaterThan(RUNS / 4);
    expect(transitions).toBeGreaterThan(RUNS / 4);
  });
});
