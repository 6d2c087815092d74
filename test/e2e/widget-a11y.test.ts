import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser';
import { axe, deepActive, inlineForm, leadByEmail, newPage, openWhitepaper, uniqueEmail, takeAMoment } from './widget-helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const WIDGETS = ['#whitepaper-form', '[data-lodestone-magnet][data-mode="modal"]'];

/** Presses Tab until `done(active)` holds; fails after `max` presses. */
async function tabUntil(page: Page, done: (a: Awaited<ReturnType<typeof deepActive>>) => boolean, max = 40, key = 'Tab') {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const active = await deepActive(page);
    if (done(active)) return active;
  }
  throw new Error(`focus never got there in ${max} presses of ${key}`);
}

describe('widget accessibility (axe-core in Chromium)', () => {
  it('has no violations: idle, with errors, in the open modal, and after sending', async () => {
    const { context, page } = await newPage(browser, { fakeTime: true });
    await openWhitepaper(page, 'Reject all');
    expect(await axe(page, WIDGETS)).toEqual([]);

    const form = inlineForm(page);
    await form.getByRole('button', { name: 'Send me the download link' }).click();
    await form.getByRole('alert').filter({ hasText: /correct the marked fields/ }).waitFor();
    expect(await axe(page, WIDGETS)).toEqual([]);

    const modal = page.locator(WIDGETS[1]!);
    await modal.getByRole('button', { name: 'Open the download form' }).click();
    await modal.getByRole('dialog').waitFor();
    expect(await axe(page, WIDGETS)).toEqual([]);
    await page.keyboard.press('Escape');

    await form.getByLabel('E-mail address').fill(uniqueEmail('axe'));
    await form.getByLabel(/^Company( \(optional\))?$/).fill('Acme');
    await form.getByRole('checkbox', { name: /I agree/ }).check();
    await takeAMoment(page);
    // After validation errors the button keeps its label: nothing failed yet.
    await form.getByRole('button', { name: 'Send me the download link' }).click();
    await form.getByRole('status').filter({ hasText: /check your inbox/ }).waitFor();
    expect(await axe(page, WIDGETS)).toEqual([]);
    await context.close();
  });

  it('the whole whitepaper page passes axe too', async () => {
    const { context, page } = await newPage(browser);
    await openWhitepaper(page, 'Reject all');
    expect(await axe(page, ['body'])).toEqual([]);
    await context.close();
  });

  it('labels are visible, the consent boxes are not pre-ticked, the privacy link is there', async () => {
    const { context, page } = await newPage(browser);
    await openWhitepaper(page, 'Reject all');
    const form = inlineForm(page);
    for (const label of ['E-mail address', 'First name (optional)', 'Company', 'Job title (optional)', 'Company size (optional)', 'Industry (optional)']) {
      expect(await form.locator('label').filter({ hasText: label }).first().isVisible(), label).toBe(true);
    }
    expect(await form.getByRole('checkbox', { name: /I agree/ }).isChecked()).toBe(false);
    expect(await form.getByRole('checkbox', { name: /Also send me/ }).isChecked()).toBe(false);
    expect(await form.getByRole('link', { name: /Privacy policy/ }).getAttribute('href')).toMatch(/\/whitepaper#privacy$/);
    await context.close();
  });
});

describe('keyboard only', () => {
  it('reaches, fills and sends the inline form without a mouse; errors take focus', async () => {
    const { context, page } = await newPage(browser, { fakeTime: true });
    await openWhitepaper(page, 'Reject all');
    const email = uniqueEmail('keyboard');
    await page.locator('h1').click(); // a starting point at the top of the content
    const first = await tabUntil(page, (a) => a.host === 'whitepaper-form' && a.name === 'email');
    expect(first.tag).toBe('input');

    // Sending empty moves focus to the first problem.
    await tabUntil(page, (a) => a.host === 'whitepaper-form' && a.tag === 'button' && a.text === 'Send me the download link');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => {
      const host = document.querySelector('#whitepaper-form');
      return host?.shadowRoot?.activeElement?.getAttribute('name') === 'email';
    });

    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    expect((await deepActive(page)).name).toBe('firstName');
    await page.keyboard.type('Kim');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Keyboard Ltd');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Accessibility lead');
    await page.keyboard.press('Tab');
    expect((await deepActive(page)).name).toBe('companySize');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Software');
    await page.keyboard.press('Tab');
    expect((await deepActive(page)).name).toBe('consent');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    expect((await deepActive(page)).name).toBe('marketing');
    await page.keyboard.press('Tab');
    expect((await deepActive(page)).tag).toBe('a');
    await page.keyboard.press('Tab');
    const submit = await deepActive(page);
    expect(submit).toMatchObject({ tag: 'button', text: 'Send me the download link' });
    await takeAMoment(page);
    await page.keyboard.press('Enter');
    await inlineForm(page).getByRole('status').filter({ hasText: /check your inbox/ }).waitFor();
    // Focus lands on the outcome, not on <body>.
    expect((await deepActive(page)).text).toMatch(/check your inbox/);
    expect(await leadByEmail(email)).toMatchObject({ company: 'Keyboard Ltd', companySize: '10-49', industry: 'Software', status: 'pending' });
    await context.close();
  });

  it('modal: opens with Enter, traps focus in both directions, closes with Esc and returns focus', async () => {
    const { context, page } = await newPage(browser);
    await openWhitepaper(page, 'Reject all');
    await page.locator('h1').click();
    await tabUntil(page, (a) => a.host === 'modal' && a.text === 'Open the download form');
    await page.keyboard.press('Enter');
    const inside = await deepActive(page);
    expect(inside.inDialog).toBe(true);
    const seen = new Set<string>();
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press('Tab');
      const a = await deepActive(page);
      expect(a.inDialog, `Tab ${i + 1}: ${JSON.stringify(a)}`).toBe(true);
      seen.add(`${a.tag}:${a.name ?? a.text}`);
    }
    // It cycled through the whole form (close button, fields, checkboxes, link, submit).
    expect(seen.size).toBeGreaterThanOrEqual(10);
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press('Shift+Tab');
      expect((await deepActive(page)).inDialog).toBe(true);
    }
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('[data-mode="modal"]')?.shadowRoot?.querySelector('dialog[open]'));
    expect(await deepActive(page)).toMatchObject({ tag: 'button', text: 'Open the download form', inDialog: false });

    // Reopened, it kept what was typed.
    await page.keyboard.press('Enter');
    const modal = page.locator('[data-mode="modal"]');
    await modal.getByLabel('E-mail address').fill('kept@example.com');
    await modal.getByRole('button', { name: 'Close' }).click();
    await page.keyboard.press('Enter');
    expect(await modal.getByLabel('E-mail address').inputValue()).toBe('kept@example.com');
    await context.close();
  });
});
