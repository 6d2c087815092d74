import { describe, expect, it } from 'vitest';
import { applyEvent, emptyEngagementState, type ScoringEvent } from '../../../../edge/core/scoring/engagement';
import { explain } from '../../../../edge/core/scoring/explain';
import { evaluateFit } from '../../../../edge/core/scoring/fit';
import { DEFAULT_MODEL as m } from '../../../../edge/core/scoring/model';
import { scoreFromScratch } from '../../../../edge/core/scoring/rescore';
import { initialStageState, nextStage } from '../../../../edge/core/scoring/stages';

/** The worked example of docs/scoring.md, step by step; keep both in sync. */
describe('worked example with the default model (docs/scoring.md)', () => {
  const profile = { email: 'jana@acme.de', role: 'Leiterin Marketing', companySize: '50-249', country: 'DE' };
  const U = (y: number, mo: number, d: number, h: number, min = 0) => Date.UTC(y, mo - 1, d, h, min);
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString().slice(0, 16));

  it('scores, stages and explains Jana', () => {
    const fit = evaluateFit(m, profile);
    expect(fit.fit).toBe(4000);
    expect(fit.rules.filter((r) => r.matched).map((r) => r.id)).toEqual(['size-icp', 'role-decision-maker', 'country-dach', 'email-business']);

    const events: ScoringEvent[] = [];
    let state = emptyEngagementState(m);
    const add = (e: Omit<ScoringEvent, 'seq'>) => {
      const ev = { seq: events.length + 1, ...e };
      events.push(ev);
      const r = applyEvent(m, state, ev);
      state = r.state;
      return r.hits.map((h) => `${h.id}:${h.points}`);
    };
    const stage = (prev: ReturnType<typeof initialStageState>, now: number) =>
      nextStage(m, prev, { status: 'confirmed', fit: fit.fit, eNorm: state.eNorm }, now);

    // 2 Nov: reads a blog post, the pricing page, signs up, confirms, downloads.
    expect(add({ kind: 'pageview', ts: U(2026, 11, 2, 9, 0), path: '/blog/lead-scoring' })).toEqual(['pageview:1']);
    expect(add({ kind: 'pageview', ts: U(2026, 11, 2, 9, 1), path: '/de/preise' })).toEqual(['pageview:1']);
    expect(add({ kind: 'pricing_view', ts: U(2026, 11, 2, 9, 1), path: '/de/preise' })).toEqual(['pricing-view:10']);
    expect(add({ kind: 'form_submit', ts: U(2026, 11, 2, 9, 5), magnet: 'scoring-guide' })).toEqual(['form-submit:20']);
    expect(add({ kind: 'optin_confirmed', ts: U(2026, 11, 2, 9, 10), magnet: 'scoring-guide' })).toEqual(['optin-confirmed:30']);
    expect(add({ kind: 'magnet_download', ts: U(2026, 11, 2, 9, 11), magnet: 'scoring-guide' })).toEqual(['download:15']);
    const a = stage(initialStageState(), U(2026, 11, 2, 9, 11));
    expect(a.engagement).toBeCloseTo(77, 2);
    expect(a.transitions.map((t) => t.to)).toEqual(['confirmed', 'mql', 'sql']);
    expect(a.temperature).toBe('hot');

    // 5 Nov: four pricing visits; the third and fourth hit the cap of 20 a day.
    const pricing = [10, 11, 12, 13].map((h) => {
      add({ kind: 'pageview', ts: U(2026, 11, 5, h), path: '/preise' });
      return add({ kind: 'pricing_view', ts: U(2026, 11, 5, h), path: '/preise' });
    });
    expect(pricing).toEqual([['pricing-view:10'], ['pricing-view:10'], ['pricing-view:0'], ['pricing-view:0']]);
    const b = stage(a.state, U(2026, 11, 5, 13));
    expect(b.engagement).toBeCloseTo(95.52, 2);
    expect(b.transitions).toEqual([]);
    expect(iso(b.recheckAt)).toBe('2026-11-25T16:01');

    // Silence: SQL until engagement decays below 60, MQL until below 20.
    const c = stage(b.state, b.recheckAt!);
    expect(c.transitions.map((t) => `${t.from}>${t.to}`)).toEqual(['sql>mql']);
    expect(iso(c.recheckAt)).toBe('2027-01-12T05:12');
    const d = stage(c.state, c.recheckAt!);
    expect(d.transitions.map((t) => `${t.from}>${t.to}`)).toEqual(['mql>confirmed']);
    expect(d.temperature).toBe('cold');

    // 20 Jan: back on the contact and pricing pages: MQL again (its last entry is months ago).
    add({ kind: 'pageview', ts: U(2027, 1, 20, 8, 0), path: '/kontakt' });
    add({ kind: 'pageview', ts: U(2027, 1, 20, 8, 5), path: '/preise' });
    add({ kind: 'pricing_view', ts: U(2027, 1, 20, 8, 5), path: '/preise' });
    const now = U(2027, 1, 20, 8, 5);
    const e = stage(d.state, now);
    expect(e.engagement).toBeCloseTo(38.58, 2);
    expect(e.transitions.map((t) => `${t.from}>${t.to}`)).toEqual(['confirmed>mql']);
    expect(e.temperature).toBe('warm');

    const ex = explain(m, fit, state, now);
    expect(ex.lines.slice(4, 6).map((l) => [l.id, Number(l.points.toFixed(2)), l.raw, l.count, l.capped])).toEqual([
      ['pricing-view', 15.08, 40, 6, true],
      ['contact-page', 10, 10, 1, false],
    ]);
    // Rescoring from the stored events gives the same.
    expect(scoreFromScratch(m, profile, events, now).score).toBeCloseTo(e.score, 9);
  });
});
