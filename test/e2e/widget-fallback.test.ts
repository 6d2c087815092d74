import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser';
import { newPage, stack } from './widget-helpers';

/**
 * A misconfigured magnet must not leave an empty box over the page's own
 * fallback content, and the site owner must learn from the console why.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
  // A real magnet without a file: the edge answers 503 for it.
  const { url, adminToken } = stack();
  const res = await fetch(`${url}/admin/sites/demo/magnets/no-file-yet`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: 'Not ready',
      lang: 'en',
      fields: [],
      consent: { text: 'I agree that Acme stores my address to send me this file.', version: '2026-12-01' },
      privacyUrl: `${url}/whitepaper#privacy`,
    }),
  });
  expect(res.status, await res.text()).toBeLessThan(300);
});
afterAll(async () => {
  await browser?.close();
});

/** The whitepaper page with its inline widget pointing at `magnet`; console lines collected. */
async function openWith(page: Page, magnet: string) {
  const { url } = stack();
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  await page.route(`${url}/whitepaper`, async (route) => {
    const res = await route.fetch();
    const html = (await res.text()).replace('data-lodestone-magnet="whitepaper" id="whitepaper-form"', `data-lodestone-magnet="${magnet}" id="whitepaper-form"`);
    await route.fulfill({ response: res, body: html });
  });
  const answered = page.waitForResponse((r) => r.url().includes(`/v1/magnets/demo/${magnet}?`));
  await page.goto(`${url}/whitepaper`);
  await page.getByRole('button', { name: 'Reject all' }).click();
  return { logs, status: (await answered).status() };
}

const fallback = (page: Page) => page.locator('#whitepaper-form').getByRole('link', { name: 'hello@example.com' });

describe('widget: misconfigured magnet', () => {
  for (const [magnet, status, detail] of [
    ['no-such-magnet', 404, 'Site "demo" has no lead magnet "no-such-magnet".'],
    ['no-file-yet', 503, 'Lead magnet "no-file-yet" has no file yet'],
  ] as const) {
    it(`${status}: the element's own content shows and the console names the magnet and the problem`, async () => {
      const { context, page } = await newPage(browser);
      const { logs, status: got } = await openWith(page, magnet);
      expect(got).toBe(status);
      await fallback(page).waitFor({ state: 'visible', timeout: 5000 });
      expect(await page.locator('#whitepaper-form').innerText()).toMatch(/could not be loaded/);
      // No form was drawn over it.
      expect(await page.locator('#whitepaper-form').getByLabel('E-mail address').count()).toBe(0);
      await expect.poll(() => logs.find((l) => l.startsWith('error: Lodestone widget:'))).toBeTruthy();
      const line = logs.find((l) => l.startsWith('error: Lodestone widget:'))!;
      expect(line).toContain(`lead magnet "${magnet}" of site "demo"`);
      expect(line).toContain(`${status} ${detail}`);
      // The healthy modal widget on the same page is unaffected.
      expect(await page.locator('[data-mode="modal"]').getByRole('button', { name: 'Open the download form' }).count()).toBe(1);
      await context.close();
    });
  }

  it('a healthy magnet hides the fallback behind the form', async () => {
    const { context, page } = await newPage(browser);
    await openWith(page, 'whitepaper');
    await page.locator('#whitepaper-form').getByLabel('E-mail address').waitFor();
    expect(await fallback(page).isVisible()).toBe(false);
    await context.close();
  });
});
