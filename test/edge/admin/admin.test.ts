import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { verifyApiKey } from '../../../edge/features/sites/api-keys-store';
import { adminCall, call, collect, countAllRows, createSite, expectProblem, pageview } from '../helpers';

describe('admin API: authentication', () => {
  it('requires the admin token and reveals nothing without it', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong' }, { authorization: 'Basic dGVzdA==' }, { authorization: 'Bearer ' }]) {
      const res = await call('/admin/sites', { headers });
      const body = await expectProblem(res, 401, PROBLEM_TYPES.unauthorized);
      expect(JSON.stringify(body)).not.toContain('Test site');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    const before = await countAllRows();
    const res = await adminCall('POST', '/admin/sites', { id: 'sneaky', origins: [] }, 'wrong');
    await expectProblem(res, 401, PROBLEM_TYPES.unauthorized);
    expect(await countAllRows()).toEqual(before);
  });
});

describe('admin API: sites and origins', () => {
  it('creates, reads and lists a site with its origins', async () => {
    const id = `site-${Date.now().toString(36)}`;
    const res = await adminCall('POST', '/admin/sites', { id, name: 'Acme GmbH', origins: ['https://acme.example', 'http://localhost:3000'] });
    expect(res.status).toBe(201);
    const { site } = (await res.json()) as { site: { id: string; name: string; origins: string[] } };
    expect(site).toMatchObject({ id, name: 'Acme GmbH', origins: ['http://localhost:3000', 'https://acme.example'] });
    const got = (await (await adminCall('GET', `/admin/sites/${id}`)).json()) as { site: unknown };
    expect(got.site).toEqual(site);
    const list = (await (await adminCall('GET', '/admin/sites')).json()) as { sites: { id: string }[] };
    expect(list.sites.map((s) => s.id)).toContain(id);
  });

  it('409 for a taken id, and the existing site keeps its origins', async () => {
    const id = await createSite(['https://first.example']);
    const res = await adminCall('POST', '/admin/sites', { id, origins: ['https://second.example'] });
    await expectProblem(res, 409, PROBLEM_TYPES.conflict);
    const { site } = (await (await adminCall('GET', `/admin/sites/${id}`)).json()) as { site: { origins: string[] } };
    expect(site.origins).toEqual(['https://first.example']);
  });

  it('rejects invalid sites and origins with the field path, storing nothing', async () => {
    const before = await countAllRows();
    const cases: [unknown, string][] = [
      [{ id: 'Bad Id!' }, '/id'],
      [{ id: '-leading' }, '/id'],
      [{ id: 'ok-id', origins: ['https://a.example/path'] }, '/origins/0'],
      [{ id: 'ok-id', origins: ['https://a.example/'] }, '/origins/0'],
      [{ id: 'ok-id', origins: ['ftp://a.example'] }, '/origins/0'],
      [{ id: 'ok-id', origins: 'https://a.example' }, '/origins'],
      [{ id: 'ok-id', name: 'x'.repeat(101) }, '/name'],
      [['ok-id'], '/'],
    ];
    for (const [body, path] of cases) {
      const problem = await expectProblem(await adminCall('POST', '/admin/sites', body), 400, PROBLEM_TYPES.validation);
      expect(problem.path, JSON.stringify(body)).toBe(path);
    }
    expect(await countAllRows()).toEqual(before);
  });

  it('adds and removes origins; collect follows at once', async () => {
    const site = await createSite(['https://www.example.com']);
    const origin = 'https://shop.example.com';
    expect((await collect({ site, events: [pageview()] }, { origin })).status).toBe(403);

    const add = await adminCall('POST', `/admin/sites/${site}/origins`, { origin });
    expect(add.status).toBe(201);
    expect(((await add.json()) as { site: { origins: string[] } }).site.origins).toContain(origin);
    expect((await adminCall('POST', `/admin/sites/${site}/origins`, { origin })).status).toBe(200); // idempotent
    expect((await collect({ site, events: [pageview()] }, { origin })).status).toBe(202);

    const del = await adminCall('DELETE', `/admin/sites/${site}/origins?origin=${encodeURIComponent(origin)}`);
    expect(del.status).toBe(200);
    expect((await collect({ site, events: [pageview()] }, { origin })).status).toBe(403);
    await expectProblem(await adminCall('DELETE', `/admin/sites/${site}/origins?origin=${encodeURIComponent(origin)}`), 404, PROBLEM_TYPES.notFound);
  });

  it('404 for an unknown site', async () => {
    await expectProblem(await adminCall('GET', '/admin/sites/nope-nope'), 404, PROBLEM_TYPES.notFound);
    await expectProblem(await adminCall('POST', '/admin/sites/nope-nope/origins', { origin: 'https://a.example' }), 404, PROBLEM_TYPES.notFound);
  });

  it('415 and 400 for bodies that are not JSON', async () => {
    const res = await call('/admin/sites', { method: 'POST', headers: { authorization: 'Bearer test-admin-token', 'content-type': 'text/plain' }, body: '{}' });
    await expectProblem(res, 415, PROBLEM_TYPES.unsupportedMediaType);
    const bad = await call('/admin/sites', { method: 'POST', headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' }, body: '{id:' });
    await expectProblem(bad, 400, PROBLEM_TYPES.malformed);
  });
});

describe('admin API: API keys', () => {
  it('creates a key shown once, stores only its hash, lists and revokes it', async () => {
    const site = await createSite();
    const res = await adminCall('POST', `/admin/sites/${site}/keys`, { name: 'CRM sync', scopes: ['leads:read', 'leads:write'] });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { key, secret } = (await res.json()) as { key: { id: string; scopes: string[] }; secret: string };
    expect(secret).toMatch(/^lsk_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(key.scopes).toEqual(['leads:read', 'leads:write']);

    const stored = await env.DB.prepare('SELECT * FROM api_keys WHERE id = ?').bind(key.id).first<Record<string, unknown>>();
    const secretPart = secret.slice('lsk_'.length + 12 + 1); // lsk_<12-char id>_<secret>; the secret may contain "_"
    expect(secretPart).toHaveLength(43);
    expect(JSON.stringify(stored)).not.toContain(secretPart);
    expect(stored!.secret_hash).toMatch(/^[0-9a-f]{64}$/);

    expect((await verifyApiKey(env.DB, secret))?.id).toBe(key.id);
    expect(await verifyApiKey(env.DB, secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A'))).toBeNull();

    const list = (await (await adminCall('GET', `/admin/sites/${site}/keys`)).json()) as { keys: Record<string, unknown>[] };
    expect(list.keys).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain(secret);
    expect(list.keys[0]).not.toHaveProperty('secret_hash');

    expect((await adminCall('DELETE', `/admin/sites/${site}/keys/${key.id}`)).status).toBe(200);
    expect(await verifyApiKey(env.DB, secret)).toBeNull();
    await expectProblem(await adminCall('DELETE', `/admin/sites/${site}/keys/${key.id}`), 404, PROBLEM_TYPES.notFound);
  });

  it("cannot revoke another site's key", async () => {
    const [a, b] = [await createSite(), await createSite()];
    const { key, secret } = (await (await adminCall('POST', `/admin/sites/${a}/keys`, { name: 'a' })).json()) as { key: { id: string }; secret: string };
    await expectProblem(await adminCall('DELETE', `/admin/sites/${b}/keys/${key.id}`), 404, PROBLEM_TYPES.notFound);
    expect(await verifyApiKey(env.DB, secret)).not.toBeNull();
  });

  it('rejects unknown scopes and empty names', async () => {
    const site = await createSite();
    const p1 = await expectProblem(await adminCall('POST', `/admin/sites/${site}/keys`, { name: 'x', scopes: ['admin'] }), 400, PROBLEM_TYPES.validation);
    expect(p1.path).toBe('/scopes/0');
    const p2 = await expectProblem(await adminCall('POST', `/admin/sites/${site}/keys`, { name: '  ' }), 400, PROBLEM_TYPES.validation);
    expect(p2.path).toBe('/name');
    expect((await (await adminCall('GET', `/admin/sites/${site}/keys`)).json())).toEqual({ keys: [] });
  });
});

describe('admin API: event tail', () => {
  it('lists a site\'s newest events and pages by receive time', async () => {
    const site = await createSite();
    const events = [pageview(), pageview()];
    await collect({ site, events });
    const res = await adminCall('GET', `/admin/sites/${site}/events?limit=10`);
    const body = (await res.json()) as { events: { event_id: string; received_at: number }[] };
    expect(body.events.map((e) => e.event_id).sort()).toEqual(events.map((e) => e.id).sort());
    const since = body.events[0]!.received_at;
    expect(await (await adminCall('GET', `/admin/sites/${site}/events?since=${since}`)).json()).toEqual({ events: [] });
    await expectProblem(await adminCall('GET', `/admin/sites/${site}/events?limit=0`), 400, PROBLEM_TYPES.validation);
  });
});

describe('unknown routes', () => {
  it('answer 404 problem+json', async () => {
    await expectProblem(await call('/v1/nothing-here'), 404, PROBLEM_TYPES.notFound);
  });
});
