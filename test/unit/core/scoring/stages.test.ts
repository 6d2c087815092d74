import { describe, expect, it } from 'vitest';
import { DAY_MS, decayFactor } from '../../../../edge/core/scoring/decay';
import { parseModel } from '../../../../edge/core/scoring/model';
import { crossingTime, mergeTopByScore, minENorm, scoreAt, thresholdRanges } from '../../../../edge/core/scoring/ranking';
import { currentScore, initialStageState, nextStage, qualifiedStage, temperatureOf, type StageState } from '../../../../edge/core/scoring/stages';

const H = 30;
const model = (extra: Record<string, unknown> = {}) =>
  parseModel({
    halfLifeDays: H,
    stageCooldownDays: 7,
    thresholds: { mql: 3000, sql: 4000, sqlMinFit: 3500, mqlMinEngagement: 20, sqlMinEngagement: 60 },
    temperature: { warm: 20, hot: 60 },
    fit: [],
    engagement: [],
    ...extra,
  });
const m = model();
const t0 = Date.UTC(2026, 10, 22, 12);
/** E_norm that is worth `e` engagement points at time t. */
const eAt = (e: number, t: number) => e / decayFactor(t, H);
const path = (r: { transitions: { from: string; to: string; direction: string }[] }) =>
  r.transitions.map((t) => `${t.from}>${t.to}:${t.direction}`);

describe('qualification', () => {
  it('needs a confirmed opt-in: pending and withdrawn leads stay there whatever the score', () => {
    expect(qualifiedStage(m, 'pending', 9000, 500)).toBe('pending');
    expect(qualifiedStage(m, 'withdrawn', 9000, 500)).toBe('withdrawn');
  });
  it('applies score thresholds, the SQL fit floor and the engagement floors', () => {
    expect(qualifiedStage(m, 'confirmed', 2990, 19)).toBe('confirmed');
    expect(qualifiedStage(m, 'confirmed', 6000, 19.99)).toBe('confirmed'); // fit alone does not make an MQL
    expect(qualifiedStage(m, 'confirmed', 2980, 20)).toBe('mql');
    expect(qualifiedStage(m, 'confirmed', 4000, 59)).toBe('mql');
    expect(qualifiedStage(m, 'confirmed', 3400, 700)).toBe('mql'); // sqlMinFit
    expect(qualifiedStage(m, 'confirmed', 3940, 60)).toBe('sql');
    const plain = model({ thresholds: { mql: 100, sql: 200 } });
    expect(qualifiedStage(plain, 'confirmed', 150, -50)).toBe('mql');
    expect(qualifiedStage(plain, 'confirmed', 0, 200)).toBe('sql');
  });
});

describe('nextStage', () => {
  it('moves one step at a time and records from, to, at, score and model version', () => {
    const r = nextStage(m, initialStageState(), { status: 'confirmed', fit: 4000, eNorm: eAt(80, t0) }, t0);
    expect(path(r)).toEqual(['pending>confirmed:up', 'confirmed>mql:up', 'mql>sql:up']);
    expect(r.transitions[2]).toMatchObject({ at: t0, fit: 4000, modelVersion: 1 });
    expect(r.transitions[2]!.score).toBeCloseTo(4080, 9);
    expect(r.state).toEqual({ stage: 'sql', since: t0, entered: { mql: t0, sql: t0 } });
    expect(r.temperature).toBe('hot');
  });

  it('changes nothing when nothing changed', () => {
    const a = nextStage(m, initialStageState(), { status: 'confirmed', fit: 3500, eNorm: eAt(30, t0) }, t0);
    const b = nextStage(m, a.state, { status: 'confirmed', fit: 3500, eNorm: eAt(30, t0) }, t0 + 1000);
    expect(b.transitions).toEqual([]);
    expect(b.state).toEqual(a.state);
  });

  it('drops back as engagement decays, exactly at recheckAt, and records each drop', () => {
    const input = { status: 'confirmed' as const, fit: 4000, eNorm: eAt(80, t0) };
    const a = nextStage(m, initialStageState(), input, t0);
    // 80 → 60 takes 30·log2(80/60) days.
    const expected = t0 + 30 * Math.log2(80 / 60) * DAY_MS;
    expect(Math.abs(a.recheckAt! - expected)).toBeLessThanOrEqual(2);
    expect(nextStage(m, a.state, input, a.recheckAt! - 2).transitions).toEqual([]);
    const b = nextStage(m, a.state, input, a.recheckAt!);
    expect(path(b)).toEqual(['sql>mql:down']);
    expect(b.engagement).toBeLessThan(60);
    expect(b.state).toMatchObject({ stage: 'mql', since: a.recheckAt, entered: { mql: t0, sql: t0 } });
    // Next: the MQL floor of 20 (80 → 20: two half-lives).
    expect(Math.abs(b.recheckAt! - (t0 + 60 * DAY_MS))).toBeLessThanOrEqual(2);
    const c = nextStage(m, b.state, input, b.recheckAt!);
    expect(path(c)).toEqual(['mql>confirmed:down']);
    expect(c.recheckAt).toBeNull();
  });

  it('drops several steps at once when the score falls (e.g. a new model or negative points)', () => {
    const sql: StageState = { stage: 'sql', since: t0, entered: { mql: t0, sql: t0 } };
    const r = nextStage(m, sql, { status: 'confirmed', fit: 1000, eNorm: 0 }, t0 + DAY_MS);
    expect(path(r)).toEqual(['sql>mql:down', 'mql>confirmed:down']);
  });

  it('fires again after the cool-down, not before (hysteresis)', () => {
    const high = (t: number) => ({ status: 'confirmed' as const, fit: 3000, eNorm: eAt(40, t) });
    const low = (t: number) => ({ status: 'confirmed' as const, fit: 3000, eNorm: eAt(5, t) });
    const a = nextStage(m, initialStageState(), high(t0), t0);
    expect(a.state.stage).toBe('mql');
    const b = nextStage(m, a.state, low(t0 + DAY_MS), t0 + DAY_MS);
    expect(path(b)).toEqual(['mql>confirmed:down']);
    // Back above the threshold after 3 days: held until 7 days after the last entry.
    const c = nextStage(m, b.state, high(t0 + 3 * DAY_MS), t0 + 3 * DAY_MS);
    expect(c.transitions).toEqual([]);
    expect(c.state.stage).toBe('confirmed');
    expect(c.qualified).toBe('mql');
    expect(c.heldUntil).toBe(t0 + 7 * DAY_MS);
    expect(c.recheckAt).toBe(t0 + 7 * DAY_MS);
    expect(nextStage(m, c.state, high(t0 + 7 * DAY_MS - 1), t0 + 7 * DAY_MS - 1).transitions).toEqual([]);
    const d = nextStage(m, c.state, high(t0 + 7 * DAY_MS), t0 + 7 * DAY_MS);
    expect(path(d)).toEqual(['confirmed>mql:up']);
    expect(d.state.entered.mql).toBe(t0 + 7 * DAY_MS);
    expect(d.heldUntil).toBeNull();
  });

  it('holds only the step that is cooling down', () => {
    const prev: StageState = { stage: 'confirmed', since: t0, entered: { mql: t0 - 30 * DAY_MS, sql: t0 - DAY_MS } };
    const r = nextStage(m, prev, { status: 'confirmed', fit: 4000, eNorm: eAt(90, t0) }, t0);
    expect(path(r)).toEqual(['confirmed>mql:up']);
    expect(r.heldUntil).toBe(t0 + 6 * DAY_MS);
  });

  it('fires on every crossing with a cool-down of 0', () => {
    const z = model({ stageCooldownDays: 0 });
    const a = nextStage(z, initialStageState(), { status: 'confirmed', fit: 3000, eNorm: eAt(40, t0) }, t0);
    const b = nextStage(z, a.state, { status: 'confirmed', fit: 3000, eNorm: 0 }, t0 + 1);
    const c = nextStage(z, b.state, { status: 'confirmed', fit: 3000, eNorm: eAt(40, t0 + 2) }, t0 + 2);
    expect([...path(a), ...path(b), ...path(c)]).toEqual([
      'pending>confirmed:up', 'confirmed>mql:up', 'mql>confirmed:down', 'confirmed>mql:up',
    ]);
  });

  it('follows the consent status: withdrawal in one step, re-confirmation climbs again', () => {
    const sql: StageState = { stage: 'sql', since: t0, entered: { mql: t0, sql: t0 } };
    const w = nextStage(m, sql, { status: 'withdrawn', fit: 5000, eNorm: eAt(100, t0) }, t0 + DAY_MS);
    expect(path(w)).toEqual(['sql>withdrawn:down']);
    expect(w.recheckAt).toBeNull();
    const p = nextStage(m, w.state, { status: 'pending', fit: 5000, eNorm: eAt(100, t0) }, t0 + 20 * DAY_MS);
    expect(path(p)).toEqual(['withdrawn>pending:up']);
    const c = nextStage(m, p.state, { status: 'confirmed', fit: 5000, eNorm: eAt(100, t0) }, t0 + 21 * DAY_MS);
    expect(path(c)).toEqual(['pending>confirmed:up', 'confirmed>mql:up', 'mql>sql:up']);
  });

  it('rises by decay alone when engagement is negative', () => {
    const plain = model({ thresholds: { mql: 100, sql: 200 }, stageCooldownDays: 0 });
    const input = { status: 'confirmed' as const, fit: 150, eNorm: eAt(-100, t0) };
    const a = nextStage(plain, initialStageState(), input, t0);
    expect(a.state.stage).toBe('confirmed');
    // −100 → −50 after one half-life.
    expect(Math.abs(a.recheckAt! - (t0 + 30 * DAY_MS))).toBeLessThanOrEqual(2);
    expect(path(nextStage(plain, a.state, input, a.recheckAt!))).toEqual(['confirmed>mql:up']);
  });
});

describe('temperature', () => {
  it('labels engagement by default, or the whole score', () => {
    expect(temperatureOf(m, 5000, 19.9)).toBe('cold');
    expect(temperatureOf(m, 5000, 20)).toBe('warm');
    expect(temperatureOf(m, 0, 60)).toBe('hot');
    const byScore = model({ temperature: { basis: 'score', warm: 3000, hot: 5000 } });
    expect(temperatureOf(byScore, 2999, 100)).toBe('cold');
    expect(temperatureOf(byScore, 3000, 0)).toBe('warm');
    expect(temperatureOf(byScore, 5000, 0)).toBe('hot');
    expect(currentScore(m, 3000, eAt(40, t0), t0 + 30 * DAY_MS)).toMatchObject({ temperature: 'warm', fit: 3000 });
  });
});

describe('ranking math for SQL', () => {
  /** Deterministic pseudo-random leads (no Math.random: reproducible). */
  const leads = Array.from({ length: 400 }, (_, i) => ({ id: i, fit: [0, 1000, 3000, 3500, 5000][i % 5]!, eNorm: ((i * 7919) % 1000) * 3 - 500 }));
  const now = Date.UTC(2027, 2, 1);

  it('scoreAt is fit plus decayed engagement', () => {
    expect(scoreAt(3000, eAt(40, now), now, H)).toBeCloseTo(3040, 9);
    expect(scoreAt(3000, eAt(40, now), now + 30 * DAY_MS, H)).toBeCloseTo(3020, 9);
  });

  it('per-fit e_norm ranges select exactly the leads with score ≥ X', () => {
    for (const X of [0, 1000, 3010.5, 4999, 6000]) {
      const ranges = thresholdRanges(leads.map((l) => l.fit), X, now, H);
      expect(ranges.map((r) => r.fit)).toEqual([0, 1000, 3000, 3500, 5000]);
      const byRange = leads.filter((l) => l.eNorm >= ranges.find((r) => r.fit === l.fit)!.minENorm).map((l) => l.id);
      const byScore = leads.filter((l) => scoreAt(l.fit, l.eNorm, now, H) >= X).map((l) => l.id);
      expect(byRange).toEqual(byScore);
      expect(ranges[0]!.minENorm).toBe(minENorm(X, 0, now, H));
    }
  });

  it('merging the top k of each fit group gives the global top k', () => {
    const k = 25;
    const groups = [...new Set(leads.map((l) => l.fit))].map((f) =>
      leads.filter((l) => l.fit === f).sort((a, b) => b.eNorm - a.eNorm).slice(0, k));
    const merged = mergeTopByScore(groups, k, now, H).map((l) => l.id);
    const global = [...leads].sort((a, b) => scoreAt(b.fit, b.eNorm, now, H) - scoreAt(a.fit, a.eNorm, now, H)).slice(0, k).map((l) => l.id);
    expect(merged).toEqual(global);
  });

  it('finds when a score decays to a threshold', () => {
    const eNorm = eAt(100, now);
    const t = crossingTime(3000, eNorm, 3050, H)!;
    expect(t).toBeCloseTo(now + 30 * DAY_MS, -1);
    expect(scoreAt(3000, eNorm, t, H)).toBeCloseTo(3050, 9);
    expect(crossingTime(3000, eNorm, 2900, H)).toBeNull(); // never below fit
    expect(crossingTime(3000, 0, 3050, H)).toBeNull();
  });
});
