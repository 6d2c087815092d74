import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiCall } from './api-helpers';
import { launchBrowser } from './browser';
import { axe, waitForMail } from './widget-helpers';

/**
 * From a fair's import to the owner's answer, on the real stack and in
 * Chromium: the imported leads are scored, routed by territory, each owner
 * gets the alert mail, and its button opens the answer page (German for
 * Anna, English for Ben), which passes axe, fits 375 px and answers.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const MODEL = {
  halfLifeDays: 7, stageCooldownDays: 0, thresholds: { mql: 20, sql: 40 }, temperature: { warm: 10, hot: 30, basis: 'score' },
  fit: [{ id: 'target', label: 'Target industry', field: 'industry', keywords: ['Maschinenbau', 'Software'], points: 50 }],
  engagement: [{ id: 'views', label: 'Page views', kinds: ['pageview'], points: 1 }],
};

describe('the owner answers from the alert mail', () => {
  it('imported leads reach their owners; the answer page passes axe at 375 and 1280 px in German and English and answers', async () => {
    const { adminToken, url } = inject('stack');
    const tag = Date.now().toString(36);
    const site = `answer-${tag}`;
    await apiCall(adminToken, 'POST', '/admin/sites', { id: site, name: 'Acme Maschinen', origins: ['https://www.acme-maschinen.example'] });
    const { secret: key } = await apiCall(adminToken, 'POST', `/admin/sites/${site}/keys`, { name: 'e2e', scopes: ['leads:read', 'leads:write', 'config:write'] });
    await apiCall(key, 'PUT', '/v1/scoring-model', MODEL);
    const anna = `anna.${tag}@sales.example`;
    const ben = `ben.${tag}@sales.example`;
    await apiCall(key, 'PUT', '/v1/owners', { owners: [
      { id: 'anna', name: 'Anna Berg', email: anna, lang: 'de', territory: { industries: ['Maschinenbau'] } },
      { id: 'ben', name: 'Ben Cole', email: ben, lang: 'en', territory: { industries: ['Software'] } },
    ] });
    const csv = ['email,firstName,company,role,industry,basis,consentText,consentAt,source',
      `petra.${tag}@kunde.example,Petra,Kunde GmbH,Einkauf,Maschinenbau,consent,"Ja, Acme darf mich per E-Mail informieren.",2026-11-18,"Messe, Stand B12"`,
      `sam.${tag}@client.example,Sam,Client Ltd,CTO,Software,consent,"Yes, Acme may e-mail me about products.",2026-11-18,"Webinar 2026-11"`].join('\n');
    const imported = await fetch(`${url}/v1/leads/import`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' }, body: csv });
    expect(imported.status).toBe(200);
    expect(await imported.json()).toMatchObject({ created: 2, refused: 0 });

    const shots = process.env.SCREENSHOTS_DIR;
    if (shots) mkdirSync(shots, { recursive: true });
    const cases = [
      { owner: anna, lang: 'de', heading: 'Ein Lead für Sie', button: 'Lead annehmen', done: 'Lead angenommen', status: 'accepted' },
      { owner: ben, lang: 'en', heading: 'A lead for you', button: 'Reject lead', done: 'Lead rejected', status: 'rejected' },
    ] as const;
    for (const c of cases) {
      const mail = await waitForMail(c.owner, 20_000);
      const link = /(?:Accept or reject|Annehmen oder ablehnen): (\S+)/.exec(mail.text)![1]!;
      // The alert mail itself, as the owner's mail program shows it: its button is the same link, and it fits 375 px.
      const mailView = await browser.newContext({ locale: c.lang === 'de' ? 'de-DE' : 'en-GB' });
      const inbox = await mailView.newPage();
      for (const width of [375, 1280]) {
        await inbox.setViewportSize({ width, height: 900 });
        await inbox.goto(`${url}/dev/outbox/${mail.id}/html`);
        expect(await inbox.getByRole('link', { name: c.lang === 'de' ? 'Annehmen oder ablehnen' : 'Accept or reject' }).getAttribute('href')).toBe(link);
        if (shots) await inbox.screenshot({ path: join(shots, `alert-mail-${c.lang}-${width}.png`), fullPage: true });
        const [scroll, client] = await inbox.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
        expect(scroll, `mail ${c.lang} at ${width} px`).toBeLessThanOrEqual(client);
      }
      await mailView.close();
      // bypassCSP only so axe can be injected; the page itself runs no script.
      const context = await browser.newContext({ locale: c.lang === 'de' ? 'de-DE' : 'en-GB', bypassCSP: true });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      for (const width of [375, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(link);
        await page.getByRole('heading', { name: c.heading }).waitFor();
        expect(await page.getAttribute('html', 'lang')).toBe(c.lang);
        expect(await axe(page, ['body'])).toEqual([]);
        const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
        expect(scroll, `${c.lang} at ${width} px`).toBeLessThanOrEqual(client);
        if (shots) await page.screenshot({ path: join(shots, `answer-${c.lang}-${width}.png`), fullPage: true });
      }
      if (c.status === 'rejected') await page.getByLabel('Reason for rejecting').selectOption('competitor');
      await page.getByRole('button', { name: c.button }).click();
      await page.getByRole('heading', { name: c.done }).waitFor();
      expect(await axe(page, ['body'])).toEqual([]);
      if (shots) await page.screenshot({ path: join(shots, `answer-${c.lang}-done.png`), fullPage: true });
      expect(errors).toEqual([]);
      await context.close();
    }
    const { leads } = await apiCall(key, 'GET', '/v1/leads?limit=10');
    const statuses = await Promise.all((leads as { id: string }[]).map(async (l) => (await apiCall(key, 'GET', `/v1/leads/${l.id}`)).lead.sales));
    expect(statuses.map((s: { status: string; ownerId: string; reason: string | null }) => [s.ownerId, s.status, s.reason]).sort())
      .toEqual([['anna', 'accepted', null], ['ben', 'rejected', 'competitor']]);
  }, 90_000);
});
