import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { stitchVisitor } from '../../../edge/features/scoring/lead-scoring';
import { adminCall, call, collect, createSite, eventId, expectProblem } from '../helpers';
import { apiKey, seedLead } from '../scoring-helpers';

const ORIGIN = 'https://www.example.com';
const auth = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });
const vidOf = () => `vid_${Math.random().toString(36).slice(2, 14)}`;

interface Listed { id: string; email: string; company: string | null; stage: string; score: number; temperature: string; updatedAt: string }

async function list(key: string, qs: string): Promise<{ leads: Listed[]; next: string | null }> {
  const res = await call(`/v1/leads?${qs}`, auth(key));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { leads: Listed[]; next: string | null };
}

/** Every page of a listing; `between` runs after each page (concurrent writes). */
async function allPages(key: string, qs: string, between?: () => Promise<void>): Promise<Listed[]> {
  const out: Listed[] = [];
  let cursor: string | null = null;
  do {
    const page: { leads: Listed[]; next: string | null } = await list(key, qs + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
    out.push(...page.leads);
    cursor = page.next;
    if (between) await between();
  } while (cursor);
  return out;
}

/** A site with leads of varied fit and behaviour; many share a score (no behaviour). */
async function siteWithLeads(n: number) {
  const site = await createSite();
  const key = await apiKey(site);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const vid = vidOf();
    const id = await seedLead(site, {
      email: `person${i}@${i % 3 ? 'corp' : 'gmail'}.example`,
      company: i === 3 ? '=HYPERLINK("http://evil.example","x")' : `Company ${i % 4}`,
      companySize: ['50-249', '10-49', '1000+'][i % 3], country: i % 2 ? 'DE' : 'US', role: i % 5 ? 'Engineer' : 'CEO',
    });
    await stitchVisitor(env.DB, site, id, vid);
    if (i % 4 === 0) await collect({ site, events: Array.from({ length: 1 + (i % 7) }, () => ({ id: eventId(), kind: 'pricing_view', ts: Date.now(), url: `${ORIGIN}/preise`, vid })) });
    ids.push(id);
  }
  return { site, key, ids };
}

describe('GET /v1/leads', () => {
  it('sorts by current score and pages with no gaps and no duplicates while leads are inserted', async () => {
    const { site, key, ids } = await siteWithLeads(30);
    for (const qs of ['limit=4', 'limit=4&min_score=-100000', 'limit=4&sort=updated', 'limit=5&q=person', 'limit=3&stage=confirmed']) {
      let extra = 0;
      const seen = await allPages(key, qs, async () => {
        await seedLead(site, { email: `late${extra++}-${qs.length}@corp.example`, companySize: '1000+' });
      });
      const original = seen.filter((l) => ids.includes(l.id)).map((l) => l.id);
      expect(new Set(seen.map((l) => l.id)).size, qs).toBe(seen.length); // no duplicates
      expect(new Set(original), qs).toEqual(new Set(ids)); // no gaps
      if (!qs.includes('sort=updated')) {
        const scores = seen.filter((l) => ids.includes(l.id)).map((l) => l.score);
        expect(scores, qs).toEqual([...scores].sort((a, b) => b - a));
      }
    }
  });

  it('filters by stage, temperature, score, update time, magnet and free text', async () => {
    const { site, key, ids } = await siteWithLeads(12);
    const full = await list(key, 'limit=1000');
    const threshold = full.leads[5]!.score;
    expect((await list(key, `min_score=${threshold}&limit=1000`)).leads.every((l) => l.score >= threshold)).toBe(true);
    expect((await list(key, 'q=PERSON1&limit=1000')).leads.map((l) => l.email).sort()).toEqual(['person1@corp.example', 'person10@corp.example', 'person11@corp.example'].sort());
    expect((await list(key, 'q=%25&limit=1000')).leads).toEqual([]); // LIKE wildcards are literal
    const hot = await list(key, 'temperature=cold&limit=1000');
    expect(hot.leads.every((l) => l.temperature === 'cold')).toBe(true);
    expect((await list(key, 'stage=pending&limit=1000')).leads).toEqual([]);
    expect((await list(key, 'stage=confirmed,mql,sql&limit=1000')).leads.length).toBe(12);
    expect((await list(key, `updated_since=${new Date(Date.now() + 60_000).toISOString()}`)).leads).toEqual([]);

    await env.DB.prepare(`INSERT INTO events (site_id, event_id, kind, url, path, magnet_id, ts, client_ts, received_at, lead_id)
                          VALUES (?, ?, 'form_submit', 'https://www.example.com/wp', '/wp', 'wp-2026', 1, 1, 1, ?)`).bind(site, eventId(), ids[2]).run();
    expect((await list(key, 'magnet=wp-2026')).leads.map((l) => l.id)).toEqual([ids[2]]);
  });

  it('filters by score range, owner, sales status, country and industry (ignoring case), through the list and its cursor', async () => {
    const site = await createSite();
    const key = await apiKey(site);
    const a = await seedLead(site, { email: 'a@corp.example', country: 'DE', industry: 'Maschinenbau', companySize: '1000+' });
    const b = await seedLead(site, { email: 'b@corp.example', country: 'DE', industry: 'Software', companySize: '50-249' });
    const c = await seedLead(site, { email: 'c@corp.example', country: 'AT', industry: 'maschinenbau', companySize: '10-49' });
    await seedLead(site, { email: 'd@corp.example' });
    await env.DB.prepare("UPDATE leads SET owner_id = 'anna', sales_status = 'accepted' WHERE site_id = ? AND id IN (?, ?)").bind(site, a, c).run();
    await env.DB.prepare("UPDATE leads SET owner_id = 'ben', sales_status = 'open' WHERE site_id = ? AND id = ?").bind(site, b).run();
    for (const id of [a, b, c]) await stitchVisitor(env.DB, site, id, vidOf()); // scored: fit differs by size
    const ids = async (qs: string) => (await list(key, `${qs}&limit=1000`)).leads.map((l) => l.id).sort();
    expect(await ids('owner=anna')).toEqual([a, c].sort());
    expect(await ids('owner=ben&sort=updated')).toEqual([b]);
    expect(await ids('owner=nobody')).toEqual([]);
    expect(await ids('sales_status=accepted')).toEqual([a, c].sort());
    expect(await ids('sales_status=open')).toEqual([b]);
    expect(await ids('sales_status=won')).toEqual([]);
    expect(await ids('country=de')).toEqual([a, b].sort());
    expect(await ids('country=AT&owner=anna')).toEqual([c]);
    expect(await ids('industry=MASCHINENBAU')).toEqual([a, c].sort());
    expect(await ids('industry=Maschinen')).toEqual([]); // exact, not a substring
    // Sorted by update, the list holds the unscored lead too (score 0).
    const scores = (await list(key, 'sort=updated&limit=1000')).leads.map((l) => l.score).sort((x, y) => x - y);
    const mid = scores[Math.floor(scores.length / 2)]!;
    const capped = (await list(key, `max_score=${mid}&limit=1000`)).leads;
    expect(capped.length).toBeGreaterThan(0);
    expect(capped.length).toBeLessThan(scores.length);
    expect(capped.every((l) => l.score <= mid)).toBe(true);
    expect((await list(key, `min_score=${mid}&max_score=${mid}&limit=1000`)).leads.every((l) => l.score === mid)).toBe(true);
    // Paging keeps the filter; a cursor of another owner's list is refused.
    const first = await list(key, 'owner=anna&limit=1');
    expect(first.next).toBeTruthy();
    const second = await list(key, `owner=anna&limit=1&cursor=${encodeURIComponent(first.next!)}`);
    expect([...first.leads, ...second.leads].map((l) => l.id).sort()).toEqual([a, c].sort());
    await expectProblem(await call(`/v1/leads?owner=ben&limit=1&cursor=${encodeURIComponent(first.next!)}`, auth(key)), 400, PROBLEM_TYPES.validation);
    await expectProblem(await call(`/v1/leads?owner=anna&industry=software&limit=1&cursor=${encodeURIComponent(first.next!)}`, auth(key)), 400, PROBLEM_TYPES.validation);
  });

  it('answers NDJSON and spreadsheet-safe CSV', async () => {
    const { key } = await siteWithLeads(6);
    const nd = await call('/v1/leads?format=ndjson&limit=4', auth(key));
    expect(nd.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await nd.text()).trim().split('\n').map((l) => JSON.parse(l) as Listed);
    expect(lines).toHaveLength(4);
    expect(nd.headers.get('x-next-cursor')).toBeTruthy();

    const csv = await call('/v1/leads?limit=100', { headers: { authorization: `Bearer ${key}`, accept: 'text/csv' } });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toBe('id,email,firstName,company,role,companySize,industry,country,status,stage,score,fit,engagement,temperature,likelihood,updatedAt');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  it('rejects bad queries and foreign cursors', async () => {
    const { key } = await siteWithLeads(5);
    for (const qs of ['limit=0', 'limit=5000', 'sort=name', 'stage=hot', 'temperature=lukewarm', 'min_score=abc', 'updated_since=yesterday',
      'max_score=abc', 'max_score=', 'owner=Anna%20B', 'owner=', 'sales_status=closed', 'sales_status=pending', 'country=DEU', 'country=1a',
      'industry=', `industry=${'x'.repeat(61)}`]) {
      await expectProblem(await call(`/v1/leads?${qs}`, auth(key)), 400, PROBLEM_TYPES.validation);
    }
    const page = await list(key, 'limit=2');
    const problem = await expectProblem(await call(`/v1/leads?limit=2&sort=updated&cursor=${page.next}`, auth(key)), 400, PROBLEM_TYPES.validation);
    expect(problem.path).toBe('/cursor');
    await expectProblem(await call('/v1/leads?cursor=garbage', auth(key)), 400, PROBLEM_TYPES.validation);
  });
});

describe('GET /v1/leads/:id', () => {
  it('returns profile, consents, score with explanation, stage history and events', async () => {
    const { key, ids } = await siteWithLeads(5);
    const res = await call(`/v1/leads/${ids[0]}`, auth(key));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { lead: { id: string; email: string }; consents: unknown[]; score: { score: number; explanation: { lines: { id: string }[] } }; stageHistory: { to: string }[]; events: { kind: string }[] };
    expect(body.lead).toMatchObject({ id: ids[0], email: 'person0@gmail.example' });
    expect(Array.isArray(body.consents)).toBe(true);
    expect(body.score.explanation.lines.map((l) => l.id)).toContain('pricing-view');
    expect(body.stageHistory.map((h) => h.to)).toContain('confirmed');
    expect(body.events.map((e) => e.kind)).toEqual(['pricing_view']);
  });
});

describe('marketing API authentication matrix', () => {
  it('missing, wrong, revoked, wrong-scope and other-site keys get 401/403/404 and see nothing', async () => {
    const a = await siteWithLeads(3);
    const b = await siteWithLeads(1);
    const configOnly = await apiKey(a.site, ['config:write']);
    const revoked = await apiKey(a.site, ['leads:read']);
    const { keys } = (await (await adminCall('GET', `/admin/sites/${a.site}/keys`)).json()) as { keys: { id: string }[] };
    await adminCall('DELETE', `/admin/sites/${a.site}/keys/${keys.at(-1)!.id}`);

    const cases: [Record<string, string>, number][] = [
      [{}, 401],
      [{ authorization: 'Bearer nope' }, 401],
      [{ authorization: `Bearer ${a.key.slice(0, -2)}xx` }, 401],
      [{ authorization: `Bearer ${revoked}` }, 401],
      [{ authorization: `Basic ${btoa('x:y')}` }, 401],
      [{ authorization: `Bearer ${configOnly}` }, 403],
    ];
    for (const [headers, status] of cases) {
      for (const path of ['/v1/leads', `/v1/leads/${a.ids[0]}`, `/v1/leads/${a.ids[0]}/score`]) {
        const res = await call(path, { headers });
        const body = await expectProblem(res, status, status === 401 ? PROBLEM_TYPES.unauthorized : PROBLEM_TYPES.forbidden);
        expect(JSON.stringify(body)).not.toContain('@');
      }
    }
    // B's key cannot see A's lead, and A's list never contains B's leads.
    await expectProblem(await call(`/v1/leads/${a.ids[0]}`, auth(b.key)), 404, PROBLEM_TYPES.notFound);
    await expectProblem(await call(`/v1/leads/${a.ids[0]}/score`, auth(b.key)), 404, PROBLEM_TYPES.notFound);
    expect((await list(b.key, 'limit=1000')).leads.map((l) => l.id)).toEqual(b.ids);
  });
});

describe('GET /v1/reports/funnel', () => {
  it('counts each step and the conversion between consecutive steps', async () => {
    const site = await createSite();
    const key = await apiKey(site, ['leads:read']);
    const ev = (kind: string, vid?: string, extra: Record<string, unknown> = {}) => ({ id: eventId(), kind, ts: Date.now(), url: `${ORIGIN}/`, ...(vid ? { vid } : {}), ...extra });
    const vids = Array.from({ length: 10 }, vidOf);
    await collect({ site, events: vids.map((v) => ev('pageview', v)) });
    await collect({ site, events: [...vids.slice(0, 6).map((v) => ev('pricing_view', v)), ev('pricing_view', vids[0])] });
    await collect({ site, events: vids.slice(0, 4).map((v) => ev('form_view', v, { magnet: 'wp' })) });
    await collect({ site, events: [ev('pageview'), ev('pageview')] }); // anonymous mode
    const leads = [];
    for (let i = 0; i < 3; i++) leads.push(await seedLead(site, { status: i < 2 ? 'confirmed' : 'pending', email: `f${i}@corp.example` }));
    await env.DB.prepare('UPDATE leads SET confirmed_at = created_at WHERE site_id = ? AND status = ?').bind(site, 'confirmed').run();
    await env.DB.prepare(`INSERT INTO stage_history (site_id, lead_id, from_stage, to_stage, direction, at, score, fit, engagement, model_version)
                          VALUES (?, ?, 'confirmed', 'mql', 'up', 1, 1, 1, 1, 1)`).bind(site, leads[0]).run();

    const res = await call('/v1/reports/funnel', auth(key));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { steps: { step: string; count: number; conversion: number | null }[]; anonymousPageviews: number };
    expect(body.steps.map((s) => [s.step, s.count])).toEqual([
      ['visitors', 10], ['pricing_visitors', 6], ['form_viewers', 4], ['leads', 3], ['confirmed', 2], ['mql', 1], ['sql', 0],
      ['accepted', 0], ['opportunity', 0], ['won', 0],
    ]);
    expect(body.steps[1]!.conversion).toBeCloseTo(0.6);
    expect(body.steps[0]!.conversion).toBeNull();
    expect(body.anonymousPageviews).toBe(2);

    const empty = (await (await call(`/v1/reports/funnel?from=2020-01-01&to=2020-02-01`, auth(key))).json()) as { steps: { count: number }[] };
    expect(empty.steps.every((s) => s.count === 0)).toBe(true);
    await expectProblem(await call('/v1/reports/funnel?from=2026-02-01&to=2026-01-01', auth(key)), 400, PROBLEM_TYPES.validation);
    await expectProblem(await call('/v1/reports/funnel?from=someday', auth(key)), 400, PROBLEM_TYPES.validation);
  });
});
