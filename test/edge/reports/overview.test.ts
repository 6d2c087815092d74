import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { createSite, expectProblem } from '../helpers';
import { magnetConfig } from '../leads-helpers';
import { api } from '../sales-helpers';
import { apiKey } from '../scoring-helpers';

/**
 * GET /v1/reports/overview and the funnel's magnet and source filters, in
 * workerd with the real local D1. Leads, scores, stage changes, ledger rows
 * and first events are written directly, at chosen times, so every count
 * is known; magnets are made through PUT /v1/magnets.
 */

const T = (iso: string) => Date.parse(iso);
/** Temperature on the score: warm from 10, hot from 30. */
const MODEL = {
  halfLifeDays: 7, stageCooldownDays: 1, thresholds: { mql: 20, sql: 40 }, temperature: { warm: 10, hot: 30, basis: 'score' },
  fit: [{ id: 'dach', field: 'country', countries: ['DE'], points: 5 }], engagement: [{ id: 'views', kinds: ['pageview'], points: 1 }],
};

interface Seed { created: string; fit: number; magnet?: string; utm?: Record<string, string>; referrer?: string; changes?: [string, string][] }

async function seed(site: string, id: string, s: Seed, version: number) {
  const at = T(s.created);
  const stmts = [
    env.DB.prepare(`INSERT INTO leads (site_id, id, email, email_key, status, lang, created_at, updated_at) VALUES (?, ?, ?, ?, 'confirmed', 'en', ?, ?)`)
      .bind(site, id, `${id}@corp.example`, `${id}@corp.example`, at, at),
    env.DB.prepare(`INSERT INTO lead_scores (site_id, lead_id, model_version, fit, fit_rules, e_norm, last_seq, state, stage, stage_state, rev, updated_at)
                    VALUES (?, ?, ?, ?, '[]', 0, 0, '{}', 'confirmed', '{}', 'r', ?)`).bind(site, id, version, s.fit, at),
  ];
  if (s.magnet) {
    stmts.push(env.DB.prepare(`INSERT INTO consent_ledger (site_id, lead_id, magnet_id, action, purpose, granted, created_at) VALUES (?, ?, ?, 'given', 'download', 1, ?)`)
      .bind(site, id, s.magnet, at));
  }
  if (s.utm || s.referrer) {
    stmts.push(env.DB.prepare(`INSERT INTO events (site_id, event_id, kind, url, path, referrer, utm, ts, client_ts, received_at, lead_id)
                               VALUES (?, ?, 'pageview', 'https://www.example.com/', '/', ?, ?, ?, ?, ?, ?)`)
      .bind(site, `ev_${id}`, s.referrer ?? null, s.utm ? JSON.stringify(s.utm) : null, at - 60_000, at - 60_000, at - 60_000, id));
    // A later event with another source: only the first touch counts.
    stmts.push(env.DB.prepare(`INSERT INTO events (site_id, event_id, kind, url, path, utm, ts, client_ts, received_at, lead_id)
                               VALUES (?, ?, 'pageview', 'https://www.example.com/', '/', '{"source":"newsletter"}', ?, ?, ?, ?)`)
      .bind(site, `ev2_${id}`, at, at, at, id));
  }
  for (const [to, when] of s.changes ?? []) {
    stmts.push(env.DB.prepare(`INSERT INTO stage_history (site_id, lead_id, from_stage, to_stage, direction, at, score, fit, engagement, model_version)
                               VALUES (?, ?, 'confirmed', ?, 'up', ?, 1, 1, 0, 1)`).bind(site, id, to, T(when)));
  }
  await env.DB.batch(stmts);
}

const LEADS: Record<string, Seed> = {
  a: { created: '2026-11-01T10:00:00Z', fit: 5, magnet: 'wp', utm: { source: 'LinkedIn ' }, changes: [['mql', '2026-11-01T12:00:00Z'], ['sql', '2026-11-02T01:00:00Z']] },
  b: { created: '2026-11-01T23:59:00Z', fit: 15, magnet: 'wp', referrer: 'https://www.google.com/search' },
  c: { created: '2026-11-03T00:00:00Z', fit: 45, magnet: 'other', changes: [['mql', '2026-11-03T05:00:00Z']] },
  d: { created: '2026-11-03T12:00:00Z', fit: 150, utm: { source: 'linkedin' }, changes: [['mql', '2026-10-30T00:00:00Z']] },
  e: { created: '2026-11-02T08:00:00Z', fit: -5, magnet: 'wp' },
  // Created before the period, moved in it.
  f: { created: '2026-10-20T08:00:00Z', fit: 45, magnet: 'wp', utm: { source: 'linkedin' }, changes: [['mql', '2026-11-02T05:00:00Z']] },
  // Created at `to`: outside.
  g: { created: '2026-11-04T00:00:00Z', fit: 45, magnet: 'wp', changes: [['sql', '2026-11-04T00:00:00Z']] },
};

async function site() {
  const id = await createSite();
  const key = await apiKey(id);
  const put = await api(key, 'PUT', '/v1/scoring-model', MODEL);
  expect(put.status).toBe(200);
  const version = ((await put.json()) as { version: number }).version;
  for (const m of ['wp', 'other']) expect((await api(key, 'PUT', `/v1/magnets/${m}`, magnetConfig())).status).toBe(201);
  const ids: Record<string, string> = {};
  for (const [name, s] of Object.entries(LEADS)) {
    ids[name] = `ld_${name}_${Math.random().toString(36).slice(2, 10)}`;
    await seed(id, ids[name]!, s, version);
  }
  return { id, key, ids };
}

interface Overview {
  from: string; to: string;
  filters: { magnet: string | null; source: string | null };
  newLeads: { day: string; count: number }[];
  stageChanges: { day: string; stage: string; count: number }[];
  scoreDistribution: { bands: { from: number; to: number; count: number }[]; below: number; above: number };
  temperature: { hot: number; warm: number; cold: number };
  totals: { newLeads: number; stageChanges: number; byStage: Record<string, number> };
}

const PERIOD = 'from=2026-11-01T00:00:00Z&to=2026-11-04T00:00:00Z';

async function overview(key: string, query: string): Promise<Overview> {
  const res = await api(key, 'GET', `/v1/reports/overview?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Overview;
}

const bandCounts = (o: Overview) => o.scoreDistribution.bands.map((b) => b.count);

describe('GET /v1/reports/overview', () => {
  it('counts new leads per UTC day, stage changes per day and stage, score bands, temperatures and totals', { timeout: 30_000 }, async () => {
    const { key } = await site();
    const o = await overview(key, PERIOD);
    expect(o.from).toBe('2026-11-01T00:00:00.000Z');
    expect(o.to).toBe('2026-11-04T00:00:00.000Z');
    expect(o.filters).toEqual({ magnet: null, source: null });
    expect(o.newLeads).toEqual([{ day: '2026-11-01', count: 2 }, { day: '2026-11-02', count: 1 }, { day: '2026-11-03', count: 2 }]);
    expect(o.stageChanges).toEqual([
      { day: '2026-11-01', stage: 'mql', count: 1 },
      { day: '2026-11-02', stage: 'mql', count: 1 },
      { day: '2026-11-02', stage: 'sql', count: 1 },
      { day: '2026-11-03', stage: 'mql', count: 1 },
    ]);
    expect(o.scoreDistribution.bands.map((b) => [b.from, b.to])).toEqual(Array.from({ length: 10 }, (_, i) => [i * 10, i * 10 + 10]));
    expect(bandCounts(o)).toEqual([1, 1, 0, 0, 1, 0, 0, 0, 0, 0]);
    expect(o.scoreDistribution.below).toBe(1);
    expect(o.scoreDistribution.above).toBe(1);
    expect(o.temperature).toEqual({ hot: 2, warm: 1, cold: 2 });
    expect(o.totals).toEqual({ newLeads: 5, stageChanges: 4, byStage: { mql: 3, sql: 1 } });
  });

  it('lists every day of the default period (the last 30 days), empty ones with 0', async () => {
    const { key } = await site();
    const o = await overview(key, '');
    expect(o.newLeads.length).toBeGreaterThanOrEqual(30);
    expect(o.newLeads.length).toBeLessThanOrEqual(31);
    expect(o.newLeads.every((d) => d.count === 0 && /^\d{4}-\d{2}-\d{2}$/.test(d.day))).toBe(true);
    expect(Date.parse(o.to) - Date.parse(o.from)).toBe(30 * 86_400_000);
  });

  it('filters the lead set by first magnet and first-touch source, alone and together', { timeout: 30_000 }, async () => {
    const { key } = await site();
    const wp = await overview(key, `${PERIOD}&magnet=wp`);
    expect(wp.filters).toEqual({ magnet: 'wp', source: null });
    expect(wp.newLeads.map((d) => d.count)).toEqual([2, 1, 0]);
    expect(wp.totals).toEqual({ newLeads: 3, stageChanges: 3, byStage: { mql: 2, sql: 1 } });
    expect(wp.temperature).toEqual({ hot: 0, warm: 1, cold: 2 });

    // The first touch: a's first event says "LinkedIn " (trimmed, lower-cased), its later "newsletter" does not count.
    const li = await overview(key, `${PERIOD}&source=LinkedIn`);
    expect(li.filters.source).toBe('linkedin');
    expect(li.newLeads.map((d) => d.count)).toEqual([1, 0, 1]);
    expect(li.totals).toEqual({ newLeads: 2, stageChanges: 3, byStage: { mql: 2, sql: 1 } });
    expect(li.temperature).toEqual({ hot: 1, warm: 0, cold: 1 });
    expect(li.scoreDistribution.above).toBe(1);

    const both = await overview(key, `${PERIOD}&magnet=wp&source=linkedin`);
    expect(both.totals).toEqual({ newLeads: 1, stageChanges: 3, byStage: { mql: 2, sql: 1 } });

    // A referrer's host without www.; no events at all is direct.
    expect((await overview(key, `${PERIOD}&source=google.com`)).totals.newLeads).toBe(1);
    const direct = await overview(key, `${PERIOD}&source=direct`);
    expect(direct.totals).toEqual({ newLeads: 2, stageChanges: 1, byStage: { mql: 1 } });
    expect((await overview(key, `${PERIOD}&source=nowhere`)).totals).toEqual({ newLeads: 0, stageChanges: 0, byStage: {} });
    expect((await overview(key, `${PERIOD}&magnet=other`)).totals.newLeads).toBe(1);
  });

  it('refuses bad periods, filters and keys with a problem', async () => {
    const { id, key } = await site();
    const bad = [
      'from=2026-02-01&to=2026-01-01', 'from=2025-01-01&to=2026-02-06', 'from=someday', 'to=99999999999999999999',
      'from=1e400', 'magnet=Not_A_Magnet', `magnet=${'m'.repeat(200)}`, 'source=', 'source=a%0Ab', `source=${'s'.repeat(300)}`,
      'source=%00',
    ];
    for (const q of bad) {
      const body = await expectProblem(await api(key, 'GET', `/v1/reports/overview?${q}`), 400, PROBLEM_TYPES.validation);
      expect(body.errors?.length, q).toBeGreaterThan(0);
    }
    await expectProblem(await api(key, 'GET', '/v1/reports/overview?magnet=never-had'), 404, PROBLEM_TYPES.notFound);
    // Another site's magnet is not this site's.
    const other = await createSite();
    const otherKey = await apiKey(other);
    await expectProblem(await api(otherKey, 'GET', '/v1/reports/overview?magnet=wp'), 404, PROBLEM_TYPES.notFound);
    await expectProblem(await api(null, 'GET', '/v1/reports/overview'), 401, PROBLEM_TYPES.unauthorized);
    await expectProblem(await api(await apiKey(id, ['config:write']), 'GET', '/v1/reports/overview'), 403, PROBLEM_TYPES.forbidden);
  });
});

describe('GET /v1/reports/funnel with magnet and source', () => {
  it('restricts the lead steps and keeps the visitor steps site-wide', { timeout: 30_000 }, async () => {
    const { id, key } = await site();
    await env.DB.prepare(`INSERT INTO events (site_id, event_id, kind, visitor_id, url, path, ts, client_ts, received_at)
                          VALUES (?, 'ev_visitor', 'pageview', 'vid_1', 'https://www.example.com/', '/', ?, ?, ?)`)
      .bind(id, T('2026-11-02T00:00:00Z'), T('2026-11-02T00:00:00Z'), T('2026-11-02T00:00:00Z')).run();
    const steps = async (q: string) => {
      const res = await api(key, 'GET', `/v1/reports/funnel?${PERIOD}${q}`);
      expect(res.status, await res.clone().text()).toBe(200);
      const body = (await res.json()) as { steps: { step: string; count: number }[]; groups?: { value: string; steps: { count: number }[] }[] };
      return { counts: Object.fromEntries(body.steps.map((s) => [s.step, s.count])), groups: body.groups };
    };
    const all = await steps('');
    expect(all.counts).toMatchObject({ visitors: 1, leads: 5, mql: 3, sql: 1 }); // d reached MQL before the period: the funnel counts "ever"
    const wp = await steps('&magnet=wp');
    expect(wp.counts).toMatchObject({ visitors: 1, leads: 3, mql: 1, sql: 1 });
    const li = await steps('&source=linkedin');
    expect(li.counts).toMatchObject({ visitors: 1, leads: 2, mql: 2, sql: 1 });
    // The filter and the breakdown agree: by=magnet's "wp" group is the magnet=wp funnel.
    const byMagnet = await steps('&by=magnet');
    expect(byMagnet.groups!.find((g) => (g as { value: string }).value === 'wp')!.steps[0]!.count).toBe(3);
    const bySource = await steps('&by=source&magnet=wp');
    expect(bySource.groups!.map((g) => g.value).sort()).toEqual(['direct', 'google.com', 'linkedin']);
    await expectProblem(await api(key, 'GET', `/v1/reports/funnel?magnet=never-had`), 404, PROBLEM_TYPES.notFound);
    await expectProblem(await api(key, 'GET', `/v1/reports/funnel?source=a%0Db`), 400, PROBLEM_TYPES.validation);
  });
});
