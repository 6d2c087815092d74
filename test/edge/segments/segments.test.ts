import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { createSite, expectProblem } from '../helpers';
import { api } from '../sales-helpers';
import { apiKey, seedLead } from '../scoring-helpers';

/** Saved segments in workerd with the real local D1: CRUD, every refusal, and the lead list and its exports through ?segment=. */

const DAY = 86_400_000;

async function site() {
  const id = await createSite();
  const key = await apiKey(id);
  // Three leads: a Berlin one updated today, a Hamburg one updated 40 days ago, a pending one.
  const berlin = await seedLead(id, { company: 'Acme Berlin', email: 'berlin@acme.example' });
  const hamburg = await seedLead(id, { company: 'Acme Hamburg', email: 'hamburg@acme.example' });
  await seedLead(id, { status: 'pending', company: 'Acme Pending', email: 'pending@acme.example' });
  await env.DB.prepare('UPDATE leads SET updated_at = ? WHERE site_id = ? AND id = ?').bind(Date.now() - 40 * DAY, id, hamburg).run();
  return { id, key, berlin, hamburg };
}

const ids = async (res: Response) => {
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { leads: { id: string }[] }).leads.map((l) => l.id).sort();
};

describe('saved segments', () => {
  it('are created, read, listed, replaced and deleted', async () => {
    const { key } = await site();
    const created = await api(key, 'PUT', '/v1/segments/acme-confirmed', { name: 'Acme, confirmed', filter: { stage: ['confirmed'], q: 'Acme' } });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: 'acme-confirmed', name: 'Acme, confirmed', filter: { stage: ['confirmed'], q: 'Acme' } });
    const replaced = await api(key, 'PUT', '/v1/segments/acme-confirmed', { name: 'Acme this month', filter: { updatedWithinDays: 30 } });
    expect(replaced.status).toBe(200);
    expect(await (await api(key, 'GET', '/v1/segments/acme-confirmed')).json()).toMatchObject({ name: 'Acme this month', filter: { updatedWithinDays: 30 } });
    expect((await api(key, 'PUT', '/v1/segments/all', { name: 'All', filter: {} })).status).toBe(201);
    expect(((await (await api(key, 'GET', '/v1/segments')).json()) as { segments: { id: string }[] }).segments.map((s) => s.id)).toEqual(['acme-confirmed', 'all']);
    expect(await (await api(key, 'DELETE', '/v1/segments/all')).json()).toEqual({ deleted: 'all' });
    await expectProblem(await api(key, 'DELETE', '/v1/segments/all'), 404, PROBLEM_TYPES.notFound);
    await expectProblem(await api(key, 'GET', '/v1/segments/all'), 404, PROBLEM_TYPES.notFound);
  });

  it('select the lead list and its CSV and NDJSON exports; a filter in the query overrides the saved one', async () => {
    const { key, berlin, hamburg } = await site();
    await api(key, 'PUT', '/v1/segments/recent-confirmed', { name: 'Recent, confirmed', filter: { stage: ['confirmed'], updatedWithinDays: 30 } });
    expect(await ids(await api(key, 'GET', '/v1/leads?segment=recent-confirmed'))).toEqual([berlin]);
    const csv = await (await api(key, 'GET', '/v1/leads?segment=recent-confirmed&format=csv')).text();
    expect(csv).toContain('berlin@acme.example');
    expect(csv).not.toContain('hamburg@acme.example');
    const ndjson = (await (await api(key, 'GET', '/v1/leads?segment=recent-confirmed&format=ndjson')).text()).trim().split('\n');
    expect(ndjson.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual([berlin]);
    // The query's q narrows, its updated_since replaces the saved period.
    expect(await ids(await api(key, 'GET', `/v1/leads?segment=recent-confirmed&updated_since=${new Date(Date.now() - 60 * DAY).toISOString()}`))).toEqual([berlin, hamburg].sort());
    expect(await ids(await api(key, 'GET', '/v1/leads?segment=recent-confirmed&q=Hamburg'))).toEqual([]);
    await expectProblem(await api(key, 'GET', '/v1/leads?segment=nope'), 404, PROBLEM_TYPES.notFound);
  });

  it('save and apply the score range, owner, sales status, country and industry; the query overrides each', async () => {
    const { id, key, berlin, hamburg } = await site();
    await env.DB.prepare("UPDATE leads SET owner_id = 'anna', sales_status = 'accepted', country = 'DE', industry = 'Maschinenbau' WHERE site_id = ? AND id = ?").bind(id, berlin).run();
    await env.DB.prepare("UPDATE leads SET owner_id = 'ben', sales_status = 'won', country = 'AT', industry = 'Software' WHERE site_id = ? AND id = ?").bind(id, hamburg).run();
    const filter = { owner: 'anna', salesStatus: 'accepted', country: 'de', industry: 'MASCHINENBAU', maxScore: 1e6 };
    const saved = await api(key, 'PUT', '/v1/segments/anna', { name: 'Anna, accepted', filter });
    expect(saved.status).toBe(201);
    expect(((await saved.json()) as { filter: object }).filter).toEqual({ ...filter, country: 'DE' });
    expect(await ids(await api(key, 'GET', '/v1/leads?segment=anna'))).toEqual([berlin]);
    expect(await ids(await api(key, 'GET', '/v1/leads?segment=anna&sort=updated'))).toEqual([berlin]);
    expect(await ids(await api(key, 'GET', '/v1/leads?segment=anna&owner=ben&sales_status=won&country=AT&industry=software'))).toEqual([hamburg]);
    expect(await ids(await api(key, 'GET', '/v1/leads?segment=anna&owner=ben'))).toEqual([]); // the rest still applies
    await api(key, 'PUT', '/v1/segments/low', { name: 'Low', filter: { maxScore: -1 } });
    expect(await ids(await api(key, 'GET', '/v1/leads?segment=low'))).toEqual([]);
    expect((await ids(await api(key, 'GET', '/v1/leads?segment=low&max_score=1000000'))).length).toBe(3);
  });

  it('pages through a segment with the cursor, which belongs to that segment only', async () => {
    const { id, key } = await site();
    for (let i = 0; i < 3; i++) await seedLead(id, { company: `Beta ${i}` });
    await api(key, 'PUT', '/v1/segments/confirmed', { name: 'Confirmed', filter: { stage: ['confirmed'] } });
    await api(key, 'PUT', '/v1/segments/pending', { name: 'Pending', filter: { stage: ['pending'] } });
    const first = (await (await api(key, 'GET', '/v1/leads?segment=confirmed&limit=2')).json()) as { leads: { id: string }[]; next: string };
    const second = (await (await api(key, 'GET', `/v1/leads?segment=confirmed&limit=10&cursor=${encodeURIComponent(first.next)}`)).json()) as { leads: { id: string }[] };
    expect(new Set([...first.leads, ...second.leads].map((l) => l.id)).size).toBe(5);
    await expectProblem(await api(key, 'GET', `/v1/leads?segment=pending&cursor=${encodeURIComponent(first.next)}`), 400, PROBLEM_TYPES.validation);
  });

  it('refuses bad documents, ids and scopes with nothing stored', async () => {
    const { id, key } = await site();
    const bad: [unknown, string][] = [
      [{ name: 'x' }, '/filter'],
      [{ name: '', filter: {} }, '/name'],
      [{ name: 'x', filter: { stage: ['won'] } }, '/filter/stage/0'],
      [{ name: 'x', filter: { stage: [] } }, '/filter/stage'],
      [{ name: 'x', filter: { minScore: '5' } }, '/filter/minScore'],
      [{ name: 'x', filter: { updatedWithinDays: 1.5 } }, '/filter/updatedWithinDays'],
      [{ name: 'x', filter: { magnet: 'Not A Magnet' } }, '/filter/magnet'],
      [{ name: 'x', filter: { sql: 'DROP TABLE leads' } }, '/filter'],
      [{ name: 'x', filter: { maxScore: 'high' } }, '/filter/maxScore'],
      [{ name: 'x', filter: { owner: 'Anna B' } }, '/filter/owner'],
      [{ name: 'x', filter: { salesStatus: 'closed' } }, '/filter/salesStatus'],
      [{ name: 'x', filter: { country: 'Germany' } }, '/filter/country'],
      [{ name: 'x', filter: { industry: '' } }, '/filter/industry'],
      [{ name: 'x', filter: { industry: 'x'.repeat(61) } }, '/filter/industry'],
      [{ name: 'x\u0007', filter: {} }, '/name'],
      [{ name: 'x', filter: {}, extra: 1 }, ''],
    ];
    for (const [body, pointer] of bad) {
      const res = await api(key, 'PUT', '/v1/segments/s1', body);
      const problem = await expectProblem(res, 400, PROBLEM_TYPES.validation) as { errors?: { path: string }[] };
      expect(JSON.stringify(problem.errors), JSON.stringify(body)).toContain(`"path":"${pointer}`);
    }
    await expectProblem(await api(key, 'PUT', '/v1/segments/s1', '{"name":'), 400, PROBLEM_TYPES.malformed);
    await expectProblem(await api(key, 'PUT', '/v1/segments/s1', 'name=x', 'application/x-www-form-urlencoded'), 415, PROBLEM_TYPES.unsupportedMediaType);
    await expectProblem(await api(key, 'PUT', '/v1/segments/s1', { name: 'x', filter: { q: 'y'.repeat(5000) } }), 413, PROBLEM_TYPES.tooLarge);
    await expectProblem(await api(key, 'PUT', '/v1/segments/Bad%20Id', { name: 'x', filter: {} }), 400, PROBLEM_TYPES.validation);
    await expectProblem(await api(await apiKey(id, ['leads:read']), 'PUT', '/v1/segments/s1', { name: 'x', filter: {} }), 403, PROBLEM_TYPES.forbidden);
    await expectProblem(await api(null, 'GET', '/v1/segments'), 401, PROBLEM_TYPES.unauthorized);
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM segments WHERE site_id = ?').bind(id).first<{ n: number }>())!.n).toBe(0);
  });

  it('belong to their site, and a site holds at most 100', async () => {
    const a = await site();
    const b = await site();
    await api(a.key, 'PUT', '/v1/segments/mine', { name: 'Mine', filter: {} });
    await expectProblem(await api(b.key, 'GET', '/v1/segments/mine'), 404, PROBLEM_TYPES.notFound);
    await expectProblem(await api(b.key, 'GET', '/v1/leads?segment=mine'), 404, PROBLEM_TYPES.notFound);
    await env.DB.batch(Array.from({ length: 99 }, (_, i) =>
      env.DB.prepare("INSERT INTO segments (site_id, id, name, filter, created_at, updated_at) VALUES (?, ?, 'n', '{}', 1, 1)").bind(a.id, `s${i}`)));
    await expectProblem(await api(a.key, 'PUT', '/v1/segments/one-more', { name: 'One more', filter: {} }), 409, PROBLEM_TYPES.conflict);
    // Replacing one still works at the limit.
    expect((await api(a.key, 'PUT', '/v1/segments/mine', { name: 'Mine, renamed', filter: {} })).status).toBe(200);
  });
});
