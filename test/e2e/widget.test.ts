import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser';
import { admin, inlineForm, leadByEmail, newPage, openWhitepaper, stack, uniqueEmail, waitForMail, takeAMoment } from './widget-helpers';

const PDF = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'gated', 'whitepaper.pdf'));

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('whitepaper page: the whole journey in Chromium', () => {
  it('fill, submit, mail in /dev/outbox, confirm, download the PDF; lead confirmed and events recorded', async () => {
    const { context, page } = await newPage(browser, { fakeTime: true });
    const started = Date.now();
    const email = uniqueEmail('journey');
    await openWhitepaper(page);
    const form = inlineForm(page);
    await form.getByLabel('E-mail address').fill(email);
    await form.getByLabel(/First name/).fill('Jane');
    await form.getByLabel(/^Company( \(optional\))?$/).fill('Müller & Söhne GmbH');
    await form.getByLabel(/Job title/).fill('Head of Marketing');
    await form.getByLabel(/Company size/).selectOption('50-249');
    await form.getByLabel(/Industry/).fill('Machinery');
    const consent = form.getByRole('checkbox', { name: /I agree that Acme Analytics stores/ });
    expect(await consent.isChecked()).toBe(false);
    await consent.check();
    expect(await form.getByRole('checkbox', { name: /Also send me occasional e-mails/ }).isChecked()).toBe(false);
    // People take a moment; the edge refuses forms sent within 2 s of showing.
    await takeAMoment(page);
    await form.getByRole('button', { name: 'Send me the download link' }).click();
    await form.getByRole('status').filter({ hasText: /check your inbox/ }).waitFor();
    // The lead was stored before the page said so.
    expect(await leadByEmail(email)).toMatchObject({ status: 'pending', company: 'Müller & Söhne GmbH', companySize: '50-249' });

    // The mail, as a developer finds it.
    await waitForMail(email);
    await page.goto(`${stack().url}/dev/outbox?to=${encodeURIComponent(email)}`);
    await page.getByRole('link', { name: 'Confirm your request: Lead Magnets That Respect People' }).click();
    await page.getByRole('heading', { name: 'Confirm your request: Lead Magnets That Respect People' }).waitFor();
    const confirmLink = page.getByRole('link', { name: /\/v1\/optin\/confirm\?t=/ });
    await confirmLink.click();
    // One click on the confirm page confirms and sends the browser to the signed download.
    const downloadPromise = page.waitForEvent('download', { timeout: 15_000 });
    await page.getByRole('button', { name: 'Confirm and download' }).click();
    const download = await downloadPromise;
    expect(download.suggestedFilename()).toBe('whitepaper.pdf');
    expect(new URL(download.url()).pathname).toBe('/v1/download');
    const saved = await download.path();
    expect(readFileSync(saved)).toEqual(PDF);
    await page.getByText('Thank you, your address is confirmed.').waitFor();

    const lead = await leadByEmail(email);
    expect(lead).toMatchObject({ status: 'confirmed', firstName: 'Jane', role: 'Head of Marketing', industry: 'Machinery', marketing: false });
    const { ledger } = await admin<{ ledger: { action: string; purpose: string | null; granted: boolean | null; pageUrl: string | null; ipHash: string | null }[] }>(
      `/admin/sites/demo/leads/${lead!.id}`,
    );
    expect(ledger.map((e) => `${e.action}:${e.purpose}:${e.granted}`)).toEqual(['given:download:true', 'given:marketing:false', 'confirmed:download:null']);
    // Workers assets serve /whitepaper.html as /whitepaper.
    expect(ledger[0]!.pageUrl).toBe(`${stack().url}/whitepaper`);

    const { events } = await admin<{ events: { kind: string; magnet_id: string | null; visitor_id: string | null; received_at: number }[] }>(
      `/admin/sites/demo/events?limit=500&since=${started - 1}`,
    );
    const mine = events.filter((e) => e.magnet_id === 'whitepaper');
    const kinds = mine.map((e) => e.kind);
    for (const kind of ['form_submit', 'optin_confirmed', 'magnet_download']) expect(kinds).toContain(kind);
    // With analytics consent the snippet's visitor id links the form to the visit.
    const submit = mine.find((e) => e.kind === 'form_submit');
    expect(lead!.visitorId).toBe(submit!.visitor_id);

    // Scoring followed the journey: the form, the confirmation, the download,
    // and (linked on confirmation) the visit's own page views.
    const scored = await fetch(`${stack().url}/v1/leads/${lead!.id}/score`, { headers: { authorization: `Bearer ${stack().apiKey}` } });
    expect(scored.status).toBe(200);
    const score = (await scored.json()) as { stage: string; fit: number; engagement: number; explanation: { lines: { id: string; count: number }[] }; history: { from: string; to: string }[] };
    const count = (id: string) => score.explanation.lines.find((l) => l.id === id)?.count ?? 0;
    expect(count('form-submit')).toBe(1);
    expect(count('optin-confirmed')).toBe(1);
    expect(count('download')).toBe(1);
    expect(count('pageview')).toBeGreaterThanOrEqual(1);
    expect(score.fit).toBeGreaterThanOrEqual(3000); // company size 50–249: the ideal customer profile
    expect(score.engagement).toBeGreaterThan(0);
    expect(score.history.map((h) => `${h.from}>${h.to}`)).toContain('pending>confirmed');
    await context.close();
  });

  it('the gated file has no public URL: only the signed link serves it', async () => {
    for (const path of ['/gated/whitepaper.pdf', '/files/whitepaper.pdf', '/examples/gated/whitepaper.pdf']) {
      const res = await fetch(`${stack().url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).not.toContain('pdf');
    }
  });

  it('a network error keeps what was typed; retry sends it', async () => {
    const { context, page } = await newPage(browser, { fakeTime: true });
    const email = uniqueEmail('retry');
    await openWhitepaper(page, 'Reject all');
    const form = inlineForm(page);
    await page.route('**/v1/leads', (route) => route.abort('internetdisconnected'));
    await form.getByLabel('E-mail address').fill(email);
    await form.getByLabel(/^Company( \(optional\))?$/).fill('Acme');
    await form.getByRole('checkbox', { name: /I agree/ }).check();
    await takeAMoment(page);
    await form.getByRole('button', { name: 'Send me the download link' }).click();
    await form.getByRole('alert').filter({ hasText: /Could not send/ }).waitFor();
    expect(await form.getByLabel('E-mail address').inputValue()).toBe(email);
    expect(await form.getByLabel(/^Company( \(optional\))?$/).inputValue()).toBe('Acme');
    expect(await form.getByRole('checkbox', { name: /I agree/ }).isChecked()).toBe(true);
    expect(await leadByEmail(email)).toBeUndefined();

    await page.unroute('**/v1/leads');
    await form.getByRole('button', { name: 'Try again' }).click();
    await form.getByRole('status').filter({ hasText: /check your inbox/ }).waitFor();
    expect(await leadByEmail(email)).toMatchObject({ status: 'pending' });
    await context.close();
  });

  it('the demo form needs only the address and the consent box: company and the rest are optional', async () => {
    const { context, page } = await newPage(browser, { fakeTime: true });
    const email = uniqueEmail('minimal');
    await openWhitepaper(page, 'Reject all');
    const form = inlineForm(page);
    expect(await form.getByLabel(/^Company( \(optional\))?$/).getAttribute('required')).toBeNull();
    await form.getByLabel('E-mail address').fill(email);
    await form.getByRole('checkbox', { name: /I agree that Acme Analytics stores/ }).check();
    await takeAMoment(page);
    await form.getByRole('button', { name: 'Send me the download link' }).click();
    await form.getByRole('status').filter({ hasText: /check your inbox/ }).waitFor();
    expect(await leadByEmail(email)).toMatchObject({ status: 'pending', company: null });
    await context.close();
  });

  it('invalid input is flagged in the form, announced, and nothing is sent', async () => {
    const { context, page } = await newPage(browser);
    await openWhitepaper(page, 'Reject all');
    const form = inlineForm(page);
    let posts = 0;
    page.on('request', (r) => r.url().endsWith('/v1/leads') && posts++);
    await form.getByLabel('E-mail address').fill('not-an-address');
    await form.getByRole('button', { name: 'Send me the download link' }).click();
    await form.getByRole('alert').filter({ hasText: 'Please correct the marked fields.' }).waitFor();
    const email = form.getByLabel('E-mail address');
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await email.getAttribute('aria-describedby');
    expect(await form.locator(`#${describedBy}`).textContent()).toMatch(/valid e-mail address/);
    expect(await form.getByRole('checkbox', { name: /I agree/ }).getAttribute('aria-invalid')).toBe('true');
    expect(posts).toBe(0);
    // A typing mistake is not a failure: the button keeps its label.
    expect(await form.getByRole('button', { name: 'Send me the download link' }).count()).toBe(1);
    expect(await form.getByRole('button', { name: 'Try again' }).count()).toBe(0);
    await context.close();
  });

  it('the button reads "Try again" only after a server failure, not after the edge refused a field', async () => {
    const { context, page } = await newPage(browser);
    await openWhitepaper(page, 'Reject all');
    const form = inlineForm(page);
    const problem = (status: number, extra: object) => ({
      status,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'urn:lodestone:problem:x', title: 'x', status, detail: 'x', ...extra }),
    });
    let answer = problem(400, { path: '/email', errors: [{ path: '/email', message: 'must be a valid e-mail address' }] });
    await page.route('**/v1/leads', (route) => route.fulfill(answer));
    await form.getByLabel('E-mail address').fill(uniqueEmail('labels'));
    await form.getByLabel(/^Company( \(optional\))?$/).fill('Acme');
    await form.getByRole('checkbox', { name: /I agree/ }).check();
    await form.getByRole('button', { name: 'Send me the download link' }).click();
    await form.getByRole('alert').filter({ hasText: 'Please correct the marked fields.' }).waitFor();
    expect(await form.getByLabel('E-mail address').getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByRole('button', { name: 'Try again' }).count()).toBe(0);

    answer = problem(500, {});
    await form.getByRole('button', { name: 'Send me the download link' }).click();
    await form.getByRole('button', { name: 'Try again' }).waitFor();
    expect(await form.getByRole('alert').textContent()).not.toBe('');
    await context.close();
  });

  it('speaks German on a German page, and data-lang overrides', async () => {
    const { context, page } = await newPage(browser);
    const { url } = stack();
    await page.route(`${url}/whitepaper.html`, async (route) => {
      const res = await route.fetch();
      const html = (await res.text()).replace('<html lang="en">', '<html lang="de-DE">').replace('data-mode="modal"', 'data-mode="modal" data-lang="en"');
      await route.fulfill({ response: res, body: html });
    });
    await page.goto(`${url}/whitepaper.html`);
    await page.getByRole('button', { name: 'Reject all' }).click();
    const form = inlineForm(page);
    await form.getByLabel('E-Mail-Adresse').waitFor();
    expect(await form.getByRole('button', { name: 'Download-Link zusenden' }).count()).toBe(1);
    expect(await form.getByRole('link', { name: /Datenschutzerklärung/ }).count()).toBe(1);
    await form.getByRole('button', { name: 'Download-Link zusenden' }).click();
    await form.getByRole('alert').filter({ hasText: 'Bitte korrigieren Sie die markierten Felder.' }).waitFor();
    expect(await form.getByRole('button', { name: 'Download-Link zusenden' }).count()).toBe(1);
    expect(await form.getByRole('button', { name: 'Erneut versuchen' }).count()).toBe(0);
    // The modal on the same page is told to stay English.
    expect(await page.locator('[data-mode="modal"]').getByRole('button', { name: 'Open the download form' }).count()).toBe(1);
    await page.locator('[data-mode="modal"]').getByRole('button', { name: 'Open the download form' }).click();
    await page.locator('[data-mode="modal"]').getByLabel('E-mail address').waitFor();
    await context.close();
  });

  it('sends German mails for German forms', async () => {
    const { context, page } = await newPage(browser, { fakeTime: true });
    const { url } = stack();
    await page.route(`${url}/whitepaper.html`, async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, body: (await res.text()).replace('<html lang="en">', '<html lang="de">') });
    });
    const email = uniqueEmail('deutsch');
    await page.goto(`${url}/whitepaper.html`);
    await page.getByRole('button', { name: 'Reject all' }).click();
    const form = inlineForm(page);
    await form.getByLabel('E-Mail-Adresse').fill(email);
    await form.getByLabel(/^Unternehmen( \(optional\))?$/).fill('Beispiel AG');
    await form.getByRole('checkbox', { name: /I agree/ }).check();
    await takeAMoment(page);
    // First the connection drops: now the button offers to try again, in German.
    await page.route('**/v1/leads', (route) => route.abort('internetdisconnected'));
    await form.getByRole('button', { name: 'Download-Link zusenden' }).click();
    await form.getByRole('button', { name: 'Erneut versuchen' }).waitFor();
    await page.unroute('**/v1/leads');
    await form.getByRole('button', { name: 'Erneut versuchen' }).click();
    await form.getByRole('status').filter({ hasText: /Postfach/ }).waitFor();
    const mail = await waitForMail(email);
    expect(mail.subject).toBe('Bitte bestätigen Sie Ihre Anfrage: Lead Magnets That Respect People');
    expect(mail.text).toContain('&lang=de');
    await context.close();
  });
});
