import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { refreshLead, stitchVisitor } from '../../../edge/features/scoring/lead-scoring';
import { deliverDue, runWebhookDelivery } from '../../../edge/features/webhook-delivery/delivery';
import { RETRY_WINDOW_MS } from '../../../edge/core/webhooks/retry';
import { enqueueWebhookStatements } from '../../../edge/features/webhooks/store';
import { ADMIN_TOKEN, adminCall, createSite, eventId, expectProblem } from '../helpers';
import { confirmLink, confirmPost, mailsTo, ORIGIN, postLead, runCron, send, setupMagnet, submission } from '../leads-helpers';
import { saveModel } from '../../../edge/features/scoring/store';
import { parseModel } from '../../../edge/core/scoring';
import { apiKey, seedLead } from '../scoring-helpers';

/**
 * Webhooks against the real Worker and D1. Outbound requests are answered by
 * a scripted receiver standing in for the global fetch (the Worker runs in
 * the test's isolate), so every answer — 500, 429 with Retry-After, 400, a
 * timeout — is chosen by the test. Signatures are checked with a separate
 * Web Crypto implementation written here (verify, not sign-and-compare).
 * The e2e test (test/e2e/webhooks.test.ts) does the same against a real
 * HTTP receiver and wrangler dev.
 */

const HOOK = 'https://hooks.crm-example.com/lodestone';
const PUBLIC = { WEBHOOK_TARGETS: 'public' };
const ICP = { company: 'Acme Industries', role: 'Head of Marketing', companySize: '250-999', industry: 'Software', country: 'DE' };
const vidOf = () => `vid_${Math.random().toString(36).slice(2, 14)}`;

/** A small model whose MQL threshold two pricing views cross (as in scoring.test.ts). */
const SMALL = {
  halfLifeDays: 7,
  stageCooldownDays: 1,
  thresholds: { mql: 20, sql: 40 },
  temperature: { warm: 10, hot: 30, basis: 'score' },
  fit: [{ id: 'dach', field: 'country', countries: ['DE', 'AT', 'CH'], points: 5 }],
  engagement: [
    { id: 'pricing', label: 'Pricing page', kinds: ['pricing_view'], points: 10 },
    { id: 'views', kinds: ['pageview'], points: 1, capPerDay: 3 },
  ],
};

// ── the scripted receiver ────────────────────────────────────────────────

interface Received {
  url: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

function receiver(answer: (n: number, req: Received, signal: AbortSignal | undefined) => Response | Promise<Response>) {
  const got: Received[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const req = { url, headers: Object.fromEntries(new Headers(init?.headers).entries()), body: String(init?.body ?? ''), at: Date.now() };
    got.push(req);
    return answer(got.length, req, init?.signal ?? undefined);
  });
  return got;
}

afterEach(async () => {
  vi.restoreAllMocks();
  // Tests share this file's D1: a message a test left pending must not reach the next test's receiver.
  await env.DB.prepare("UPDATE webhook_messages SET status = 'cancelled' WHERE status = 'pending'").run();
});

/** Standard Webhooks verification, independent of edge/lib/webhook-signature.ts. */
async function verifies(secret: string, r: Received): Promise<boolean> {
  const keyBytes = Uint8Array.from(atob(secret.slice('whsec_'.length)), (ch) => ch.charCodeAt(0));
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const signed = new TextEncoder().encode(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`);
  for (const part of (r.headers['webhook-signature'] ?? '').split(' ')) {
    const [version, b64] = part.split(',');
    if (version !== 'v1' || !b64) continue;
    const sig = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    if (await crypto.subtle.verify('HMAC', key, sig, signed)) return true;
  }
  return false;
}

// ── API helpers ──────────────────────────────────────────────────────────

function api(key: string | null, method: string, path: string, body?: unknown, overrides: Record<string, string> = PUBLIC) {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return send(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }, overrides);
}

async function addEndpoint(key: string, body: Record<string, unknown> = {}) {
  const res = await api(key, 'POST', '/v1/webhooks', { url: HOOK, ...body });
  expect(res.status).toBe(201);
  return (await res.json()) as { endpoint: { id: string; url: string; events: string[]; enabled: boolean }; secret: string };
}

interface MessageRow {
  id: string;
  endpoint_id: string;
  event_type: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  window_start: number;
  payload: string | null;
  last_status: number | null;
  last_error: string | null;
  change: string;
  history_seq: number | null;
}

async function messages(site: string, leadId?: string): Promise<MessageRow[]> {
  const { results } = await env.DB.prepare('SELECT * FROM webhook_messages WHERE site_id = ? AND (? IS NULL OR lead_id = ?) ORDER BY seq')
    .bind(site, leadId ?? null, leadId ?? null).all<MessageRow>();
  return results;
}

async function attemptsOf(messageId: string) {
  const { results } = await env.DB.prepare('SELECT * FROM webhook_attempts WHERE message_id = ? ORDER BY seq').bind(messageId)
    .all<{ attempt: number; via: string; at: number; duration_ms: number; status_code: number | null; outcome: string; error: string | null; response: string | null; next_attempt_at: number | null }>();
  return results;
}

let ip = 1;
function collect(site: string, events: unknown[]) {
  return send('/v1/collect', {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN, 'cf-connecting-ip': `2001:db8::77:${(ip++).toString(16)}` },
    body: JSON.stringify({ site, events }),
  });
}
const ev = (kind: string, extra: Record<string, unknown> = {}) => ({ id: eventId(), kind, ts: Date.now(), url: `${ORIGIN}/preise`, ...extra });

/** A site with the small model, a key with every scope, and a confirmed lead linked to a visitor. */
async function siteWithLead(opts: { endpointFirst?: Record<string, unknown> } = {}) {
  const site = await createSite([ORIGIN]);
  const key = await apiKey(site);
  const put = await api(key, 'PUT', '/v1/scoring-model', SMALL);
  expect(put.status).toBe(200);
  const hook = opts.endpointFirst ? await addEndpoint(key, opts.endpointFirst) : null;
  const vid = vidOf();
  const lead = await seedLead(site, { ...ICP, email: `jana.${vid}@acme-industries.example` });
  await stitchVisitor(env.DB, site, lead, vid); // pending → confirmed, without a request: the cron delivers
  return { site, key, vid, lead, hook };
}

// ── tests ────────────────────────────────────────────────────────────────

describe('endpoints API', () => {
  it('creates an endpoint and shows its secret once; lists, reads, updates and deletes it', async () => {
    const site = await createSite([ORIGIN]);
    const key = await apiKey(site);
    const { endpoint, secret } = await addEndpoint(key, { description: 'CRM', events: ['lead.stage_changed', 'lead.stage_changed'] });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).toMatchObject({ url: HOOK, description: 'CRM', events: ['lead.stage_changed'], enabled: true });
    expect(endpoint.id).toMatch(/^whe_/);
    expect(JSON.stringify(endpoint)).not.toContain(secret.slice(6, 20));

    const listed = await (await api(key, 'GET', '/v1/webhooks')).text();
    expect(JSON.parse(listed).endpoints.map((e: { id: string }) => e.id)).toEqual([endpoint.id]);
    const one = await (await api(key, 'GET', `/v1/webhooks/${endpoint.id}`)).text();
    for (const text of [listed, one]) {
      expect(text).not.toContain(secret.slice(6, 20));
      expect(text).not.toContain('"secret"');
    }

    const patched = await api(key, 'PATCH', `/v1/webhooks/${endpoint.id}`, { enabled: false, events: ['lead.confirmed'], description: null });
    expect(patched.status).toBe(200);
    expect((await patched.json()) as object).toMatchObject({ endpoint: { enabled: false, events: ['lead.confirmed'], description: null, url: HOOK } });

    const defaults = await addEndpoint(key, { url: 'https://other.crm-example.com/in' });
    expect(defaults.endpoint.events).toEqual(['lead.confirmed', 'lead.stage_changed', 'lead.withdrawn']);

    expect((await api(key, 'DELETE', `/v1/webhooks/${endpoint.id}`)).status).toBe(200);
    await expectProblem(await api(key, 'DELETE', `/v1/webhooks/${endpoint.id}`), 404, PROBLEM_TYPES.notFound);
    await expectProblem(await api(key, 'GET', '/v1/webhooks/whe_nope'), 404, PROBLEM_TYPES.notFound);
    expect(((await (await api(key, 'GET', '/v1/webhooks')).json()) as { endpoints: unknown[] }).endpoints).toHaveLength(1);
  });

  it('refuses bad URLs and event types with the one error shape', async () => {
    const site = await createSite([ORIGIN]);
    const key = await apiKey(site);
    const cases: [unknown, string, RegExp][] = [
      [{ url: 'http://hooks.crm-example.com/x' }, '/url', /https/],
      [{ url: 'https://127.0.0.1/x' }, '/url', /this machine/],
      [{ url: 'https://169.254.169.254/latest' }, '/url', /private/],
      [{ url: 'https://10.0.0.8/' }, '/url', /private/],
      [{ url: 'https://crm/' }, '/url', /internal/],
      [{ url: 'https://a:b@hooks.crm-example.com/' }, '/url', /credentials/],
      [{ url: 42 }, '/url', /string/],
      [{}, '/url', /./],
      [{ url: HOOK, events: ['lead.created'] }, '/events/0', /one of/],
      [{ url: HOOK, events: [] }, '/events', /at least one/],
      [{ url: HOOK, enabled: 'yes' }, '/enabled', /true or false/],
      [[HOOK], '/', /JSON object/],
    ];
    for (const [body, path, message] of cases) {
      const problem = await expectProblem(await api(key, 'POST', '/v1/webhooks', body), 400, PROBLEM_TYPES.validation);
      expect(problem.path, JSON.stringify(body)).toBe(path);
      expect(problem.errors![0]!.message).toMatch(message);
    }
    await expectProblem(await send('/v1/webhooks', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{' }, PUBLIC), 400, PROBLEM_TYPES.malformed);
    // Local dev (WEBHOOK_TARGETS=local, or DEV_OUTBOX=on) also takes a receiver on this machine.
    const local = await api(key, 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9999/hook' }, { WEBHOOK_TARGETS: 'local' });
    expect(local.status).toBe(201);
    expect(((await api(key, 'GET', '/v1/webhooks')).status)).toBe(200);
  });

  it('caps the endpoints of a site', async () => {
    const site = await createSite([ORIGIN]);
    const key = await apiKey(site);
    for (let i = 0; i < 20; i++) await addEndpoint(key, { url: `${HOOK}/${i}` });
    await expectProblem(await api(key, 'POST', '/v1/webhooks', { url: `${HOOK}/21` }), 409, PROBLEM_TYPES.conflict);
  });

  it('auth: missing, wrong, revoked, wrong-scope and other-site keys get 401/403/404 and see nothing', async () => {
    const a = await siteWithLead({ endpointFirst: {} });
    receiver(() => new Response('no', { status: 400 }));
    await runCron(Date.now());
    const [msg] = await messages(a.site);
    expect(msg!.status).toBe('dead');

    const b = await createSite([ORIGIN]);
    const bKey = await apiKey(b);
    const readOnly = await apiKey(a.site, ['leads:read']);
    const configOnly = await apiKey(a.site, ['config:write']);
    const revoked = await apiKey(a.site);
    const keys = ((await (await adminCall('GET', `/admin/sites/${a.site}/keys`)).json()) as { keys: { id: string }[] }).keys;
    await adminCall('DELETE', `/admin/sites/${a.site}/keys/${keys.at(-1)!.id}`);

    const routes: [string, string, unknown?][] = [
      ['POST', '/v1/webhooks', { url: HOOK }],
      ['GET', '/v1/webhooks'],
      ['GET', `/v1/webhooks/${a.hook!.endpoint.id}`],
      ['PATCH', `/v1/webhooks/${a.hook!.endpoint.id}`, { enabled: false }],
      ['DELETE', `/v1/webhooks/${a.hook!.endpoint.id}`],
      ['GET', '/v1/webhooks/deliveries'],
      ['GET', `/v1/webhooks/deliveries/${msg!.id}`],
      ['POST', `/v1/webhooks/deliveries/${msg!.id}/replay`],
    ];
    for (const [method, path, body] of routes) {
      await expectProblem(await api(null, method, path, body), 401, PROBLEM_TYPES.unauthorized);
      await expectProblem(await api('lsk_AAAAAAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', method, path, body), 401, PROBLEM_TYPES.unauthorized);
      await expectProblem(await api(revoked, method, path, body), 401, PROBLEM_TYPES.unauthorized);
    }
    // Scopes: managing and replaying need config:write; the deliveries (lead data) need leads:read.
    for (const [method, path, body] of [routes[0]!, routes[3]!, routes[4]!, routes[7]!]) {
      await expectProblem(await api(readOnly, method, path, body), 403, PROBLEM_TYPES.forbidden);
    }
    for (const [method, path] of [routes[5]!, routes[6]!]) await expectProblem(await api(configOnly, method, path), 403, PROBLEM_TYPES.forbidden);
    expect((await api(readOnly, 'GET', '/v1/webhooks')).status).toBe(200);
    expect((await api(configOnly, 'GET', '/v1/webhooks')).status).toBe(200);

    // Site B's key reaches none of site A's endpoints or deliveries.
    for (const [method, path, body] of routes.slice(2)) {
      if (path === '/v1/webhooks/deliveries') continue;
      await expectProblem(await api(bKey, method, path, body), 404, PROBLEM_TYPES.notFound);
    }
    const bList = (await (await api(bKey, 'GET', '/v1/webhooks/deliveries')).json()) as { deliveries: unknown[] };
    expect(bList.deliveries).toEqual([]);
    expect(((await (await api(bKey, 'GET', '/v1/webhooks')).json()) as { endpoints: unknown[] }).endpoints).toEqual([]);
    // Nothing changed on A.
    const after = await messages(a.site);
    expect(after.map((m) => m.status)).toEqual(['dead']);
    expect(((await (await api(a.key, 'GET', '/v1/webhooks')).json()) as { endpoints: { enabled: boolean }[] }).endpoints[0]!.enabled).toBe(true);
  });
});

describe('enqueueing with the stage change', () => {
  it('one message per subscribed, enabled endpoint, in the stage change\'s batch; a retried batch adds none', async () => {
    const site = await createSite([ORIGIN]);
    const key = await apiKey(site);
    await api(key, 'PUT', '/v1/scoring-model', SMALL);
    const all = await addEndpoint(key);
    const onlyStages = await addEndpoint(key, { url: `${HOOK}/stages`, events: ['lead.stage_changed'] });
    const disabled = await addEndpoint(key, { url: `${HOOK}/off`, enabled: false });
    const got = receiver(() => new Response('ok'));

    const vid = vidOf();
    const lead = await seedLead(site, { country: 'DE' });
    await stitchVisitor(env.DB, site, lead, vid); // pending → confirmed
    let rows = await messages(site, lead);
    expect(rows.map((m) => [m.endpoint_id, m.event_type, m.status])).toEqual([[all.endpoint.id, 'lead.confirmed', 'pending']]);
    const history = await env.DB.prepare('SELECT seq, from_stage, to_stage FROM stage_history WHERE site_id = ? AND lead_id = ?').bind(site, lead).all<{ seq: number }>();
    expect(rows[0]!.history_seq).toBe(history.results[0]!.seq);
    expect(got).toHaveLength(0); // no request, no immediate send: the cron will

    const batch = [ev('pricing_view', { vid }), ev('pricing_view', { vid })];
    expect((await collect(site, batch)).status).toBe(202); // 5 + 20 ≥ 20: MQL
    rows = await messages(site, lead);
    const mql = rows.filter((m) => m.event_type === 'lead.stage_changed');
    expect(mql.map((m) => m.endpoint_id).sort()).toEqual([all.endpoint.id, onlyStages.endpoint.id].sort());
    expect(mql.map((m) => JSON.parse(m.change)).map((c) => `${c.from}>${c.to}`)).toEqual(['confirmed>mql', 'confirmed>mql']);
    expect(rows.some((m) => m.endpoint_id === disabled.endpoint.id)).toBe(false);
    // Both went out right after the collect answer (waitUntil), to their own URLs, and so did the
    // confirmation still waiting for the cron (the immediate run takes every never-attempted message).
    expect(mql.map((m) => m.status)).toEqual(['delivered', 'delivered']);
    expect(got.map((r) => `${r.url} ${JSON.parse(r.body).type}`).sort()).toEqual([
      `${HOOK} lead.confirmed`, `${HOOK} lead.stage_changed`, `${HOOK}/stages lead.stage_changed`,
    ]);

    // The same batch again: events are duplicates, the score does not move, nothing is enqueued.
    expect((await collect(site, batch)).status).toBe(202);
    expect(await messages(site, lead)).toHaveLength(rows.length);
    // A lead that never confirmed is never handed over: no message for pending → withdrawn.
    const pending = await seedLead(site, { status: 'pending' });
    await refreshLead(env.DB, site, pending);
    await env.DB.prepare("UPDATE leads SET status = 'withdrawn', withdrawn_at = ? WHERE site_id = ? AND id = ?").bind(Date.now(), site, pending).run();
    await refreshLead(env.DB, site, pending);
    expect(await messages(site, pending)).toEqual([]);
  });
});

describe('the enqueue guard', () => {
  it('only the score write that won enqueues: a stale revision adds nothing', async () => {
    const site = await createSite([ORIGIN]);
    const key = await apiKey(site);
    const { endpoint } = await addEndpoint(key);
    const lead = await seedLead(site, { country: 'DE' });
    await refreshLead(env.DB, site, lead);
    const before = await messages(site, lead);
    const rev = (await env.DB.prepare('SELECT rev FROM lead_scores WHERE site_id = ? AND lead_id = ?').bind(site, lead).first<{ rev: string }>())!.rev;
    const change = { from: 'confirmed', to: 'mql', at: Date.now(), score: 30, fit: 5, engagement: 25, modelVersion: 1, direction: 'up' } as const;
    await env.DB.batch(enqueueWebhookStatements(env.DB, site, lead, 'a-revision-that-lost', [change]));
    expect(await messages(site, lead)).toHaveLength(before.length);
    await env.DB.batch(enqueueWebhookStatements(env.DB, site, lead, rev, [change]));
    const after = await messages(site, lead);
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toMatchObject({ endpoint_id: endpoint.id, event_type: 'lead.stage_changed', status: 'pending', attempts: 0 });
  });
});

describe('immediate delivery', () => {
  it('a threshold crossing through /v1/collect is POSTed at once, signed, with everything sales needs', async () => {
    const { site, key, vid, lead } = await siteWithLead();
    const { endpoint, secret } = await addEndpoint(key, { events: ['lead.stage_changed'] });
    const got = receiver(() => new Response('thanks', { status: 202 }));

    await collect(site, [ev('pageview', { vid, url: `${ORIGIN}/blog?utm_source=x` }), ev('pricing_view', { vid, utm: { source: 'newsletter' } }), ev('pricing_view', { vid })]);
    expect(got).toHaveLength(1);
    const r = got[0]!;
    expect(r.url).toBe(HOOK);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(Math.abs(Number(r.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(10);
    expect(await verifies(secret, r)).toBe(true);
    expect(await verifies(secret, { ...r, body: r.body.replace('mql', 'sql') })).toBe(false);
    expect(await verifies(`whsec_${btoa('another secret of 32 bytes......')}`, r)).toBe(false);

    const body = JSON.parse(r.body);
    expect(body.type).toBe('lead.stage_changed');
    expect(body.data.site).toBe(site);
    expect(body.data.lead).toMatchObject({ id: lead, email: `jana.${vid}@acme-industries.example`, company: 'Acme Industries', role: 'Head of Marketing', companySize: '250-999', industry: 'Software', country: 'DE', status: 'confirmed' });
    expect(body.data.stageChange).toMatchObject({ from: 'confirmed', to: 'mql', direction: 'up', modelVersion: 2 });
    expect(body.data.stageChange.score).toBeGreaterThanOrEqual(20);
    expect(body.timestamp).toBe(body.data.stageChange.at);
    expect(body.data.score).toMatchObject({ stage: 'mql', modelVersion: 2, temperature: 'warm' });
    expect(body.data.explanation.map((l: { id: string }) => l.id)).toEqual(['pricing', 'dach', 'views']);
    expect(body.data.explanation[0]).toMatchObject({ label: 'Pricing page', group: 'engagement', count: 2, raw: 20 });
    expect(body.data.recentEvents.map((e: { kind: string }) => e.kind).sort()).toEqual(['pageview', 'pricing_view', 'pricing_view']);
    expect(body.data.recentEvents.find((e: { utm: unknown }) => e.utm)).toMatchObject({ utm: { source: 'newsletter' } });

    // The log and the API agree with what the receiver saw.
    const [msg] = (await messages(site, lead)).filter((m) => m.endpoint_id === endpoint.id);
    expect(msg).toMatchObject({ id: r.headers['webhook-id'], status: 'delivered', attempts: 1, last_status: 202 });
    expect(msg!.payload).toBe(r.body);
    const [log] = await attemptsOf(msg!.id);
    expect(log).toMatchObject({ attempt: 1, via: 'immediate', status_code: 202, outcome: 'delivered', error: null, response: 'thanks', next_attempt_at: null });
    expect(log!.duration_ms).toBeGreaterThanOrEqual(0);
    const detail = (await (await api(key, 'GET', `/v1/webhooks/deliveries/${msg!.id}`)).json()) as { delivery: Record<string, unknown>; payload: unknown; attempts: Record<string, unknown>[] };
    expect(detail.payload).toEqual(body);
    expect(detail.delivery).toMatchObject({ id: msg!.id, endpointId: endpoint.id, leadId: lead, type: 'lead.stage_changed', status: 'delivered', attempts: 1, lastStatus: 202, nextAttemptAt: null });
    expect(detail.attempts).toEqual([expect.objectContaining({ attempt: 1, via: 'immediate', statusCode: 202, outcome: 'delivered', response: 'thanks' })]);
  });

  it('a confirmation through the real opt-in flow is handed over at once', async () => {
    const { site, magnet } = await setupMagnet();
    const key = await apiKey(site);
    const { secret } = await addEndpoint(key, { events: ['lead.confirmed'] });
    const got = receiver(() => new Response(null, { status: 204 }));
    const body = submission(site, magnet, { role: 'CEO', companySize: '50-249' });
    expect((await postLead(body)).status).toBe(202);
    expect(got).toHaveLength(0); // pending: not a lead for sales yet
    const link = await confirmLink(body.email as string);
    expect((await confirmPost(link.searchParams.get('t')!, { json: true })).status).toBe(200);
    expect(got).toHaveLength(1);
    expect(await verifies(secret, got[0]!)).toBe(true);
    const payload = JSON.parse(got[0]!.body);
    expect(payload.type).toBe('lead.confirmed');
    expect(payload.data.lead).toMatchObject({ email: (body.email as string).replace('@Example.COM', '@example.com'), firstName: 'Jane', company: 'Acme GmbH', role: 'CEO', status: 'confirmed' });
    expect(payload.data.stageChange).toMatchObject({ from: 'pending', to: 'confirmed' });
    expect(payload.data.recentEvents.map((e: { kind: string }) => e.kind)).toContain('optin_confirmed');
  });
});

/**
 * Each route that can enqueue schedules the immediate run itself. No cron
 * runs in these tests, so a route that forgot would leave its message
 * pending and the test fails.
 */
describe('every route that enqueues hands over at once', () => {
  /** A lead confirmed through the real opt-in flow, an endpoint for every event, a receiver that accepts. */
  async function optedIn(model: Record<string, unknown> = SMALL) {
    const { site, magnet } = await setupMagnet();
    const key = await apiKey(site);
    expect((await api(key, 'PUT', '/v1/scoring-model', model)).status).toBe(200);
    await addEndpoint(key);
    const got = receiver(() => new Response('ok'));
    const body = submission(site, magnet);
    expect((await postLead(body)).status).toBe(202);
    const email = body.email as string;
    const confirmed = await confirmPost((await confirmLink(email)).searchParams.get('t')!, { json: true });
    expect(confirmed.status).toBe(200);
    const { next } = (await confirmed.json()) as { next: string };
    const lead = (await env.DB.prepare('SELECT id FROM leads WHERE site_id = ? AND email_key = ?').bind(site, email.toLowerCase()).first<{ id: string }>())!.id;
    await handedOver(got, site, lead, 'lead.confirmed');
    return { site, magnet, key, email, lead, next, got, body };
  }

  /** The lead's one message of `type` went out in one immediate attempt, and the receiver got it. */
  async function handedOver(got: Received[], site: string, lead: string, type: string) {
    const of = (await messages(site, lead)).filter((m) => m.event_type === type);
    expect(of).toHaveLength(1);
    expect(of[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    expect((await attemptsOf(of[0]!.id)).map((a) => a.via)).toEqual(['immediate']);
    expect(got.filter((r) => r.headers['webhook-id'] === of[0]!.id)).toHaveLength(1);
  }

  it('withdrawal through the signed link (POST /v1/optin/withdraw)', async () => {
    const { site, email, lead, got } = await optedIn();
    const text = (await mailsTo(email)).map((m) => m.text_body).join('\n');
    const link = new URL(/https?:\/\/\S+\/v1\/optin\/withdraw\?\S+/.exec(text)![0]);
    const res = await send(link.pathname + link.search, { method: 'POST', headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    await handedOver(got, site, lead, 'lead.withdrawn');
  });

  it('withdrawal recorded by the site owner (POST /v1/leads/:id/withdraw)', async () => {
    const { site, key, lead, got } = await optedIn();
    expect((await api(key, 'POST', `/v1/leads/${lead}/withdraw`)).status).toBe(200);
    await handedOver(got, site, lead, 'lead.withdrawn');
  });

  it('a download that crosses a threshold (GET /v1/download)', async () => {
    const model = { ...SMALL, engagement: [...SMALL.engagement, { id: 'download', kinds: ['magnet_download'], points: 30 }] };
    const { site, lead, next, got } = await optedIn(model);
    expect(await messages(site, lead)).toHaveLength(1); // only the confirmation so far
    const file = await send(new URL(next).pathname + new URL(next).search);
    expect(file.status).toBe(200);
    await file.arrayBuffer();
    await handedOver(got, site, lead, 'lead.stage_changed');
  });

  it('a repeated sign-up that crosses a threshold (POST /v1/leads)', async () => {
    const model = { ...SMALL, thresholds: { mql: 40, sql: 100 }, engagement: [...SMALL.engagement, { id: 'form', kinds: ['form_submit'], points: 30 }] };
    const { site, lead, got, body } = await optedIn(model);
    expect(await messages(site, lead)).toHaveLength(1);
    expect((await postLead(body)).status).toBe(202);
    await handedOver(got, site, lead, 'lead.stage_changed');
  });

  it('rescoring after a model is saved (PUT /v1/scoring-model, in the background)', async () => {
    const { site, key, lead, got } = await optedIn();
    const model = { ...SMALL, engagement: [...SMALL.engagement, { id: 'confirmed', kinds: ['optin_confirmed'], points: 30 }] };
    expect((await api(key, 'PUT', '/v1/scoring-model', model)).status).toBe(200);
    await handedOver(got, site, lead, 'lead.stage_changed');
  });

  it('rescoring run by the operator (POST /admin/rescore)', async () => {
    const { site, lead, got } = await optedIn();
    const model = { ...SMALL, engagement: [...SMALL.engagement, { id: 'confirmed', kinds: ['optin_confirmed'], points: 30 }] };
    // Saved as the route saves it, without its background run: the job waits for the operator.
    const version = (await env.DB.prepare('SELECT scoring_model_version AS v FROM sites WHERE id = ?').bind(site).first<{ v: number }>())!.v + 1;
    await saveModel(env.DB, site, version, JSON.stringify({ ...parseModel(model), version }), Date.now());
    expect(await messages(site, lead)).toHaveLength(1);
    const res = await send('/admin/rescore', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { processed: number }).processed).toBeGreaterThanOrEqual(1);
    await handedOver(got, site, lead, 'lead.stage_changed');
  });
});

describe('retries, backoff and dead letters', () => {
  it('500, 503, then 429 with Retry-After, then 200: backoff with jitter, Retry-After honoured, one id and one body throughout', async () => {
    const { site, lead, hook } = await siteWithLead({ endpointFirst: { events: ['lead.confirmed'] } });
    const answers = [
      () => new Response('boom', { status: 500 }),
      () => new Response('busy', { status: 503 }),
      () => new Response('slow down', { status: 429, headers: { 'retry-after': '120' } }),
      () => new Response('ok', { status: 200 }),
    ];
    const got = receiver((n) => answers[n - 1]!());
    const [msg] = await messages(site, lead);
    const t0 = Date.now();

    await runCron(t0);
    let row = (await messages(site, lead))[0]!;
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_status: 500 });
    const n1 = row.next_attempt_at;
    expect(n1 - t0).toBeGreaterThanOrEqual(48_000); // 1 min −20 %
    expect(n1 - t0).toBeLessThanOrEqual(72_000 + 5_000); // 1 min +20 % (+ the attempt's own time)

    await runCron(n1 - 1000); // not due yet
    expect(got).toHaveLength(1);
    await runCron(n1);
    row = (await messages(site, lead))[0]!;
    expect(row).toMatchObject({ status: 'pending', attempts: 2, last_status: 503 });
    const n2 = row.next_attempt_at;
    expect(n2 - n1).toBeGreaterThanOrEqual(96_000); // 2 min −20 %
    expect(n2 - n1).toBeLessThanOrEqual(144_000);

    await runCron(n2);
    row = (await messages(site, lead))[0]!;
    expect(row).toMatchObject({ status: 'pending', attempts: 3, last_status: 429 });
    expect(row.next_attempt_at).toBe(n2 + 120_000); // exactly what the receiver asked for

    await runCron(n2 + 120_000);
    row = (await messages(site, lead))[0]!;
    expect(row).toMatchObject({ status: 'delivered', attempts: 4, last_status: 200, last_error: null });

    expect(got).toHaveLength(4);
    expect(new Set(got.map((r) => r.headers['webhook-id']))).toEqual(new Set([msg!.id]));
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    const log = await attemptsOf(msg!.id);
    expect(log.map((a) => [a.attempt, a.via, a.status_code, a.outcome])).toEqual([
      [1, 'cron', 500, 'retry'], [2, 'cron', 503, 'retry'], [3, 'cron', 429, 'retry'], [4, 'cron', 200, 'delivered'],
    ]);
    expect(log.map((a) => a.next_attempt_at)).toEqual([n1, n2, n2 + 120_000, null]);
    expect(log.map((a) => a.error)).toEqual(['HTTP 500', 'HTTP 503', 'HTTP 429', null]);
    expect(log.map((a) => a.response)).toEqual(['boom', 'busy', 'slow down', 'ok']);
    expect(hook!.endpoint.id).toBe(row.endpoint_id);
  });

  it('Retry-After as an HTTP date; 408 is retried; a redirect and a 400 are final', async () => {
    const { site, lead } = await siteWithLead({ endpointFirst: { events: ['lead.confirmed'] } });
    const now = Date.now();
    const at = new Date(Math.ceil((now + 10 * 60_000) / 1000) * 1000);
    const answers = [
      () => new Response('', { status: 503, headers: { 'retry-after': at.toUTCString() } }),
      () => new Response('', { status: 408 }),
      () => new Response('', { status: 302, headers: { location: 'https://elsewhere.example.com/' } }),
    ];
    receiver((n) => answers[n - 1]!());
    await deliverDue(env.DB, { via: 'cron', now, random: () => 0.5 });
    let row = (await messages(site, lead))[0]!;
    expect(row.next_attempt_at).toBe(at.getTime());
    await deliverDue(env.DB, { via: 'cron', now: at.getTime(), random: () => 0.5 });
    row = (await messages(site, lead))[0]!;
    expect(row).toMatchObject({ status: 'pending', attempts: 2, last_status: 408 });
    expect(row.next_attempt_at).toBe(at.getTime() + 2 * 60_000);
    await deliverDue(env.DB, { via: 'cron', now: row.next_attempt_at });
    row = (await messages(site, lead))[0]!;
    expect(row).toMatchObject({ status: 'dead', attempts: 3, last_status: 302 });
    expect(row.last_error).toMatch(/redirects are not followed/);
  });

  it('a timeout counts as a failed attempt and is retried', async () => {
    const { site, lead } = await siteWithLead({ endpointFirst: { events: ['lead.confirmed'] } });
    receiver((_n, _r, signal) => new Promise<Response>((_resolve, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason));
    }));
    const report = await deliverDue(env.DB, { via: 'cron', timeoutMs: 50 });
    expect(report).toMatchObject({ claimed: 1, retry: 1 });
    const [row] = await messages(site, lead);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_status: null });
    expect(row!.last_error).toMatch(/timeout: no answer within 50 ms/);
    const [log] = await attemptsOf(row!.id);
    expect(log!.duration_ms).toBeGreaterThanOrEqual(40);
    expect(log!.status_code).toBeNull();
  });

  it('a 400 is not retried: dead letter, listed, replayed (same id, same body) and delivered', async () => {
    const { site, key, lead, hook } = await siteWithLead({ endpointFirst: { events: ['lead.confirmed'] } });
    let up = false;
    const got = receiver(() => (up ? new Response('ok') : new Response('{"error":"unknown field"}', { status: 400 })));
    await runCron(Date.now());
    const [dead] = await messages(site, lead);
    expect(dead).toMatchObject({ status: 'dead', attempts: 1, last_status: 400 });
    expect(dead!.last_error).toMatch(/not retried/);
    await runCron(Date.now() + 3_600_000); // dead stays dead
    expect(got).toHaveLength(1);

    const listed = (await (await api(key, 'GET', '/v1/webhooks/deliveries?status=dead')).json()) as { deliveries: { id: string; status: string; lastStatus: number }[] };
    expect(listed.deliveries).toEqual([expect.objectContaining({ id: dead!.id, status: 'dead', lastStatus: 400, nextAttemptAt: null })]);
    expect(((await (await api(key, 'GET', '/v1/webhooks/deliveries?status=delivered')).json()) as { deliveries: unknown[] }).deliveries).toEqual([]);
    await expectProblem(await api(key, 'GET', '/v1/webhooks/deliveries?status=lost'), 400, PROBLEM_TYPES.validation);
    await expectProblem(await api(key, 'POST', '/v1/webhooks/deliveries/msg_000000000000000000000000/replay'), 404, PROBLEM_TYPES.notFound);

    up = true;
    const replay = await api(key, 'POST', `/v1/webhooks/deliveries/${dead!.id}/replay`);
    expect(replay.status).toBe(202);
    expect(got).toHaveLength(2); // sent right after the answer
    expect(got[1]!.headers['webhook-id']).toBe(dead!.id);
    expect(got[1]!.body).toBe(got[0]!.body);
    const [row] = await messages(site, lead);
    expect(row).toMatchObject({ status: 'delivered', attempts: 2, last_status: 200 });
    const log = await attemptsOf(dead!.id);
    expect(log.map((a) => [a.attempt, a.via, a.status_code, a.outcome])).toEqual([[1, 'cron', 400, 'dead'], [2, 'replay', 200, 'delivered']]);
    const byEndpoint = (await (await api(key, 'GET', `/v1/webhooks/deliveries?endpoint=${hook!.endpoint.id}&lead=${lead}`)).json()) as { deliveries: { id: string }[] };
    expect(byEndpoint.deliveries.map((d) => d.id)).toEqual([dead!.id]);
  });

  it('a receiver that keeps failing is retried for 72 h, then dead', async () => {
    const { site, lead } = await siteWithLead({ endpointFirst: { events: ['lead.confirmed'] } });
    const got = receiver(() => new Response('down', { status: 503 }));
    const [msg] = await messages(site, lead);
    let now = msg!.window_start;
    for (let i = 0; i < 40; i++) {
      await deliverDue(env.DB, { via: 'cron', now, random: () => 0.5 });
      const [row] = await messages(site, lead);
      if (row!.status !== 'pending') break;
      now = row!.next_attempt_at;
    }
    const [row] = await messages(site, lead);
    expect(row).toMatchObject({ status: 'dead', attempts: 16 });
    expect(row!.last_error).toMatch(/retries exhausted/);
    const log = await attemptsOf(msg!.id);
    expect(log).toHaveLength(16);
    expect(log.at(-1)!.at).toBe(msg!.window_start + RETRY_WINDOW_MS); // the last attempt at the window's end
    const gaps = log.slice(1).map((a, i) => a.at - log[i]!.at);
    for (let i = 1; i < gaps.length - 1; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]!);
    expect(got).toHaveLength(16);
  });
});

describe('consent and lifecycle', () => {
  it('after a withdrawal only the withdrawal goes out, with no profile or behaviour', async () => {
    const { site, lead, vid } = await siteWithLead({ endpointFirst: {} });
    const got = receiver((n) => (n === 1 ? new Response('', { status: 503 }) : new Response('ok')));
    await runCron(Date.now()); // the confirmation fails once and waits for a retry
    await collect(site, [ev('pricing_view', { vid })]); // nothing crosses; just behaviour
    await env.DB.prepare("UPDATE leads SET status = 'withdrawn', withdrawn_at = ? WHERE site_id = ? AND id = ?").bind(Date.now(), site, lead).run();
    await refreshLead(env.DB, site, lead);
    await runCron(Date.now() + 24 * 3_600_000);
    const rows = await messages(site, lead);
    expect(rows.map((m) => [m.event_type, m.status])).toEqual([['lead.confirmed', 'cancelled'], ['lead.withdrawn', 'delivered']]);
    expect(rows[0]!.last_error).toMatch(/withdrew consent/);
    expect(got).toHaveLength(2);
    const body = JSON.parse(got[1]!.body);
    expect(body.type).toBe('lead.withdrawn');
    expect(body.data.lead).toMatchObject({ id: lead, status: 'withdrawn' });
    expect(got[1]!.body).not.toContain('Acme');
    expect(got[1]!.body).not.toContain('pricing');
  });

  it('deleting an endpoint drops its pending messages and their log; old finished messages are pruned', async () => {
    const { site, key, lead, hook } = await siteWithLead({ endpointFirst: { events: ['lead.confirmed'] } });
    receiver(() => new Response('', { status: 500 }));
    await runCron(Date.now());
    expect(await messages(site, lead)).toHaveLength(1);
    await api(key, 'DELETE', `/v1/webhooks/${hook!.endpoint.id}`);
    expect(await messages(site, lead)).toEqual([]);
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM webhook_attempts WHERE site_id = ?').bind(site).first<{ n: number }>())!.n).toBe(0);

    const other = await siteWithLead({ endpointFirst: { events: ['lead.confirmed'] } });
    vi.restoreAllMocks();
    receiver(() => new Response('ok'));
    await runCron(Date.now());
    expect((await messages(other.site))[0]!.status).toBe('delivered');
    await runWebhookDelivery(env.DB, Date.now() + 29 * 86_400_000);
    expect(await messages(other.site)).toHaveLength(1);
    await runWebhookDelivery(env.DB, Date.now() + 31 * 86_400_000);
    expect(await messages(other.site)).toEqual([]);
  });
});
