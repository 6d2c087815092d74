import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { BULK_LIMITS } from '../../../edge/core/bulk-rows';
import { createSite, expectProblem } from '../helpers';
import { confirmLink, confirmPost, mailsTo, runCron, send, setupMagnet, uniqueEmail } from '../leads-helpers';
import { apiKey, seedLead } from '../scoring-helpers';
import { count, scanAll } from '../gdpr-helpers';

/**
 * The lead import against the real Worker and D1: legal bases, the consent
 * ledger, merging by address, the opt-in mail, idempotency, refusals.
 */

const DAY = 86_400_000;
const FAIR = 'Hannover Messe 2026, booth B12, paper form';
const WORDS = 'Ja, Acme darf mich per E-Mail über Produkte und Veranstaltungen informieren. Widerruf jederzeit.';

function importFile(key: string | null, body: string, opts: { type?: string; query?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': opts.type ?? 'text/csv' };
  if (key) headers.authorization = `Bearer ${key}`;
  return send(`/v1/leads/import${opts.query ? `?${opts.query}` : ''}`, { method: 'POST', headers, body });
}

interface Report {
  created: number;
  merged: number;
  unchanged: number;
  refused: number;
  optinMails: number;
  rows: { line: number; email?: string; lead?: string; result: string; status?: number; reason?: string; optin?: string }[];
}

const csvCell = (s: string) => (/[",\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const csv = (rows: Record<string, string>[]) => {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c] ?? '')).join(','))].join('\r\n');
};

const consentRow = (email: string, extra: Record<string, string> = {}) =>
  ({ email, firstName: 'Jana', company: 'Acme GmbH', basis: 'consent', consentText: WORDS, consentAt: '2026-11-18T10:30:00Z', source: FAIR, lang: 'de', ...extra });

const leadByEmail = (site: string, email: string) =>
  env.DB.prepare('SELECT * FROM leads WHERE site_id = ? AND email_key = ?').bind(site, email.toLowerCase()).first<Record<string, unknown>>();
const ledger = (site: string, lead: string) =>
  env.DB.prepare('SELECT action, purpose, granted, magnet_id, text_version, text_hash, method, given_at, source, actor FROM consent_ledger WHERE site_id = ? AND lead_id = ? ORDER BY seq')
    .bind(site, lead).all<Record<string, unknown>>().then((r) => r.results);
const siteRows = async (site: string) => ({
  leads: await count('SELECT COUNT(*) AS n FROM leads WHERE site_id = ?', site),
  ledger: await count('SELECT COUNT(*) AS n FROM consent_ledger WHERE site_id = ?', site),
  texts: await count('SELECT COUNT(*) AS n FROM consent_texts WHERE site_id = ?', site),
  tokens: await count('SELECT COUNT(*) AS n FROM optin_tokens WHERE site_id = ?', site),
  outbox: await count('SELECT COUNT(*) AS n FROM mail_outbox WHERE site_id = ?', site),
});

async function keyedSite() {
  const site = await createSite();
  return { site, key: await apiKey(site) };
}

describe('POST /v1/leads/import', () => {
  it('consent rows become confirmed leads with marketing consent and the evidence on record; the same file twice is all unchanged', async () => {
    const { site, key } = await keyedSite();
    const [a, b] = [uniqueEmail('fair'), uniqueEmail('fair')];
    const file = csv([consentRow(a), consentRow(b, { firstName: 'Bernd', companySize: '50-249', industry: 'Maschinenbau' })]);
    const res = await importFile(key, file);
    expect(res.status).toBe(200);
    const first = (await res.json()) as Report;
    expect(first).toMatchObject({ created: 2, merged: 0, unchanged: 0, refused: 0, optinMails: 0 });
    expect(first.rows.map((r) => [r.line, r.result])).toEqual([[2, 'created'], [3, 'created']]);

    const lead = (await leadByEmail(site, a))!;
    expect(lead).toMatchObject({ status: 'confirmed', marketing: 1, basis: 'consent', origin: FAIR, first_name: 'Jana', company: 'Acme GmbH', lang: 'de' });
    expect(lead.confirmed_at).toEqual(expect.any(Number));
    const entries = await ledger(site, lead.id as string);
    expect(entries.map((e) => e.action)).toEqual(['given', 'confirmed']);
    for (const e of entries) {
      expect(e).toMatchObject({ purpose: 'marketing', magnet_id: '~import', method: 'import', given_at: Date.parse('2026-11-18T10:30:00Z'), source: FAIR, actor: 'key:test' });
      expect(e.text_version).toMatch(/^import-[0-9a-f]{16}$/);
    }
    const text = await env.DB.prepare("SELECT text, hash FROM consent_texts WHERE site_id = ? AND magnet_id = '~import'").bind(site).all();
    expect(text.results).toEqual([{ text: WORDS, hash: entries[0]!.text_hash }]);
    // Scored at once: the lead has its score row and stage.
    expect(await count('SELECT COUNT(*) AS n FROM lead_scores WHERE site_id = ? AND lead_id = ?', site, lead.id)).toBe(1);

    // The API shows why it is kept and where it came from.
    const shown = (await (await send(`/v1/leads/${lead.id}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { lead: Record<string, unknown> };
    expect(shown.lead).toMatchObject({ basis: 'consent', origin: FAIR, status: 'confirmed', marketing: true });

    const before = await siteRows(site);
    const again = (await (await importFile(key, file)).json()) as Report;
    expect(again).toMatchObject({ created: 0, merged: 0, unchanged: 2, refused: 0 });
    expect(await siteRows(site)).toEqual(before);
    expect((await leadByEmail(site, a))!.updated_at).toBe(lead.updated_at);
  });

  it('legitimate interest: pending, never mailed (not even with sendOptin), erased by retention after 30 days unless confirmed', async () => {
    const { site, magnet } = await setupMagnet();
    const key = await apiKey(site);
    const kept = uniqueEmail('li');
    const file = JSON.stringify([{ email: kept, company: 'Beta AG', basis: 'legitimate_interest', source: 'Webinar 2026-11-20' }]);
    const out = (await (await importFile(key, file, { type: 'application/json', query: `sendOptin=true&magnet=${magnet}` })).json()) as Report;
    expect(out).toMatchObject({ created: 1, optinMails: 0 });
    expect(out.rows[0]).toMatchObject({ result: 'created', optin: 'never_for_legitimate_interest' });
    const lead = (await leadByEmail(site, kept))!;
    expect(lead).toMatchObject({ status: 'pending', marketing: 0, basis: 'legitimate_interest', origin: 'Webinar 2026-11-20', company: 'Beta AG' });
    expect(await siteRows(site)).toMatchObject({ ledger: 0, tokens: 0, outbox: 0 });
    await runCron(Date.now() + 60_000);
    expect(await mailsTo(kept)).toEqual([]);

    // 31 days later the retention cron erases it like any unconfirmed lead.
    await env.DB.prepare('UPDATE leads SET created_at = ?1, updated_at = ?1 WHERE site_id = ?2 AND id = ?3').bind(Date.now() - 31 * DAY, site, lead.id).run();
    for (let i = 0; i < 40 && (await leadByEmail(site, kept)); i++) await runCron(Date.now() + i);
    expect(await leadByEmail(site, kept)).toBeNull();
    expect(await scanAll([kept, lead.id as string, 'Beta AG'])).toEqual([]);
  });

  it('sendOptin: a consent row stays pending and gets the magnet\'s opt-in mail; only the click confirms; no second mail for the same file', async () => {
    const { site, magnet } = await setupMagnet();
    const key = await apiKey(site);
    const email = uniqueEmail('optin');
    const file = [JSON.stringify(consentRow(email, { lang: 'en' })), ''].join('\n');
    const out = (await (await importFile(key, file, { type: 'application/x-ndjson', query: `sendOptin=1&magnet=${magnet}` })).json()) as Report;
    expect(out).toMatchObject({ created: 1, optinMails: 1 });
    expect(out.rows[0]).toMatchObject({ line: 1, optin: 'queued' });
    const lead = (await leadByEmail(site, email))!;
    expect(lead).toMatchObject({ status: 'pending', marketing: 1, basis: 'consent' });
    expect((await ledger(site, lead.id as string)).map((e) => e.action)).toEqual(['given']);
    expect(await mailsTo(email)).toHaveLength(1);

    const again = (await (await importFile(key, file, { type: 'application/x-ndjson', query: `sendOptin=1&magnet=${magnet}` })).json()) as Report;
    expect(again).toMatchObject({ unchanged: 1, optinMails: 0 });
    expect(again.rows[0]).toMatchObject({ optin: 'already_sent' });
    expect(await mailsTo(email)).toHaveLength(1);

    const link = await confirmLink(email);
    expect((await confirmPost(link.searchParams.get('t')!)).status).toBeLessThan(400);
    expect(await leadByEmail(site, email)).toMatchObject({ status: 'confirmed', marketing: 1 });
  });

  it('merges by address: a confirmed lead keeps what the person confirmed, a duplicate in the file merges, a withdrawn one is refused; another site\'s lead is never touched', async () => {
    const { site, key } = await keyedSite();
    const other = await createSite();
    const known = uniqueEmail('known');
    const quit = uniqueEmail('quit');
    const knownId = await seedLead(site, { email: known, company: 'Form GmbH' });
    const quitId = await seedLead(site, { email: quit, status: 'withdrawn' });
    const othersId = await seedLead(other, { email: known, company: 'Other Site GmbH' });
    const twice = uniqueEmail('twice');
    const file = csv([
      { email: known.toUpperCase(), company: 'Fair GmbH', role: 'CTO', basis: 'legitimate_interest' },
      { email: quit, basis: 'legitimate_interest' },
      { email: twice, company: 'First', basis: 'legitimate_interest' },
      { email: twice, role: 'Buyer', basis: 'legitimate_interest' },
    ]);
    const out = (await (await importFile(key, file)).json()) as Report;
    expect(out.rows.map((r) => [r.line, r.result, r.status ?? null])).toEqual([[2, 'merged', null], [3, 'refused', 409], [4, 'created', null], [5, 'merged', null]]);
    expect(out.rows[1]!.reason).toMatch(/withdrew consent/);
    expect(await leadByEmail(site, known)).toMatchObject({ id: knownId, status: 'confirmed', company: 'Form GmbH', role: 'CTO', basis: null });
    expect(await leadByEmail(site, quit)).toMatchObject({ id: quitId, status: 'withdrawn' });
    expect(await leadByEmail(site, twice)).toMatchObject({ company: 'First', role: 'Buyer' });
    expect(await count('SELECT COUNT(*) AS n FROM leads WHERE site_id = ? AND email_key = ?', site, twice.toLowerCase())).toBe(1);
    expect(await leadByEmail(other, known)).toMatchObject({ id: othersId, company: 'Other Site GmbH', role: null });
  });

  it('a malformed row is refused with its line and stores nothing; the good rows are stored; formulas stay text', async () => {
    const { site, key } = await keyedSite();
    const good = uniqueEmail('good');
    const formula = uniqueEmail('formula');
    const file = csv([
      consentRow(good),
      { email: 'not-an-address', basis: 'legitimate_interest' },
      { email: uniqueEmail('x'), basis: 'consent', source: FAIR },
      { email: uniqueEmail('x'), basis: 'legitimate_interest', consentText: WORDS },
      { email: uniqueEmail('x'), basis: 'maybe' },
      consentRow(uniqueEmail('x'), { consentAt: '2999-01-01' }),
      consentRow(uniqueEmail('x'), { consentAt: 'last tuesday' }),
      { email: formula, company: '=HYPERLINK("http://evil.example","x")', basis: 'legitimate_interest' },
    ]);
    const out = (await (await importFile(key, file)).json()) as Report;
    expect(out).toMatchObject({ created: 2, refused: 6 });
    const refused = out.rows.filter((r) => r.result === 'refused');
    expect(refused.map((r) => r.line)).toEqual([3, 4, 5, 6, 7, 8]);
    for (const r of refused) expect(r).toMatchObject({ status: 400, reason: expect.stringMatching(new RegExp(`^line ${r.line}: /`)) });
    expect(refused.map((r) => r.reason!.replace(/^line \d+: /, '').split(' ')[0])).toEqual(['/email', '/consentText', '/consentText', '/basis', '/consentAt', '/consentAt']);
    expect(await siteRows(site)).toMatchObject({ leads: 2, texts: 1 });
    // Stored as typed; the CSV export defuses it.
    expect((await leadByEmail(site, formula))!.company).toBe('=HYPERLINK("http://evil.example","x")');
    const exported = await (await send('/v1/leads?format=csv&limit=10', { headers: { authorization: `Bearer ${key}` } })).text();
    expect(exported).toContain(`'=HYPERLINK`);
  });

  it('bad requests are problems and change nothing', async () => {
    const { site, magnet } = await setupMagnet({}, { file: true });
    const key = await apiKey(site);
    const readOnly = await apiKey(site, ['leads:read']);
    const row = csv([consentRow(uniqueEmail('bad'))]);
    await expectProblem(await importFile(null, row), 401, PROBLEM_TYPES.unauthorized);
    await expectProblem(await importFile(readOnly, row), 403, PROBLEM_TYPES.forbidden);
    await expectProblem(await importFile(key, row, { type: 'application/xml' }), 415, PROBLEM_TYPES.unsupportedMediaType);
    await expectProblem(await importFile(key, '{"email":', { type: 'application/json' }), 400, PROBLEM_TYPES.validation);
    await expectProblem(await importFile(key, '"a","b', { type: 'text/csv' }), 400, PROBLEM_TYPES.validation);
    await expectProblem(await importFile(key, row, { query: 'sendOptin=true' }), 400, PROBLEM_TYPES.validation);
    await expectProblem(await importFile(key, row, { query: 'sendOptin=yes&magnet=' + magnet }), 400, PROBLEM_TYPES.validation);
    await expectProblem(await importFile(key, row, { query: 'sendOptin=true&magnet=no-such-magnet' }), 404, PROBLEM_TYPES.notFound);
    await expectProblem(await importFile(key, 'x'.repeat(BULK_LIMITS.bytes + 1)), 413, PROBLEM_TYPES.tooLarge);
    expect(await siteRows(site)).toMatchObject({ leads: 0, ledger: 0, tokens: 0, outbox: 0 });
  });

  it('erasure clears the place of an imported consent and keeps what was agreed; the export shows the words', async () => {
    const { site, key } = await keyedSite();
    const email = uniqueEmail('erase');
    await importFile(key, csv([consentRow(email)]));
    const lead = (await leadByEmail(site, email))!;
    const exported = (await (await send(`/v1/leads/${lead.id}/export`, { headers: { authorization: `Bearer ${key}` } })).json()) as Record<string, unknown>;
    expect(JSON.stringify(exported)).toContain(WORDS);
    expect((await send(`/v1/leads/${lead.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } })).status).toBeLessThan(300);
    const { results } = await env.DB.prepare("SELECT lead_id, source, method, given_at, actor FROM consent_ledger WHERE site_id = ? AND method = 'import'").bind(site)
      .all<Record<string, unknown>>();
    expect(results).toHaveLength(2);
    for (const r of results) expect(r).toMatchObject({ lead_id: expect.stringMatching(/^ps_/), source: null, method: 'import', actor: 'key:test' });
    expect(await scanAll([email, lead.id as string])).toEqual([]);
  });
});
