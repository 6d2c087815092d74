import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { apiCall } from './api-helpers';

/** Screenshots of every view land here, for a reviewer to look at (git-ignored). */
export const SHOTS = resolve('test-output/dashboard');

const AXE_SOURCE = readFileSync(resolve('node_modules/axe-core/axe.min.js'), 'utf8');

export const stack = () => inject('stack');

/**
 * A page of its own (own cookies) that records what must never happen: a
 * script error, or anything the page's Content-Security-Policy refused.
 */
export async function dashboardPage(browser: Browser, opts: { width?: number; locale?: string } = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: 900 }, locale: opts.locale ?? 'en-GB', acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (/Content.Security.Policy|Refused to/i.test(msg.text())) problems.push(`csp: ${msg.text()}`);
  });
  return { context, page, problems };
}

/**
 * A site of its own for one test file: a key with every scope, a
 * `leads:read` key, and the given scoring model. `tag` makes addresses unique.
 */
export async function dashboardSite(prefix: string, name: string, model: unknown) {
  const { adminToken } = stack();
  const tag = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
  const site = `${prefix}-${tag}`;
  await apiCall(adminToken, 'POST', '/admin/sites', { id: site, name, origins: [`https://www.acme-${prefix}.example`] });
  const { secret: key } = await apiCall(adminToken, 'POST', `/admin/sites/${site}/keys`, { name: 'e2e', scopes: ['leads:read', 'leads:write', 'config:write'] });
  const { secret: readKey } = await apiCall(adminToken, 'POST', `/admin/sites/${site}/keys`, { name: 'e2e read', scopes: ['leads:read'] });
  await apiCall(key, 'PUT', '/v1/scoring-model', model);
  return { site, key: key as string, readKey: readKey as string, tag };
}

/** Opens /app and signs in with the key; resolves once a view's heading is there (the sign-in page has no #main). */
export async function signIn(page: Page, key = stack().apiKey, hash = '') {
  await page.goto(`${stack().url}/app${hash}`);
  await page.getByLabel(/API key|API-Schlüssel/).fill(key);
  await page.getByRole('button', { name: /^(Sign in|Anmelden)$/ }).click();
  await page.locator('#main h1').first().waitFor();
}

/** axe-core over the whole page (injected through the debugger, so the page's CSP stays as it is). */
export async function axe(page: Page): Promise<{ id: string; impact: string; help: string; nodes: string[] }[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<any> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'], runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n: any) => `${n.target.join(' ')}: ${n.failureSummary}`) }));
  });
}

/** A full-page screenshot under test-output/dashboard/<name>.png. */
export async function shoot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/**
 * The check every view gets: no axe violation at 1280 px and at 375 px,
 * and a screenshot at both widths (`name`, `name-375`). Leaves the page at 1280 px.
 */
export async function checkView(page: Page, name: string, ready: () => Promise<unknown>) {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await ready();
    expect(await axe(page), `${name} at ${width} px`).toEqual([]);
    // Nothing wider than the screen: a 375 px phone scrolls down, never sideways.
    if (width === 375) expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} page width at 375 px`).toBeLessThanOrEqual(375);
    await shoot(page, width === 1280 ? name : `${name}-375`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
