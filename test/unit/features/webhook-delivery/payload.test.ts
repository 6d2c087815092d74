import { describe, expect, it } from 'vitest';
import { eventTypeOf } from '../../../../edge/features/webhooks/store';
import { DEFAULT_MODEL, evaluateFit, explain, replayEngagement, type ScoringEvent } from '../../../../edge/core/scoring';
import { buildPayload, type EventSnapshot, type LeadSnapshot, type PayloadInput } from '../../../../edge/features/webhook-delivery/payload';

const T = Date.parse('2026-11-22T09:00:00Z');

const lead: LeadSnapshot = {
  id: 'ld_abcdefghijklmnop', email: 'jana.meyer@acme-industries.example', status: 'confirmed', marketing: true, firstName: 'Jana',
  company: 'Acme Industries', role: 'Head of Marketing', companySize: '250-999', industry: 'Software', country: 'DE', lang: 'de',
  createdAt: T - 86_400_000, confirmedAt: T - 86_000_000, withdrawnAt: null,
};

function events(n: number): EventSnapshot[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: i % 2 ? 'pricing_view' : 'pageview', name: null, ts: T - i * 60_000, url: `https://www.acme.example/p${i}`, path: `/p${i}`,
    target: null, magnetId: null, utm: i === 0 ? { source: 'newsletter' } : null,
  }));
}

function input(overrides: Partial<PayloadInput> = {}): PayloadInput {
  const scoring: ScoringEvent[] = [{ seq: 0, kind: 'pricing_view', ts: T - 60_000, path: '/preise', magnet: null, name: null }];
  const fit = evaluateFit(DEFAULT_MODEL, { email: lead.email, company: lead.company, role: lead.role, companySize: lead.companySize, industry: lead.industry, country: lead.country });
  const state = replayEngagement(DEFAULT_MODEL, scoring);
  const explanation = explain(DEFAULT_MODEL, fit, state, T);
  return {
    type: 'lead.stage_changed',
    siteId: 'demo',
    lead,
    change: { from: 'confirmed', to: 'mql', direction: 'up', at: T, score: 6010, fit: 6000, engagement: 10, modelVersion: 1 },
    historySeq: 42,
    score: { stage: 'mql', score: explanation.score, fit: explanation.fit, engagement: explanation.engagement, temperature: explanation.temperature, modelVersion: 1, explanation },
    events: events(25),
    now: T + 800,
    ...overrides,
  };
}

describe('webhook payload', () => {
  it('carries profile, stage change, score, explanation and the 20 newest events', () => {
    const p = buildPayload(input());
    expect(p.type).toBe('lead.stage_changed');
    expect(p.timestamp).toBe('2026-11-22T09:00:00.000Z');
    const d = p.data as any;
    expect(d.site).toBe('demo');
    expect(d.lead).toEqual({
      id: lead.id, email: lead.email, firstName: 'Jana', company: 'Acme Industries', role: 'Head of Marketing', companySize: '250-999',
      industry: 'Software', country: 'DE', lang: 'de', status: 'confirmed', marketingConsent: true,
      createdAt: '2026-11-21T09:00:00.000Z', confirmedAt: new Date(T - 86_000_000).toISOString(),
    });
    expect(d.stageChange).toEqual({ from: 'confirmed', to: 'mql', direction: 'up', at: '2026-11-22T09:00:00.000Z', score: 6010, fit: 6000, engagement: 10, modelVersion: 1, historySeq: 42 });
    expect(d.score).toMatchObject({ stage: 'mql', fit: 6000, modelVersion: 1 });
    expect(d.score.score).toBeCloseTo(6010, 1);
    const ids = d.explanation.map((l: any) => l.id);
    expect(ids).toEqual(expect.arrayContaining(['size-icp', 'industry-fit', 'role-decision-maker', 'country-dach', 'email-business', 'pricing-view']));
    expect(d.explanation[0]).toMatchObject({ id: 'size-icp', group: 'fit', points: 3000, count: 1, capped: false, lastAt: null });
    expect(d.explanation.find((l: any) => l.id === 'pricing-view')).toMatchObject({ group: 'engagement', raw: 10, count: 1, lastAt: '2026-11-22T08:59:00.000Z' });
    expect(d.recentEvents).toHaveLength(20);
    expect(d.recentEvents[0]).toEqual({ kind: 'pageview', name: null, at: '2026-11-22T09:00:00.000Z', url: 'https://www.acme.example/p0', path: '/p0', target: null, magnet: null, utm: { source: 'newsletter' } });
    expect(d.snapshotAt).toBe('2026-11-22T09:00:00.800Z');
    // JSON-safe all the way (it is frozen as text).
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });

  it('a withdrawal carries only what the receiver needs to stop', () => {
    const p = buildPayload(input({
      type: 'lead.withdrawn',
      lead: { ...lead, status: 'withdrawn', withdrawnAt: T },
      change: { from: 'mql', to: 'withdrawn', direction: 'down', at: T, score: 6010, fit: 6000, engagement: 10, modelVersion: 1 },
    }));
    const d = p.data as any;
    expect(Object.keys(d).sort()).toEqual(['lead', 'site', 'snapshotAt', 'stageChange']);
    expect(d.lead).toEqual({ id: lead.id, email: lead.email, status: 'withdrawn', withdrawnAt: '2026-11-22T09:00:00.000Z' });
    expect(JSON.stringify(p)).not.toContain('Acme Industries');
    expect(JSON.stringify(p)).not.toContain('pricing');
  });

  it('a lead without a score row still gets a payload (score null, no explanation)', () => {
    const d = buildPayload(input({ score: null, events: [] })).data as any;
    expect(d.score).toBeNull();
    expect(d.explanation).toEqual([]);
    expect(d.recentEvents).toEqual([]);
  });

  it('each stage change maps to exactly one event type', () => {
    expect(eventTypeOf({ from: 'pending', to: 'confirmed' })).toBe('lead.confirmed');
    expect(eventTypeOf({ from: 'withdrawn', to: 'confirmed' })).toBe('lead.confirmed');
    expect(eventTypeOf({ from: 'confirmed', to: 'mql' })).toBe('lead.stage_changed');
    expect(eventTypeOf({ from: 'mql', to: 'sql' })).toBe('lead.stage_changed');
    expect(eventTypeOf({ from: 'sql', to: 'mql' })).toBe('lead.stage_changed');
    expect(eventTypeOf({ from: 'mql', to: 'confirmed' })).toBe('lead.stage_changed');
    expect(eventTypeOf({ from: 'sql', to: 'withdrawn' })).toBe('lead.withdrawn');
  });
});
