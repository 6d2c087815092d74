import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser';
import { newPage, stack } from './widget-helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the demo site, as a newcomer first opens it', () => {
  it('every page loads with a clean browser console', async () => {
    const { context, page } = await newPage(browser);
    const problems: string[] = [];
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`${page.url()}: ${m.text()}`));
    await page.goto(`${stack().url}/`);
    await page.getByRole('button', { name: 'Accept all' }).click();
    for (const path of ['/pricing.html', '/blog/', '/blog/lead-scoring-basics.html', '/careers.html', '/whitepaper']) {
      await page.goto(`${stack().url}${path}`);
      await page.waitForLoadState('load');
    }
    await page.locator('#whitepaper-form').getByLabel('E-mail address').waitFor();
    await page.waitForTimeout(500);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("answers the browser's own /favicon.ico request (a 404 there is a console error on every page)", async () => {
    const res = await fetch(`${stack().url}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\//);
  });
});
