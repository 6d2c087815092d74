import { exports } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import type { Env } from '../../../edge/platform/env';
import { STUCK_MINUTES } from '../../../edge/features/health/routes';
import { ADMIN_TOKEN, expectProblem } from '../helpers';
import { db, postLead, send, setupMagnet, submission } from '../leads-helpers';

type Health = {
  status: 'ok' | 'degraded';
  checks: { name: string; ok: boolean; detail: string }[];
  mail: { dead: number; stuck: number; deadIds: string[]; lastError: string | null; lastErrorAt: string | null };
  webhooks: { dead: number; stuck: number };
  magnets: { site: string; magnet: string; problem: string }[];
};

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

async function health(overrides: Partial<Env> = {}): Promise<Health> {
  const res = await send('/admin/health', { headers: admin }, overrides);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return (await res.json()) as Health;
}

const check = (h: Health, name: string) => h.checks.find((c) => c.name === name);

function retry(body?: string, contentType = 'application/json', overrides: Partial<Env> = {}) {
  return send('/admin/mail/retry', {
    method: 'POST',
    headers: { ...admin, ...(body === undefined ? {} : { 'content-type': contentType }) },
    body,
  }, overrides);
}

const httpEnv = { MAIL_MODE: 'http', MAIL_API_URL: 'https://mail-api.example/emails', MAIL_API_KEY: 'mk_secret_123' };

/** A mail API stand-in: answers `state.status`, counts calls. */
function mailApi(status: number) {
  const state = { status, calls: 0 };
  vi.spyOn(globalThis, 'fetch').mockImplementation(async () => {
    state.calls++;
    return state.status === 200 ? Response.json({ id: `prov-${state.calls}` }) : new Response('{"message":"invalid recipient"}', { status: state.status });
  });
  return state;
}

const outbox = (site: string) =>
  db().prepare('SELECT id, status, attempts FROM mail_outbox WHERE site_id = ?').bind(site).first<{ id: string; status: string; attempts: number }>();

afterEach(() => vi.restoreAllMocks());

describe('GET /healthz', () => {
  it('answers ok when D1 answers', async () => {
    const res = await exports.default.fetch('http://edge.test/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', db: 'ok' });
  });
});

describe('GET /admin/health', () => {
  it('needs the admin token', async () => {
    await expectProblem(await send('/admin/health'), 401, PROBLEM_TYPES.unauthorized);
    await expectProblem(await send('/admin/health', { headers: { authorization: 'Bearer wrong' } }), 401, PROBLEM_TYPES.unauthorized);
  });

  it('a working setup with nothing dead, stuck or misconfigured is ok, in the documented shape', async () => {
    const h = await health();
    expect(Object.keys(h).sort()).toEqual(['checks', 'magnets', 'mail', 'status', 'webhooks']);
    for (const name of ['public_url', 'mail_from', 'mail_binding', 'database']) {
      expect(check(h, name), name).toMatchObject({ ok: true, detail: expect.any(String) });
    }
    expect(check(h, 'public_url')!.detail).toBe('http://edge.test');
    expect(h.mail).toEqual({ dead: 0, stuck: 0, deadIds: [], lastError: null, lastErrorAt: null });
    expect(h.webhooks).toEqual({ dead: 0, stuck: 0 });
    expect(h.magnets).toEqual([]);
    expect(h.status).toBe('ok');
  });

  it('reports a missing PUBLIC_URL, an empty MAIL_FROM and a missing mail binding as failed checks', async () => {
    const h = await health({ PUBLIC_URL: undefined, MAIL_MODE: 'cloudflare', MAIL_FROM: '', EMAIL: undefined });
    expect(h.status).toBe('degraded');
    expect(check(h, 'public_url')).toMatchObject({ ok: false, detail: expect.stringMatching(/PUBLIC_URL is not set/) });
    expect(check(h, 'mail_from')).toMatchObject({ ok: false, detail: expect.stringMatching(/MAIL_FROM/) });
    expect(check(h, 'mail_binding')).toMatchObject({ ok: false, detail: expect.stringMatching(/binding EMAIL/) });
    expect(check(h, 'database')).toMatchObject({ ok: true });
    const http = await health({ ...httpEnv, MAIL_API_KEY: undefined });
    expect(check(http, 'mail_binding')).toMatchObject({ ok: false, detail: expect.stringMatching(/MAIL_API_KEY/) });
  });

  it('logs the misconfiguration once, not on every request', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const broken = { MAIL_MODE: 'cloudflare', MAIL_FROM: '', EMAIL: undefined, PUBLIC_URL: 'https://once.example' };
    await send('/healthz', {}, broken);
    await send('/healthz', {}, broken);
    await send('/admin/health', { headers: admin }, broken);
    const logged = spy.mock.calls.filter((args) => /misconfigured/.test(String(args[0])));
    expect(logged).toHaveLength(1);
    expect(String(logged[0]![0])).toMatch(/mail_from: MAIL_FROM is not set.*mail_binding: MAIL_MODE=cloudflare needs the send_email binding EMAIL/);
  });

  it('lists magnets without a file, with file parts missing, or without a title', async () => {
    const noFile = await setupMagnet({}, { file: false });
    const broken = await setupMagnet();
    await db().prepare('DELETE FROM magnet_file_chunks WHERE site_id = ?').bind(broken.site).run();
    await db().prepare("UPDATE magnets SET title = '  ' WHERE site_id = ?").bind(broken.site).run();
    const h = await health();
    expect(h.status).toBe('degraded');
    expect(h.magnets).toEqual(expect.arrayContaining([
      { site: noFile.site, magnet: noFile.magnet, problem: 'no file uploaded' },
      { site: broken.site, magnet: broken.magnet, problem: 'file missing: 0 of 1 parts stored' },
      { site: broken.site, magnet: broken.magnet, problem: 'no title' },
    ]));
    await db().prepare('DELETE FROM magnets WHERE site_id IN (?, ?)').bind(noFile.site, broken.site).run();
    expect((await health()).magnets).toEqual([]);
  });

  it('counts dead and stuck mails and webhooks and shows the last mail error', async () => {
    const before = await health();
    const api = mailApi(422);
    const a = await setupMagnet();
    const t0 = Date.now();
    await postLead(submission(a.site, a.magnet), {}, httpEnv);
    expect(api.calls).toBe(1);
    let h = await health();
    expect(h.mail.dead).toBe(before.mail.dead + 1);
    const deadRow = await db().prepare("SELECT id FROM mail_outbox WHERE site_id = ? AND status = 'dead'").bind(a.site).first<{ id: string }>();
    expect(h.mail.deadIds[0]).toBe(deadRow!.id);
    expect(h.mail.lastError).toMatch(/422/);
    expect(Date.parse(h.mail.lastErrorAt!)).toBeGreaterThanOrEqual(t0);
    expect(h.status).toBe('degraded');

    // A pending mail that has been due for longer than the stuck time.
    api.status = 503;
    const b = await setupMagnet();
    await postLead(submission(b.site, b.magnet), {}, httpEnv);
    expect((await health()).mail.stuck).toBe(before.mail.stuck);
    const old = Date.now() - (STUCK_MINUTES + 1) * 60_000;
    await db().prepare('UPDATE mail_outbox SET next_attempt_at = ?, created_at = ? WHERE site_id = ?').bind(old, old, b.site).run();
    h = await health();
    expect(h.mail.stuck).toBe(before.mail.stuck + 1);
    expect(h.mail.lastError).toMatch(/503/);

    const now = Date.now();
    await db().batch(['dead', 'pending'].map((status, i) => db().prepare(
      `INSERT INTO webhook_messages (id, site_id, endpoint_id, lead_id, event_type, change, status, attempts, next_attempt_at, window_start, created_at, updated_at)
       VALUES (?, ?, 'whe_x', 'lead_x', 'lead.confirmed', '{}', ?, 1, ?, ?, ?, ?)`).bind(`msg_h${now}${i}`, a.site, status, old, old, old, now)));
    h = await health();
    expect(h.webhooks).toEqual({ dead: before.webhooks.dead + 1, stuck: before.webhooks.stuck + 1 });
  });
});

describe('POST /admin/mail/retry', () => {
  it('requeues the dead mails named for an immediate send; unknown ids are skipped; twice sends once', async () => {
    const api = mailApi(422);
    const { site, magnet } = await setupMagnet();
    await postLead(submission(site, magnet), {}, httpEnv);
    const dead = await outbox(site);
    expect(dead).toMatchObject({ status: 'dead', attempts: 1 });

    api.status = 200;
    const res = await retry(JSON.stringify({ ids: [dead!.id, 'mo_unknown'] }), 'application/json', httpEnv);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ requeued: 1 });
    expect(api.calls).toBe(2);
    expect(await outbox(site)).toMatchObject({ status: 'sent', attempts: 1 });

    const again = await retry(JSON.stringify({ ids: [dead!.id] }), 'application/json', httpEnv);
    expect(await again.json()).toEqual({ requeued: 0 });
    expect(api.calls).toBe(2);
  });

  it('without ids (absent body, {} or an empty list) requeues every dead mail', async () => {
    const api = mailApi(422);
    const sites = [await setupMagnet(), await setupMagnet(), await setupMagnet()];
    for (const s of sites) await postLead(submission(s.site, s.magnet), {}, httpEnv);
    for (const s of sites) expect(await outbox(s.site)).toMatchObject({ status: 'dead' });
    api.status = 200;
    // Send nothing now: the requeued mails stay due for the cron.
    const noSend = { MAIL_MODE: 'cloudflare', EMAIL: undefined };
    const first = (await (await retry(undefined, 'application/json', noSend)).json()) as { requeued: number };
    expect(first.requeued).toBeGreaterThanOrEqual(3);
    for (const s of sites) expect(await outbox(s.site)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(api.calls).toBe(3);
    await db().prepare("UPDATE mail_outbox SET status = 'dead' WHERE site_id IN (?, ?)").bind(sites[0]!.site, sites[1]!.site).run();
    expect(await (await retry('{}', 'application/json', noSend)).json()).toEqual({ requeued: 2 });
    await db().prepare("UPDATE mail_outbox SET status = 'dead' WHERE site_id = ?").bind(sites[2]!.site).run();
    expect(await (await retry('{"ids":[]}', 'application/json', noSend)).json()).toEqual({ requeued: 1 });
    expect((await health()).mail.dead).toBe(0);
  });

  it('refuses a malformed body with a 400 problem and requeues nothing', async () => {
    mailApi(422);
    const { site, magnet } = await setupMagnet();
    await postLead(submission(site, magnet), {}, httpEnv);
    await expectProblem(await retry('{"ids": [', 'application/json', httpEnv), 400, PROBLEM_TYPES.malformed);
    await expectProblem(await retry('{"ids": "all"}', 'application/json', httpEnv), 400, PROBLEM_TYPES.validation);
    await expectProblem(await retry('{"ids": [1]}', 'application/json', httpEnv), 400, PROBLEM_TYPES.validation);
    await expectProblem(await retry('[]', 'application/json', httpEnv), 400, PROBLEM_TYPES.validation);
    await expectProblem(await retry('{}', 'text/plain', httpEnv), 415, PROBLEM_TYPES.unsupportedMediaType);
    expect(await outbox(site)).toMatchObject({ status: 'dead' });
  });

  it('needs the admin token', async () => {
    await expectProblem(await send('/admin/mail/retry', { method: 'POST' }), 401, PROBLEM_TYPES.unauthorized);
  });
});

