import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { DEFAULT_MODEL, parseModel, type ScoringModelInput } from '../../../edge/core/scoring';
import { refreshLead, stitchVisitor } from '../../../edge/features/scoring/lead-scoring';
import { runScoringMaintenance } from '../../../edge/features/scoring/maintenance';
import { call, collect, createSite, eventId, expectProblem, pageview } from '../helpers';
import { apiKey, expectConsistent, scoredEvents, seedLead, storedScore } from '../scoring-helpers';

const ORIGIN = 'https://www.example.com';
const ev = (kind: string, extra: Record<string, unknown> = {}) => ({ id: eventId(), kind, ts: Date.now(), url: `${ORIGIN}/`, ...extra });
const vidOf = () => `vid_${Math.random().toString(36).slice(2, 14)}`;
const ICP = { company: 'Acme Industries', role: 'Head of Marketing', companySize: '250-999', industry: 'Software', country: 'DE' };

function withKey(key: string, init: RequestInit = {}): RequestInit {
  return { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` } };
}

describe('incremental scoring on ingest', () => {
  it('scores a linked visitor\'s events in the ingest batch, equal to a from-scratch replay', async () => {
    const site = await createSite();
    const vid = vidOf();
    const lead = await seedLead(site, ICP);
    await stitchVisitor(env.DB, site, lead, vid);
    const before = (await storedScore(site, lead))!;
    expect(before.fit).toBeGreaterThan(0);
    expect(before.e_norm).toBe(0);

    const events = [
      ev('pageview', { vid, url: `${ORIGIN}/preise` }),
      ev('pricing_view', { vid, url: `${ORIGIN}/preise` }),
      ev('pricing_view', { vid, url: `${ORIGIN}/preise` }),
      ev('download', { vid, target: `${ORIGIN}/files/whitepaper.pdf` }),
      ev('pageview'), // anonymous: never scored
    ];
    expect((await collect({ site, events })).status).toBe(202);
    const { stored, events: scored } = await expectConsistent(site, lead, DEFAULT_MODEL, { email: `x@acme-industries.example`, ...ICP });
    expect(scored.map((e) => e.kind)).toEqual(['pageview', 'pricing_view', 'pricing_view', 'download']);
    expect(stored.e_norm).toBeGreaterThan(0);
    expect(stored.last_seq).toBe(3);
  });

  it('a retried batch is not scored twice', async () => {
    const site = await createSite();
    const vid = vidOf();
    const lead = await seedLead(site, ICP);
    await stitchVisitor(env.DB, site, lead, vid);
    const events = [ev('pricing_view', { vid }), ev('download', { vid, target: `${ORIGIN}/a.pdf` })];
    await collect({ site, events });
    const first = (await storedScore(site, lead))!;
    expect(await (await collect({ site, events })).json()).toEqual({ accepted: 0, duplicates: 2 });
    const second = (await storedScore(site, lead))!;
    expect(second.e_norm).toBe(first.e_norm);
    expect(second.last_seq).toBe(first.last_seq);
    // A batch mixing a retried event with a new one scores only the new one.
    await collect({ site, events: [events[0], ev('pageview', { vid })] });
    const { stored } = await expectConsistent(site, lead, DEFAULT_MODEL, { email: 'x@acme-industries.example', ...ICP });
    expect(stored.last_seq).toBe(2);
  });

  it('concurrent batches for one lead lose nothing and count nothing twice', async () => {
    const site = await createSite();
    const vid = vidOf();
    const lead = await seedLead(site, ICP);
    await stitchVisitor(env.DB, site, lead, vid);
    const batches = Array.from({ length: 6 }, (_, i) =>
      [ev('pricing_view', { vid }), ev('pageview', { vid, url: `${ORIGIN}/p${i}` }), ev('engagement', { vid, ms: 5000 })]);
    const answers = await Promise.all(batches.map((events) => collect({ site, events })));
    expect(answers.map((r) => r.status)).toEqual(Array(6).fill(202));
    const { events } = await expectConsistent(site, lead, DEFAULT_MODEL, { email: 'x@acme-industries.example', ...ICP });
    expect(events).toHaveLength(18);
    expect(events.map((e) => e.seq)).toEqual([...Array(18).keys()]);
  });
});

describe('identity stitching', () => {
  it('consented pre-lead history counts once the lead exists; anonymous events never', async () => {
    const site = await createSite();
    const vid = vidOf();
    const other = vidOf();
    await collect({ site, events: [ev('pricing_view', { vid }), ev('pricing_view', { vid }), ev('download', { vid, target: `${ORIGIN}/x.pdf` })] });
    await collect({ site, events: [ev('pricing_view'), ev('pricing_view', { vid: other })] }); // no vid: no consent; other visitor

    const lead = await seedLead(site, ICP);
    await stitchVisitor(env.DB, site, lead, vid);
    const { events, stored } = await expectConsistent(site, lead, DEFAULT_MODEL, { email: 'x@acme-industries.example', ...ICP });
    expect(events.map((e) => e.kind)).toEqual(['pricing_view', 'pricing_view', 'download']);
    expect(stored.e_norm).toBeGreaterThan(0);

    // Events keep arriving for the lead afterwards, scored incrementally.
    await collect({ site, events: [ev('pageview', { vid })] });
    expect((await scoredEvents(site, lead)).map((e) => e.seq)).toEqual([0, 1, 2, 3]);
  });

  it('a withdrawn lead gets no new events linked', async () => {
    const site = await createSite();
    const vid = vidOf();
    const lead = await seedLead(site, { ...ICP, status: 'withdrawn' });
    await stitchVisitor(env.DB, site, lead, vid);
    await collect({ site, events: [ev('pricing_view', { vid })] });
    const n = await env.DB.prepare('SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND lead_id = ?').bind(site, lead).first<{ n: number }>();
    expect(n!.n).toBe(0);
  });
});

/** A small model whose thresholds behaviour can cross within a test. */
const SMALL: ScoringModelInput = {
  halfLifeDays: 7,
  stageCooldownDays: 1,
  thresholds: { mql: 20, sql: 40 },
  temperature: { warm: 10, hot: 30, basis: 'score' },
  fit: [{ id: 'dach', field: 'country', countries: ['DE', 'AT', 'CH'], points: 5 }],
  engagement: [
    { id: 'pricing', kinds: ['pricing_view'], points: 10 },
    { id: 'views', kinds: ['pageview'], points: 1, capPerDay: 3 },
  ],
};

describe('stages, history and the decay re-check', () => {
  it('moves confirmed → MQL → SQL with history, and drops back by decay alone', async () => {
    const site = await createSite();
    const key = await apiKey(site);
    const put = await call('/v1/scoring-model', withKey(key, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SMALL) }));
    expect(put.status).toBe(200);
    const vid = vidOf();
    const lead = await seedLead(site, { country: 'DE' });
    await stitchVisitor(env.DB, site, lead, vid);

    await collect({ site, events: [ev('pricing_view', { vid }), ev('pricing_view', { vid })] }); // 5 + 20 = 25 ≥ MQL
    expect((await storedScore(site, lead))!.stage).toBe('mql');
    await collect({ site, events: [ev('pricing_view', { vid }), ev('pricing_view', { vid })] }); // 45 ≥ SQL
    expect((await storedScore(site, lead))!.stage).toBe('sql');

    const res = await call(`/v1/leads/${lead}/score`, withKey(key));
    const body = (await res.json()) as { stage: string; score: number; temperature: string; explanation: { lines: { id: string; count: number }[] } | { id: string; count: number }[]; history: { from: string; to: string; direction: string }[] };
    expect(body.stage).toBe('sql');
    expect(body.score).toBeGreaterThanOrEqual(40);
    expect(body.temperature).toBe('hot');
    expect(JSON.stringify(body.explanation)).toContain('"pricing"');
    expect(body.history.map((h) => `${h.from}>${h.to}`)).toEqual(['pending>confirmed', 'confirmed>mql', 'mql>sql']);

    // Three weeks without events: 40 engagement points decay to 5; the cron's re-check drops the stage.
    const later = Date.now() + 21 * 86_400_000;
    const report = await runScoringMaintenance(env.DB, later, 5_000);
    expect(report.rechecked).toBeGreaterThanOrEqual(1);
    const after = (await storedScore(site, lead))!;
    expect(after.stage).toBe('confirmed');
    const history = (await (await call(`/v1/leads/${lead}/score`, withKey(key))).json()) as { history: { from: string; to: string; direction: string }[] };
    expect(history.history.slice(3).map((h) => `${h.from}>${h.to}:${h.direction}`)).toEqual(['sql>mql:down', 'mql>confirmed:down']);
  });
});

describe('scoring model API', () => {
  it('serves the built-in default model until one is saved', async () => {
    const site = await createSite();
    const key = await apiKey(site, ['leads:read']);
    const body = (await (await call('/v1/scoring-model', withKey(key))).json()) as { version: number; builtIn: boolean; model: { thresholds: unknown } };
    expect(body).toMatchObject({ version: 1, builtIn: true });
    expect(body.model.thresholds).toEqual(DEFAULT_MODEL.thresholds);
  });

  it('rejects an invalid model with the path of the field and changes nothing', async () => {
    const site = await createSite();
    const key = await apiKey(site);
    const bad = { ...SMALL, engagement: [{ id: 'x', kinds: ['pageview'], points: 'many' }] };
    const res = await call('/v1/scoring-model', withKey(key, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bad) }));
    const problem = await expectProblem(res, 400, PROBLEM_TYPES.validation);
    expect(problem.path).toBe('/engagement/0/points');
    const n = await env.DB.prepare('SELECT COUNT(*) AS n FROM scoring_models WHERE site_id = ?').bind(site).first<{ n: number }>();
    expect(n!.n).toBe(0);
    await expectProblem(
      await call('/v1/scoring-model', withKey(key, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"fit": [' })),
      400, PROBLEM_TYPES.malformed);
  });

  it('requires a key with the right scope, for its own site only', async () => {
    const [a, b] = [await createSite(), await createSite()];
    const readOnly = await apiKey(a, ['leads:read']);
    const put = (key: string) => call('/v1/scoring-model', withKey(key, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SMALL) }));
    await expectProblem(await call('/v1/scoring-model'), 401, PROBLEM_TYPES.unauthorized);
    await expectProblem(await put('lsk_000000000000_' + 'x'.repeat(43)), 401, PROBLEM_TYPES.unauthorized);
    await expectProblem(await put(readOnly), 403, PROBLEM_TYPES.forbidden);
    const leadOfB = await seedLead(b, ICP);
    await expectProblem(await call(`/v1/leads/${leadOfB}/score`, withKey(readOnly)), 404, PROBLEM_TYPES.notFound);
  });

  it('saving a model rescores every lead from its stored events, equal to from scratch', async () => {
    const site = await createSite();
    const key = await apiKey(site);
    const leads: { id: string; vid: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const vid = vidOf();
      const id = await seedLead(site, { country: i % 2 ? 'DE' : 'US' });
      await stitchVisitor(env.DB, site, id, vid);
      await collect({ site, events: [ev('pricing_view', { vid }), ...Array.from({ length: i + 1 }, () => ev('pageview', { vid }))] });
      leads.push({ id, vid });
    }
    const res = await call('/v1/scoring-model', withKey(key, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SMALL) }));
    expect(((await res.json()) as { version: number }).version).toBe(2);
    await runScoringMaintenance(env.DB, Date.now(), 10_000);
    const model = { ...parseModel(SMALL), version: 2 };
    for (const { id } of leads) {
      const { stored } = await expectConsistent(site, id, model, { country: (await env.DB.prepare('SELECT country FROM leads WHERE id = ?').bind(id).first<{ country: string }>())!.country });
      expect(stored.model_version).toBe(2);
    }
    const job = await env.DB.prepare('SELECT done, finished_at FROM rescore_jobs WHERE site_id = ? AND model_version = 2').bind(site).first<{ done: number; finished_at: number | null }>();
    expect(job!.done).toBe(5);
    expect(job!.finished_at).not.toBeNull();
    // refreshLead is idempotent: nothing new, nothing changes.
    const before = await storedScore(site, leads[0]!.id);
    await refreshLead(env.DB, site, leads[0]!.id);
    expect((await storedScore(site, leads[0]!.id))!.e_norm).toBe(before!.e_norm);
  });
});

// Keeps `pageview` referenced for readers: the helpers' default event shape.
void pageview;

describe('ranking by current score through the index', () => {
  it('top N and score ≥ X equal a full sort of every lead\'s current score', async () => {
    const site = await createSite();
    const key = await apiKey(site, ['leads:read']);
    const profiles = [
      { country: 'DE', companySize: '250-999' }, { country: 'US', companySize: '10-49' }, { country: 'AT' },
      { companySize: '1000+' }, {}, { country: 'CH', companySize: '50-249', role: 'CEO' },
    ];
    for (let i = 0; i < 24; i++) {
      const vid = vidOf();
      const id = await seedLead(site, profiles[i % profiles.length]);
      await stitchVisitor(env.DB, site, id, vid);
      const n = (i * 7) % 5;
      if (n) await collect({ site, events: Array.from({ length: n }, (_, j) => ev(j % 2 ? 'pricing_view' : 'pageview', { vid })) });
    }
    const { results } = await env.DB.prepare('SELECT lead_id, fit, e_norm FROM lead_scores WHERE site_id = ?').bind(site).all<{ lead_id: string; fit: number; e_norm: number }>();
    const list = async (qs: string) => ((await (await call(`/v1/leads?${qs}`, withKey(key))).json()) as { at: string; leads: { id: string; score: number }[] });

    const top = await list('limit=10');
    const d = 2 ** (-(Date.parse(top.at) - Date.UTC(2026, 0, 1)) / (DEFAULT_MODEL.halfLifeDays * 86_400_000));
    const expected = results.map((r) => ({ id: r.lead_id, score: r.fit + r.e_norm * d })).sort((a, b) => b.score - a.score);
    expect(top.leads.map((l) => l.score)).toEqual(expected.slice(0, 10).map((e) => expect.closeTo(e.score, 6)));

    const threshold = expected[7]!.score;
    const above = await list(`min_score=${threshold}&limit=1000`);
    expect(above.leads.length).toBe(expected.filter((e) => e.score >= threshold - 1e-9).length);
    expect(above.leads.every((l) => l.score >= threshold - 1e-9)).toBe(true);

    await expectProblem(await call('/v1/leads?min_score=abc', withKey(key)), 400, PROBLEM_TYPES.validation);
  });
});
