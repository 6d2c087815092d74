import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { launchBrowser } from './browser';
import { Receiver } from './webhook-receiver';
import { axe } from './widget-helpers';
import { apiCall } from './api-helpers';

/**
 * Link scanners that run JavaScript (a headless browser opening every link
 * in a mail and waiting) must not confirm or withdraw anyone. Real Chromium
 * against the real local stack: the scanner opens both links and waits;
 * page scripts click the button synthetically; only a real click or key
 * press (Playwright's input is trusted) confirms, and it downloads in the
 * same click. A live webhook endpoint proves nothing was handed on early.
 */

const stack = () => inject('stack');
/** Each test gets its own site and webhook endpoint, so counts are its own. */
let SITE = '';
let sites = 0;
const SITE_NAME = 'Scanner Test GmbH';
const ORIGIN = 'https://www.scanner-e2e.example';
const MAGNET = 'guide';
const PDF = new TextEncoder().encode('%PDF-1.4\n% scanner e2e\n%%EOF\n');
const receiver = new Receiver();
let key = '';
let endpointId = '';
let browser: Browser;

const call = (method: string, path: string, body?: unknown, token = key) => apiCall(token, method, path, body);
const admin = (method: string, path: string, body?: unknown) => call(method, path, body, stack().adminToken);

let n = 0;
/** A visitor sends the form; returns the two links of the confirmation mail. */
async function pendingLead(lang: 'en' | 'de' = 'en') {
  const email = `scan.${Date.now().toString(36)}${(n++).toString(36)}@acme-industries.example`;
  const submit = await fetch(`${stack().url}/v1/leads`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN },
    body: JSON.stringify({
      site: SITE, magnet: MAGNET, email, company: 'Acme Industries', consent: true, consentVersion: '2026-11-01',
      url: `${ORIGIN}/guide`, lang, elapsedMs: 6000,
    }),
  });
  expect(submit.status).toBe(202);
  let text = '';
  for (let i = 0; i < 100 && !text; i++) {
    const { mails } = (await (await fetch(`${stack().url}/dev/outbox.json?to=${encodeURIComponent(email)}`)).json()) as { mails: { text: string }[] };
    text = mails[0]?.text ?? '';
    if (!text) await new Promise((r) => setTimeout(r, 100));
  }
  const link = (path: string) => new RegExp(`https?://\\S+${path}\\?\\S+`).exec(text)?.[0] ?? '';
  const confirm = link('/v1/optin/confirm');
  const withdraw = link('/v1/optin/withdraw');
  expect(confirm).not.toBe('');
  expect(withdraw).not.toBe('');
  const { leads } = await admin('GET', `/admin/sites/${SITE}/leads?email=${encodeURIComponent(email)}`);
  return { email, id: leads[0].id as string, confirm, withdraw };
}

/** Everything a confirmation or withdrawal would change, as the APIs show it. */
async function snapshot(leadId: string) {
  const { lead, ledger } = await admin('GET', `/admin/sites/${SITE}/leads/${leadId}`);
  const { events } = await admin('GET', `/admin/sites/${SITE}/events?limit=500`);
  const { deliveries } = await call('GET', `/v1/webhooks/deliveries?endpoint=${endpointId}&limit=200`);
  const mine = (events as { kind: string; lead_id?: string | null }[]).map((e) => e.kind);
  return {
    status: lead.status as string,
    marketing: lead.marketing as boolean,
    ledger: (ledger as { action: string }[]).map((e) => e.action),
    eventKinds: mine.filter((k) => k !== 'form_submit').sort(),
    deliveries: (deliveries as unknown[]).length,
    webhooksArrived: receiver.arrivals.filter((a) => a.body.includes(leadId)).length,
  };
}

/** A page that records every download it starts. */
async function open(url: string, opts: { lang?: string; width?: number; bypassCSP?: boolean; noScript?: boolean } = {}) {
  const context = await browser.newContext({
    javaScriptEnabled: !opts.noScript,
    acceptDownloads: true,
    viewport: { width: opts.width ?? 1280, height: 900 },
    locale: opts.lang ?? 'en-US',
    bypassCSP: opts.bypassCSP ?? false,
  });
  await context.clock.install();
  const page = await context.newPage();
  const downloads: Download[] = [];
  page.on('download', (d) => downloads.push(d));
  page.on('pageerror', (err) => console.error('page error:', err.message));
  await page.goto(url);
  return { context, page, downloads };
}

/**
 * What a scanner does: loads, scrolls, moves the pointer, runs the scripts, waits. Never a click.
 * The wait runs on the page's own clock (installed at open): every timer due within `ms` fires,
 * without the test sleeping that long. What that clock cannot speed up is a meta refresh, so the
 * page must have none; a short real pause lets what a timer started reach the server.
 */
async function idle(page: Page, ms: number) {
  await page.mouse.move(200, 200);
  await page.mouse.wheel(0, 400);
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  expect(await page.locator('meta[http-equiv="refresh" i]').count()).toBe(0);
  await page.clock.runFor(ms);
  await page.waitForTimeout(500);
}

beforeAll(async () => {
  browser = await launchBrowser();
  await receiver.start();
  receiver.on('/crm', () => ({ status: 200, body: 'ok' }));
});

beforeEach(async () => {
  SITE = `scan-${Date.now().toString(36)}-${sites++}`;
  await admin('POST', '/admin/sites', { id: SITE, name: SITE_NAME, origins: [ORIGIN] });
  key = (await admin('POST', `/admin/sites/${SITE}/keys`, { name: 'scanner-e2e', scopes: ['leads:read', 'leads:write', 'config:write'] })).secret;
  endpointId = (await call('POST', '/v1/webhooks', { url: receiver.url('/crm') })).endpoint.id;
  await admin('PUT', `/admin/sites/${SITE}/magnets/${MAGNET}`, {
    title: 'Scanner guide', description: 'A test magnet.', lang: 'en',
    fields: [{ name: 'company', required: true }],
    consent: { text: 'I agree that the e2e site stores my details to send me the guide.', version: '2026-11-01' },
    privacyUrl: `${ORIGIN}/privacy`,
  });
  const up = await fetch(`${stack().url}/admin/sites/${SITE}/magnets/${MAGNET}/file?name=guide.pdf`, {
    method: 'PUT', headers: { authorization: `Bearer ${stack().adminToken}`, 'content-type': 'application/pdf' }, body: PDF,
  });
  expect(up.status).toBe(200);
});

afterEach(async () => {
  // Leave no endpoint behind pointing at a receiver that is about to go away.
  if (endpointId) await call('DELETE', `/v1/webhooks/${endpointId}`).catch(() => {});
  endpointId = '';
});

afterAll(async () => {
  await receiver.stop();
  await browser?.close();
});

const PENDING = { status: 'pending', ledger: ['given'], eventKinds: [], deliveries: 0, webhooksArrived: 0 };

describe('scanner-safe double opt-in in Chromium', () => {
  it('a scanner that opens both links and waits 10 s changes nothing; one real click confirms and downloads', async () => {
    const lead = await pendingLead();
    expect(await snapshot(lead.id)).toMatchObject(PENDING);

    const confirm = await open(lead.confirm);
    const withdraw = await open(lead.withdraw);
    await Promise.all([idle(confirm.page, 10_000), idle(withdraw.page, 10_000)]);
    expect(confirm.downloads).toHaveLength(0);
    expect(withdraw.downloads).toHaveLength(0);
    expect(await snapshot(lead.id)).toMatchObject(PENDING);
    await confirm.page.getByRole('heading', { name: 'Confirm your e-mail address' }).waitFor();
    await confirm.page.getByText(SITE_NAME, { exact: true }).waitFor();
    expect(await confirm.page.getByRole('link', { name: `Back to ${SITE_NAME}` }).getAttribute('href')).toBe(`${ORIGIN}/`);

    // One deliberate click: confirmed, and the file arrives.
    const started = confirm.page.waitForEvent('download', { timeout: 15_000 });
    await confirm.page.getByRole('button', { name: 'Confirm and download' }).click();
    const download = await started;
    expect(new URL(download.url()).pathname).toBe('/v1/download');
    expect(download.suggestedFilename()).toBe('guide.pdf');
    const { readFileSync } = await import('node:fs');
    expect(new Uint8Array(readFileSync(await download.path()))).toEqual(PDF);
    await confirm.page.getByRole('heading', { name: 'Your address is confirmed' }).waitFor();
    const again = confirm.page.getByRole('link', { name: 'Download the file' });
    expect(new URL((await again.getAttribute('href'))!).pathname).toBe('/v1/download');
    await confirm.page.getByText('Download did not start?').waitFor();
    expect(confirm.downloads).toHaveLength(1);

    await receiver.waitFor((a) => a.path === '/crm' && a.body.includes(lead.id) && a.body.includes('lead.confirmed'));
    const after = await snapshot(lead.id);
    expect(after).toMatchObject({ status: 'confirmed', ledger: ['given', 'confirmed'], eventKinds: ['magnet_download', 'optin_confirmed'] });
    expect(after.deliveries).toBeGreaterThanOrEqual(1);

    // The withdraw page, idle all along, withdrew nothing; its own button does.
    await withdraw.page.getByRole('button', { name: 'Withdraw consent' }).click();
    await withdraw.page.getByRole('heading', { name: 'Consent withdrawn' }).waitFor();
    expect((await snapshot(lead.id)).status).toBe('withdrawn');
    await confirm.context.close();
    await withdraw.context.close();
  });

  it('synthetic clicks, dispatched events and programmatic submits from page scripts do nothing; a real key press does', async () => {
    const lead = await pendingLead();
    for (const url of [lead.confirm, lead.withdraw]) {
      const { context, page, downloads } = await open(url);
      await page.evaluate(() => {
        const b = document.querySelector<HTMLButtonElement>('form button')!;
        const f = b.form!;
        b.click();
        b.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
        b.focus();
        b.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
        b.dispatchEvent(new KeyboardEvent('keyup', { key: ' ', bubbles: true }));
        f.requestSubmit(b);
        f.dispatchEvent(new SubmitEvent('submit', { bubbles: true, cancelable: true, submitter: b }));
      });
      await idle(page, 2000);
      expect(downloads).toHaveLength(0);
      expect(page.url()).toBe(url);
      await context.close();
    }
    expect(await snapshot(lead.id)).toMatchObject(PENDING);

    // The keyboard (a trusted key press on the focused button) confirms and downloads.
    const { context, page } = await open(lead.confirm);
    const started = page.waitForEvent('download', { timeout: 15_000 });
    await page.getByRole('button', { name: 'Confirm and download' }).focus();
    await page.keyboard.press('Enter');
    await started;
    await page.getByRole('heading', { name: 'Your address is confirmed' }).waitFor();
    expect((await snapshot(lead.id)).status).toBe('confirmed');
    await context.close();
  });

  it('without scripts: opening and waiting change nothing; the button confirms and the download starts in the same click', async () => {
    const lead = await pendingLead();
    const { context, page, downloads } = await open(lead.confirm, { noScript: true });
    await idle(page, 3000);
    expect(downloads).toHaveLength(0);
    expect(await snapshot(lead.id)).toMatchObject(PENDING);
    const started = page.waitForEvent('download', { timeout: 15_000 });
    await page.getByRole('button', { name: 'Confirm and download' }).click();
    const download = await started;
    const { readFileSync } = await import('node:fs');
    expect(new Uint8Array(readFileSync(await download.path()))).toEqual(PDF);
    await page.getByRole('heading', { name: 'Your address is confirmed' }).waitFor();
    expect((await snapshot(lead.id)).status).toBe('confirmed');
    await context.close();
  });

  it('German: the confirmation page before, after the click and on reload; axe finds nothing; screenshots at 375 and 1280 px', async () => {
    const shots = process.env.SCREENSHOTS_DIR;
    if (shots) mkdirSync(shots, { recursive: true });
    for (const lang of ['de', 'en'] as const) {
      for (const width of [375, 1280]) {
        const lead = await pendingLead(lang);
        const { context, page } = await open(lead.confirm, { lang: lang === 'de' ? 'de-DE' : 'en-US', width, bypassCSP: true });
        const t = lang === 'de'
          ? { before: 'E-Mail-Adresse bestätigen', button: 'Bestätigen und herunterladen', after: 'Ihre Adresse ist bestätigt', file: 'Datei herunterladen' }
          : { before: 'Confirm your e-mail address', button: 'Confirm and download', after: 'Your address is confirmed', file: 'Download the file' };
        await page.getByRole('heading', { name: t.before }).waitFor();
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        expect(await axe(page, ['body'])).toEqual([]);
        if (shots) await page.screenshot({ path: join(shots, `confirm-${lang}-${width}-before.png`), fullPage: true });

        const started = page.waitForEvent('download', { timeout: 15_000 });
        await page.getByRole('button', { name: t.button }).click();
        await started;
        await page.getByRole('heading', { name: t.after }).waitFor();
        expect(await axe(page, ['body'])).toEqual([]);
        if (shots) await page.screenshot({ path: join(shots, `confirm-${lang}-${width}-after.png`), fullPage: true });

        // A reload while the download link is valid: the success state, with a link that works.
        await page.reload();
        await page.getByRole('heading', { name: t.after }).waitFor();
        expect(await axe(page, ['body'])).toEqual([]);
        if (shots) await page.screenshot({ path: join(shots, `confirm-${lang}-${width}-reload.png`), fullPage: true });
        const href = await page.getByRole('link', { name: t.file }).getAttribute('href');
        const file = await fetch(href!);
        expect(file.status).toBe(200);
        expect(new Uint8Array(await file.arrayBuffer())).toEqual(PDF);
        await context.close();
      }
    }
  }, 120_000);

  it('a tampered link opened in the browser shows a page in its language, not JSON', async () => {
    const lead = await pendingLead('de');
    const broken = lead.confirm.replace(/t=([A-Za-z0-9_-]{10})[A-Za-z0-9_-]+/, 't=$1');
    const { context, page } = await open(broken, { lang: 'de-DE', bypassCSP: true });
    await page.getByRole('heading', { name: 'Dieser Link funktioniert nicht' }).waitFor();
    expect(await axe(page, ['body'])).toEqual([]);
    if (process.env.SCREENSHOTS_DIR) await page.screenshot({ path: join(process.env.SCREENSHOTS_DIR, 'error-de-1280.png'), fullPage: true });
    await context.close();
  });
});
