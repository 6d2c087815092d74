import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser';
import { leadByEmail, newPage, stack, uniqueEmail, takeAMoment } from './widget-helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** A page of the stack's origin (so the demo site allows it) with w.js alone: no snippet. */
async function standalone(page: Page, magnetAttrs: string, lang = 'en') {
  const { url } = stack();
  const path = `/__e2e/standalone-${Math.random().toString(36).slice(2)}.html`;
  await page.route(`${url}${path}`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Standalone</title></head>
<body><main><h1>Standalone widget</h1><p style="height:3000px">A long article.</p></main>
<div data-lodestone-magnet="whitepaper" ${magnetAttrs}></div>
<script src="/w.js" data-site="demo"></script></body></html>`,
    }),
  );
  await page.goto(`${url}${path}`);
  return path;
}

const slideIn = (page: Page) => page.locator('[data-lodestone-magnet]').getByRole('dialog', { name: 'Lead Magnets That Respect People' });

describe('w.js on its own (no snippet)', () => {
  it('renders inline and sends a lead without a visitor id', async () => {
    const { context, page } = await newPage(browser, { fakeTime: true });
    await standalone(page, '');
    expect(await page.evaluate(() => typeof (window as any).lodestone)).toBe('undefined');
    const form = page.locator('[data-lodestone-magnet]');
    const email = uniqueEmail('standalone');
    await form.getByLabel('E-mail address').fill(email);
    await form.getByLabel(/^Company( \(optional\))?$/).fill('Solo GmbH');
    await form.getByRole('checkbox', { name: /I agree/ }).check();
    await takeAMoment(page);
    await form.getByRole('button', { name: 'Send me the download link' }).click();
    await form.getByRole('status').filter({ hasText: /check your inbox/ }).waitFor();
    expect(await leadByEmail(email)).toMatchObject({ status: 'pending', visitorId: null });
    await context.close();
  });

  it('host page CSS does not reach into the widget; theme variables do', async () => {
    const { context, page } = await newPage(browser);
    await standalone(page, 'style="--lodestone-accent:#7a1fa2"');
    await page.addStyleTag({ content: 'button,input,label{display:none!important;color:red!important} *{font-size:40px!important}' });
    const form = page.locator('[data-lodestone-magnet]');
    const button = form.getByRole('button', { name: 'Send me the download link' });
    await button.waitFor();
    expect(await button.isVisible()).toBe(true);
    expect(await button.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(122, 31, 162)');
    expect(await form.getByLabel('E-mail address').evaluate((i) => getComputedStyle(i).fontSize)).toBe('16px');
    await context.close();
  });
});

describe('slide-in', () => {
  it('waits for the scroll share, closes with Esc, and respects the frequency cap', async () => {
    const { context, page } = await newPage(browser);
    const path = await standalone(page, 'data-mode="slidein" data-scroll="60" data-cap="7"');
    await page.waitForTimeout(500);
    expect(await slideIn(page).count()).toBe(0);
    await page.mouse.wheel(0, 600);
    await page.waitForTimeout(300);
    expect(await slideIn(page).count()).toBe(0);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await slideIn(page).waitFor();
    await slideIn(page).getByLabel('E-mail address').focus();
    await page.keyboard.press('Escape');
    await slideIn(page).waitFor({ state: 'detached' });

    // Shown once: not again within the cap, even when scrolled.
    await page.goto(`${stack().url}${path}`);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForTimeout(600);
    expect(await slideIn(page).count()).toBe(0);

    // Cap over (the stored time is older than 7 days): shown again.
    await page.evaluate(() => {
      for (const k of Object.keys(localStorage)) if (k.startsWith('lodestone:shown:')) localStorage.setItem(k, String(Date.now() - 8 * 86_400_000));
    });
    await page.goto(`${stack().url}${path}`);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await slideIn(page).waitFor();
    await context.close();
  });

  it('appears after its delay', async () => {
    const { context, page } = await newPage(browser);
    const t0 = Date.now();
    await standalone(page, 'data-mode="slidein" data-delay="1.5"');
    await slideIn(page).waitFor();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    await slideIn(page).getByRole('button', { name: 'Close' }).click();
    await slideIn(page).waitFor({ state: 'detached' });
    await context.close();
  });

  it('appears on exit intent', async () => {
    const { context, page } = await newPage(browser);
    await standalone(page, 'data-mode="slidein" data-exit-intent');
    await page.waitForTimeout(500);
    expect(await slideIn(page).count()).toBe(0);
    await page.mouse.move(600, 400);
    await page.evaluate(() => document.dispatchEvent(new MouseEvent('mouseout', { clientX: 600, clientY: -2, relatedTarget: null, bubbles: true })));
    await slideIn(page).waitFor();
    await context.close();
  });
});

describe('bundle budget', () => {
  it('w.js, Preact included, is at most 10,240 bytes gzipped', () => {
    const js = readFileSync(join(import.meta.dirname, '..', '..', 'dist', 'public', 'w.js'));
    const size = gzipSync(js, { level: 9 }).length;
    console.log(`w.js: ${js.length} B, ${size} B gzipped`);
    expect(size).toBeLessThanOrEqual(10_240);
  });
});
