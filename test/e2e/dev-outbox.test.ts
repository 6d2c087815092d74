import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser';
import { inlineForm, newPage, openWhitepaper, stack, uniqueEmail, waitForMail } from './widget-helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('/dev/outbox in Chromium', () => {
  it('a mail with long links and headers never scrolls sideways, at 1280 and 375 px', async () => {
    const { context, page } = await newPage(browser);
    const email = uniqueEmail('a-rather-long-local-part-for-the-outbox-view');
    await openWhitepaper(page, 'Reject all');
    const form = inlineForm(page);
    await form.getByLabel('E-mail address').fill(email);
    await form.getByLabel(/^Company( \(optional\))?$/).fill('Acme');
    await form.getByRole('checkbox', { name: /I agree/ }).check();
    await page.waitForTimeout(2100);
    await form.getByRole('button', { name: 'Send me the download link' }).click();
    const mail = await waitForMail(email);
    for (const path of [`/dev/outbox/${mail.id}`, `/dev/outbox?to=${encodeURIComponent(email)}`]) {
      await page.goto(`${stack().url}${path}`);
      for (const width of [1280, 375]) {
        await page.setViewportSize({ width, height: 900 });
        const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
        expect(scroll, `${path} at ${width} px`).toBeLessThanOrEqual(client);
      }
    }
    // The long withdraw link is still one whole, clickable link.
    await page.goto(`${stack().url}/dev/outbox/${mail.id}`);
    expect(await page.getByRole('link', { name: /\/v1\/optin\/withdraw\?s=demo&l=/ }).count()).toBe(1);
    await context.close();
  });
});
