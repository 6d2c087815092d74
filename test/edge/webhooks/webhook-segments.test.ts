import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { refreshLead } from '../../../edge/features/scoring/lead-scoring';
import { deliverDue } from '../../../edge/features/webhook-delivery/delivery';
import { createSite, expectProblem } from '../helpers';
import { api, MODEL } from '../sales-helpers';
import { apiKey, seedLead } from '../scoring-helpers';

/**
 * Saved segments as webhook filters, in workerd with the real local D1: an
 * endpoint with `segment` is sent only the lead events of leads in it (asked
 * at the first attempt), the others are recorded as cancelled; bad,
 * unknown and other sites' segments are refused with nothing stored.
 * Deliveries go to a scripted receiver passed to deliverDue.
 */

const HOOK_A = 'https://hooks.crm-example.com/acme-only';
const HOOK_B = 'https://hooks.crm-example.com/everyone';

function receiver() {
  const got: { url: string; body: { type: string; data: { lead: { id: string } } } }[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    got.push({ url, body: JSON.parse(String(init.body)) as never });
    return new Response('ok', { status: 200 });
  };
  return { got, fetch };
}

async function site() {
  const id = await createSite();
  const key = await apiKey(id);
  expect((await api(key, 'PUT', '/v1/scoring-model', MODEL)).status).toBe(200);
  expect((await api(key, 'PUT', '/v1/segments/acme', { name: 'Acme', filter: { q: 'Acme' } })).status).toBe(201);
  return { id, key };
}

async function endpoint(key: string, body: Record<string, unknown>) {
  const res = await api(key, 'POST', '/v1/webhooks', body);
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { endpoint: { id: string; segment: string | null } }).endpoint;
}

async function messagesOf(endpointId: string) {
  const { results } = await env.DB.prepare('SELECT id, lead_id, event_type, status, last_error, payload FROM webhook_messages WHERE endpoint_id = ? ORDER BY seq')
    .bind(endpointId).all<{ id: string; lead_id: string; event_type: string; status: string; last_error: string | null; payload: string | null }>();
  return results;
}

/** Two DACH leads that fit alone takes to SQL: one of Acme, one not. */
async function leads(siteId: string) {
  const acme = await seedLead(siteId, { country: 'DE', company: 'Acme GmbH', email: `${Math.random().toString(36).slice(2)}@acme.example` });
  const other = await seedLead(siteId, { country: 'DE', company: 'Globex GmbH', email: `${Math.random().toString(36).slice(2)}@globex.example` });
  await refreshLead(env.DB, siteId, acme);
  await refreshLead(env.DB, siteId, other);
  return { acme, other };
}

afterEach(() => vi.restoreAllMocks());

describe('webhook endpoints with a segment', () => {
  it('still tell an endpoint of the withdrawal of a lead it was sent, and only then', { timeout: 30_000 }, async () => {
    const { id, key } = await site();
    expect((await api(key, 'PUT', '/v1/segments/sql', { name: 'SQL', filter: { stage: ['sql'] } })).status).toBe(201);
    const a = await endpoint(key, { url: HOOK_A, segment: 'sql' });
    const handedOff = await seedLead(id, { country: 'DE', company: 'Acme GmbH', email: `${Math.random().toString(36).slice(2)}@acme.example` });
    const never = await seedLead(id, { country: 'US', company: 'Far Away Inc', email: `${Math.random().toString(36).slice(2)}@far.example` });
    await refreshLead(env.DB, id, handedOff);
    await refreshLead(env.DB, id, never);
    let r = receiver();
    await deliverDue(env.DB, { via: 'cron', fetch: r.fetch });
    expect(new Set(r.got.map((g) => g.body.data.lead.id))).toEqual(new Set([handedOff]));

    // Withdrawals go out right after the request: the receiver stands in for the global fetch.
    r = receiver();
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => r.fetch(String(input), init ?? {}));
    for (const lead of [handedOff, never]) expect((await api(key, 'POST', `/v1/leads/${lead}/withdraw`)).status).toBe(200);
    await deliverDue(env.DB, { via: 'cron', fetch: r.fetch });
    expect(r.got.map((g) => [g.body.type, g.body.data.lead.id])).toEqual([['lead.withdrawn', handedOff]]);
    const skipped = (await messagesOf(a.id)).filter((m) => m.lead_id === never && m.event_type === 'lead.withdrawn');
    expect(skipped.map((m) => m.status)).toEqual(['cancelled']);
  });

  it('deliver only the lead events of leads in the segment and record the others as skipped', { timeout: 30_000 }, async () => {
    const { id, key } = await site();
    const a = await endpoint(key, { url: HOOK_A, segment: 'acme' });
    expect(a.segment).toBe('acme');
    const b = await endpoint(key, { url: HOOK_B });
    expect(b.segment).toBeNull();
    const { acme, other } = await leads(id);

    const r = receiver();
    await deliverDue(env.DB, { via: 'cron', fetch: r.fetch });
    const toA = r.got.filter((g) => g.url === HOOK_A).map((g) => g.body.data.lead.id);
    const toB = r.got.filter((g) => g.url === HOOK_B).map((g) => g.body.data.lead.id);
    expect(toA.length).toBeGreaterThan(0);
    expect(new Set(toA)).toEqual(new Set([acme]));
    expect(new Set(toB)).toEqual(new Set([acme, other]));

    const skipped = (await messagesOf(a.id)).filter((m) => m.lead_id === other);
    expect(skipped.length).toBeGreaterThan(0);
    for (const m of skipped) {
      expect(m.status).toBe('cancelled');
      expect(m.last_error).toMatch(/not in the endpoint's segment "acme"/);
      expect(m.payload).toBeNull(); // never built, never sent
    }
    // The delivery log says so, too.
    const res = await api(key, 'GET', `/v1/webhooks/deliveries/${skipped[0]!.id}`);
    const log = (await res.json()) as { attempts: { outcome: string; error: string }[] };
    expect(log.attempts).toEqual([expect.objectContaining({ outcome: 'cancelled', error: expect.stringMatching(/segment/) })]);
    expect((await messagesOf(a.id)).filter((m) => m.lead_id === acme).every((m) => m.status === 'delivered')).toBe(true);
  });

  it('follow the segment as it is at the first attempt; a deleted segment lets nothing through; null removes the filter', { timeout: 30_000 }, async () => {
    const { id, key } = await site();
    const a = await endpoint(key, { url: HOOK_A, segment: 'acme' });
    // The segment is changed after the messages were enqueued: the new filter decides.
    const { acme, other } = await leads(id);
    expect((await api(key, 'PUT', '/v1/segments/acme', { name: 'Globex', filter: { q: 'Globex' } })).status).toBe(200);
    let r = receiver();
    await deliverDue(env.DB, { via: 'cron', fetch: r.fetch });
    expect(new Set(r.got.map((g) => g.body.data.lead.id))).toEqual(new Set([other]));

    expect((await api(key, 'DELETE', '/v1/segments/acme')).status).toBe(200);
    const third = await seedLead(id, { country: 'DE', company: 'Initech GmbH', email: `${Math.random().toString(36).slice(2)}@initech.example` });
    await refreshLead(env.DB, id, third);
    r = receiver();
    await deliverDue(env.DB, { via: 'cron', fetch: r.fetch });
    expect(r.got).toEqual([]);
    expect((await messagesOf(a.id)).filter((m) => m.lead_id === third).every((m) => m.status === 'cancelled' && /no longer exists/.test(m.last_error!))).toBe(true);

    const cleared = await api(key, 'PATCH', `/v1/webhooks/${a.id}`, { segment: null });
    expect(((await cleared.json()) as { endpoint: { segment: string | null } }).endpoint.segment).toBeNull();
    const fourth = await seedLead(id, { country: 'DE', company: 'Umbrella GmbH', email: `${Math.random().toString(36).slice(2)}@umbrella.example` });
    await refreshLead(env.DB, id, fourth);
    r = receiver();
    await deliverDue(env.DB, { via: 'cron', fetch: r.fetch });
    expect(new Set(r.got.map((g) => g.body.data.lead.id))).toEqual(new Set([fourth]));
    expect(acme).toBeTruthy();
  });

  it('refuse unknown, malformed and other sites\' segments, storing nothing', async () => {
    const { id, key } = await site();
    const other = await site();
    const count = async () => (await env.DB.prepare('SELECT COUNT(*) AS n FROM webhook_endpoints WHERE site_id = ?').bind(id).first<{ n: number }>())!.n;
    const bad: [unknown, number][] = [
      ['nope', 400], ['Not A Slug', 400], [42, 400], [['acme'], 400], ['acme\u0000', 400], ['x'.repeat(65), 400], [1e308, 400],
    ];
    for (const [segment, status] of bad) {
      const problem = await expectProblem(await api(key, 'POST', '/v1/webhooks', { url: HOOK_A, segment }), status, PROBLEM_TYPES.validation);
      expect(problem.errors!.map((e) => e.path), String(segment)).toContain('/segment');
    }
    // The other site has a segment called "acme" too, but this key names its own; one the other site alone has is unknown here.
    expect((await api(other.key, 'PUT', '/v1/segments/theirs', { name: 'Theirs', filter: {} })).status).toBe(201);
    await expectProblem(await api(key, 'POST', '/v1/webhooks', { url: HOOK_A, segment: 'theirs' }), 400, PROBLEM_TYPES.validation);
    expect(await count()).toBe(0);

    const e = await endpoint(key, { url: HOOK_A });
    const before = JSON.stringify(await env.DB.prepare('SELECT * FROM webhook_endpoints WHERE id = ?').bind(e.id).first());
    await expectProblem(await api(key, 'PATCH', `/v1/webhooks/${e.id}`, { segment: 'theirs' }), 400, PROBLEM_TYPES.validation);
    await expectProblem(await api(key, 'PATCH', `/v1/webhooks/${e.id}`, { segment: 'Bad Slug' }), 400, PROBLEM_TYPES.validation);
    await expectProblem(await api(key, 'PATCH', `/v1/webhooks/${e.id}`, { segment: 'acme', enabled: 'yes' }), 400, PROBLEM_TYPES.validation);
    expect(JSON.stringify(await env.DB.prepare('SELECT * FROM webhook_endpoints WHERE id = ?').bind(e.id).first())).toBe(before);
    const set = await api(key, 'PATCH', `/v1/webhooks/${e.id}`, { segment: 'acme' });
    expect(((await set.json()) as { endpoint: { segment: string } }).endpoint.segment).toBe('acme');
    expect(((await (await api(key, 'GET', `/v1/webhooks/${e.id}`)).json()) as { endpoint: { segment: string } }).endpoint.segment).toBe('acme');
  });
});
