import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { expectProblem } from '../helpers';
import {
  PDF_BYTES, SIGNING_KEY, confirmLink, confirmPost, db, leadRow, mailsTo, postLead, send, setupMagnet, storedFor, submission,
} from '../leads-helpers';
import { signDownload } from '../../../edge/core/signing';

/** A submitted (pending) lead and the token from its confirmation mail. */
async function pendingLead(config: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) {
  const { site, magnet } = await setupMagnet(config);
  const body = submission(site, magnet, { vid: 'visitor_optin_01', ...overrides });
  expect((await postLead(body)).status).toBe(202);
  const link = await confirmLink(body.email);
  return { site, magnet, email: body.email, link, token: link.searchParams.get('t')! };
}

const countEvents = async (site: string, kind: string) =>
  (await db().prepare('SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND kind = ?').bind(site, kind).first<{ n: number }>())!.n;

describe('double opt-in confirmation', () => {
  it('GET only serves a page: the lead stays pending, nothing is written', async () => {
    const { site, email, link } = await pendingLead();
    const before = await storedFor(site, email);
    for (let i = 0; i < 3; i++) {
      const res = await send(link.pathname + link.search, { headers: { 'user-agent': 'LinkScanner/1.0' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const csp = res.headers.get('content-security-policy')!;
      const nonce = /'nonce-([^']+)'/.exec(csp)![1];
      const html = await res.text();
      // The button confirms: by script after a trusted click, as a plain form when scripts are off.
      expect(html).toContain(`<script nonce="${nonce}">`);
      expect(html).toMatch(/<form id="f" method="post" action="\/v1\/optin\/confirm">/);
      expect(html).toContain('<button id="b" type="submit">Confirm and download</button>');
      expect(html).toContain('e.isTrusted');
      // Nothing that posts without a person: no timers, no visibility trigger, no programmatic submit.
      expect(html).not.toMatch(/setTimeout|setInterval|visibilitychange|requestSubmit|\.submit\(|\.click\(|http-equiv/);
      // The site's name and a way back to it.
      expect(html).toContain('<p class="site">Test site</p>');
      expect(html).toContain('<a href="https://www.example.com/">Back to Test site</a>');
    }
    // HEAD as well (some scanners).
    expect((await send(link.pathname + link.search, { method: 'HEAD' })).status).toBe(200);
    expect(await leadRow(site, email)).toMatchObject({ status: 'pending', confirmed_at: null });
    expect(await storedFor(site, email)).toEqual(before);
    expect(await countEvents(site, 'optin_confirmed')).toBe(0);
  });

  it('POST confirms: lead confirmed, ledger entry, optin_confirmed event, 303 to a signed download that serves the file', async () => {
    const { site, magnet, email, token } = await pendingLead({}, { marketing: true });
    const res = await confirmPost(token);
    expect(res.status).toBe(303);
    const next = new URL(res.headers.get('location')!);
    expect(next.pathname).toBe('/v1/download');
    const expires = Number(next.searchParams.get('e'));
    expect(expires * 1000 - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    expect(expires * 1000 - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);

    const lead = await leadRow(site, email);
    expect(lead).toMatchObject({ status: 'confirmed', marketing: 1 });
    expect(lead!.confirmed_at).toEqual(expect.any(Number));

    const { results: ledger } = await db()
      .prepare("SELECT * FROM consent_ledger WHERE site_id = ? AND action = 'confirmed' ORDER BY seq").bind(site).all<Record<string, unknown>>();
    expect(ledger.map((r) => r.purpose)).toEqual(['download', 'marketing']);
    expect(ledger[0]).toMatchObject({ lead_id: lead!.id, magnet_id: magnet, text_version: '2026-11-01', user_agent: 'Mozilla/5.0 (confirm test)' });
    expect(ledger[0]!.ip_hash).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(ledger[0]!.text_hash).toMatch(/^[0-9a-f]{64}$/);

    const confirmed = await db().prepare("SELECT * FROM events WHERE site_id = ? AND kind = 'optin_confirmed'").bind(site).first<Record<string, unknown>>();
    expect(confirmed).toMatchObject({ lead_id: lead!.id, magnet_id: magnet, visitor_id: 'visitor_optin_01' });

    const file = await send(next.pathname + next.search);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="lead-report.pdf"/);
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(PDF_BYTES);
    const download = await db().prepare("SELECT * FROM events WHERE site_id = ? AND kind = 'magnet_download'").bind(site).first<Record<string, unknown>>();
    expect(download).toMatchObject({ lead_id: lead!.id, magnet_id: magnet, target: 'lead-report.pdf' });
  });

  it('the script path gets JSON with the download link', async () => {
    const { token } = await pendingLead();
    const res = await confirmPost(token, { json: true });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; next: string };
    expect(body.status).toBe('confirmed');
    expect(new URL(body.next).pathname).toBe('/v1/download');
  });

  it('a replayed token is refused and writes nothing', async () => {
    const { site, email, token } = await pendingLead();
    expect((await confirmPost(token)).status).toBe(303);
    const after = await storedFor(site, email);
    const replay = await confirmPost(token);
    const problem = await expectProblem(replay, 409, PROBLEM_TYPES.conflict);
    expect(problem.detail).toMatch(/already been used/);
    expect(await storedFor(site, email)).toEqual(after);
    expect(await countEvents(site, 'optin_confirmed')).toBe(1);
  });

  it('two racing confirmations confirm once', async () => {
    const { site, token } = await pendingLead();
    const results = await Promise.all([confirmPost(token), confirmPost(token), confirmPost(token)]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 409, 409]);
    expect(await countEvents(site, 'optin_confirmed')).toBe(1);
  });

  it('an expired token is refused, nothing is written, the lead stays pending', async () => {
    const { site, email, token } = await pendingLead();
    // Time passes: the token's expiry lies in the past.
    await db().prepare('UPDATE optin_tokens SET expires_at = ? WHERE site_id = ?').bind(Date.now() - 1, site).run();
    const before = await storedFor(site, email);
    const problem = await expectProblem(await confirmPost(token), 410, PROBLEM_TYPES.notFound);
    expect(problem.detail).toMatch(/expired/);
    expect(await storedFor(site, email)).toEqual(before);
    expect(await leadRow(site, email)).toMatchObject({ status: 'pending' });
  });

  it('the default expiry follows OPTIN_TOKEN_TTL_HOURS', async () => {
    const { site, magnet } = await setupMagnet();
    await postLead(submission(site, magnet), {}, { OPTIN_TOKEN_TTL_HOURS: '1' });
    const row = await db().prepare('SELECT created_at, expires_at FROM optin_tokens WHERE site_id = ?').bind(site).first<{ created_at: number; expires_at: number }>();
    expect(row!.expires_at - row!.created_at).toBe(3_600_000);
  });

  it('unknown and malformed tokens are refused', async () => {
    await expectProblem(await confirmPost('A'.repeat(43)), 404, PROBLEM_TYPES.notFound);
    const bad = await expectProblem(await confirmPost('short'), 400, PROBLEM_TYPES.validation);
    expect(bad.detail).toMatch(/43-character/);
    await expectProblem(await send('/v1/optin/confirm?t=%3Cscript%3E'), 400, PROBLEM_TYPES.validation);
  });

  it('a confirmed lead that submits again keeps its verified profile until it confirms again', async () => {
    const { site, magnet, email, token } = await pendingLead();
    await confirmPost(token);
    await db().prepare('UPDATE optin_tokens SET created_at = created_at - 3600000 WHERE site_id = ?').bind(site).run();
    expect((await postLead(submission(site, magnet, { email, company: 'Someone Else Ltd' }))).status).toBe(202);
    expect(await leadRow(site, email)).toMatchObject({ status: 'confirmed', company: 'Acme GmbH' });
    const link = await confirmLink(email);
    expect((await confirmPost(link.searchParams.get('t')!)).status).toBe(303);
    expect(await leadRow(site, email)).toMatchObject({ company: 'Someone Else Ltd' });
  });
});

describe('signed download link', () => {
  async function confirmedDownload() {
    const { site, token } = await pendingLead();
    const res = await confirmPost(token);
    return { site, url: new URL(res.headers.get('location')!) };
  }

  it.each([
    ['the signature', (u: URL) => u.searchParams.set('sig', u.searchParams.get('sig')!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')))],
    ['the expiry', (u: URL) => u.searchParams.set('e', String(Number(u.searchParams.get('e')) + 86_400))],
    ['the lead', (u: URL) => u.searchParams.set('l', 'ld_AAAAAAAAAAAAAAAA')],
    ['the magnet', (u: URL) => u.searchParams.set('m', 'other-magnet')],
  ])('tampering with %s: 403, no file, no event', async (_what, tamper) => {
    const { site, url } = await confirmedDownload();
    tamper(url);
    const res = await send(url.pathname + url.search);
    const problem = await expectProblem(res, 403, PROBLEM_TYPES.forbidden);
    expect(problem.detail).toMatch(/not valid/);
    expect(await countEvents(site, 'magnet_download')).toBe(0);
  });

  it('a missing signature: 403', async () => {
    const { url } = await confirmedDownload();
    url.searchParams.delete('sig');
    await expectProblem(await send(url.pathname + url.search), 403, PROBLEM_TYPES.forbidden);
  });

  it('an expired (correctly signed) link: 410, no event', async () => {
    const { site, url } = await confirmedDownload();
    const grant = { site, magnet: url.searchParams.get('m')!, lead: url.searchParams.get('l')!, expires: Math.floor(Date.now() / 1000) - 1 };
    url.searchParams.set('e', String(grant.expires));
    url.searchParams.set('sig', await signDownload(SIGNING_KEY, grant));
    const problem = await expectProblem(await send(url.pathname + url.search), 410, PROBLEM_TYPES.notFound);
    expect(problem.detail).toMatch(/expired/);
    expect(await countEvents(site, 'magnet_download')).toBe(0);
  });

  it('a link signed with another key: 403', async () => {
    const { url } = await confirmedDownload();
    const res = await send(url.pathname + url.search, {}, { SIGNING_KEY: 'another-signing-key-0123456789abcdef-012345' });
    await expectProblem(res, 403, PROBLEM_TYPES.forbidden);
  });

  it('each download is an event', async () => {
    const { site, url } = await confirmedDownload();
    await (await send(url.pathname + url.search)).arrayBuffer();
    await (await send(url.pathname + url.search)).arrayBuffer();
    expect(await countEvents(site, 'magnet_download')).toBe(2);
  });
});

describe('withdraw link', () => {
  function withdrawLink(text: string): URL {
    return new URL(/http:\/\/edge\.test\/v1\/optin\/withdraw\?\S+/.exec(text)![0]);
  }

  it('GET shows a page and withdraws nothing; POST withdraws, voids open links, keeps the ledger', async () => {
    const { site, email } = await pendingLead();
    const [mail] = await mailsTo(email);
    const link = withdrawLink(mail!.text_body);
    const page = await send(link.pathname + link.search);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Withdraw consent');
    expect(await leadRow(site, email)).toMatchObject({ status: 'pending' });

    const res = await send(link.pathname + link.search, { method: 'POST', headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'withdrawn' });
    expect(await leadRow(site, email)).toMatchObject({ status: 'withdrawn', marketing: 0 });
    const entries = await db().prepare("SELECT COUNT(*) AS n FROM consent_ledger WHERE site_id = ? AND action = 'withdrawn'").bind(site).first<{ n: number }>();
    expect(entries!.n).toBe(1);
    expect(await countEvents(site, 'optin_withdrawn')).toBe(1);

    // The confirmation link in the same mail no longer works.
    const token = new URL(/http:\/\/\S+\/v1\/optin\/confirm\?\S+/.exec(mail!.text_body)![0]).searchParams.get('t')!;
    await expectProblem(await confirmPost(token), 410, PROBLEM_TYPES.notFound);

    // Withdrawing again changes nothing.
    await send(link.pathname + link.search, { method: 'POST', headers: { accept: 'application/json' } });
    const again = await db().prepare("SELECT COUNT(*) AS n FROM consent_ledger WHERE site_id = ? AND action = 'withdrawn'").bind(site).first<{ n: number }>();
    expect(again!.n).toBe(1);
  });

  it('RFC 8058 one-click POST from a mail client withdraws', async () => {
    const { site, email } = await pendingLead();
    const [mail] = await mailsTo(email);
    const headers = JSON.parse(mail!.headers) as Record<string, string>;
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(headers['List-Unsubscribe']).toMatch(/^<http:\/\/edge\.test\/v1\/optin\/withdraw\?s=[^>]+&sig=[^>]+>$/);
    const target = headers['List-Unsubscribe']!.slice(1, -1);
    const url = new URL(target);
    const res = await send(url.pathname + url.search, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect(await leadRow(site, email)).toMatchObject({ status: 'withdrawn' });
  });

  it('a withdrawn lead that signs up again is pending until it confirms the new link', async () => {
    const { site, magnet, email } = await pendingLead();
    const [mail] = await mailsTo(email);
    const link = withdrawLink(mail!.text_body);
    await send(link.pathname + link.search, { method: 'POST', headers: { accept: 'application/json' } });
    // The throttle counts mails, not withdrawals: let the first mail be older than the resend interval.
    await db().prepare('UPDATE optin_tokens SET created_at = created_at - 3600000 WHERE site_id = ?').bind(site).run();
    expect((await postLead(submission(site, magnet, { email }))).status).toBe(202);
    expect(await leadRow(site, email)).toMatchObject({ status: 'pending' });
    const fresh = await confirmLink(email);
    expect((await confirmPost(fresh.searchParams.get('t')!)).status).toBe(303);
    expect(await leadRow(site, email)).toMatchObject({ status: 'confirmed' });
  });

  it('a tampered withdraw link: 403, nothing changes', async () => {
    const { site, email } = await pendingLead();
    const [mail] = await mailsTo(email);
    const link = withdrawLink(mail!.text_body);
    link.searchParams.set('sig', 'A'.repeat(43));
    await expectProblem(await send(link.pathname + link.search, { method: 'POST' }), 403, PROBLEM_TYPES.forbidden);
    expect(await leadRow(site, email)).toMatchObject({ status: 'pending' });
  });

  it('the ledger cannot be edited or deleted', async () => {
    const { site } = await pendingLead();
    await expect(db().prepare('UPDATE consent_ledger SET granted = 0 WHERE site_id = ?').bind(site).run()).rejects.toThrow(/append-only/);
    await expect(db().prepare('DELETE FROM consent_ledger WHERE site_id = ?').bind(site).run()).rejects.toThrow(/append-only/);
  });
});
