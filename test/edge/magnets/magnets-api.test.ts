import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { adminCall, createSite, expectProblem } from '../helpers';
import { CONSENT_TEXT, magnetConfig, MARKETING_TEXT } from '../leads-helpers';
import { api } from '../sales-helpers';
import { apiKey } from '../scoring-helpers';

/**
 * GET /v1/magnets and PUT /v1/magnets/:magnet (marketing API keys) in
 * workerd with the real local D1: the same use case as the admin route,
 * consent texts versioned and never edited, every refusal changing nothing.
 */

interface MagnetView {
  id: string; title: string; siteId: string; lang: string;
  consent: { text: string; version: string; hash: string };
  marketing: { text: string; version: string; hash: string } | null;
  consentTexts: { purpose: string; version: string; hash: string; text: string; createdAt: number }[];
}

async function list(key: string): Promise<MagnetView[]> {
  const res = await api(key, 'GET', '/v1/magnets');
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { magnets: MagnetView[] }).magnets;
}

/** Everything a magnet write could touch, for "nothing changed". */
async function snapshot(site: string) {
  const magnets = await env.DB.prepare('SELECT * FROM magnets WHERE site_id = ? ORDER BY id').bind(site).all();
  const texts = await env.DB.prepare('SELECT * FROM consent_texts WHERE site_id = ? ORDER BY magnet_id, purpose, version').bind(site).all();
  return JSON.stringify([magnets.results, texts.results]);
}

describe('the magnet API', () => {
  it('creates, lists and replaces magnets with their consent text versions', async () => {
    const site = await createSite();
    const key = await apiKey(site, ['config:write']);
    const created = await api(key, 'PUT', '/v1/magnets/wp', magnetConfig());
    expect(created.status).toBe(201);
    expect(((await created.json()) as { magnet: MagnetView }).magnet).toMatchObject({ id: 'wp', siteId: site, consent: { text: CONSENT_TEXT, version: '2026-11-01' } });
    const replaced = await api(key, 'PUT', '/v1/magnets/wp', magnetConfig({ title: 'New title' }));
    expect(replaced.status).toBe(200);

    // A new text under a new version: both versions are kept, the old one as it was.
    const newText = `${CONSENT_TEXT} We delete them after two years.`;
    expect((await api(key, 'PUT', '/v1/magnets/wp', magnetConfig({ consent: { text: newText, version: '2026-12-01' } }))).status).toBe(200);
    const [wp] = await list(key);
    expect(wp).toMatchObject({ id: 'wp', title: 'The 2026 B2B lead report', consent: { text: newText, version: '2026-12-01' }, marketing: { text: MARKETING_TEXT } });
    expect(wp!.consentTexts.map((t) => [t.purpose, t.version, t.text])).toEqual([
      ['download', '2026-12-01', newText], ['download', '2026-11-01', CONSENT_TEXT], ['marketing', '2026-11-01', MARKETING_TEXT],
    ]);
    // Readable with leads:read too; the admin route sees the same magnet (one use case, one store).
    expect((await list(await apiKey(site, ['leads:read'])))[0]!.consent.version).toBe('2026-12-01');
    const admin = (await (await adminCall('GET', `/admin/sites/${site}/magnets/wp`)).json()) as { magnet: MagnetView };
    expect(admin.magnet.consent).toEqual(wp!.consent);
    // Another site's key sees none of them.
    expect(await list(await apiKey(await createSite()))).toEqual([]);
  });

  it('refuses other words under a recorded consent text version, as the admin route does, changing nothing', async () => {
    const site = await createSite();
    const key = await apiKey(site);
    expect((await api(key, 'PUT', '/v1/magnets/wp', magnetConfig())).status).toBe(201);
    const before = await snapshot(site);
    const edited = magnetConfig({ title: 'Changed too', consent: { text: `${CONSENT_TEXT} (edited)`, version: '2026-11-01' } });
    await expectProblem(await api(key, 'PUT', '/v1/magnets/wp', edited), 409, PROBLEM_TYPES.conflict);
    await expectProblem(await adminCall('PUT', `/admin/sites/${site}/magnets/wp`, edited), 409, PROBLEM_TYPES.conflict);
    const marketing = magnetConfig({ marketing: { text: `${MARKETING_TEXT} Really.`, version: '2026-11-01' } });
    await expectProblem(await api(key, 'PUT', '/v1/magnets/wp', marketing), 409, PROBLEM_TYPES.conflict);
    expect(await snapshot(site)).toBe(before);
    // The stored text is still the one visitors saw (the table refuses edits anyway).
    await expect(env.DB.prepare('UPDATE consent_texts SET text = ? WHERE site_id = ?').bind('x', site).run()).rejects.toThrow(/append-only/);
  });

  it('refuses bad bodies, ids, media types and scopes with a problem, changing nothing', async () => {
    const site = await createSite();
    const key = await apiKey(site);
    expect((await api(key, 'PUT', '/v1/magnets/wp', magnetConfig())).status).toBe(201);
    const before = await snapshot(site);
    const bad: [unknown, string][] = [
      [magnetConfig({ title: 42 }), '/title'],
      [magnetConfig({ lang: 'fr' }), '/lang'],
      [magnetConfig({ title: 'Line\nbreak' }), '/title'],
      [magnetConfig({ title: 'Bell\u0007' }), '/title'],
      [magnetConfig({ description: 'NUL \u0000 inside' }), '/description'],
      [magnetConfig({ consent: { text: 'Short', version: '2026-11-01' } }), '/consent/text'],
      [magnetConfig({ consent: { text: CONSENT_TEXT, version: 'v 1' } }), '/consent/version'],
      [magnetConfig({ coupled: true }), '/marketing'],
      [magnetConfig({ turnstyle: true }), '/turnstyle'],
      [magnetConfig({ fields: [{ name: 'company', required: 1e308 }] }), '/fields/0/required'],
      [magnetConfig({ privacyUrl: 'javascript:alert(1)' }), '/privacyUrl'],
      [[magnetConfig()], '/'],
      ['"just a string"', '/'],
    ];
    for (const [body, path] of bad) {
      const problem = await expectProblem(await api(key, 'PUT', '/v1/magnets/wp', body), 400, PROBLEM_TYPES.validation);
      expect(problem.errors!.map((e) => e.path), JSON.stringify(body).slice(0, 80)).toContain(path);
    }
    await expectProblem(await api(key, 'PUT', '/v1/magnets/Not_A_Slug', magnetConfig()), 400, PROBLEM_TYPES.validation);
    await expectProblem(await api(key, 'PUT', `/v1/magnets/${'m'.repeat(100)}`, magnetConfig()), 400, PROBLEM_TYPES.validation);
    await expectProblem(await api(key, 'PUT', '/v1/magnets/wp', '{"title":', 'application/json'), 400, PROBLEM_TYPES.malformed);
    await expectProblem(await api(key, 'PUT', '/v1/magnets/wp', magnetConfig(), 'text/plain'), 415, PROBLEM_TYPES.unsupportedMediaType);
    await expectProblem(await api(key, 'PUT', '/v1/magnets/wp', magnetConfig({ description: 'x'.repeat(40_000) })), 413, PROBLEM_TYPES.tooLarge);
    await expectProblem(await api(await apiKey(site, ['leads:read', 'leads:write']), 'PUT', '/v1/magnets/wp', magnetConfig({ title: 'No' })), 403, PROBLEM_TYPES.forbidden);
    await expectProblem(await api(null, 'PUT', '/v1/magnets/wp', magnetConfig({ title: 'No' })), 401, PROBLEM_TYPES.unauthorized);
    await expectProblem(await api(null, 'GET', '/v1/magnets'), 401, PROBLEM_TYPES.unauthorized);
    await expectProblem(await api(await apiKey(site, ['leads:write']), 'GET', '/v1/magnets'), 403, PROBLEM_TYPES.forbidden);
    expect(await snapshot(site)).toBe(before);
  });
});
