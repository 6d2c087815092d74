import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { BASE, adminCall, createSite, expectProblem } from '../helpers';
import { send } from '../leads-helpers';
import { apiKey } from '../scoring-helpers';

/**
 * Dashboard sessions in workerd with the real local D1: a marketing API key
 * exchanged for an HttpOnly cookie, which then authenticates the marketing
 * API; timeouts, sign-out, revoked keys and cross-site requests.
 */

const SAME = { origin: BASE };

function signIn(key: unknown, headers: Record<string, string> = SAME, overrides = {}) {
  return send('/app/session', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ key }) }, overrides);
}

/** The cookie pair ("name=value") a sign-in answer set. */
function cookieOf(res: Response): string {
  const set = res.headers.get('set-cookie');
  expect(set, 'a session cookie').toBeTruthy();
  return set!.split(';')[0]!;
}

const withCookie = (cookie: string, init: RequestInit & { headers?: Record<string, string> } = {}) => ({ ...init, headers: { cookie, ...(init.headers ?? {}) } });

async function signedIn(scopes?: string[]) {
  const site = await createSite();
  const key = await apiKey(site, scopes);
  const res = await signIn(key);
  expect(res.status).toBe(201);
  return { site, key, cookie: cookieOf(res) };
}

const sessionRow = async (cookie: string) => {
  const token = cookie.split('=')[1]!;
  const hash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)))].map((b) => b.toString(16).padStart(2, '0')).join('');
  return { hash, row: await env.DB.prepare('SELECT * FROM app_sessions WHERE id = ?').bind(hash).first<Record<string, unknown>>() };
};

describe('signing in', () => {
  it('exchanges a key for an HttpOnly, SameSite=Strict session cookie that is not the key and authenticates the API', async () => {
    const site = await createSite();
    const key = await apiKey(site, ['leads:read']);
    const res = await signIn(key);
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const set = res.headers.get('set-cookie')!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Path=\//);
    expect(set).not.toContain(key);
    expect(await res.json()).toMatchObject({ site: { id: site, name: 'Test site' }, key: { name: 'test', scopes: ['leads:read'] }, idleTimeoutSeconds: 1800 });
    const cookie = cookieOf(res);
    // Only the token's hash is stored.
    const { row } = await sessionRow(cookie);
    expect(row).toMatchObject({ site_id: site, revoked_at: null });
    expect(JSON.stringify(row)).not.toContain(cookie.split('=')[1]);
    expect((await send('/v1/leads', withCookie(cookie))).status).toBe(200);
    expect(await (await send('/app/session', withCookie(cookie))).json()).toMatchObject({ site: { id: site }, key: { scopes: ['leads:read'] } });
  });

  it('outside local development the cookie is Secure with the __Host- prefix', async () => {
    const site = await createSite();
    const res = await signIn(await apiKey(site), SAME, { LODESTONE_ENV: undefined });
    expect(res.status).toBe(201);
    const set = res.headers.get('set-cookie')!;
    expect(set).toMatch(/^__Host-lodestone_session=lss_/);
    expect(set).toMatch(/Secure/);
    expect(set).not.toMatch(/Domain=/i);
    expect((await send('/v1/leads', withCookie(cookieOf(res)), { LODESTONE_ENV: undefined })).status).toBe(200);
    // The plain name of local development is no session there.
    expect((await send('/v1/leads', withCookie(cookieOf(res).replace('__Host-', '')), { LODESTONE_ENV: undefined })).status).toBe(401);
  });

  it('a wrong, malformed or revoked key gets 401 and no session', async () => {
    const site = await createSite();
    const key = await apiKey(site);
    const before = (await env.DB.prepare('SELECT COUNT(*) AS n FROM app_sessions').first<{ n: number }>())!.n;
    for (const wrong of [`${key.slice(0, -2)}xx`, 'lsk_nope', 'x'.repeat(200)]) {
      const res = await signIn(wrong);
      await expectProblem(res, 401, PROBLEM_TYPES.unauthorized);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    const keyId = key.split('_')[1]!;
    expect((await adminCall('DELETE', `/admin/sites/${site}/keys/${keyId}`)).status).toBeLessThan(300);
    await expectProblem(await signIn(key), 401, PROBLEM_TYPES.unauthorized);
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM app_sessions').first<{ n: number }>())!.n).toBe(before);
  });

  it('refuses malformed bodies with a problem and no session', async () => {
    const post = (body: string, type = 'application/json') => send('/app/session', { method: 'POST', headers: { 'content-type': type, ...SAME }, body });
    await expectProblem(await post('{"key":'), 400, PROBLEM_TYPES.malformed);
    await expectProblem(await post(''), 400, PROBLEM_TYPES.malformed);
    await expectProblem(await post('{"key":42}'), 400, PROBLEM_TYPES.validation);
    await expectProblem(await post('{"key":"lsk_x","extra":1}'), 400, PROBLEM_TYPES.validation);
    await expectProblem(await post(JSON.stringify({ key: 'k'.repeat(5000) })), 413, PROBLEM_TYPES.tooLarge);
    await expectProblem(await post('key=lsk_x', 'application/x-www-form-urlencoded'), 415, PROBLEM_TYPES.unsupportedMediaType);
  });

  it('refuses a sign-in from another site or without an Origin', async () => {
    const site = await createSite();
    const key = await apiKey(site);
    for (const headers of [{ origin: 'https://evil.example' }, {}] as Record<string, string>[]) {
      const res = await signIn(key, headers);
      await expectProblem(res, 403, PROBLEM_TYPES.forbiddenOrigin);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });
});

describe('a session', () => {
  it('changes things only from this origin: a cross-site or Origin-less write is refused and changes nothing', async () => {
    const { cookie } = await signedIn();
    const model = await (await send('/v1/scoring-model', withCookie(cookie))).json() as { version: number; model: Record<string, unknown> };
    const put = (headers: Record<string, string>) =>
      send('/v1/scoring-model', withCookie(cookie, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ ...model.model, halfLifeDays: 45 }) }));
    await expectProblem(await put({ origin: 'https://evil.example' }), 403, PROBLEM_TYPES.forbiddenOrigin);
    await expectProblem(await put({}), 403, PROBLEM_TYPES.forbiddenOrigin);
    expect((await (await send('/v1/scoring-model', withCookie(cookie))).json() as { version: number }).version).toBe(model.version);
    expect((await put(SAME)).status).toBe(200);
    expect((await (await send('/v1/scoring-model', withCookie(cookie))).json() as { version: number }).version).toBe(model.version + 1);
  });

  it('keeps the scopes of its key: a read-only key cannot write through it', async () => {
    const { cookie } = await signedIn(['leads:read']);
    const res = await send('/v1/scoring-model', withCookie(cookie, { method: 'PUT', headers: { 'content-type': 'application/json', ...SAME }, body: '{}' }));
    await expectProblem(res, 403, PROBLEM_TYPES.forbidden);
  });

  it('reaches its own site only: another site\'s lead is not found', async () => {
    const { cookie } = await signedIn();
    const other = await createSite();
    await env.DB.prepare(`INSERT INTO leads (site_id, id, email, email_key, status, lang, marketing, created_at, updated_at)
                          VALUES (?, 'ld_other', 'x@example.com', 'x@example.com', 'confirmed', 'en', 0, 1, 1)`).bind(other).run();
    await expectProblem(await send('/v1/leads/ld_other', withCookie(cookie)), 404, PROBLEM_TYPES.notFound);
  });

  it('ends at sign-out, after 30 idle minutes, after 12 hours, and when its key is revoked', async () => {
    const ended = async (cookie: string) => {
      await expectProblem(await send('/v1/leads', withCookie(cookie)), 401, PROBLEM_TYPES.unauthorized);
      await expectProblem(await send('/app/session', withCookie(cookie)), 401, PROBLEM_TYPES.unauthorized);
    };
    // Sign-out: from this origin only, then the cookie is cleared and dead.
    const a = await signedIn();
    await expectProblem(await send('/app/session', withCookie(a.cookie, { method: 'DELETE', headers: { origin: 'https://evil.example' } })), 403, PROBLEM_TYPES.forbiddenOrigin);
    expect((await send('/v1/leads', withCookie(a.cookie))).status).toBe(200);
    const out = await send('/app/session', withCookie(a.cookie, { method: 'DELETE', headers: SAME }));
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    await ended(a.cookie);
    expect((await send('/app/session', withCookie(a.cookie, { method: 'DELETE', headers: SAME }))).status).toBe(200);

    // Idle: the last request 31 minutes ago.
    const b = await signedIn();
    await env.DB.prepare('UPDATE app_sessions SET last_seen_at = ? WHERE id = ?').bind(Date.now() - 31 * 60_000, (await sessionRow(b.cookie)).hash).run();
    await ended(b.cookie);
    // A request within the idle time keeps it alive: the last one 20 minutes ago.
    const c = await signedIn();
    await env.DB.prepare('UPDATE app_sessions SET last_seen_at = ? WHERE id = ?').bind(Date.now() - 20 * 60_000, (await sessionRow(c.cookie)).hash).run();
    expect((await send('/v1/leads', withCookie(c.cookie))).status).toBe(200);
    expect(Number((await sessionRow(c.cookie)).row!.last_seen_at)).toBeGreaterThan(Date.now() - 60_000);
    // Absolute lifetime: busy, but signed in 12 hours ago.
    await env.DB.prepare('UPDATE app_sessions SET expires_at = ? WHERE id = ?').bind(Date.now() - 1, (await sessionRow(c.cookie)).hash).run();
    await ended(c.cookie);

    // The key revoked: every session of it ends.
    const d = await signedIn();
    expect((await adminCall('DELETE', `/admin/sites/${d.site}/keys/${d.key.split('_')[1]}`)).status).toBeLessThan(300);
    await ended(d.cookie);
  });

  it('a forged or unknown cookie is no session', async () => {
    for (const cookie of ['lodestone_session=lss_' + 'A'.repeat(43), 'lodestone_session=garbage', 'lodestone_session=']) {
      await expectProblem(await send('/v1/leads', withCookie(cookie)), 401, PROBLEM_TYPES.unauthorized);
    }
  });
});
