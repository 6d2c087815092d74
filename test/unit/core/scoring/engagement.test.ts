import { describe, expect, it } from 'vitest';
import { DAY_MS, decayed, decayFactor, growth, horizon, MAX_EXPONENT, normalise, T0 } from '../../../../edge/core/scoring/decay';
import { applyEvent, emptyEngagementState, type EngagementState, type ScoringEvent } from '../../../../edge/core/scoring/engagement';
import { explain } from '../../../../edge/core/scoring/explain';
import { evaluateFit } from '../../../../edge/core/scoring/fit';
import { DEFAULT_MODEL, parseModel, type ScoringModel } from '../../../../edge/core/scoring/model';
import { replayEngagement, scoreFromScratch } from '../../../../edge/core/scoring/rescore';

const model = (engagement: unknown[], extra: Record<string, unknown> = {}) =>
  parseModel({ thresholds: { mql: 100, sql: 200 }, temperature: { warm: 10, hot: 50 }, fit: [], engagement, ...extra });

/** Applies events in order, asserting each is applied; returns the final state and each event's raw points per rule. */
function run(m: ScoringModel, events: Omit<ScoringEvent, 'seq'>[], from: EngagementState = emptyEngagementState(m)) {
  let state = from;
  const counted: Record<string, number>[] = [];
  events.forEach((e, i) => {
    const r = applyEvent(m, state, { seq: from.lastSeq + 1 + i, ...e });
    expect(r.applied).toBe(true);
    counted.push(Object.fromEntries(r.hits.map((h) => [h.id, h.points])));
    state = r.state;
  });
  return { state, counted };
}

const day = (d: number, h = 12) => Date.UTC(2026, 5, d, h);

describe('caps', () => {
  it('caps per UTC day: the part that fits counts, the rest is dropped, the next UTC day starts afresh', () => {
    const m = model([{ id: 'pricing', kinds: ['pricing_view'], points: 10, capPerDay: 25 }]);
    const lastMs = Date.UTC(2026, 5, 1, 23, 59, 59, 999);
    const { state, counted } = run(m, [
      { kind: 'pricing_view', ts: day(1, 8) },
      { kind: 'pricing_view', ts: day(1, 9) },
      { kind: 'pricing_view', ts: day(1, 10) },
      { kind: 'pricing_view', ts: lastMs },
      { kind: 'pricing_view', ts: lastMs + 1 },
    ]);
    expect(counted.map((c) => c.pricing)).toEqual([10, 10, 5, 0, 10]);
    expect(state.rules.pricing).toMatchObject({ count: 5, raw: 35, dayRaw: 10, day: Math.floor((lastMs + 1) / DAY_MS), capped: true, lastTs: lastMs + 1 });
  });

  it('reports dropped points per event', () => {
    const m = model([{ id: 'p', kinds: ['pageview'], points: 10, capPerDay: 15 }]);
    let s = applyEvent(m, emptyEngagementState(m), { seq: 1, kind: 'pageview', ts: day(1) }).state;
    const r = applyEvent(m, s, { seq: 2, kind: 'pageview', ts: day(1) });
    expect(r.hits).toEqual([{ id: 'p', points: 5, dropped: 5, norm: normalise(5, day(1), 30) }]);
    s = r.state;
    expect(s.rules.p!.capped).toBe(true);
  });

  it('charges a late event for an earlier day to the latest day seen (one counter, never above the cap)', () => {
    const m = model([{ id: 'p', kinds: ['pageview'], points: 10, capPerDay: 20 }]);
    const { counted, state } = run(m, [
      { kind: 'pageview', ts: day(2) },
      { kind: 'pageview', ts: day(1) }, // late: draws on day 2's allowance
      { kind: 'pageview', ts: day(1) }, // day 2 is full
      { kind: 'pageview', ts: day(3) },
    ]);
    expect(counted.map((c) => c.p)).toEqual([10, 10, 0, 10]);
    expect(state.rules.p).toMatchObject({ raw: 30, capped: true, lastTs: day(3) });
  });

  it('caps in total across days, together with the cap per day', () => {
    const m = model([{ id: 'dl', kinds: ['download'], points: 30, capTotal: 50, capPerDay: 40 }]);
    const { counted, state } = run(m, [
      { kind: 'download', ts: day(1) },
      { kind: 'download', ts: day(1) }, // day cap leaves 10
      { kind: 'download', ts: day(2) }, // total cap leaves 10
      { kind: 'download', ts: day(3) },
    ]);
    expect(counted.map((c) => c.dl)).toEqual([30, 10, 10, 0]);
    expect(state.rules.dl).toMatchObject({ count: 4, raw: 50, capped: true });
  });

  it('bounds the absolute value for negative rules', () => {
    const m = model([
      { id: 'jobs', kinds: ['pageview'], paths: ['**/karriere/**'], points: -10, capTotal: 25 },
      { id: 'spam', kinds: ['pageview'], paths: ['**/karriere/**'], points: -7, capPerDay: 10 },
    ]);
    const { counted, state } = run(m, [
      { kind: 'pageview', ts: day(1), path: '/de/karriere' },
      { kind: 'pageview', ts: day(1), path: '/karriere/dev' },
      { kind: 'pageview', ts: day(2), path: '/karriere' },
      { kind: 'pageview', ts: day(2), path: '/karriere' },
    ]);
    expect(counted.map((c) => c.jobs)).toEqual([-10, -10, -5, 0]);
    expect(counted.map((c) => c.spam)).toEqual([-7, -3, -7, -3]);
    expect(state.rules.jobs).toMatchObject({ raw: -25, capped: true });
    expect(state.rules.spam).toMatchObject({ raw: -20, dayRaw: -10, capped: true });
  });

  it('is symmetric: negating every rule negates the engagement exactly', () => {
    const rules = [
      { id: 'a', kinds: ['pageview'], points: 7, capPerDay: 10, capTotal: 30 },
      { id: 'b', kinds: ['download'], points: 15, capTotal: 20 },
    ];
    const pos = model(rules);
    const neg = model(rules.map((r) => ({ ...r, points: -r.points })));
    const events = [day(1), day(1), day(2), day(2), day(3)].flatMap((ts, i) => [
      { seq: 2 * i, kind: 'pageview', ts },
      { seq: 2 * i + 1, kind: 'download', ts },
    ]);
    const p = replayEngagement(pos, events);
    const n = replayEngagement(neg, events);
    expect(n.eNorm).toBe(-p.eNorm);
    expect(n.rules.a!.raw).toBe(-p.rules.a!.raw);
    expect(n.rules.a!.capped).toBe(p.rules.a!.capped);
  });
});

describe('order and purity', () => {
  const m = model([{ id: 'p', kinds: ['pageview'], points: 1 }]);
  it('refuses an event whose seq is not above the last one, and a state of another model version', () => {
    const s = applyEvent(m, emptyEngagementState(m), { seq: 5, kind: 'pageview', ts: day(1) }).state;
    const again = applyEvent(m, s, { seq: 5, kind: 'pageview', ts: day(1) });
    expect(again).toMatchObject({ applied: false, reason: 'stale-seq', delta: 0 });
    expect(again.state).toBe(s);
    const other = parseModel({ ...m, version: 2 });
    expect(applyEvent(other, s, { seq: 6, kind: 'pageview', ts: day(1) })).toMatchObject({ applied: false, reason: 'model-version' });
  });
  it('never mutates its input state', () => {
    const s0 = applyEvent(m, emptyEngagementState(m), { seq: 1, kind: 'pageview', ts: day(1) }).state;
    const frozen = structuredClone(s0);
    applyEvent(m, s0, { seq: 2, kind: 'pageview', ts: day(2) });
    expect(s0).toEqual(frozen);
  });
  it('counts events that match no rule, but changes no rule', () => {
    const r = applyEvent(m, emptyEngagementState(m), { seq: 1, kind: 'outbound', ts: day(1) });
    expect(r).toMatchObject({ applied: true, delta: 0, hits: [] });
    expect(r.state).toMatchObject({ events: 1, lastSeq: 1, rules: {} });
  });
  it('rejects malformed events', () => {
    expect(() => applyEvent(m, emptyEngagementState(m), { seq: 1.5, kind: 'pageview', ts: day(1) })).toThrow(TypeError);
    expect(() => applyEvent(m, emptyEngagementState(m), { seq: 1, kind: 'pageview', ts: Number.NaN })).toThrow(TypeError);
  });
  it('matches kinds AND paths AND magnets AND names', () => {
    const mm = model([
      { id: 'guide', kinds: ['form_submit'], magnets: ['guide'], points: 20 },
      { id: 'demo', kinds: ['custom'], names: ['Demo Requested'], points: 50 },
      { id: 'app-pricing', paths: ['**/pricing/**'], points: 10 },
    ]);
    const hits = (e: Omit<ScoringEvent, 'seq'>) => applyEvent(mm, emptyEngagementState(mm), { seq: 1, ...e }).hits.map((h) => h.id);
    expect(hits({ kind: 'form_submit', ts: day(1), magnet: 'Guide' })).toEqual(['guide']);
    expect(hits({ kind: 'form_submit', ts: day(1), magnet: 'other' })).toEqual([]);
    expect(hits({ kind: 'form_view', ts: day(1), magnet: 'guide' })).toEqual([]);
    expect(hits({ kind: 'custom', ts: day(1), name: ' demo requested ' })).toEqual(['demo']);
    expect(hits({ kind: 'custom', ts: day(1), name: 'other', path: '/app#/pricing' })).toEqual(['app-pricing']);
    expect(hits({ kind: 'pageview', ts: day(1) })).toEqual([]);
  });
});

describe('decay', () => {
  it('halves engagement every half-life, exactly', () => {
    for (const H of [7, 30, 365]) {
      const m = model([{ id: 'p', kinds: ['download'], points: 15 }], { halfLifeDays: H });
      const t = Date.UTC(2026, 10, 22, 9, 30);
      const s = applyEvent(m, emptyEngagementState(m), { seq: 1, kind: 'download', ts: t }).state;
      expect(decayed(s.eNorm, t, H)).toBeCloseTo(15, 12);
      expect(decayed(s.eNorm, t + H * DAY_MS, H)).toBeCloseTo(7.5, 12);
      expect(decayed(s.eNorm, t + 2 * H * DAY_MS, H)).toBeCloseTo(3.75, 12);
      expect(decayed(s.eNorm, t + 10 * H * DAY_MS, H) / decayed(s.eNorm, t + 9 * H * DAY_MS, H)).toBeCloseTo(0.5, 14);
    }
  });
  it('is exact at T0 and uses the same factor for every lead', () => {
    expect(growth(T0, 30)).toBe(1);
    expect(decayFactor(T0 + 30 * DAY_MS, 30)).toBe(0.5);
    expect(normalise(10, T0 + 60 * DAY_MS, 30)).toBe(40);
  });
  it('refuses times outside the representable range instead of overflowing', () => {
    const { to, from } = horizon(7);
    expect(to).toBe(T0 + MAX_EXPONENT * 7 * DAY_MS);
    expect(Number.isFinite(growth(to, 7))).toBe(true);
    expect(() => growth(to + DAY_MS, 7)).toThrow(RangeError);
    expect(() => decayFactor(from - DAY_MS, 7)).toThrow(RangeError);
    expect(new Date(horizon(30).to).getUTCFullYear()).toBe(2104);
  });
});

describe('explanation', () => {
  it('lists fit and engagement rules by absolute contribution, with raw points, counts, caps and last time', () => {
    const now = Date.UTC(2026, 10, 22, 12);
    const profile = { email: 'jane@gmx.de', role: 'CEO', companySize: '10-49', country: 'AT' };
    const events: ScoringEvent[] = [
      { seq: 1, kind: 'pageview', ts: now - 10 * DAY_MS, path: '/karriere' },
      { seq: 2, kind: 'pageview', ts: now - 10 * DAY_MS, path: '/karriere/jobs' },
      { seq: 3, kind: 'pageview', ts: now - 10 * DAY_MS, path: '/jobs' },
      { seq: 4, kind: 'pageview', ts: now - 10 * DAY_MS, path: '/careers' },
      { seq: 5, kind: 'form_submit', ts: now - 2 * DAY_MS, magnet: 'guide' },
      { seq: 6, kind: 'optin_confirmed', ts: now - DAY_MS },
      { seq: 7, kind: 'optin_confirmed', ts: now - DAY_MS + 1000 },
    ];
    const snap = scoreFromScratch(DEFAULT_MODEL, profile, events, now);
    const ex = explain(DEFAULT_MODEL, evaluateFit(DEFAULT_MODEL, profile), snap.state, now);
    expect(ex.lines.map((l) => l.id)).toEqual([
      // 300 and −300 tie by size: by id then.
      'size-small', 'role-decision-maker', 'country-dach', 'email-freemail', 'optin-confirmed', 'careers-page', 'form-submit', 'pageview',
    ]);
    const byId = Object.fromEntries(ex.lines.map((l) => [l.id, l]));
    expect(byId['email-freemail']).toMatchObject({ group: 'fit', points: -300, count: 1, lastTs: null });
    expect(byId['careers-page']).toMatchObject({ group: 'engagement', raw: -30, count: 4, capped: true, lastTs: now - 10 * DAY_MS });
    expect(byId['careers-page']!.points).toBeCloseTo(-30 * 2 ** (-10 / 30), 9);
    expect(byId['optin-confirmed']).toMatchObject({ raw: 30, count: 2, capped: true, lastTs: now - DAY_MS + 1000 });
    expect(byId['pageview']).toMatchObject({ raw: 4, count: 4, capped: false });
    expect(ex.fit).toBe(1000 + 500 + 300 - 300);
    expect(ex.engagement).toBeCloseTo(ex.lines.filter((l) => l.group === 'engagement').reduce((s, l) => s + l.points, 0), 9);
    expect(ex.score).toBeCloseTo(snap.score, 9);
    expect(ex.temperature).toBe(snap.temperature);
  });
});
