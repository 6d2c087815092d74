import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { expectProblem } from '../helpers';
import {
  CONSENT_TEXT, MARKETING_TEXT, NOTHING, ORIGIN, db, leadRow, mailsTo, postLead, send, setupMagnet, storedFor, submission,
} from '../leads-helpers';

const sha256 = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, '0')).join('');

describe('POST /v1/leads: a valid submission', () => {
  it('stores a pending lead, the ledger, a form_submit event, a token hash and mails the confirmation', async () => {
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet, { email: '  Jane.Doe+wp@Example.COM ', firstName: '  Jane  ', role: 'Head of Marketing',
      companySize: '50-249', industry: 'Software', vid: 'visitor_abcdef12', marketing: true });
    const res = await postLead(body);
    expect(res.status).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await res.json()).toEqual({ status: 'check_inbox' });

    const lead = await leadRow(site, 'jane.doe+wp@example.com');
    expect(lead).toMatchObject({
      email: 'Jane.Doe+wp@example.com', status: 'pending', first_name: 'Jane', company: 'Acme GmbH', role: 'Head of Marketing',
      company_size: '50-249', industry: 'Software', visitor_id: 'visitor_abcdef12', lang: 'en', marketing: 0, confirmed_at: null,
    });

    const { results: ledger } = await db().prepare('SELECT * FROM consent_ledger WHERE site_id = ? ORDER BY seq').bind(site).all<Record<string, unknown>>();
    expect(ledger).toHaveLength(2);
    expect(ledger[0]).toMatchObject({
      lead_id: lead!.id, magnet_id: magnet, action: 'given', purpose: 'download', granted: 1, coupled: 0,
      text_version: '2026-11-01', text_hash: await sha256(CONSENT_TEXT), page_url: `${ORIGIN}/whitepaper`, user_agent: 'Mozilla/5.0 (lead test)',
    });
    expect(ledger[1]).toMatchObject({ purpose: 'marketing', granted: 1, text_hash: await sha256(MARKETING_TEXT) });
    expect(ledger[0]!.ip_hash).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(JSON.stringify(ledger)).not.toMatch(/198\.51\.100\./);

    const { results: events } = await db().prepare('SELECT * FROM events WHERE site_id = ?').bind(site).all<Record<string, unknown>>();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'form_submit', magnet_id: magnet, lead_id: lead!.id, visitor_id: 'visitor_abcdef12', url: `${ORIGIN}/whitepaper` });
    expect(JSON.stringify(events)).not.toContain('secret@example.com');

    const token = await db().prepare('SELECT * FROM optin_tokens WHERE site_id = ?').bind(site).first<Record<string, unknown>>();
    expect(token!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect((token!.expires_at as number) - (token!.created_at as number)).toBe(7 * 24 * 3_600_000);

    const mails = await mailsTo(body.email.trim());
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.subject).toBe('Confirm your request: The 2026 B2B lead report');
    expect(mail.to_addr).toBe('Jane.Doe+wp@example.com');
    expect(mail.from_addr).toBe('Test Sender <no-reply@example.com>');
    const link = /http:\/\/edge\.test\/v1\/optin\/confirm\?t=([A-Za-z0-9_-]{43})&lang=en/.exec(mail.text_body);
    expect(link).not.toBeNull();
    // Only the hash of the mailed token is stored.
    expect(await sha256(link![1]!)).toBe(token!.token_hash);
    const tokenInDb = await db().prepare(`SELECT COUNT(*) AS n FROM optin_tokens WHERE token_hash = ? OR profile LIKE ?`)
      .bind(link![1], `%${link![1]}%`).first<{ n: number }>();
    expect(tokenInDb!.n).toBe(0);
    expect(mail.text_body).toContain('Hello Jane,');
    expect(mail.text_body).toMatch(/\/v1\/optin\/withdraw\?s=/);
    expect(JSON.parse(mail.headers)).toMatchObject({ 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });

    const outbox = await db().prepare('SELECT * FROM mail_outbox WHERE site_id = ?').bind(site).first<Record<string, unknown>>();
    expect(outbox).toMatchObject({ status: 'sent', attempts: 1, lead_id: lead!.id });
  });

  it('answers the same for a known address, throttles the resend and keeps one lead', async () => {
    const { site, magnet } = await setupMagnet();
    const first = submission(site, magnet);
    const a = await postLead(first);
    const b = await postLead({ ...first, email: first.email.toUpperCase(), company: 'Acme AG' });
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(await b.json()).toEqual(await a.json());
    expect([...b.headers.keys()].sort()).toEqual([...a.headers.keys()].sort());

    const stored = await storedFor(site, first.email);
    expect(stored).toMatchObject({ leads: 1, tokens: 1, outbox: 1, mails: 1, events: 2, ledger: 4 });
    // A pending lead takes the newer profile.
    expect(await leadRow(site, first.email)).toMatchObject({ company: 'Acme AG' });
  });

  it('answers the same for a new address as for a known one', async () => {
    const { site, magnet } = await setupMagnet();
    const known = submission(site, magnet);
    await postLead(known);
    const again = await postLead(known);
    const fresh = await postLead(submission(site, magnet));
    expect(again.status).toBe(fresh.status);
    expect(await again.text()).toBe(await fresh.text());
  });

  it('accepts application/json too', async () => {
    const { site, magnet } = await setupMagnet();
    const res = await postLead(submission(site, magnet), { headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(202);
    expect((await storedFor(site)).leads).toBe(1);
  });

  it('records coupled consent as download and marketing, with the one text', async () => {
    const { site, magnet } = await setupMagnet({ coupled: true, marketing: null, consent: { text: `${CONSENT_TEXT} The download is offered only together with marketing e-mails.`, version: 'c1' } });
    const res = await postLead(submission(site, magnet, { consentVersion: 'c1', marketing: undefined }));
    expect(res.status).toBe(202);
    const { results } = await db().prepare('SELECT purpose, granted, coupled, text_version FROM consent_ledger WHERE site_id = ? ORDER BY seq').bind(site).all();
    expect(results).toEqual([
      { purpose: 'download', granted: 1, coupled: 1, text_version: 'c1' },
      { purpose: 'marketing', granted: 1, coupled: 1, text_version: 'c1' },
    ]);
  });

  it('records an unticked marketing box as not granted (never assumed)', async () => {
    const { site, magnet } = await setupMagnet();
    await postLead(submission(site, magnet, { marketing: undefined }));
    const row = await db().prepare("SELECT granted FROM consent_ledger WHERE site_id = ? AND purpose = 'marketing'").bind(site).first();
    expect(row).toEqual({ granted: 0 });
  });

  it('writes German mails for German forms', async () => {
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet, { lang: 'de', firstName: 'Jürgen' });
    await postLead(body);
    const [mail] = await mailsTo(body.email);
    expect(mail!.subject).toBe('Bitte bestätigen Sie Ihre Anfrage: The 2026 B2B lead report');
    expect(mail!.text_body).toContain('Hallo Jürgen,');
    expect(mail!.text_body).toContain('&lang=de');
  });
});

describe('POST /v1/leads: refused before anything is stored', () => {
  it('unknown site: 404', async () => {
    const res = await postLead(submission('no-such-site', 'x'));
    await expectProblem(res, 404, PROBLEM_TYPES.unknownSite);
  });

  it('unknown magnet: 404', async () => {
    const { site } = await setupMagnet();
    const body = submission(site, 'nope');
    await expectProblem(await postLead(body), 404, PROBLEM_TYPES.notFound);
    expect(await storedFor(site, body.email)).toEqual(NOTHING);
  });

  it('an origin the site does not list: 403', async () => {
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet);
    const res = await postLead(body, { origin: 'https://evil.example' });
    await expectProblem(res, 403, PROBLEM_TYPES.forbiddenOrigin);
    expect(await storedFor(site, body.email)).toEqual(NOTHING);
    await expectProblem(await postLead(body, { origin: null }), 403, PROBLEM_TYPES.forbiddenOrigin);
  });

  it('a magnet without a file yet: 503', async () => {
    const { site, magnet } = await setupMagnet({}, { file: false });
    const body = submission(site, magnet);
    await expectProblem(await postLead(body), 503, PROBLEM_TYPES.notConfigured);
    expect(await storedFor(site, body.email)).toEqual(NOTHING);
  });

  it.each([
    ['no SIGNING_KEY', { SIGNING_KEY: undefined }, /SIGNING_KEY/],
    ['a short SIGNING_KEY', { SIGNING_KEY: 'short' }, /SIGNING_KEY/],
    ['no MAIL_MODE', { MAIL_MODE: undefined }, /MAIL_MODE/],
    ['outbox mode outside local dev', { DEV_OUTBOX: 'off' }, /DEV_OUTBOX/],
    ['cloudflare mode without binding', { MAIL_MODE: 'cloudflare', EMAIL: undefined }, /EMAIL/],
    ['http mode without key', { MAIL_MODE: 'http', MAIL_API_URL: 'https://mail.example/send', MAIL_API_KEY: undefined }, /MAIL_API_KEY/],
    ['a broken MAIL_FROM', { MAIL_MODE: 'http', MAIL_API_URL: 'https://mail.example/send', MAIL_API_KEY: 'k', MAIL_FROM: 'x\r\nBcc: a@b.c' }, /MAIL_FROM/],
  ])('a Worker that cannot send (%s): 503', async (_name, overrides, detail) => {
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet);
    const problem = await expectProblem(await postLead(body, {}, overrides), 503, PROBLEM_TYPES.notConfigured);
    expect(problem.detail).toMatch(detail);
    expect(await storedFor(site, body.email)).toEqual(NOTHING);
  });

  it('a changed consent text (old version in the form): 409', async () => {
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet, { consentVersion: '2025-01-01' });
    const problem = await expectProblem(await postLead(body), 409, PROBLEM_TYPES.conflict);
    expect(problem.detail).toMatch(/reload/);
    expect(await storedFor(site, body.email)).toEqual(NOTHING);
  });

  it('a field the form does not ask for, or a required one missing: 400', async () => {
    const { site, magnet } = await setupMagnet({ fields: [{ name: 'company', required: true }] });
    const extra = submission(site, magnet, { firstName: 'Jane', company: 'Acme' });
    const p1 = await expectProblem(await postLead(extra), 400, PROBLEM_TYPES.validation);
    expect(p1.errors).toEqual([{ path: '/firstName', message: 'is not a field of this form' }]);
    const missing = submission(site, magnet, { firstName: undefined, company: undefined });
    const p2 = await expectProblem(await postLead(missing), 400, PROBLEM_TYPES.validation);
    expect(p2.errors).toEqual([{ path: '/company', message: 'is required' }]);
    expect(await storedFor(site, extra.email)).toEqual(NOTHING);
  });

  it('a form sent faster than people can: 400 with a retry hint', async () => {
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet, { elapsedMs: 300 });
    const problem = await expectProblem(await postLead(body), 400, PROBLEM_TYPES.validation);
    expect(problem.path).toBe('/elapsedMs');
    expect(await storedFor(site, body.email)).toEqual(NOTHING);
  });

  it('a filled honeypot: answered like success, nothing stored, no mail', async () => {
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet, { hp: 'https://spam.example' });
    const res = await postLead(body);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'check_inbox' });
    expect(await storedFor(site, body.email)).toEqual(NOTHING);
  });

  it('a Turnstile magnet without a token: 400', async () => {
    const { site, magnet } = await setupMagnet({ turnstile: true });
    const body = submission(site, magnet);
    const res = await postLead(body, {}, { TURNSTILE_SECRET: 'ts-secret', TURNSTILE_SITE_KEY: 'ts-site-key' });
    const problem = await expectProblem(res, 400, PROBLEM_TYPES.validation);
    expect(problem.path).toBe('/turnstile');
    expect(await storedFor(site, body.email)).toEqual(NOTHING);
  });

  it('a client over the rate limit (5 per minute in tests): 429, nothing stored; other clients go on', async () => {
    const { site, magnet } = await setupMagnet();
    const headers = { 'cf-connecting-ip': '203.0.113.77' };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await postLead(submission(site, magnet, { email: `reader${i}@example.com` }), { headers })).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202]);
    const over = submission(site, magnet, { email: 'one-too-many@example.com' });
    const res = await postLead(over, { headers });
    await expectProblem(res, 429, PROBLEM_TYPES.rateLimited);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await storedFor(site, over.email)).leads).toBe(5);
    expect(await leadRow(site, over.email)).toBeNull();
    expect((await postLead(submission(site, magnet, { email: 'other-client@example.com' }), { headers: { 'cf-connecting-ip': '203.0.113.78' } })).status).toBe(202);
  });
});

describe('GET /v1/magnets/:site/:magnet', () => {
  it('serves the public config to a listed origin, never file internals', async () => {
    const { site, magnet } = await setupMagnet({ turnstile: true });
    const res = await send(`/v1/magnets/${site}/${magnet}`, { headers: { origin: ORIGIN } }, { TURNSTILE_SITE_KEY: 'ts-site-key' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      site, id: magnet, title: 'The 2026 B2B lead report', description: 'Twelve pages on what converts.', lang: 'en',
      fields: expect.any(Array), consent: { text: CONSENT_TEXT, version: '2026-11-01' }, privacyUrl: 'https://www.example.com/privacy',
      marketing: { text: MARKETING_TEXT, version: '2026-11-01' }, coupled: false, turnstileSiteKey: 'ts-site-key',
      ui: expect.objectContaining({ submit: 'Send me the download link' }),
    });
  });

  it('carries the widget words in the language asked for', async () => {
    const { site, magnet } = await setupMagnet();
    const de = (await (await send(`/v1/magnets/${site}/${magnet}?lang=de`, { headers: { origin: ORIGIN } })).json()) as { ui: Record<string, unknown> };
    expect(de.ui).toMatchObject({ submit: 'Download-Link zusenden', fields: expect.objectContaining({ email: 'E-Mail-Adresse' }) });
    const fallback = (await (await send(`/v1/magnets/${site}/${magnet}?lang=xx`, { headers: { origin: ORIGIN } })).json()) as { ui: Record<string, unknown> };
    expect(fallback.ui).toMatchObject({ submit: 'Send me the download link' });
  });

  it('refuses other origins and unknown magnets', async () => {
    const { site, magnet } = await setupMagnet();
    await expectProblem(await send(`/v1/magnets/${site}/${magnet}`, { headers: { origin: 'https://evil.example' } }), 403, PROBLEM_TYPES.forbiddenOrigin);
    await expectProblem(await send(`/v1/magnets/${site}/other`, { headers: { origin: ORIGIN } }), 404, PROBLEM_TYPES.notFound);
  });
});
