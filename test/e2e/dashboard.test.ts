import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall } from './api-helpers';
import { launchBrowser } from './browser';
import { checkView, dashboardPage, shoot, signIn, stack } from './dashboard-helpers';
import { admin } from '../../scripts/stack.mjs';

/**
 * The dashboard in real headless Chromium against the real local stack:
 * signing in and out, the overview's funnel, an ended session, an empty
 * site; every page under its strict Content-Security-Policy.
 */

let browser: Browser;
const run = Date.now().toString(36);

/** Page views of a few visitors of the demo site, so the funnel has a top. */
async function seedVisits(visitors: number) {
  const { url } = stack();
  const now = Date.now();
  const events = Array.from({ length: visitors }, (_, i) => ({ id: `dash_${run}_${i}`, kind: 'pageview', ts: now - i * 1000, url: `${url}/`, vid: `dashv_${run}_${i}` }));
  const res = await fetch(`${url}/v1/collect`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: url }, body: JSON.stringify({ site: 'demo', events }) });
  expect(res.status).toBe(202);
}

beforeAll(async () => {
  browser = await launchBrowser();
  await seedVisits(3);
});
afterAll(async () => {
  await browser?.close();
});

describe('dashboard sign-in', () => {
  it('refuses a wrong key with a clear message and sets no cookie', async () => {
    const { context, page, problems } = await dashboardPage(browser);
    await page.goto(`${stack().url}/app`);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in to Lodestone' }).isVisible()).toBe(true);
    await page.getByLabel('API key').fill('lsk_not_a_key_of_this_site');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('unknown or has been revoked');
    expect(await context.cookies()).toEqual([]);
    // The key is not kept anywhere in the browser.
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).not.toContain('lsk_');
    await checkView(page, 'sign-in', () => page.getByRole('heading', { name: 'Sign in to Lodestone' }).waitFor());
    expect(problems).toEqual([]);
    await context.close();
  });

  it('signs in, shows the funnel the report endpoint computes, and signs out for good', async () => {
    const { context, page, problems } = await dashboardPage(browser);
    await signIn(page);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    const cookies = await context.cookies();
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([['lodestone_session', true, 'Strict']]);
    expect(await page.evaluate(() => document.cookie)).toBe('');

    // The funnel's first bar is the report's visitor count, formatted for the locale.
    const funnel = await apiCall(stack().apiKey, 'GET', `/v1/reports/funnel?from=${Date.now() - 30 * 86_400_000}`);
    const visitors = funnel.steps[0].count as number;
    expect(visitors).toBeGreaterThanOrEqual(3);
    const chart = page.getByRole('list', { name: 'Funnel: from visitor to won' });
    await chart.waitFor();
    const first = chart.getByRole('listitem').first();
    expect(await first.textContent()).toContain('Visitors');
    expect(await first.textContent()).toContain(visitors.toLocaleString('en-GB'));
    expect(await chart.getByRole('listitem').count()).toBe(funnel.steps.length);
    await checkView(page, 'overview', () => chart.waitFor());

    // Every view is reachable from the navigation by keyboard.
    await page.getByRole('link', { name: 'Leads' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toContain('#/leads');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Lodestone' }).waitFor();
    expect(await context.cookies()).toEqual([]);
    // The old cookie no longer opens anything: the session was revoked on the server.
    const old = cookies[0]!;
    const res = await fetch(`${stack().url}/v1/leads`, { headers: { cookie: `${old.name}=${old.value}` } });
    expect(res.status).toBe(401);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('asks for the funnel once on a load: the page sends it at boot and the overview takes that answer', async () => {
    const { context, page, problems } = await dashboardPage(browser);
    await signIn(page);
    await page.getByRole('list', { name: 'Funnel: from visitor to won' }).waitFor();
    const asked: string[] = [];
    page.on('request', (r) => { if (r.url().includes('/v1/reports/funnel')) asked.push(r.url()); });
    await page.reload();
    const chart = page.getByRole('list', { name: 'Funnel: from visitor to won' });
    await chart.waitFor();
    expect(await chart.getByRole('listitem').first().textContent()).toContain('Visitors');
    // The overview's other reports follow the funnel; once they are in, no second funnel request can still come.
    await page.waitForLoadState('networkidle');
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('medians=false');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('speaks German for a German browser, and the switch changes the language', async () => {
    const { context, page, problems } = await dashboardPage(browser, { locale: 'de-DE' });
    await signIn(page);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Überblick');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
    const chart = page.getByRole('list', { name: 'Trichter: vom Besucher zum Abschluss' });
    await chart.waitFor();
    expect(await chart.getByRole('listitem').first().textContent()).toContain('Besucher');
    await checkView(page, 'overview-de', () => chart.waitFor());
    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('an ended session asks to sign in again over the open view, and the view goes on', async () => {
    const { context, page, problems } = await dashboardPage(browser);
    await signIn(page);
    await page.getByLabel('Period', { exact: true }).selectOption('90');
    // Opening the source list asks for the period's sources once; then only the period's change calls the API.
    const sources = page.waitForResponse((r) => r.url().includes('by=source'));
    await page.getByLabel('Source', { exact: true }).focus();
    expect((await sources).status()).toBe(200);
    // The 90 days' overview report follows its funnel: let it arrive before the session ends, or its 401 opens the dialog first.
    await page.waitForLoadState('networkidle');
    await context.clearCookies();
    await page.getByLabel('Period', { exact: true }).selectOption('7');
    const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
    await dialog.waitFor();
    // What was chosen on the page is still there under the dialog.
    expect(await page.getByLabel('Period', { exact: true }).inputValue()).toBe('7');
    await shoot(page, 'session-ended');
    await dialog.getByLabel('API key').fill(stack().apiKey);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('list', { name: 'Funnel: from visitor to won' }).waitFor();
    expect(await page.getByLabel('Period', { exact: true }).inputValue()).toBe('7');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('an empty site shows how to install the snippet; signing in again with another site\'s key starts the view over', async () => {
    const { url, adminToken } = stack();
    const site = `empty-${run}`;
    await admin(url, adminToken, 'POST', '/admin/sites', { id: site, name: 'Empty GmbH', origins: ['https://www.empty.example'] });
    const { secret } = await admin(url, adminToken, 'POST', `/admin/sites/${site}/keys`, { name: 'dash', scopes: ['leads:read'] });
    const { context, page, problems } = await dashboardPage(browser);
    await signIn(page, secret);
    await page.getByText('No visits and no leads yet').waitFor();
    expect(await page.locator('pre code').textContent()).toBe(`<script defer src="${url}/s.js" data-site="${site}"></script>`);
    expect(await page.getByText('Empty GmbH').isVisible()).toBe(true);
    await checkView(page, 'overview-empty', () => page.getByText('No visits and no leads yet').waitFor());

    // The session ends; signing in again over the open view with another site's key starts the view over with that site's data.
    await context.clearCookies();
    await page.getByLabel('Period', { exact: true }).selectOption('7');
    const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
    await dialog.getByLabel('API key').fill(stack().apiKey);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('list', { name: 'Funnel: from visitor to won' }).waitFor();
    expect(await page.getByText('No visits and no leads yet').count()).toBe(0);
    expect(await page.getByText('Empty GmbH').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
