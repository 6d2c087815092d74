import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { percentile, Receiver, verifyStandardWebhook, type Arrival } from './webhook-receiver';
import { apiCall } from './api-helpers';

/**
 * Webhooks end to end: the real local stack (wrangler dev, local D1) hands
 * leads to a real HTTP receiver on 127.0.0.1. Leads are made the way a
 * visitor makes them (form, confirmation mail, opt-in, browsing through
 * /v1/collect); signatures are verified with node:crypto; the Cron Trigger
 * is fired through wrangler dev's /cdn-cgi/local/scheduled with a chosen
 * scheduled time; dead letters are listed and replayed with the CLI.
 */

const CLI = join(import.meta.dirname, '..', '..', 'cli', 'lodestone.mjs');
const run = promisify(execFile);
const stack = () => inject('stack');

const SITE = `wh-${Date.now().toString(36)}`;
const ORIGIN = 'https://www.webhooks-e2e.example';
const MAGNET = 'guide';
const receiver = new Receiver();
let key = '';

/**
 * Two pricing views (10 points each) cross MQL; the sign-up and one view do not. (The threshold
 * sits below 20: points decay from the moment they are earned, and local dev has no country for DACH.)
 */
const MODEL = {
  halfLifeDays: 7,
  stageCooldownDays: 1,
  thresholds: { mql: 15, sql: 1000 },
  temperature: { warm: 10, hot: 30, basis: 'score' },
  fit: [{ id: 'dach', label: 'DACH', field: 'country', countries: ['DE', 'AT', 'CH'], points: 5 }],
  engagement: [{ id: 'pricing', label: 'Pricing page', kinds: ['pricing_view'], points: 10 }],
};

const call = (method: string, path: string, body?: unknown, token = key) => apiCall(token, method, path, body);
const admin = (method: string, path: string, body?: unknown) => call(method, path, body, stack().adminToken);

async function cli(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, LODESTONE_URL: stack().url, LODESTONE_API_KEY: key },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Fires the Cron Trigger as if it were `time` (wrangler dev's local trigger endpoint). */
async function cron(time: number) {
  const res = await fetch(`${stack().url}/cdn-cgi/local/scheduled?cron=${encodeURIComponent('*/5 * * * *')}&time=${time}`);
  expect(res.status).toBe(200);
  await res.text();
}

let n = 0;
/** A visitor signs up with the form, confirms from the dev mailbox, and is a confirmed lead. */
async function confirmedLead(): Promise<{ email: string; vid: string }> {
  const tag = `${Date.now().toString(36)}${(n++).toString(36)}`;
  const email = `jana.${tag}@acme-industries.example`;
  const vid = `vid_wh_${tag}`;
  const submit = await fetch(`${stack().url}/v1/leads`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN },
    body: JSON.stringify({
      site: SITE, magnet: MAGNET, email, firstName: 'Jana', company: 'Acme Industries', role: 'Head of Marketing', companySize: '250-999',
      industry: 'Software', consent: true, consentVersion: '2026-11-01', url: `${ORIGIN}/guide`, lang: 'en', vid, elapsedMs: 6000,
    }),
  });
  expect(submit.status).toBe(202);
  let token = '';
  for (let i = 0; i < 100 && !token; i++) {
    const { mails } = (await (await fetch(`${stack().url}/dev/outbox.json?to=${encodeURIComponent(email)}`)).json()) as { mails: { text: string }[] };
    token = /\/v1\/optin\/confirm\?t=([A-Za-z0-9_-]{43})/.exec(mails[0]?.text ?? '')?.[1] ?? '';
    if (!token) await new Promise((r) => setTimeout(r, 100));
  }
  expect(token).not.toBe('');
  const confirm = await fetch(`${stack().url}/v1/optin/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ t: token }).toString(),
  });
  expect(confirm.status).toBe(200);
  return { email, vid };
}

let evn = 0;
async function browse(vid: string, kinds: string[]) {
  const res = await fetch(`${stack().url}/v1/collect`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN },
    body: JSON.stringify({
      site: SITE,
      events: kinds.map((kind) => ({ id: `ev_wh_${Date.now().toString(36)}_${(evn++).toString(36)}`, kind, ts: Date.now(), url: `${ORIGIN}/pricing`, vid })),
    }),
  });
  expect(res.status).toBe(202);
}

const json = (a: Arrival) => JSON.parse(a.body) as { type: string; timestamp: string; data: any };

beforeAll(async () => {
  await receiver.start();
  await admin('POST', '/admin/sites', { id: SITE, name: 'Webhooks e2e', origins: [ORIGIN] });
  key = (await admin('POST', `/admin/sites/${SITE}/keys`, { name: 'webhooks-e2e', scopes: ['leads:read', 'leads:write', 'config:write'] })).secret;
  await call('PUT', '/v1/scoring-model', MODEL);
  await admin('PUT', `/admin/sites/${SITE}/magnets/${MAGNET}`, {
    title: 'Webhook guide', description: 'A test magnet.', lang: 'en',
    fields: [{ name: 'firstName', required: false }, { name: 'company', required: true }, { name: 'role', required: false },
      { name: 'companySize', required: false }, { name: 'industry', required: false }],
    consent: { text: 'I agree that the e2e site stores my details to send me the guide.', version: '2026-11-01' },
    privacyUrl: `${ORIGIN}/privacy`,
  });
  const pdf = new TextEncoder().encode('%PDF-1.4\n% webhook e2e\n%%EOF\n');
  const up = await fetch(`${stack().url}/admin/sites/${SITE}/magnets/${MAGNET}/file?name=guide.pdf`, {
    method: 'PUT', headers: { authorization: `Bearer ${stack().adminToken}`, 'content-type': 'application/pdf' }, body: pdf,
  });
  expect(up.status).toBe(200);
});

afterAll(async () => {
  // Leave no endpoint behind pointing at a receiver that is about to go away.
  for (const e of (await call('GET', '/v1/webhooks').catch(() => ({ endpoints: [] }))).endpoints) await call('DELETE', `/v1/webhooks/${e.id}`);
  await receiver.stop();
});

describe('webhooks against wrangler dev and a real receiver', () => {
  it('hands confirmed leads and threshold crossings over at once, signed; p95 crossing → first attempt ≤ 5 s', async () => {
    receiver.on('/crm', () => ({ status: 200, body: 'ok' }));
    const { endpoint, secret } = await call('POST', '/v1/webhooks', { url: receiver.url('/crm') });
    expect(endpoint.events).toEqual(['lead.confirmed', 'lead.stage_changed', 'lead.withdrawn']);

    const crossing: number[] = [];
    const confirming: number[] = [];
    const LEADS = 20;
    for (let i = 0; i < LEADS; i++) {
      const { email, vid } = await confirmedLead();
      const confirmed = await receiver.waitFor((a) => a.path === '/crm' && json(a).type === 'lead.confirmed' && json(a).data.lead.email === email);
      confirming.push(confirmed.at - Date.parse(json(confirmed).data.stageChange.at));

      await browse(vid, ['pageview', 'pricing_view']); // 10: below MQL
      await browse(vid, ['pricing_view']); // 20 ≥ 15: MQL
      const mql = await receiver.waitFor((a) => a.path === '/crm' && json(a).type === 'lead.stage_changed' && json(a).data.lead.email === email);
      crossing.push(mql.at - Date.parse(json(mql).data.stageChange.at));

      for (const a of [confirmed, mql]) {
        expect(verifyStandardWebhook(secret, a.headers, a.body)).toBe(true);
        expect(verifyStandardWebhook(secret, a.headers, a.body.replace('Acme', 'Acne'))).toBe(false);
        expect(a.headers['content-type']).toBe('application/json');
        expect(a.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{24}$/);
      }
      if (i === 0) {
        const body = json(mql);
        expect(body.data.lead).toMatchObject({ email, firstName: 'Jana', company: 'Acme Industries', role: 'Head of Marketing', companySize: '250-999', industry: 'Software', status: 'confirmed' });
        expect(body.data.stageChange).toMatchObject({ from: 'confirmed', to: 'mql', direction: 'up' });
        expect(body.data.score).toMatchObject({ stage: 'mql', temperature: 'warm' });
        expect(body.data.explanation.map((l: { id: string }) => l.id)).toContain('pricing');
        expect(body.data.recentEvents.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['pricing_view', 'pricing_view', 'pageview', 'optin_confirmed']));
      }
    }
    // Each lead: exactly one confirmation and one crossing, no duplicates.
    const mine = receiver.arrivals.filter((a) => a.path === '/crm');
    expect(mine).toHaveLength(2 * LEADS);
    expect(new Set(mine.map((a) => a.headers['webhook-id'])).size).toBe(2 * LEADS);

    const report = {
      crossing: { n: crossing.length, p50: percentile(crossing, 50), p95: percentile(crossing, 95), max: Math.max(...crossing) },
      confirmation: { n: confirming.length, p50: percentile(confirming, 50), p95: percentile(confirming, 95), max: Math.max(...confirming) },
    };
    console.log('webhook latency, stage change → arrival at the receiver (ms):', JSON.stringify(report));
    expect(report.crossing.p95).toBeLessThanOrEqual(5000);
    expect(report.confirmation.p95).toBeLessThanOrEqual(5000);

    const log = await call('GET', `/v1/webhooks/deliveries?endpoint=${endpoint.id}&limit=200`);
    expect(log.deliveries).toHaveLength(2 * LEADS);
    expect(log.deliveries.every((d: { status: string; attempts: number }) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
    await call('DELETE', `/v1/webhooks/${endpoint.id}`);
  });

  it('retries 500 and 429 (Retry-After) through the cron, dead-letters a 400, and the CLI replays it', async () => {
    const answers = [
      { status: 500, body: 'boom' },
      { status: 429, headers: { 'retry-after': '30' }, body: 'slow down' },
      { status: 400, body: 'bad payload' },
      { status: 200, body: 'ok' },
    ];
    receiver.on('/flaky', (i) => answers[i - 1] ?? { status: 200 });
    const added = await cli(['webhooks', 'add', receiver.url('/flaky'), '--event', 'lead.confirmed', '--description', 'flaky CRM', '--json']);
    expect(added.code).toBe(0);
    const { endpoint, secret } = JSON.parse(added.stdout);
    expect(secret).toMatch(/^whsec_/);

    const { email } = await confirmedLead();
    const first = await receiver.waitFor((a) => a.path === '/flaky');
    const id = String(first.headers['webhook-id']);
    let detail = await call('GET', `/v1/webhooks/deliveries/${id}`);
    for (let i = 0; i < 50 && detail.delivery.attempts < 1; i++) {
      await new Promise((r) => setTimeout(r, 100));
      detail = await call('GET', `/v1/webhooks/deliveries/${id}`);
    }
    expect(detail.delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500 });
    const a1 = detail.attempts[0];
    expect(a1).toMatchObject({ via: 'immediate', statusCode: 500, outcome: 'retry', response: 'boom' });
    expect(detail.delivery.nextAttemptAt - a1.at).toBeGreaterThanOrEqual(48_000); // 1 min ± 20 %
    expect(detail.delivery.nextAttemptAt - a1.at).toBeLessThanOrEqual(72_000);

    await cron(detail.delivery.nextAttemptAt - 5_000); // not due: nothing
    expect(receiver.arrivals.filter((a) => a.path === '/flaky')).toHaveLength(1);
    await cron(detail.delivery.nextAttemptAt);
    detail = await call('GET', `/v1/webhooks/deliveries/${id}`);
    expect(detail.delivery).toMatchObject({ status: 'pending', attempts: 2, lastStatus: 429 });
    expect(detail.delivery.nextAttemptAt).toBe(detail.attempts[1].at + 30_000); // Retry-After: 30

    await cron(detail.delivery.nextAttemptAt);
    detail = await call('GET', `/v1/webhooks/deliveries/${id}`);
    expect(detail.delivery).toMatchObject({ status: 'dead', attempts: 3, lastStatus: 400 });
    await cron(detail.delivery.nextAttemptAt ?? Date.now() + 3_600_000); // dead letters are not retried
    expect(receiver.arrivals.filter((a) => a.path === '/flaky')).toHaveLength(3);

    const dead = await cli(['webhooks', 'deliveries', '--dead']);
    expect(dead.code).toBe(0);
    expect(dead.stdout).toMatch(new RegExp(`${id}\\s+lead\\.confirmed\\s+pending>confirmed\\s+\\S+\\s+dead\\s+3\\s+400`));

    const replay = await cli(['webhooks', 'replay', id]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain(`Replaying ${id}`);
    const fourth = await receiver.waitFor((a) => a.path === '/flaky' && receiver.arrivals.filter((b) => b.path === '/flaky').indexOf(a) === 3);

    const all = receiver.arrivals.filter((a) => a.path === '/flaky');
    expect(all.map((a) => a.headers['webhook-id'])).toEqual([id, id, id, id]);
    expect(new Set(all.map((a) => a.body)).size).toBe(1); // the frozen payload, byte for byte
    for (const a of all) expect(verifyStandardWebhook(secret, a.headers, a.body)).toBe(true);
    expect(json(fourth).data.lead.email).toBe(email);

    let shown = await cli(['webhooks', 'show', id]);
    for (let i = 0; i < 50 && !/status delivered/.test(shown.stdout); i++) {
      await new Promise((r) => setTimeout(r, 100));
      shown = await cli(['webhooks', 'show', id]);
    }
    expect(shown.stdout).toContain('status delivered, 4 attempt(s)');
    const lines = shown.stdout.split('\n').filter((l) => /^\s+#\d/.test(l));
    expect(lines.map((l) => /^\s+(#\d)\s+\S+\s+(\w+)\s+(\d{3}|---)\s+\d+ ms\s+(\w+)/.exec(l)?.slice(1))).toEqual([
      ['#1', 'immediate', '500', 'retry'],
      ['#2', 'cron', '429', 'retry'],
      ['#3', 'cron', '400', 'dead'],
      ['#4', 'replay', '200', 'delivered'],
    ]);

    const listed = await cli(['webhooks', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`${endpoint.id}\\s+${receiver.url('/flaky').replace(/[.]/g, '\\.')}\\s+lead\\.confirmed\\s+enabled`));
    const removed = await cli(['webhooks', 'remove', endpoint.id]);
    expect(removed.stdout).toContain(`Removed endpoint ${endpoint.id}`);
    expect((await cli(['webhooks', 'list'])).stdout).not.toContain(endpoint.id);
  });

  it('the CLI explains refusals: a URL outside the policy, an unknown delivery, no key', async () => {
    const bad = await cli(['webhooks', 'add', 'http://crm.example.com/hook']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/\/url:? must use https/);
    const unknown = await cli(['webhooks', 'replay', 'msg_000000000000000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Not found (404)');
    const usage = await cli(['webhooks', 'replay']);
    expect(usage.code).toBe(2);
    const { stdout, code } = await run(process.execPath, [CLI, 'webhooks', 'list'], { env: { ...process.env, LODESTONE_URL: stack().url, LODESTONE_API_KEY: '' } })
      .then((r) => ({ ...r, code: 0 }), (e) => e as { stdout: string; code: number });
    expect(code).toBe(2);
    expect(stdout).toBe('');
  });
});
