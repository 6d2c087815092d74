import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { refreshLead } from '../../../edge/features/scoring/lead-scoring';
import { scoreSnapshot } from '../../../edge/features/webhook-delivery/payload';
import { runCron } from '../leads-helpers';
import { createSite, expectProblem } from '../helpers';
import { api } from '../sales-helpers';
import { apiKey, seedLead } from '../scoring-helpers';

const DAY = 86_400_000;
const count = async (sql: string, ...args: unknown[]) => (await env.DB.prepare(sql).bind(...args).first<{ n: number }>())!.n;

/**
 * A site whose sales outcomes follow the company size: 9 in 10 leads of
 * the default model's ideal size buy, 1 in 10 others do. `n` leads handed off
 * 200–320 days ago (so every one has an outcome, within the default year), half in the ideal size.
 */
async function siteWithOutcomes(n: number) {
  const site = await createSite();
  const key = await apiKey(site);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const icp = i % 2 === 0;
    const id = await seedLead(site, { companySize: icp ? '50-249' : '1-9', country: 'DE', role: 'CEO' });
    const won = icp ? i % 20 !== 0 : i % 20 === 5;
    const at = Date.now() - (200 + i * 2) * DAY;
    await env.DB.batch([
      env.DB.prepare(`UPDATE leads SET sales_status = ?, sales_rev = 'r1', assigned_at = ?, closed_at = ? WHERE site_id = ? AND id = ?`)
        .bind(won ? 'won' : 'lost', at, at + 30 * DAY, site, id),
      env.DB.prepare(`INSERT INTO stage_history (site_id, lead_id, from_stage, to_stage, direction, at, score, fit, engagement, model_version)
                      VALUES (?, ?, 'mql', 'sql', 'up', ?, 0, 0, 0, 1)`).bind(site, id, at),
    ]);
    await refreshLead(env.DB, site, id);
    ids.push(id);
  }
  return { site, key, ids };
}

describe('GET /v1/reports/scoring-review', () => {
  it('says plainly that it cannot judge yet below the minimum, with the numbers needed', async () => {
    const { site, key, ids } = await siteWithOutcomes(12);
    const res = await api(key, 'GET', '/v1/reports/scoring-review');
    const body = await expectProblem(res, 422, PROBLEM_TYPES.notEnoughData) as unknown as { have: Record<string, number>; needed: Record<string, number> };
    expect(body.have).toEqual({ outcomes: 12, won: expect.any(Number), notWon: expect.any(Number) });
    expect(body.needed).toEqual({ outcomes: 30, won: 10, notWon: 10 });
    // Too few for a likelihood too: no calibration, no likelihood on the lead, no sort by it.
    expect(await count('SELECT COUNT(*) AS n FROM likelihood_calibrations WHERE site_id = ?', site)).toBe(0);
    await expectProblem(await api(key, 'GET', '/v1/leads?sort=likelihood'), 422, PROBLEM_TYPES.notEnoughData);
    const lead = await (await api(key, 'GET', `/v1/leads/${ids[0]}`)).json() as Record<string, unknown>;
    expect(lead).not.toHaveProperty('likelihood');
    expect(await scoreSnapshot(env.DB, site, ids[0]!, Date.now())).not.toHaveProperty('likelihood');
  });

  it('reports win rates by band with intervals, the AUC, the rules and the segments; the likelihood follows', async () => {
    const { site, key, ids } = await siteWithOutcomes(60);
    const res = await api(key, 'GET', '/v1/reports/scoring-review');
    expect(res.status).toBe(200);
    expect(res.headers.get('server-timing')).toMatch(/^review;dur=/);
    const r = await res.json() as any;
    expect(r.outcomes).toMatchObject({ leads: 60, won: 30, notWon: 30, open: 0 });
    expect(r.outcomes.ci[0]).toBeLessThan(0.5);
    expect(r.outcomes.ci[1]).toBeGreaterThan(0.5);
    // Fit decides the score here: two distinct scores (ideal size or not), so two bands, the upper one winning 90 %.
    expect(r.bands).toHaveLength(2);
    expect(r.bands[1]).toMatchObject({ leads: 30, won: 27 });
    // Won leads above not-won ones: 27·27 pairs; pairs within a band tie and count half: (27·27 + ½(27·3 + 3·27)) / 900.
    expect(r.discrimination.auc.auc).toBeCloseTo((27 * 27 + 0.5 * (27 * 3 + 3 * 27)) / 900, 6);
    expect(r.discrimination.auc.auc).toBeGreaterThan(0.8);
    // The top band won 27 of 30 against 30 of 60 overall: lift 1.8, with its interval around it.
    expect(r.discrimination.topBand.lift).toBeCloseTo(1.8, 6);
    expect(r.discrimination.topBand.liftCi[0]).toBeLessThan(1.8);
    expect(r.discrimination.topBand.liftCi[1]).toBeGreaterThan(1.8);
    const size = r.rules.find((x: any) => x.id === 'size-icp');
    expect(size).toMatchObject({ matched: 30, with: { leads: 30, won: 27 }, without: { leads: 30, won: 3 } });
    expect(r.segments.size.map((s: any) => s.value).sort()).toEqual(['1-9', '50-249']);
    expect(await count('SELECT COUNT(*) AS n FROM outcome_facts WHERE site_id = ?', site)).toBe(60);

    // The calibration exists now: a lead of the ideal size is far likelier to buy than a small one.
    const big = await (await api(key, 'GET', `/v1/leads/${ids[0]}`)).json() as any;
    const small = await (await api(key, 'GET', `/v1/leads/${ids[1]}`)).json() as any;
    expect(big.likelihood.probability).toBeGreaterThan(0.7);
    expect(small.likelihood.probability).toBeLessThan(0.3);
    expect(big.likelihood.factors[0]).toMatch(/^Company size 50–999/);
    expect(big.likelihood.basis).toMatchObject({ outcomes: 60, won: 30 });
    const list = await (await api(key, 'GET', '/v1/leads?sort=likelihood&limit=100')).json() as any;
    const ps = list.leads.map((l: any) => l.likelihood);
    expect(ps.every((p: unknown) => typeof p === 'number')).toBe(true);
    expect([...ps].sort((a: number, b: number) => b - a)).toEqual(ps);
    const csv = (await (await api(key, 'GET', '/v1/leads?format=csv&limit=5')).text()).split('\r\n');
    const column = csv[0]!.split(',').indexOf('likelihood');
    expect(column).toBeGreaterThan(0);
    expect(Number(csv[1]!.split(',')[column])).toBeGreaterThan(0);
    // Webhook payloads carry it in their score.
    const hook = await scoreSnapshot(env.DB, site, ids[0]!, Date.now());
    expect(hook!.likelihood!.probability).toBe(big.likelihood.probability);

    // The default report is a snapshot: read again, it is the same computation.
    const second = await (await api(key, 'GET', '/v1/reports/scoring-review')).json() as any;
    expect(second.computedAt).toBe(r.computedAt);
    expect(await count('SELECT COUNT(*) AS n FROM review_snapshots WHERE site_id = ?', site)).toBe(1);
    // A period of its own is computed on the spot.
    const own = await (await api(key, 'GET', `/v1/reports/scoring-review?from=${Date.now() - 400 * DAY}`)).json() as any;
    expect(own.outcomes.leads).toBe(60);

    // A sales write makes that lead's facts stale; the next read recomputes exactly it.
    await env.DB.prepare(`UPDATE leads SET sales_status = 'won', sales_rev = 'r2' WHERE site_id = ? AND id = ?`).bind(site, ids[1]).run();
    const again = await (await api(key, 'GET', '/v1/reports/scoring-review')).json() as any;
    expect(again.outcomes.won).toBe(31);
    expect(again.computedAt).not.toBe(r.computedAt);

    // Erasure leaves no facts behind.
    expect((await api(key, 'DELETE', `/v1/leads/${ids[2]}`)).status).toBe(200);
    expect(await count('SELECT COUNT(*) AS n FROM outcome_facts WHERE site_id = ? AND lead_id = ?', site, ids[2])).toBe(0);
    // The GDPR export shows the profiling: the likelihood and the review's facts.
    const exported = await (await api(key, 'GET', `/v1/leads/${ids[3]}/export`)).json() as any;
    expect(exported.likelihood.probability).toBeGreaterThan(0);
    expect(exported.scoringReview).toMatchObject({ salesStatus: 'lost', facts: { attrs: { size: '1-9' } } });
    // A withdrawal takes the lead out of the review at once.
    expect((await api(key, 'POST', `/v1/leads/${ids[3]}/withdraw`)).status).toBe(200);
    expect(await count('SELECT COUNT(*) AS n FROM outcome_facts WHERE site_id = ? AND lead_id = ?', site, ids[3])).toBe(0);
    // A lead that loses its sales status (the CRM's correction) leaves at the next refresh, the cron's.
    await env.DB.prepare(`UPDATE leads SET sales_status = NULL WHERE site_id = ? AND id = ?`).bind(site, ids[5]).run();
    await runCron(Date.now());
    expect(await count('SELECT COUNT(*) AS n FROM outcome_facts WHERE site_id = ? AND lead_id = ?', site, ids[5])).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM outcome_facts WHERE site_id = ?', site)).toBe(57);
  });

  it('refuses inverted, future, absurd and unknown parameters with a clear problem', async () => {
    const site = await createSite();
    const key = await apiKey(site);
    for (const q of ['from=2026-05-01&to=2026-04-01', 'from=2999-01-01', 'from=2000-01-01&to=2026-01-01', 'openDays=5', 'openDays=abc', 'form=2026-01-01', 'to=99999999999999999999']) {
      await expectProblem(await api(key, 'GET', `/v1/reports/scoring-review?${q}`), 400, PROBLEM_TYPES.validation);
    }
    // A period with no data is not an error of the request: it says how many outcomes there are (none).
    const empty = await expectProblem(await api(key, 'GET', '/v1/reports/scoring-review?from=2020-01-01&to=2020-02-01'), 422, PROBLEM_TYPES.notEnoughData) as any;
    expect(empty.have).toEqual({ outcomes: 0, won: 0, notWon: 0 });
  });
});

describe('POST /v1/scoring-model/suggest and /preview', () => {
  it('needs more outcomes for a suggestion than for the review', async () => {
    const { key } = await siteWithOutcomes(40);
    const res = await api(key, 'POST', '/v1/scoring-model/suggest', {});
    const body = await expectProblem(res, 422, PROBLEM_TYPES.notEnoughData) as any;
    expect(body.needed).toEqual({ outcomes: 80, won: 20, notWon: 20 });
    await expectProblem(await api(key, 'POST', '/v1/scoring-model/suggest', { openDays: 'x' }), 400, PROBLEM_TYPES.validation);
    await expectProblem(await api(key, 'POST', '/v1/scoring-model/suggest', { apply: true }), 400, PROBLEM_TYPES.validation);
    await expectProblem(await api(key, 'POST', '/v1/scoring-model/suggest', '{"openDays":'), 400, PROBLEM_TYPES.malformed);
  });

  it('previews a draft without writing anything, with movers and their reasons', async () => {
    const { site, key } = await siteWithOutcomes(40);
    const before = await env.DB.prepare('SELECT lead_id, stage, fit, e_norm FROM lead_scores WHERE site_id = ? ORDER BY lead_id').bind(site).all();
    const model = (await (await api(key, 'GET', '/v1/scoring-model')).json() as any).model;
    // The draft rewards the small companies instead: every lead changes rank.
    const draft = { ...model, fit: model.fit.map((r: any) => (r.id === 'size-icp' ? { ...r, points: -3000 } : r)) };
    const res = await api(key, 'POST', '/v1/scoring-model/preview', draft);
    expect(res.status).toBe(200);
    const p = await res.json() as any;
    expect(p.leads).toBe(40);
    expect(p.outcomes.leads).toBe(40);
    expect(p.outcomes.current.auc).toBeGreaterThan(0.8);
    expect(p.outcomes.draft.auc).toBeLessThan(0.2);
    expect(p.movers.down.length).toBeGreaterThan(0);
    expect(p.movers.down[0].why[0]).toMatch(/Company size 50–999.*3000 → -3000 points/);
    expect(p.movers.down[0].before.score).toBeGreaterThan(p.movers.down[0].after.score);
    // A draft with other behaviour points replays every lead's events; the same leads, the same outcomes.
    const behaviour = { ...model, engagement: model.engagement.map((r: any) => (r.id === 'pageview' ? { ...r, points: 50 } : r)) };
    const replayed = await (await api(key, 'POST', '/v1/scoring-model/preview', behaviour)).json() as any;
    expect(replayed).toMatchObject({ leads: 40, outcomes: { leads: 40 } });
    expect(replayed.outcomes.draft.auc).toBeCloseTo(p.outcomes.current.auc, 6);
    const after = await env.DB.prepare('SELECT lead_id, stage, fit, e_norm FROM lead_scores WHERE site_id = ? ORDER BY lead_id').bind(site).all();
    expect(after.results).toEqual(before.results);
    expect((await (await api(key, 'GET', '/v1/scoring-model')).json() as any).version).toBe(1);
  });

  it('refuses an invalid draft with the JSON pointer, as PUT does, and changes nothing', async () => {
    const site = await createSite();
    const key = await apiKey(site);
    const model = (await (await api(key, 'GET', '/v1/scoring-model')).json() as any).model;
    const bad = { ...model, fit: [{ ...model.fit[0], pointz: 5 }] };
    const res = await api(key, 'POST', '/v1/scoring-model/preview', bad);
    const body = await expectProblem(res, 400, PROBLEM_TYPES.validation) as any;
    expect(body.errors.map((e: any) => e.path)).toContain('/fit/0/pointz');
    await expectProblem(await api(key, 'POST', '/v1/scoring-model/preview', '{"fit": [', 'application/json'), 400, PROBLEM_TYPES.malformed);
    await expectProblem(await api(key, 'POST', '/v1/scoring-model/preview', 'a=b', 'application/x-www-form-urlencoded'), 415, PROBLEM_TYPES.unsupportedMediaType);
    await expectProblem(await api(await apiKey(site, ['leads:write']), 'POST', '/v1/scoring-model/preview', model), 403, PROBLEM_TYPES.forbidden);
    expect((await (await api(key, 'GET', '/v1/scoring-model')).json() as any).version).toBe(1);
  });
});
