import { describe, expect, it } from 'vitest';
import { createPreview, sameEngagement, type PreviewLead } from '../../../../edge/core/review/preview';
import { DEFAULT_MODEL, scoreFromScratch, type ScoringEvent, type ScoringModel } from '../../../../edge/core/scoring';
import { DAY, NOW } from './planted';

const events = (n: number, path = '/preise'): ScoringEvent[] =>
  Array.from({ length: n }, (_, i) => ({ seq: i, kind: i % 2 ? 'pricing_view' : 'pageview', ts: NOW - (n - i) * DAY, path, magnet: null, name: null }));

const leads: PreviewLead[] = [
  { id: 'a', status: 'confirmed', profile: { email: 'a@firm.example', companySize: '50-249', country: 'DE', role: 'CEO' }, events: events(8), outcome: { refAt: NOW - 3 * DAY, won: true } },
  { id: 'b', status: 'confirmed', profile: { email: 'b@gmail.com', companySize: '1-9', country: 'US' }, events: events(2), outcome: { refAt: NOW - 2 * DAY, won: false } },
  { id: 'c', status: 'confirmed', profile: { email: 'c@firm.example', companySize: '1000+', country: 'AT', industry: 'Software' }, events: events(12), outcome: { refAt: NOW - 5 * DAY, won: false } },
  { id: 'd', status: 'pending', profile: { email: 'd@firm.example', companySize: '50-249', country: 'CH' }, events: events(4) },
];

/** The same leads with their stored engagement instead of their events, as the edge reads them. */
const stored = (model: ScoringModel) => leads.map((l) => ({
  ...l,
  events: null,
  engagement: {
    now: scoreFromScratch(model, l.profile, l.events!, NOW).engagement,
    ...(l.outcome ? { atRef: scoreFromScratch(model, l.profile, l.events!.filter((e) => e.ts <= l.outcome!.refAt), l.outcome.refAt).engagement } : {}),
  },
}));

const run = (draft: ScoringModel, input: PreviewLead[]) => {
  const p = createPreview(DEFAULT_MODEL, draft, NOW);
  for (const l of input) p.add(l);
  return { ...p.summary(), movers: p.movers() };
};

describe('the preview', () => {
  it('gives the same answer from stored engagement as from replayed events when the draft keeps the engagement rules', () => {
    const draft = { ...DEFAULT_MODEL, version: 2, fit: DEFAULT_MODEL.fit.map((r) => (r.id === 'size-enterprise' ? { ...r, points: -3000 } : r)) };
    expect(sameEngagement(DEFAULT_MODEL, draft)).toBe(true);
    const replayed = run(draft, leads);
    expect(run(draft, stored(DEFAULT_MODEL))).toEqual(replayed);
    // The enterprise lead falls from the top to the bottom; the others move up a rank.
    expect(replayed.movers.down.map((m) => m.id)).toEqual(['c']);
    expect(replayed.movers.up.map((m) => m.id).sort()).toEqual(['a', 'b', 'd']);
    expect(replayed.stages.changed).toBe(1);
    expect(replayed.stages.changes[0]).toMatchObject({ to: 'confirmed', leads: 1 });
    expect(replayed.outcomes.leads).toBe(3);
  });

  it('replays the events when the draft changes behaviour, and refuses to guess without them', () => {
    const draft = { ...DEFAULT_MODEL, version: 2, engagement: DEFAULT_MODEL.engagement.map((r) => (r.id === 'pricing-view' ? { ...r, points: 500, capPerDay: 1000 } : r)) };
    expect(sameEngagement(DEFAULT_MODEL, draft)).toBe(false);
    const replayed = run(draft, leads);
    expect(replayed.temperatures.changed).toBeGreaterThan(0);
    expect(() => run(draft, stored(DEFAULT_MODEL))).toThrow(RangeError);
  });
});
