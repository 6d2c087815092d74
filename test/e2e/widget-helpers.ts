import { inject } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Helpers for the widget's browser tests against the real local stack. */

export const stack = () => inject('stack');

let n = 0;
export const uniqueEmail = (tag: string) => `${tag}.${Date.now().toString(36)}${(n++).toString(36)}@example.com`;

/**
 * A fresh context and page. `fakeTime`: Playwright's clock is installed in the
 * context (time still flows at its real pace), so `takeAMoment` can move it on.
 */
export async function newPage(browser: Browser, { fakeTime = false } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
  if (fakeTime) await context.clock.install();
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return { context, page };
}

/**
 * Opens the whitepaper page and answers the demo consent banner (it would
 * cover the form otherwise). `choice` is the banner button.
 */
export async function openWhitepaper(page: Page, choice: 'Accept all' | 'Reject all' = 'Accept all') {
  await page.goto(`${stack().url}/whitepaper.html`);
  await page.getByRole('button', { name: choice }).click();
  await inlineForm(page).getByLabel('E-mail address').waitFor();
}

/** The inline widget (locators pierce its open shadow root). */
export const inlineForm = (page: Page) => page.locator('#whitepaper-form');

/** The element that really has focus, through shadow roots. */
export function deepActive(page: Page): Promise<{ tag: string; name: string | null; id: string; text: string; inDialog: boolean; host: string | null }> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    let host: Element | null = null;
    while (el?.shadowRoot?.activeElement) {
      host = el;
      el = el.shadowRoot.activeElement;
    }
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      name: el?.getAttribute('name') ?? null,
      id: el?.id ?? '',
      text: (el?.textContent ?? '').trim().slice(0, 60),
      inDialog: !!el?.closest('dialog[open]'),
      host: host?.id || host?.getAttribute('data-mode') || null,
    };
  });
}

/** Calls the admin API of the stack. */
export async function admin<T = any>(path: string): Promise<T> {
  const { url, adminToken } = stack();
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<T>;
}

export async function leadByEmail(email: string) {
  const { leads } = await admin<{ leads: { id: string; status: string; [k: string]: unknown }[] }>(
    `/admin/sites/demo/leads?email=${encodeURIComponent(email)}`,
  );
  return leads[0];
}

/** Waits until the dev outbox has a mail for `email`; returns the newest. */
export async function waitForMail(email: string, timeoutMs = 10_000) {
  const { url } = stack();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${url}/dev/outbox.json?to=${encodeURIComponent(email)}`);
    const { mails } = (await res.json()) as { mails: { id: string; subject: string; text: string; html: string }[] };
    if (mails.length) return mails[0]!;
    if (Date.now() > deadline) throw new Error(`no mail to ${email} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** axe-core in the page, limited to `include` (shadow roots are checked too). */
export async function axe(page: Page, include: string[]) {
  const { resolve } = await import('node:path');
  await page.addScriptTag({ path: resolve('node_modules/axe-core/axe.min.js') });
  return page.evaluate(async (selectors) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<any> } }).axe;
    const result = await axe.run({ include: selectors.map((s) => [s]) }, { resultTypes: ['violations'], runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n: any) => `${n.target.join(' ')}: ${n.failureSummary}`) }));
  }, include);
}

/**
 * People take a moment: the edge refuses forms sent within 2 s of showing
 * (the widget measures `elapsedMs` with the page's clock). Moves page time
 * on by 2.1 s instead of waiting for it; needs newPage(browser, { fakeTime: true }).
 */
export const takeAMoment = (page: Page) => page.clock.fastForward(2100);
