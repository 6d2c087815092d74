/**
 * The API reference and the front page in real Chromium against the local
 * stack: /docs renders with its CSP (styles applied, nothing blocked, no
 * request elsewhere), without JavaScript, and fits a 375 px screen; in local
 * dev the demo site still owns /.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser } from './browser';

const { url } = inject('stack');
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('/docs in a browser', () => {
  for (const width of [375, 1280]) {
    it(`is styled, self-contained and fits ${width} px without JavaScript`, async () => {
      const ctx = await browser.newContext({ viewport: { width, height: 800 }, javaScriptEnabled: false });
      const page = await ctx.newPage();
      const messages: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => messages.push(m.text()));
      page.on('request', (r) => requests.push(r.url()));
      const res = await page.goto(`${url}/docs`);
      expect(res!.status()).toBe(200);
      // The inline style ran under the CSP hash: the method badge is coloured.
      expect(await page.locator('#getV1Leads .m').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(29, 78, 216)');
      expect(messages.filter((m) => /Content Security Policy|Refused/i.test(m))).toEqual([]);
      expect(requests.filter((r) => !r.startsWith(`${url}/docs`))).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      // The contents link jumps to the operation.
      await page.click('nav a[href="#getV1Leads"]');
      expect(new URL(page.url()).hash).toBe('#getV1Leads');
      expect(await page.locator('#getV1Leads').isVisible()).toBe(true);
      await ctx.close();
    });
  }

  it('local dev: the demo index still answers /', async () => {
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain('href="/docs"');
    expect(html).toMatch(/<script[^>]+s\.js/);
  });
});
