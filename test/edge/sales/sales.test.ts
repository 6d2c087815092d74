import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { refreshLead } from '../../../edge/features/scoring/lead-scoring';
import { expectProblem } from '../helpers';
import { HOUR, PUBLIC, TEAM, api, salesSite, sqlLead } from '../sales-helpers';
import { runCron, send } from '../leads-helpers';
import { apiKey, seedLead, storedScore } from '../scoring-helpers';

/**
 * The loop with sales against the real Worker and D1: routing at the
 * hand-off, the owner's alert mail, the write-back and its refusals, the
 * owner's deadline, bulk updates and recycling. Webhook receivers are a
 * stand-in for the global fetch, as in the webhook tests.
 */

const leadOf = (site: string, id: string) =>
  env.DB.prepare('SELECT sales_status, owner_id, sla_due_at, deal_value, deal_currency, closed_at, crm_id, budget, engagement_since FROM leads WHERE site_id = ? AND id = ?')
    .bind(site, id).first<Record<string, unknown>>();
const historyOf = (site: string, id: string) =>
  env.DB.prepare('SELECT from_stage, to_stage, actor, detail FROM stage_history WHERE site_id = ? AND lead_id = ? ORDER BY seq').bind(site, id)
    .all<{ from_stage: string; to_stage: string; actor: string | null; detail: string | null }>().then((r) => r.results);
const ownerMails = (site: string, id: string) =>
  env.DB.prepare("SELECT id, kind, owner_id, status FROM mail_outbox WHERE site_id = ? AND lead_id = ? AND kind != 'confirmation' ORDER BY created_at")
    .bind(site, id).all<{ id: string; kind: string; owner_id: string; status: string }>().then((r) => r.results);

afterEach(async () => {
  vi.restoreAllMocks();
  await env.DB.prepare("UPDATE webhook_messages SET status = 'cancelled' WHERE status = 'pending'").run();
});

describe('routing at the hand-off', () => {
  it('weighted round-robin over three owners splits 30 leads 15/10/5, each lead assigned once, each owner alerted once per lead', async () => {
    const { site } = await salesSite();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await sqlLead(site));
    const t = Date.now();
    // Two overlapping cron runs: still one assignment per lead. A run sends 25 mails; the next one the rest.
    await Promise.all([runCron(t), runCron(t)]);
    await runCron(t + 1);
    const split = await env.DB.prepare('SELECT owner_id, COUNT(*) AS n FROM leads WHERE site_id = ? GROUP BY owner_id ORDER BY owner_id').bind(site).all<{ owner_id: string; n: number }>();
    expect(split.results).toEqual([{ owner_id: 'anna', n: 15 }, { owner_id: 'ben', n: 10 }, { owner_id: 'cem', n: 5 }]);
    const counts = await env.DB.prepare('SELECT id, assigned FROM owners WHERE site_id = ? ORDER BY id').bind(site).all();
    expect(counts.results).toEqual([{ id: 'anna', assigned: 15 }, { id: 'ben', assigned: 10 }, { id: 'cem', assigned: 5 }]);
    for (const id of ids) {
      const opens = (await historyOf(site, id)).filter((h) => h.to_stage === 'open');
      expect(opens).toHaveLength(1);
      expect(opens[0]!.actor).toBe('routing');
      expect(await ownerMails(site, id)).toEqual([expect.objectContaining({ kind: 'owner_alert', status: 'sent' })]);
      const lead = (await leadOf(site, id))!;
      expect(lead.sales_status).toBe('open');
      expect(lead.sla_due_at).toBe(t + 24 * HOUR);
    }
  });

  it('the alert mail says who the lead is, the score and why, the consents and how to answer, in the owner\'s language', async () => {
    const { site } = await salesSite([TEAM[0]]);
    const id = await sqlLead(site, { email: 'petra.klein@acme-gmbh.example' });
    await runCron(Date.now());
    const mail = await env.DB.prepare("SELECT subject, text_body, html_body FROM dev_mailbox WHERE to_addr = 'anna@sales.example' AND instr(text_body, ?) > 0")
      .bind(id).first<{ subject: string; text_body: string; html_body: string }>();
    expect(mail).not.toBeNull();
    expect(mail!.subject).toBe('Neuer Lead für Sie: Acme GmbH <petra.klein@acme-gmbh.example>');
    expect(mail!.text_body).toContain('Hallo Anna Berg,');
    expect(mail!.text_body).toMatch(/Score 50 \(Fit 50, Engagement 0\), Stufe SQL/);
    expect(mail!.text_body).toMatch(/^ {2}\+50 {2}DACH$/m); // the explanation line
    expect(mail!.text_body).toContain('innerhalb von 24 Stunden');
    expect(mail!.text_body).toContain(`lodestone leads update ${id} --status accepted`);
    expect(mail!.text_body).toContain(`http://edge.test/v1/leads/${id}`);
    expect(mail!.html_body).not.toContain('<script');
  });

  it('lead.assigned and lead.status_changed are delivered, signed, to an endpoint that subscribed to them', async () => {
    const { site, key } = await salesSite([TEAM[1]]);
    const got: { url: string; headers: Headers; body: string }[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
      got.push({ url: String(input), headers: new Headers(init?.headers), body: String(init?.body ?? '') });
      return new Response('ok');
    });
    const hook = await api(key, 'POST', '/v1/webhooks', { url: 'https://hooks.crm-example.com/x', events: ['lead.assigned', 'lead.status_changed'] });
    expect(hook.status).toBe(201);
    const id = await sqlLead(site);
    await runCron(Date.now());
    const assigned = got.map((g) => JSON.parse(g.body)).filter((b) => b.type === 'lead.assigned');
    expect(assigned).toHaveLength(1);
    expect(assigned[0].data.lead.id).toBe(id);
    expect(assigned[0].data.owner).toEqual({ id: 'ben', name: 'Ben Cole', email: 'ben@sales.example' });
    expect(assigned[0].data.stageChange).toMatchObject({ from: 'sql', to: 'open' });
    expect(got[0]!.headers.get('webhook-signature')).toMatch(/^v1,/);
    got.length = 0;
    expect((await api(key, 'PATCH', `/v1/leads/${id}`, { status: 'accepted' })).status).toBe(200);
    const changed = got.map((g) => JSON.parse(g.body));
    expect(changed.map((b) => b.type)).toEqual(['lead.status_changed']);
    expect(changed[0].data.stageChange).toMatchObject({ from: 'open', to: 'accepted' });
    expect(changed[0].data.sales).toMatchObject({ status: 'accepted', ownerId: 'ben' });
  });

  it('a lead no territory matches goes to the fallback owner; without one it waits', async () => {
    const team = [
      { id: 'dach', name: 'D', email: 'd@sales.example', territory: { countries: ['DE', 'AT', 'CH'], industries: ['software'] } },
      { id: 'rest', name: 'R', email: 'r@sales.example', fallback: true },
    ];
    const { site } = await salesSite(team);
    const software = await sqlLead(site, { industry: 'Enterprise Software' });
    const other = await sqlLead(site, { industry: 'Retail' });
    await runCron(Date.now());
    expect((await leadOf(site, software))!.owner_id).toBe('dach');
    expect((await leadOf(site, other))!.owner_id).toBe('rest');
    const { site: lonely } = await salesSite([{ id: 'x', name: 'X', email: 'x@sales.example', territory: { countries: ['FR'] } }]);
    const waiting = await sqlLead(lonely);
    await runCron(Date.now());
    expect((await leadOf(lonely, waiting))!.owner_id).toBeNull();
  });
});

describe('the owner\'s deadline', () => {
  it('an unanswered lead moves to the next owner once; both are told; the first owner never gets it back', async () => {
    const { site } = await salesSite([TEAM[0], TEAM[1]]);
    const id = await sqlLead(site);
    const t = Date.now();
    await runCron(t);
    const first = (await leadOf(site, id))!.owner_id as string;
    await runCron(t + 23 * HOUR);
    expect((await leadOf(site, id))!.owner_id).toBe(first);
    await Promise.all([runCron(t + 25 * HOUR), runCron(t + 25 * HOUR)]);
    const after = (await leadOf(site, id))!;
    expect(after.owner_id).not.toBe(first);
    expect(after.sla_due_at).toBe(t + 25 * HOUR + 24 * HOUR);
    const mails = await ownerMails(site, id);
    expect(mails.map((m) => [m.kind, m.owner_id]).sort()).toEqual([['owner_alert', after.owner_id], ['owner_alert', first], ['owner_notice', first]].sort());
    expect((await historyOf(site, id)).filter((h) => h.actor === 'sla')).toHaveLength(1);
    // Accepting stops the clock.
    const key = await apiKey(site);
    expect((await api(key, 'PATCH', `/v1/leads/${id}`, { status: 'accepted' })).status).toBe(200);
    expect((await leadOf(site, id))!.sla_due_at).toBeNull();
  });
});

describe('PATCH /v1/leads/{id}', () => {
  let site: string;
  let key: string;
  beforeAll(async () => {
    ({ site, key } = await salesSite());
  });

  it('walks a lead to won with its value; the history says who and when; the same PATCH again is unchanged', async () => {
    const id = await sqlLead(site);
    await runCron(Date.now());
    for (const body of [{ status: 'accepted' }, { status: 'opportunity', crmId: 'deal-4711', budget: 'approved' }]) {
      expect((await api(key, 'PATCH', `/v1/leads/${id}`, body)).status).toBe(200);
    }
    const won = await api(key, 'PATCH', `/v1/leads/${id}`, { status: 'won', value: 12000, currency: 'eur', closedAt: '2026-12-01T00:00:00Z' });
    expect(won.status).toBe(200);
    expect(await won.json()).toMatchObject({ result: 'updated', sales: { status: 'won', value: 12000, currency: 'EUR', closedAt: Date.parse('2026-12-01T00:00:00Z'), crmId: 'deal-4711', budget: 'approved' } });
    const again = await api(key, 'PATCH', `/v1/leads/${id}`, { status: 'won', value: 12000, currency: 'EUR' });
    expect(await again.json()).toMatchObject({ result: 'unchanged' });
    const history = (await historyOf(site, id)).filter((h) => h.actor !== null);
    expect(history.map((h) => [h.from_stage, h.to_stage, h.actor])).toEqual([
      ['sql', 'open', 'routing'], ['open', 'accepted', 'key:test'], ['accepted', 'opportunity', 'key:test'], ['opportunity', 'won', 'key:test'],
    ]);
    expect(JSON.parse(history[3]!.detail!)).toMatchObject({ value: 12000, currency: 'EUR' });
    // BANT feeds the score at once: the budget rule matched when the opportunity was written.
    expect((await storedScore(site, id))!.fit).toBe(57);
    const detail = (await (await api(key, 'GET', `/v1/leads/${id}`)).json()) as { lead: { sales: Record<string, unknown> }; stageHistory: { to: string; by?: string }[] };
    expect(detail.lead.sales).toMatchObject({ status: 'won', ownerId: expect.any(String) });
    expect(detail.stageHistory.at(-1)).toMatchObject({ to: 'won', by: 'key:test' });
  });

  it('the CLI is named as the writer when it says so', async () => {
    const id = await sqlLead(site);
    const res = await send(`/v1/leads/${id}`, {
      method: 'PATCH', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'lodestone-client': 'cli' }, body: JSON.stringify({ status: 'accepted' }),
    }, PUBLIC);
    expect(res.status).toBe(200);
    expect((await historyOf(site, id)).at(-1)!.actor).toBe('cli:test');
  });

  it('refuses what the lifecycle or the data does not allow, and changes nothing', async () => {
    const id = await sqlLead(site);
    const before = await leadOf(site, id);
    const forbidden = await api(key, 'PATCH', `/v1/leads/${id}`, { status: 'recycled' });
    const problem = await expectProblem(forbidden, 409, PROBLEM_TYPES.conflict);
    expect(problem).toMatchObject({ from: null, to: 'recycled', allowed: ['accepted', 'rejected', 'opportunity', 'won', 'lost'] });
    const cases: [unknown, number, string][] = [
      [{ status: 'won' }, 400, '/value'],
      [{ status: 'won', value: 100 }, 400, '/currency'],
      [{ status: 'won', value: -1, currency: 'EUR' }, 400, '/value'],
      [{ status: 'won', value: '12000', currency: 'EUR' }, 400, '/value'],
      [{ status: 'won', value: 1e300, currency: 'EUR' }, 400, '/value'],
      [{ status: 'won', value: 10, currency: 'XYZ' }, 400, '/currency'],
      [{ status: 'rejected' }, 400, '/reason'],
      [{ status: 'rejected', reason: 'moon_phase' }, 400, '/reason'],
      [{ status: 'open' }, 400, '/status'],
      [{ owner: 'nobody' }, 404, ''],
      [{ stauts: 'won' }, 400, '/stauts'],
      [{}, 400, '/'],
      [{ crmId: 'x\u0000y' }, 400, '/crmId'],
      [{ budget: 'lots' }, 400, '/budget'],
    ];
    for (const [body, status, path] of cases) {
      const res = await api(key, 'PATCH', `/v1/leads/${id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      const p = (await res.json()) as { path?: string };
      if (path) expect(p.path, JSON.stringify(body)).toBe(path);
    }
    for (const raw of ['{"status":', '[]', 'null', '"won"']) expect((await api(key, 'PATCH', `/v1/leads/${id}`, raw)).status, raw).toBe(400);
    expect((await api(key, 'PATCH', `/v1/leads/${id}`, 'status=won', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await api(key, 'PATCH', `/v1/leads/${id}`, JSON.stringify({ crmId: 'x'.repeat(70_000) }))).status).toBe(413);
    expect(await leadOf(site, id)).toEqual(before);

    await expectProblem(await api(key, 'PATCH', '/v1/leads/ld_nope', { status: 'accepted' }), 404, PROBLEM_TYPES.notFound);
    const { site: other } = await salesSite();
    const foreign = await sqlLead(other);
    await expectProblem(await api(key, 'PATCH', `/v1/leads/${foreign}`, { status: 'accepted' }), 404, PROBLEM_TYPES.notFound);
    const gone = await seedLead(site, { status: 'withdrawn' });
    await expectProblem(await api(key, 'PATCH', `/v1/leads/${gone}`, { status: 'accepted' }), 410, PROBLEM_TYPES.gone);
    const readOnly = await apiKey(site, ['leads:read']);
    expect((await api(readOnly, 'PATCH', `/v1/leads/${id}`, { status: 'accepted' })).status).toBe(403);
    // A CRM id is one lead's.
    const a = await sqlLead(site);
    const b = await sqlLead(site);
    expect((await api(key, 'PATCH', `/v1/leads/${a}`, { crmId: 'hs-1' })).status).toBe(200);
    await expectProblem(await api(key, 'PATCH', `/v1/leads/${b}`, { crmId: 'hs-1' }), 409, PROBLEM_TYPES.conflict);
  });

  it('recycling sends the lead back to marketing: confirmed, no owner, and only new engagement brings it back to SQL', async () => {
    const id = await sqlLead(site, { email: `recycle.${Date.now()}@acme.example` });
    await runCron(Date.now());
    expect((await api(key, 'PATCH', `/v1/leads/${id}`, { status: 'accepted' })).status).toBe(200);
    expect((await api(key, 'PATCH', `/v1/leads/${id}`, { status: 'recycled', reason: 'timing' })).status).toBe(200);
    const lead = (await leadOf(site, id))!;
    expect(lead).toMatchObject({ sales_status: 'recycled', owner_id: null });
    expect((await storedScore(site, id))!.stage).toBe('confirmed');
    // Fit alone (50 ≥ SQL 40) does not hand it over again.
    await runCron(Date.now());
    expect((await storedScore(site, id))!.stage).toBe('confirmed');
    expect((await leadOf(site, id))!.owner_id).toBeNull();
    // A page view after the recycle is new engagement: SQL again, and routed again.
    const at = Date.now() + 1;
    await env.DB.prepare(`INSERT INTO events (event_id, site_id, kind, ts, client_ts, received_at, url, path, lead_id)
                          VALUES (?, ?, 'pageview', ?, ?, ?, 'https://www.example.com/x', '/x', ?)`)
      .bind(`evt_${Math.random().toString(36).slice(2)}`, site, at, at, at, id).run();
    await refreshLead(env.DB, site, id, Date.now() + 2);
    expect((await storedScore(site, id))!.stage).toBe('sql');
    await runCron(Date.now() + 3);
    expect((await leadOf(site, id))!).toMatchObject({ sales_status: 'open', owner_id: expect.any(String) });
  });
});

describe('POST /v1/leads/updates', () => {
  it('takes JSON, NDJSON and CSV, reports per row, and the same file twice changes nothing the second time', async () => {
    const { site, key } = await salesSite();
    const a = await sqlLead(site, { email: 'bulk.a@acme.example' });
    const b = await sqlLead(site, { email: 'bulk.b@acme.example' });
    const c = await sqlLead(site);
    await runCron(Date.now());
    expect((await api(key, 'PATCH', `/v1/leads/${c}`, { crmId: 'pd-77' })).status).toBe(200);
    const csv = 'email;status;value;currency;crmId\r\nBulk.A@acme.example;won;12000,50;EUR;=HYPERLINK("x")\r\nbulk.b@acme.example;lost;;;\r\nnobody@acme.example;accepted;;;\r\n';
    const first = (await (await api(key, 'POST', '/v1/leads/updates', csv, 'text/csv')).json()) as { updated: number; unchanged: number; refused: number; rows: { line: number; result: string; status?: number; reason?: string }[] };
    expect(first).toMatchObject({ updated: 1, unchanged: 0, refused: 2 });
    expect(first.rows.map((r) => [r.line, r.result, r.status ?? null])).toEqual([[2, 'updated', null], [3, 'refused', 400], [4, 'refused', 404]]);
    expect(first.rows[1]!.reason).toContain('/reason');
    expect(await leadOf(site, a)).toMatchObject({ sales_status: 'won', deal_value: 12000.5, deal_currency: 'EUR', crm_id: '=HYPERLINK("x")' });
    const second = (await (await api(key, 'POST', '/v1/leads/updates', csv, 'text/csv')).json()) as typeof first;
    expect(second).toMatchObject({ updated: 0, unchanged: 1, refused: 2 });

    const ndjson = `{"crmId":"pd-77","status":"accepted"}\n{"id":"${b}","status":"rejected","reason":"no_budget"}\nnot json\n`;
    const nd = (await (await api(key, 'POST', '/v1/leads/updates', ndjson, 'application/x-ndjson')).json()) as typeof first;
    expect(nd.rows.map((r) => r.result)).toEqual(['updated', 'updated', 'refused']);
    const json = [{ id: c, status: 'accepted' }, { id: b, status: 'rejected', reason: 'no_budget' }];
    expect(await (await api(key, 'POST', '/v1/leads/updates', json)).json()).toMatchObject({ updated: 0, unchanged: 2, refused: 0 });
    expect((await leadOf(site, b))!.sales_status).toBe('rejected');

    // One lead twice in a file: the second row builds on the first, in order; both land in the history.
    const d = await sqlLead(site);
    await runCron(Date.now());
    const twice = (await (await api(key, 'POST', '/v1/leads/updates', [{ id: d, status: 'accepted' }, { id: d, status: 'opportunity', budget: 'approved' }])).json()) as typeof first;
    expect(twice.rows.map((r) => r.result)).toEqual(['updated', 'updated']);
    expect((await historyOf(site, d)).filter((h) => h.actor === 'key:test').map((h) => h.to_stage)).toEqual(['accepted', 'opportunity']);
    expect((await leadOf(site, d))!.budget).toBe('approved');
    expect((await storedScore(site, d))!.fit).toBe(57);

    for (const [body, type, status] of [['{"id":', 'application/json', 400], ['{}', 'application/json', 400], ['', 'text/csv', 400], ['id\n"x', 'text/csv', 400], ['x', 'text/plain', 415]] as const) {
      expect((await api(key, 'POST', '/v1/leads/updates', body, type)).status, body).toBe(status);
    }
    expect((await api(key, 'POST', '/v1/leads/updates', 'id\n' + 'x'.repeat(6 * 1024 * 1024), 'text/csv')).status).toBe(413);
    // Another site's key never reaches these leads.
    const { key: otherKey } = await salesSite();
    const foreign = (await (await api(otherKey, 'POST', '/v1/leads/updates', [{ id: a, status: 'lost', reason: 'price' }])).json()) as typeof first;
    expect(foreign.rows[0]).toMatchObject({ result: 'refused', status: 404 });
    expect((await leadOf(site, a))!.sales_status).toBe('won');
  });
});

describe('the team and the settings', () => {
  it('PUT /v1/owners validates the whole document and keeps left-out owners inactive', async () => {
    const { site, key } = await salesSite();
    const bad: [unknown, string][] = [
      [{ owners: [{ id: 'Anna!', name: 'A', email: 'a@x.example' }] }, '/owners/0/id'],
      [{ owners: [{ id: 'a', name: 'A', email: 'not-an-address' }] }, '/owners/0/email'],
      [{ owners: [{ id: 'a', name: 'A', email: 'a@x.example', weight: 0 }] }, '/owners/0/weight'],
      [{ owners: [{ id: 'a', name: 'A', email: 'a@x.example', territory: { countries: ['Germany'] } }] }, '/owners/0/territory/countries/0'],
      [{ owners: [{ id: 'a', name: 'A', email: 'a@x.example', territory: { sizeMin: 500, sizeMax: 50 } }] }, '/owners/0/territory'],
      [{ owners: [{ id: 'a', name: 'A', email: 'a@x.example', boss: true }] }, '/owners/0/boss'],
      [{ owners: [{ id: 'a', name: 'A', email: 'a@x.example' }, { id: 'a', name: 'B', email: 'b@x.example' }] }, '/owners/1'],
      [{ owners: [{ id: 'a', name: 'A\u001b[2J', email: 'a@x.example' }] }, '/owners/0/name'],
    ];
    for (const [body, path] of bad) {
      const res = await api(key, 'PUT', '/v1/owners', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { path: string }).path, JSON.stringify(body)).toBe(path);
    }
    const before = ((await (await api(key, 'GET', '/v1/owners')).json()) as { owners: { id: string; active: boolean }[] }).owners;
    expect(before.map((o) => [o.id, o.active])).toEqual([['anna', true], ['ben', true], ['cem', true]]);
    const put = (await (await api(key, 'PUT', '/v1/owners', { owners: [TEAM[0]] })).json()) as { owners: { id: string; active: boolean }[] };
    expect(put.owners.map((o) => [o.id, o.active])).toEqual([['anna', true], ['ben', false], ['cem', false]]);
    const readOnly = await apiKey(site, ['leads:read']);
    expect((await api(readOnly, 'PUT', '/v1/owners', { owners: [] })).status).toBe(403);
    expect((await api(readOnly, 'GET', '/v1/owners')).status).toBe(200);
  });

  it('sales settings: own reasons and deadline, null back to the default, bad values refused', async () => {
    const { site, key } = await salesSite([TEAM[0]]);
    const put = await api(key, 'PUT', '/v1/sales/settings', { slaHours: 8, rejectReasons: ['too_small', 'student'] });
    expect(await put.json()).toMatchObject({ settings: { handoffStage: 'sql', slaHours: 8, rejectReasons: ['too_small', 'student'] }, overrides: { slaHours: true, handoffStage: false } });
    const id = await sqlLead(site);
    const t = Date.now();
    await runCron(t);
    expect((await leadOf(site, id))!.sla_due_at).toBe(t + 8 * HOUR);
    expect((await api(key, 'PATCH', `/v1/leads/${id}`, { status: 'rejected', reason: 'no_budget' })).status).toBe(400);
    expect((await api(key, 'PATCH', `/v1/leads/${id}`, { status: 'rejected', reason: 'student' })).status).toBe(200);
    for (const body of [{ slaHours: 0 }, { slaHours: 1e9 }, { handoffStage: 'won' }, { rejectReasons: [] }, { rejectReasons: ['Bad Reason'] }, { sla: 3 }]) {
      expect((await api(key, 'PUT', '/v1/sales/settings', body)).status, JSON.stringify(body)).toBe(400);
    }
    const reset = await api(key, 'PUT', '/v1/sales/settings', { slaHours: null });
    expect(await reset.json()).toMatchObject({ settings: { slaHours: 24, rejectReasons: ['too_small', 'student'] }, overrides: { slaHours: false, rejectReasons: true } });
  });

  it('erasing a lead removes what sales mails said about it, too', async () => {
    const { site, key } = await salesSite([TEAM[2]]);
    const email = `erase.${Date.now()}@acme-gmbh.example`;
    const id = await sqlLead(site, { email });
    await runCron(Date.now());
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM dev_mailbox WHERE instr(text_body, ?) > 0').bind(id).first<{ n: number }>())!.n).toBe(1);
    expect((await api(key, 'DELETE', `/v1/leads/${id}`)).status).toBe(200);
    for (const needle of [id, email.toLowerCase()]) {
      expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM dev_mailbox WHERE instr(lower(text_body), ?) > 0 OR instr(html_body, ?) > 0').bind(needle, needle).first<{ n: number }>())!.n).toBe(0);
      expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM mail_outbox WHERE lead_id = ?').bind(id).first<{ n: number }>())!.n).toBe(0);
      expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM stage_history WHERE lead_id = ?').bind(id).first<{ n: number }>())!.n).toBe(0);
    }
    // Writing back to an erased lead: gone, not unknown, and nothing is created.
    await expectProblem(await api(key, 'PATCH', `/v1/leads/${id}`, { status: 'accepted' }), 410, PROBLEM_TYPES.gone);
    const bulk = (await (await api(key, 'POST', '/v1/leads/updates', [{ id, status: 'accepted' }])).json()) as { rows: { status: number }[] };
    expect(bulk.rows[0]!.status).toBe(410);
    expect(await leadOf(site, id)).toBeNull();
  });
});

describe('the funnel runs to revenue', () => {
  it('counts accepted, opportunity and won, sums revenue per currency, gives median times and breaks down by owner and source', async () => {
    const { site, key } = await salesSite([TEAM[0], TEAM[1]]);
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await sqlLead(site));
    // First touch of one lead: a UTM source; of another: a referrer.
    const touch = (id: string, utm: string | null, ref: string | null) => env.DB.prepare(`INSERT INTO events (event_id, site_id, kind, ts, client_ts, received_at, url, path, referrer, utm, lead_id)
      VALUES (?, ?, 'pageview', 1, 1, ?, 'https://www.example.com/', '/', ?, ?, ?)`).bind(`evt_${Math.random().toString(36).slice(2)}`, site, Date.now(), ref, utm, id).run();
    await touch(ids[0]!, '{"source":"LinkedIn"}', 'https://www.google.com/search');
    await touch(ids[1]!, null, 'https://www.google.com/search');
    await runCron(Date.now());
    const patch = (id: string, body: unknown) => api(key, 'PATCH', `/v1/leads/${id}`, body);
    await patch(ids[0]!, { status: 'won', value: 12000, currency: 'EUR' });
    await patch(ids[1]!, { status: 'opportunity' });
    await patch(ids[1]!, { status: 'won', value: 5000.5, currency: 'USD' });
    await patch(ids[2]!, { status: 'accepted' });
    await patch(ids[3]!, { status: 'rejected', reason: 'bad_data' });
    const body = (await (await api(key, 'GET', '/v1/reports/funnel?by=owner')).json()) as {
      steps: { step: string; count: number; conversion: number | null; lost: number | null; medianMs: number | null }[];
      revenue: Record<string, number>; by: string; groups: { value: string; steps: { step: string; count: number }[]; revenue: Record<string, number> }[];
    };
    const counts = Object.fromEntries(body.steps.map((s) => [s.step, s.count]));
    expect(counts).toMatchObject({ leads: 4, confirmed: 4, mql: 4, sql: 4, accepted: 3, opportunity: 2, won: 2 });
    expect(body.steps.find((s) => s.step === 'won')).toMatchObject({ conversion: 1, lost: 0 });
    expect(body.steps.find((s) => s.step === 'accepted')).toMatchObject({ lost: 1 });
    expect(body.steps.find((s) => s.step === 'sql')!.medianMs).toBe(0); // fit alone: MQL and SQL in the same evaluation
    expect(body.steps.find((s) => s.step === 'visitors')!.medianMs).toBeNull();
    expect(body.revenue).toEqual({ EUR: 12000, USD: 5000.5 });
    expect(body.by).toBe('owner');
    expect(body.groups.map((g) => g.value).sort()).toEqual(['anna', 'ben']);
    expect(body.groups.reduce((n, g) => n + g.steps[0]!.count, 0)).toBe(4);
    const sources = (await (await api(key, 'GET', '/v1/reports/funnel?by=source')).json()) as typeof body;
    expect(Object.fromEntries(sources.groups.map((g) => [g.value, g.steps[0]!.count]))).toEqual({ direct: 2, linkedin: 1, 'google.com': 1 });
    expect(sources.groups.find((g) => g.value === 'linkedin')!.revenue).toEqual({ EUR: 12000 });
    for (const q of ['by=colour', 'by=', 'by=OWNER', 'by=owner%00']) {
      const res = await api(key, 'GET', `/v1/reports/funnel?${q}`);
      expect(res.status, q).toBe(400);
    }
    // Another site's funnel sees none of it.
    const { key: otherKey } = await salesSite();
    const other = (await (await api(otherKey, 'GET', '/v1/reports/funnel')).json()) as typeof body;
    expect(other.revenue).toEqual({});
    expect(other.steps.find((s) => s.step === 'leads')!.count).toBe(0);
  });
});
