import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { signDownload } from '../../../edge/core/signing';
import { expectProblem } from '../helpers';
import { PDF_BYTES, SIGNING_KEY, confirmLink, confirmPost, db, leadRow, mailsTo, postLead, send, setupMagnet, storedFor, submission } from '../leads-helpers';

/** The confirmation and withdraw pages as a browser sees them: success state, languages, error pages. */

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

async function pendingLead(lang: 'en' | 'de' = 'en') {
  const { site, magnet } = await setupMagnet({ lang });
  const body = submission(site, magnet, { lang });
  expect((await postLead(body)).status).toBe(202);
  const link = await confirmLink(body.email);
  const [mail] = await mailsTo(body.email);
  const withdraw = new URL(/http:\/\/edge\.test\/v1\/optin\/withdraw\?\S+/.exec(mail!.text_body)![0]);
  return { site, magnet, email: body.email, link, token: link.searchParams.get('t')!, withdraw };
}

const browse = (url: URL | string, acceptLanguage = 'en-US,en;q=0.9') =>
  send(typeof url === 'string' ? url : url.pathname + url.search, { headers: { accept: BROWSER, 'accept-language': acceptLanguage } });

/** An HTML page with its own nonce CSP; returns its text. */
async function expectPage(res: Response, status: number, lang: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'nonce-/);
  const html = await res.text();
  expect(html).toContain(`<html lang="${lang}">`);
  return html;
}

const h1 = (html: string) => /<h1[^>]*>([^<]*)<\/h1>/.exec(html)![1];

describe('confirmation page after success', () => {
  it('a reload of the link shows the success state with the same working download link, and changes nothing', async () => {
    const { site, email, link, token } = await pendingLead();
    expect(h1(await expectPage(await browse(link), 200, 'en'))).toBe('Confirm your e-mail address');
    const confirmed = await confirmPost(token);
    expect(confirmed.status).toBe(303);
    const next = confirmed.headers.get('location')!;
    const after = await storedFor(site, email);

    const html = await expectPage(await browse(link), 200, 'en');
    expect(h1(html)).toBe('Your address is confirmed');
    expect(html).toContain('<p class="site">Test site</p>');
    expect(html).toContain('<a href="https://www.example.com/">Back to Test site</a>');
    expect(html).not.toContain('<form');
    const href = /<a class="button" href="([^"]+)">Download the file<\/a>/.exec(html)![1]!.replaceAll('&amp;', '&');
    expect(href).toBe(next);
    // Showing the link downloads nothing and writes nothing.
    expect(await storedFor(site, email)).toEqual(after);
    const file = await send(new URL(href).pathname + new URL(href).search);
    expect(file.status).toBe(200);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(PDF_BYTES);
  });

  it('the no-script form POST from a browser shows the success state and starts the download from it', async () => {
    const { site, email, token } = await pendingLead('de');
    const res = await send('/v1/optin/confirm', {
      method: 'POST',
      headers: { accept: BROWSER, 'accept-language': 'en', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ t: token, lang: 'de' }).toString(),
      redirect: 'manual',
    });
    const html = await expectPage(res, 200, 'de');
    expect(h1(html)).toBe('Ihre Adresse ist bestätigt');
    expect(await leadRow(site, email)).toMatchObject({ status: 'confirmed' });
    const refresh = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(html)![1]!.replaceAll('&amp;', '&');
    const button = /<a class="button" href="([^"]+)">Datei herunterladen<\/a>/.exec(html)![1]!.replaceAll('&amp;', '&');
    expect(refresh).toBe(button);
    const file = await send(new URL(refresh).pathname + new URL(refresh).search);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(PDF_BYTES);
  });

  it('in German for a German link', async () => {
    const { link, token } = await pendingLead('de');
    expect(link.searchParams.get('lang')).toBe('de');
    const before = await expectPage(await browse(link, 'en'), 200, 'de');
    expect(h1(before)).toBe('E-Mail-Adresse bestätigen');
    expect(before).toContain('<button id="b" type="submit">Bestätigen und herunterladen</button>');
    expect(before).toContain('Zurück zu Test site');
    expect((await confirmPost(token)).status).toBe(303);
    const after = await expectPage(await browse(link, 'en'), 200, 'de');
    expect(h1(after)).toBe('Ihre Adresse ist bestätigt');
    expect(after).toContain('>Datei herunterladen</a>');
  });

  it('once the download link has expired, the page says the link was used (problem+json for API clients)', async () => {
    const { site, link, token } = await pendingLead();
    expect((await confirmPost(token)).status).toBe(303);
    await db().prepare('UPDATE optin_tokens SET used_at = used_at - 86400001 WHERE site_id = ?').bind(site).run();
    const html = await expectPage(await browse(link), 409, 'en');
    expect(h1(html)).toBe('This link has already been used');
    expect(html).not.toContain('/v1/download');
    await expectProblem(await send(link.pathname + link.search), 409, PROBLEM_TYPES.conflict);
  });

  it('after a withdrawal the link shows "no longer valid", not the download', async () => {
    const { site, email, link, token, withdraw } = await pendingLead();
    expect((await confirmPost(token)).status).toBe(303);
    const res = await send(withdraw.pathname + withdraw.search, { method: 'POST', headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(await leadRow(site, email)).toMatchObject({ status: 'withdrawn' });
    const html = await expectPage(await browse(link), 410, 'en');
    expect(h1(html)).toBe('This link is no longer valid');
    expect(html).not.toContain('/v1/download');
  });
});

describe('broken links opened by a browser get an HTML page', () => {
  it('a truncated confirmation link: 400 page in the browser language; problem+json for JSON and non-browser clients', async () => {
    const { site, email, link } = await pendingLead();
    const truncated = `${link.pathname}?t=${link.searchParams.get('t')!.slice(0, 20)}`;
    const before = await storedFor(site, email);
    const de = await expectPage(await browse(truncated, 'de-DE,de;q=0.9,en;q=0.8'), 400, 'de');
    expect(h1(de)).toBe('Dieser Link funktioniert nicht');
    const en = await expectPage(await browse(truncated, 'fr-FR,fr;q=0.9,en;q=0.5,de;q=0.4'), 400, 'en');
    expect(h1(en)).toBe('This link does not work');
    await expectProblem(await send(truncated, { headers: { accept: 'application/json' } }), 400, PROBLEM_TYPES.validation);
    await expectProblem(await send(truncated, { headers: { accept: `${BROWSER},application/json` } }), 400, PROBLEM_TYPES.validation);
    await expectProblem(await send(truncated), 400, PROBLEM_TYPES.validation);
    expect(await storedFor(site, email)).toEqual(before);
    expect(await leadRow(site, email)).toMatchObject({ status: 'pending' });
  });

  it('a tampered (unknown) token: 404 page', async () => {
    const { link } = await pendingLead();
    link.searchParams.set('t', link.searchParams.get('t')!.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A')));
    expect(h1(await expectPage(await browse(link), 404, 'en'))).toBe('This link does not work');
  });

  it('an expired confirmation link: 410 page in the lead language, with the way back to the site', async () => {
    const { site, link } = await pendingLead('de');
    await db().prepare('UPDATE optin_tokens SET expires_at = ? WHERE site_id = ?').bind(Date.now() - 1, site).run();
    link.searchParams.delete('lang');
    const html = await expectPage(await browse(link, 'en'), 410, 'de');
    expect(h1(html)).toBe('Dieser Link ist abgelaufen');
    expect(html).toContain('<a href="https://www.example.com/">Zurück zu Test site</a>');
    await expectProblem(await send(link.pathname + link.search, { headers: { accept: 'application/json' } }), 410, PROBLEM_TYPES.notFound);
  });

  it('a tampered withdraw link: 403 page on GET and on the form POST, nothing withdrawn', async () => {
    const { site, email, withdraw } = await pendingLead('de');
    withdraw.searchParams.set('sig', 'A'.repeat(43));
    expect(h1(await expectPage(await browse(withdraw), 403, 'de'))).toBe('Dieser Link funktioniert nicht');
    const post = await send(withdraw.pathname + withdraw.search, {
      method: 'POST', headers: { accept: BROWSER, 'content-type': 'application/x-www-form-urlencoded' }, body: '',
    });
    expect(h1(await expectPage(post, 403, 'de'))).toBe('Dieser Link funktioniert nicht');
    expect(await leadRow(site, email)).toMatchObject({ status: 'pending' });
    await expectProblem(await send(withdraw.pathname + withdraw.search), 403, PROBLEM_TYPES.forbidden);
  });

  it('a truncated withdraw link (no signature, no language): 403 page in the browser language', async () => {
    const { withdraw } = await pendingLead();
    const truncated = `${withdraw.pathname}?s=${withdraw.searchParams.get('s')}&l=${withdraw.searchParams.get('l')}`;
    expect(h1(await expectPage(await browse(truncated, 'de'), 403, 'de'))).toBe('Dieser Link funktioniert nicht');
  });

  it('download links: tampered 403, expired 410, after withdrawal 410, each as a page in the lead language', async () => {
    const { site, email, token, withdraw } = await pendingLead('de');
    const next = new URL((await confirmPost(token)).headers.get('location')!);
    const tampered = new URL(next);
    tampered.searchParams.set('sig', 'A'.repeat(43));
    // A bad signature names no lead to trust: the browser's language decides.
    expect(h1(await expectPage(await browse(tampered, 'de'), 403, 'de'))).toBe('Dieser Link funktioniert nicht');
    expect(h1(await expectPage(await browse(tampered, 'en'), 403, 'en'))).toBe('This link does not work');
    const truncated = `${next.pathname}?s=${next.searchParams.get('s')}&m=${next.searchParams.get('m')}`;
    expect(h1(await expectPage(await browse(truncated, 'en'), 403, 'en'))).toBe('This link does not work');

    const expired = new URL(next);
    const grant = { site, magnet: next.searchParams.get('m')!, lead: next.searchParams.get('l')!, expires: Math.floor(Date.now() / 1000) - 1 };
    expired.searchParams.set('e', String(grant.expires));
    expired.searchParams.set('sig', await signDownload(SIGNING_KEY, grant));
    const html = await expectPage(await browse(expired, 'en'), 410, 'de');
    expect(h1(html)).toBe('Dieser Download-Link ist abgelaufen');
    expect(html).toContain('Zurück zu Test site');
    await expectProblem(await send(expired.pathname + expired.search), 410, PROBLEM_TYPES.notFound);

    await send(withdraw.pathname + withdraw.search, { method: 'POST', headers: { accept: 'application/json' } });
    expect(await leadRow(site, email)).toMatchObject({ status: 'withdrawn' });
    expect(h1(await expectPage(await browse(next, 'en'), 410, 'de'))).toBe('Dieser Link ist nicht mehr gültig');
    const downloads = await db().prepare("SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND kind = 'magnet_download'").bind(site).first<{ n: number }>();
    expect(downloads!.n).toBe(0);
  });
});
