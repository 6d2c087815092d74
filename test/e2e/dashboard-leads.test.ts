import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiCall } from './api-helpers';
import { launchBrowser } from './browser';
import { checkView, dashboardPage, dashboardSite, signIn } from './dashboard-helpers';

/**
 * The leads view on the real stack in Chromium: a site of its own with
 * imported leads scored by a small model; the list filtered, a segment saved
 * and applied after a reload, a lead's score explained, its owner and sales
 * status written back, the CSV export, erasure behind a confirmation, an
 * unknown lead, and a read-only key that sees no edit controls.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const MODEL = {
  halfLifeDays: 30, stageCooldownDays: 0, thresholds: { mql: 20, sql: 40 }, temperature: { warm: 10, hot: 30, basis: 'score' },
  fit: [
    { id: 'machines', label: 'Target industry: machine building', field: 'industry', keywords: ['Maschinenbau'], points: 50 },
    { id: 'software', label: 'Target industry: software', field: 'industry', keywords: ['Software'], points: 30 },
    { id: 'students', label: 'Student', field: 'role', keywords: ['Student'], points: -20 },
  ],
  engagement: [{ id: 'views', label: 'Page views', kinds: ['pageview'], points: 1 }],
};

async function seedSite() {
  const { site, key, readKey, tag } = await dashboardSite('leads', 'Acme Maschinen', MODEL);
  await apiCall(key, 'PUT', '/v1/owners', { owners: [
    { id: 'anna', name: 'Anna Berg', email: `anna.${tag}@sales.example`, lang: 'de' },
    { id: 'ben', name: 'Ben Cole', email: `ben.${tag}@sales.example`, lang: 'en' },
  ] });
  const consent = 'consent,"Ja, Acme darf mich per E-Mail informieren.",2026-11-18,"Messe, Stand B12"';
  const csv = ['email,firstName,company,role,industry,basis,consentText,consentAt,source',
    `petra.${tag}@kunde.example,Petra,Kunde GmbH,Einkauf,Maschinenbau,${consent}`,
    `sam.${tag}@client.example,Sam,Client Ltd,CTO,Software,${consent}`,
    `lena.${tag}@uni.example,Lena,Uni Köln,Student,Bildung,${consent}`].join('\n');
  const res = await fetch(`${inject('stack').url}/v1/leads/import`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' }, body: csv });
  expect(res.status, await res.clone().text()).toBe(200);
  // Scores are computed right after the import; wait until all three are scored.
  let leads: { id: string; email: string; score: number }[] = [];
  for (let i = 0; i < 50; i++) {
    leads = (await apiCall(key, 'GET', '/v1/leads?sort=updated')).leads;
    if (leads.length === 3 && leads.every((l: any) => l.stage !== 'pending')) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const by = (name: string) => leads.find((l) => l.email.startsWith(`${name}.`))!;
  return { site, key, readKey, tag, petra: by('petra'), sam: by('sam'), lena: by('lena') };
}

const rows = (page: Page) => page.locator('table.leads tbody tr');

describe('dashboard: leads', () => {
  it('filters, saves and applies a segment, explains a score, writes back, exports and erases', async () => {
    const s = await seedSite();
    const { page, problems, context } = await dashboardPage(browser);
    await signIn(page, s.key, '#/leads');
    await page.getByRole('heading', { level: 1, name: 'Leads' }).waitFor();
    await expect.poll(() => rows(page).count()).toBe(3);
    await checkView(page, 'leads-list', () => rows(page).first().waitFor());

    // Hot leads only, then the free text narrows to Petra.
    await page.getByLabel('Temperature').selectOption('hot');
    await expect.poll(() => rows(page).count()).toBe(2);
    await page.getByLabel('Search').fill('Kunde');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => rows(page).count()).toBe(1);
    await expect.poll(() => rows(page).first().textContent()).toContain('petra.');
    expect(page.url()).toContain('temperature=hot');
    expect(page.url()).toContain('q=Kunde');
    // Stage as a multi-select: SQL and MQL (Petra is SQL).
    await page.getByLabel('Search').fill('');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('checkbox', { name: 'SQL' }).check();
    await expect.poll(() => rows(page).count()).toBe(1);
    expect(page.url()).toContain('stage=sql');

    // Saved as a segment; after a reload and a reset, applying it brings the filters back.
    await page.getByLabel('Name of the new segment').fill('Heiße SQL');
    await page.getByRole('button', { name: 'Save as segment' }).click();
    await page.getByText('Segment “Heiße SQL” saved.').waitFor();
    const seg = await apiCall(s.key, 'GET', '/v1/segments/heisse-sql');
    expect(seg).toMatchObject({ name: 'Heiße SQL', filter: { temperature: 'hot', stage: ['sql'] } });
    await page.reload();
    await page.getByRole('button', { name: 'Reset filters' }).first().click();
    await expect.poll(() => rows(page).count()).toBe(3);
    await page.getByLabel('Segment', { exact: true }).selectOption('heisse-sql');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect.poll(() => rows(page).count()).toBe(1);
    expect(await page.getByLabel('Temperature').inputValue()).toBe('hot');
    expect(await page.getByRole('checkbox', { name: 'SQL' }).isChecked()).toBe(true);

    // CSV export of the current view: a real download with the Excel dialect's header row.
    const exportLink = page.getByRole('link', { name: 'CSV for Excel' });
    expect(await exportLink.getAttribute('href')).toContain('dialect=excel');
    const [download] = await Promise.all([page.waitForEvent('download'), exportLink.click()]);
    const text = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    expect(text.split('\r\n')[0]).toBe('id;email;firstName;company;role;companySize;industry;country;status;stage;score;fit;engagement;temperature;likelihood;updatedAt');
    expect(text).toContain(`petra.${s.tag}@kunde.example`);
    expect(text).not.toContain(`sam.${s.tag}`);

    // The segment is deleted after a confirmation.
    await page.getByRole('button', { name: 'Delete segment' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Segment “Heiße SQL” deleted.').waitFor();
    expect((await apiCall(s.key, 'GET', '/v1/segments')).segments).toEqual([]);

    // Sam's lead: why it scored, then owner and status written back.
    await page.goto(`${inject('stack').url}/app#/leads/${s.sam.id}`);
    await page.getByRole('heading', { level: 1, name: /Sam/ }).waitFor();
    const why = page.getByRole('list', { name: 'Contribution of each rule' });
    await expect.poll(() => why.textContent()).toContain('Target industry: software');
    expect(await why.textContent()).toContain('+30');
    await checkView(page, 'lead-detail', () => why.waitFor());
    await page.getByLabel('Owner').selectOption('ben');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await expect.poll(async () => (await apiCall(s.key, 'GET', `/v1/leads/${s.sam.id}`)).lead.sales.ownerId).toBe('ben');
    await page.getByLabel('Sales status').selectOption('accepted');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await apiCall(s.key, 'GET', `/v1/leads/${s.sam.id}`)).lead.sales.status).toBe('accepted');
    // A write-back the API refuses shows its field error: won needs the deal value.
    await page.getByLabel('Sales status').selectOption('won');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.field-error', { hasText: 'is required for won' }).waitFor();
    expect((await apiCall(s.key, 'GET', `/v1/leads/${s.sam.id}`)).lead.sales.status).toBe('accepted');
    // With the deal value and its currency, the same move goes through.
    await page.getByLabel('Deal value').fill('12500,50');
    await page.getByLabel(/^Currency/).fill('eur');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await apiCall(s.key, 'GET', `/v1/leads/${s.sam.id}`)).lead.sales.status).toBe('won');
    const won = (await apiCall(s.key, 'GET', `/v1/leads/${s.sam.id}`)).lead.sales;
    expect([won.value, won.currency]).toEqual([12500.5, 'EUR']);

    // Lena's lead: the negative rule, then erased behind the typed confirmation.
    await page.goto(`${inject('stack').url}/app#/leads/${s.lena.id}`);
    await page.getByRole('heading', { level: 1, name: /Lena/ }).waitFor();
    await expect.poll(() => page.getByRole('list', { name: 'Contribution of each rule' }).textContent()).toContain('−20');
    await page.getByRole('button', { name: 'Erase this lead…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Erase this lead?' });
    await dialog.getByRole('button', { name: 'Erase for good' }).click();
    await dialog.getByText('The address does not match.').waitFor();
    await dialog.getByLabel(/Type the e-mail address/).fill(s.lena.email);
    await dialog.getByRole('button', { name: 'Erase for good' }).click();
    await page.getByText('The lead was erased.', { exact: false }).waitFor();
    await expect.poll(() => rows(page).count()).toBe(2);
    const gone = await fetch(`${inject('stack').url}/v1/leads/${s.lena.id}`, { headers: { authorization: `Bearer ${s.key}` } });
    expect(gone.status).toBe(404);

    // An unknown id, and another site's lead, are "not found" with a way back.
    for (const id of ['ld_does_not_exist', (await apiCall(inject('stack').apiKey, 'GET', '/v1/leads?limit=1')).leads[0]?.id ?? 'ld_other']) {
      await page.goto(`${inject('stack').url}/app#/leads/${id}`);
      await page.getByRole('heading', { level: 1, name: 'This lead does not exist' }).waitFor();
      expect(await page.getByRole('link', { name: 'Back to the lead list' }).count()).toBeGreaterThan(0);
    }
    expect(problems).toEqual([]);
    await context.close();
  });

  it('in German, and for a read-only key without edit or erase controls', async () => {
    const s = await seedSite();
    const { page, problems, context } = await dashboardPage(browser, { locale: 'de-DE' });
    await signIn(page, s.readKey, '#/leads');
    await page.getByRole('heading', { level: 1, name: 'Leads' }).waitFor();
    await expect.poll(() => rows(page).count()).toBe(3);
    await checkView(page, 'leads-list-de', () => rows(page).first().waitFor());
    expect(await page.getByLabel('Temperatur').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Als Segment speichern' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Segment löschen' }).count()).toBe(0);

    await page.goto(`${inject('stack').url}/app#/leads/${s.petra.id}`);
    await page.getByRole('heading', { level: 1, name: /Petra/ }).waitFor();
    await page.getByRole('list', { name: 'Beitrag jeder Regel' }).waitFor();
    await checkView(page, 'lead-detail-de', () => page.getByRole('list', { name: 'Beitrag jeder Regel' }).waitFor());
    await page.getByText('Ihr Schlüssel darf Leads nur lesen', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: 'Speichern' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Diesen Lead löschen/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /Daten dieses Leads exportieren/ }).count()).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });
});
