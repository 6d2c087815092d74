import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { adminCall, createSite, expectProblem } from '../helpers';
import { CONSENT_TEXT, ORIGIN, adminUpload, confirmLink, confirmPost, db, magnetConfig, postLead, setupMagnet, submission } from '../leads-helpers';

const sha256Hex = async (bytes: Uint8Array<ArrayBuffer> | string) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes))]
    .map((b) => b.toString(16).padStart(2, '0')).join('');

describe('magnet admin API', () => {
  it('needs the admin token', async () => {
    const site = await createSite([ORIGIN]);
    for (const [method, path] of [
      ['GET', `/admin/sites/${site}/magnets`],
      ['PUT', `/admin/sites/${site}/magnets/wp`],
      ['GET', `/admin/sites/${site}/leads`],
      ['GET', `/admin/sites/${site}/leads/ld_x`],
    ] as const) {
      await expectProblem(await adminCall(method, path, method === 'PUT' ? magnetConfig() : undefined, 'wrong-token'), 401, PROBLEM_TYPES.unauthorized);
    }
    const up = await adminUpload(site, 'wp', 'x.pdf', new Uint8Array([1]), 'wrong-token');
    await expectProblem(up, 401, PROBLEM_TYPES.unauthorized);
  });

  it('creates (201), reads, lists, updates (200) and deletes a magnet', async () => {
    const site = await createSite([ORIGIN]);
    const created = await adminCall('PUT', `/admin/sites/${site}/magnets/wp`, magnetConfig());
    expect(created.status).toBe(201);
    const { magnet } = (await created.json()) as { magnet: Record<string, any> };
    expect(magnet).toMatchObject({
      siteId: site, id: 'wp', lang: 'en', coupled: false, turnstile: false, file: null,
      consent: { text: CONSENT_TEXT, version: '2026-11-01', hash: await sha256Hex(CONSENT_TEXT) },
    });
    const updated = await adminCall('PUT', `/admin/sites/${site}/magnets/wp`, magnetConfig({ title: 'New title', lang: 'de' }));
    expect(updated.status).toBe(200);
    const got = (await (await adminCall('GET', `/admin/sites/${site}/magnets/wp`)).json()) as { magnet: Record<string, unknown> };
    expect(got.magnet).toMatchObject({ title: 'New title', lang: 'de' });
    const list = (await (await adminCall('GET', `/admin/sites/${site}/magnets`)).json()) as { magnets: unknown[] };
    expect(list.magnets).toHaveLength(1);
    expect((await adminCall('DELETE', `/admin/sites/${site}/magnets/wp`)).status).toBe(200);
    await expectProblem(await adminCall('GET', `/admin/sites/${site}/magnets/wp`), 404, PROBLEM_TYPES.notFound);
  });

  it.each([
    ['no consent', { consent: undefined }, '/consent'],
    ['an empty consent text', { consent: { text: '', version: 'v1' } }, '/consent/text'],
    ['HTML in the consent text', { consent: { text: 'I agree <script>alert(1)</script> to it all.', version: 'v1' } }, '/consent/text'],
    ['a version with spaces', { consent: { text: CONSENT_TEXT, version: 'v 1' } }, '/consent/version'],
    ['a privacy URL that is not http(s)', { privacyUrl: 'javascript:alert(1)' }, '/privacyUrl'],
    ['an unknown field', { fields: [{ name: 'phone' }] }, '/fields/0/name'],
    ['a field twice', { fields: [{ name: 'company' }, { name: 'company' }] }, '/fields'],
    ['a marketing checkbox on a coupled magnet', { coupled: true }, '/marketing'],
    ['a language other than de/en', { lang: 'fr' }, '/lang'],
    ['a title with a line break', { title: 'A\nB' }, '/title'],
  ])('refuses %s with a field error', async (_name, overrides, path) => {
    const site = await createSite([ORIGIN]);
    const res = await adminCall('PUT', `/admin/sites/${site}/magnets/wp`, magnetConfig(overrides));
    const problem = await expectProblem(res, 400, PROBLEM_TYPES.validation);
    expect(problem.errors!.map((e) => e.path)).toContain(path);
    await expectProblem(await adminCall('GET', `/admin/sites/${site}/magnets/wp`), 404, PROBLEM_TYPES.notFound);
  });

  it('refuses new words under a used consent version (409), accepts them under a new one and keeps the old text', async () => {
    const site = await createSite([ORIGIN]);
    await adminCall('PUT', `/admin/sites/${site}/magnets/wp`, magnetConfig());
    const changed = `${CONSENT_TEXT} And a new clause.`;
    const res = await adminCall('PUT', `/admin/sites/${site}/magnets/wp`, magnetConfig({ consent: { text: changed, version: '2026-11-01' } }));
    const problem = await expectProblem(res, 409, PROBLEM_TYPES.conflict);
    expect(problem.detail).toMatch(/new version/);
    const ok = await adminCall('PUT', `/admin/sites/${site}/magnets/wp`, magnetConfig({ consent: { text: changed, version: '2026-12-01' } }));
    expect(ok.status).toBe(200);
    const { results } = await db().prepare("SELECT version, text FROM consent_texts WHERE site_id = ? AND purpose = 'download' ORDER BY version").bind(site).all();
    expect(results).toEqual([{ version: '2026-11-01', text: CONSENT_TEXT }, { version: '2026-12-01', text: changed }]);
  });

  it('uploads and replaces the file; refuses bad names, empty and oversized files', async () => {
    const site = await createSite([ORIGIN]);
    await adminCall('PUT', `/admin/sites/${site}/magnets/wp`, magnetConfig());
    // Larger than one chunk (1 MiB), to cover chunking.
    const big = new Uint8Array(1024 * 1024 + 4321).map((_, i) => (i * 7) % 256);
    const res = await adminUpload(site, 'wp', 'whitepaper.pdf', big);
    expect(res.status).toBe(200);
    const { magnet } = (await res.json()) as { magnet: { file: Record<string, unknown> } };
    expect(magnet.file).toEqual({ name: 'whitepaper.pdf', type: 'application/pdf', size: big.length, sha256: await sha256Hex(big), chunks: 2 });

    const small = new TextEncoder().encode('checklist');
    const replaced = (await (await adminUpload(site, 'wp', 'checklist.txt', small)).json()) as { magnet: { file: Record<string, unknown> } };
    expect(replaced.magnet.file).toMatchObject({ name: 'checklist.txt', type: 'text/plain', size: small.length, chunks: 1 });
    const chunks = await db().prepare('SELECT COUNT(*) AS n FROM magnet_file_chunks WHERE site_id = ?').bind(site).first<{ n: number }>();
    expect(chunks!.n).toBe(1);

    for (const name of ['page.html', 'script.js', '../etc/passwd.pdf', 'noextension', '']) {
      await expectProblem(await adminUpload(site, 'wp', name, small), 400, PROBLEM_TYPES.validation);
    }
    await expectProblem(await adminUpload(site, 'wp', 'empty.pdf', new Uint8Array()), 400, PROBLEM_TYPES.validation);
    await expectProblem(await adminUpload(site, 'wp', 'huge.pdf', new Uint8Array(10 * 1024 * 1024 + 1)), 413, PROBLEM_TYPES.tooLarge);
    await expectProblem(await adminUpload(site, 'nope', 'a.pdf', small), 404, PROBLEM_TYPES.notFound);
  });
});

describe('lead admin API', () => {
  it('lists leads by status and shows one with its ledger', async () => {
    const { site, magnet } = await setupMagnet();
    const a = submission(site, magnet);
    const b = submission(site, magnet);
    await postLead(a);
    await postLead(b);
    await confirmPost((await confirmLink(a.email)).searchParams.get('t')!);

    const all = (await (await adminCall('GET', `/admin/sites/${site}/leads`)).json()) as { leads: { id: string; status: string; email: string }[] };
    expect(all.leads).toHaveLength(2);
    const confirmed = (await (await adminCall('GET', `/admin/sites/${site}/leads?status=confirmed`)).json()) as { leads: { id: string; email: string }[] };
    expect(confirmed.leads.map((l) => l.email)).toEqual([a.email.replace(/@.*/, '@example.com')]);
    const byEmail = (await (await adminCall('GET', `/admin/sites/${site}/leads?email=${encodeURIComponent(b.email.toUpperCase())}`)).json()) as { leads: unknown[] };
    expect(byEmail.leads).toHaveLength(1);

    const one = (await (await adminCall('GET', `/admin/sites/${site}/leads/${confirmed.leads[0]!.id}`)).json()) as {
      lead: Record<string, unknown>; ledger: { action: string; purpose: string | null; granted: boolean | null }[];
    };
    expect(one.lead).toMatchObject({ status: 'confirmed', company: 'Acme GmbH' });
    expect(one.ledger.map((e) => `${e.action}:${e.purpose}:${e.granted}`)).toEqual([
      'given:download:true', 'given:marketing:false', 'confirmed:download:null',
    ]);
    await expectProblem(await adminCall('GET', `/admin/sites/${site}/leads?status=hot`), 400, PROBLEM_TYPES.validation);
    await expectProblem(await adminCall('GET', `/admin/sites/${site}/leads/ld_nope`), 404, PROBLEM_TYPES.notFound);
  });

  it('keeps leads per site: the same address on two sites is two leads', async () => {
    const one = await setupMagnet();
    const two = await setupMagnet();
    const email = submission(one.site, one.magnet).email;
    await postLead(submission(one.site, one.magnet, { email }));
    await postLead(submission(two.site, two.magnet, { email }));
    for (const { site } of [one, two]) {
      const { leads } = (await (await adminCall('GET', `/admin/sites/${site}/leads`)).json()) as { leads: unknown[] };
      expect(leads).toHaveLength(1);
    }
  });
});
