import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiCall } from './api-helpers';
import { launchBrowser } from './browser';
import { checkView, dashboardPage, dashboardSite, signIn } from './dashboard-helpers';
import { Receiver } from './webhook-receiver';

/**
 * The sales, webhooks, nurture and magnets views on the real stack in
 * Chromium. Sales and webhooks run on a site of their own: a team, a model
 * where fit alone reaches SQL, an imported lead routed to its owner, and a
 * webhook endpoint (added in the dashboard) whose receiver on 127.0.0.1
 * answers 400, so its messages are dead letters at once; the receiver is
 * fixed and a dead letter replayed from the dashboard. Nurture and magnets
 * show the demo site's seeded sequence and whitepaper. A leads:read key
 * sees everything and no control that changes anything.
 */

let browser: Browser;
const receiver = new Receiver();
beforeAll(async () => {
  browser = await launchBrowser();
  await receiver.start();
});
afterAll(async () => {
  await browser?.close();
  await receiver.stop();
});

const MODEL = {
  halfLifeDays: 30, stageCooldownDays: 0, thresholds: { mql: 20, sql: 40 }, temperature: { warm: 10, hot: 30, basis: 'score' },
  fit: [{ id: 'software', label: 'Target industry: software', field: 'industry', keywords: ['Software'], points: 50 }],
  engagement: [{ id: 'views', label: 'Page views', kinds: ['pageview'], points: 1 }],
};

async function opsSite() {
  const { site, key, readKey, tag } = await dashboardSite('ops', 'Acme Software', MODEL);
  await apiCall(key, 'PUT', '/v1/owners', { owners: [
    { id: 'anna', name: 'Anna Berg', email: `anna.${tag}@sales.example`, lang: 'de', weight: 2, territory: { industries: ['Software'] } },
    { id: 'desk', name: 'Sales Desk', email: `desk.${tag}@sales.example`, fallback: true },
  ] });
  return { site, key, readKey, tag };
}

/** One imported lead in the target industry: SQL at once, routed to Anna within seconds. */
async function importSqlLead(key: string, tag: string) {
  const csv = ['email,firstName,company,role,industry,basis,consentText,consentAt,source',
    `sam.${tag}@client.example,Sam,Client Ltd,CTO,Software,consent,"Yes, Acme may e-mail me about products.",2026-11-18,"Webinar 2026-11"`].join('\n');
  const res = await fetch(`${inject('stack').url}/v1/leads/import`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' }, body: csv });
  expect(res.status, await res.clone().text()).toBe(200);
  let waiting: { id: string; ownerId: string }[] = [];
  for (let i = 0; i < 100 && !waiting.length; i++) {
    waiting = (await apiCall(key, 'GET', '/v1/sales/waiting')).leads;
    if (!waiting.length) await new Promise((r) => setTimeout(r, 200));
  }
  expect(waiting.map((l) => l.ownerId)).toEqual(['anna']);
  return waiting[0]!.id;
}

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

/** Opens a view from the navigation (checkView leaves the page at 1280 px, where the menu is unfolded). */
async function openView(page: Page, name: string) {
  await page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
}

describe('dashboard: sales, webhooks, nurture, magnets', () => {
  it('adds a webhook endpoint, shows owners and the waiting lead, edits settings with inline errors, replays a dead letter', async () => {
    const s = await opsSite();
    receiver.on('/crm', () => ({ status: 400, body: 'unknown payload' }));
    const { page, problems, context } = await dashboardPage(browser);
    await signIn(page, s.key, '#/webhooks');
    await heading(page, 'Webhooks').waitFor();
    await page.getByText('No webhook endpoint yet').waitFor();
    await checkView(page, 'webhooks-empty', () => page.getByText('No webhook endpoint yet').waitFor());

    // Add the endpoint in the dashboard: a bad URL is refused at its field, then the secret is shown once.
    await page.getByRole('button', { name: 'Add an endpoint' }).click();
    await page.getByLabel('URL', { exact: true }).fill('ftp://crm.example');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#wh-url-error').waitFor();
    expect(await page.getByLabel('URL', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('URL', { exact: true }).fill(receiver.url('/crm'));
    await page.getByLabel('Description').fill('CRM intake');
    await page.getByLabel(/lead\.assigned/).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/Signing secret: copy it now/).waitFor();
    await expect.poll(async () => (await page.locator('pre.code code').first().textContent()) ?? '').toMatch(/^whsec_/);
    const { endpoints } = await apiCall(s.key, 'GET', '/v1/webhooks');
    expect(endpoints).toMatchObject([{ url: receiver.url('/crm'), description: 'CRM intake', enabled: true, segment: null }]);
    expect(endpoints[0].events).toContain('lead.assigned');

    const leadId = await importSqlLead(s.key, s.tag);

    // Sales: the team and the lead waiting for Anna's answer, with its deadline.
    await openView(page, 'Sales');
    await heading(page, 'Sales').waitFor();
    const owners = page.locator('section[aria-labelledby="sl-owners"]');
    await owners.getByText('Anna Berg').waitFor();
    await owners.getByText('Sales Desk').waitFor();
    const waiting = page.locator('section[aria-labelledby="sl-waiting"]');
    await waiting.getByRole('link', { name: 'Client Ltd' }).waitFor();
    expect(await waiting.getByRole('link', { name: 'Client Ltd' }).getAttribute('href')).toBe(`#/leads/${leadId}`);
    await waiting.getByText('Anna Berg').waitFor();
    await waiting.getByText(/due in 24 h/).waitFor();
    await checkView(page, 'sales', () => waiting.getByRole('link', { name: 'Client Ltd' }).waitFor());

    // Settings: the API's field error next to its field, then a good value saved.
    await page.getByRole('button', { name: 'Change settings' }).click();
    await page.getByLabel('Hours to accept or reject').fill('0');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#st-slaHours-error').getByText('must be at least 1').waitFor();
    expect(await page.getByLabel('Hours to accept or reject').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Hours to accept or reject').fill('8');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    expect((await apiCall(s.key, 'GET', '/v1/sales/settings')).settings.slaHours).toBe(8);

    // Webhooks: the receiver refused every message (400): dead letters. Fix it and replay one from the dashboard.
    let dead: { id: string; type: string }[] = [];
    for (let i = 0; i < 100; i++) {
      dead = (await apiCall(s.key, 'GET', '/v1/webhooks/deliveries?status=dead')).deliveries;
      if (dead.some((d) => d.type === 'lead.assigned')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const letter = dead.find((d) => d.type === 'lead.assigned')!;
    expect(letter).toBeDefined();
    receiver.on('/crm', () => ({ status: 200, body: 'ok' }));
    await openView(page, 'Webhooks');
    await heading(page, 'Webhooks').waitFor();
    const replay = page.getByRole('button', { name: `Replay ${letter.id}` });
    await replay.waitFor();
    await checkView(page, 'webhooks', () => replay.waitFor());
    await page.getByLabel('Status').selectOption('dead');
    await page.locator('section[aria-labelledby="wh-deliveries"] tbody tr').first().waitFor();
    expect(page.url()).toContain('status=dead');
    await replay.click();
    await page.getByText(`${letter.id} was delivered (HTTP 200).`).waitFor({ timeout: 15_000 });
    const after = await apiCall(s.key, 'GET', `/v1/webhooks/deliveries/${letter.id}`);
    expect(after.delivery).toMatchObject({ status: 'delivered', lastStatus: 200 });
    expect(after.attempts.map((a: { via: string; outcome: string }) => [a.via, a.outcome]).at(-1)).toEqual(['replay', 'delivered']);
    await expect.poll(() => page.getByRole('button', { name: `Replay ${letter.id}` }).count()).toBe(0);
    expect(receiver.arrivals.filter((a) => a.headers['webhook-id'] === letter.id)).toHaveLength(2);
    await checkView(page, 'webhooks-replayed', () => page.getByText(`${letter.id} was delivered (HTTP 200).`).waitFor());
    expect(problems).toEqual([]);
    await context.close();

    // German, and a read-only key: everything shown, nothing to change or replay.
    const ro = await dashboardPage(browser, { locale: 'de-DE' });
    await signIn(ro.page, s.readKey, '#/sales');
    await heading(ro.page, 'Vertrieb').waitFor();
    await ro.page.getByText('Anna Berg').first().waitFor();
    await ro.page.getByRole('heading', { level: 2, name: 'Warten auf Annahme' }).waitFor();
    expect(await ro.page.getByRole('button', { name: /Team bearbeiten|Einstellungen ändern|Verantwortlichen hinzufügen/ }).count()).toBe(0);
    await checkView(ro.page, 'sales-de', () => ro.page.getByText('Anna Berg').first().waitFor());
    await ro.page.goto(`${inject('stack').url}/app#/webhooks`);
    await heading(ro.page, 'Webhooks').waitFor();
    await ro.page.getByText(receiver.url('/crm')).first().waitFor();
    await ro.page.locator('section[aria-labelledby="wh-dead"] tbody tr').first().waitFor();
    expect(await ro.page.getByRole('button', { name: /erneut senden|bearbeiten|löschen|Endpunkt hinzufügen/i }).count()).toBe(0);
    await checkView(ro.page, 'webhooks-de', () => ro.page.locator('section[aria-labelledby="wh-dead"] tbody tr').first().waitFor());
    expect(ro.problems).toEqual([]);
    await ro.context.close();
  }, 120_000);

  it('nurture shows the demo sequence with its steps; magnets the whitepaper and its consent text version; in English and German', async () => {
    const { adminToken, apiKey } = inject('stack');
    for (const locale of ['en-GB', 'de-DE']) {
      const de = locale === 'de-DE';
      const { page, problems, context } = await dashboardPage(browser, { locale });
      await signIn(page, apiKey, '#/nurture');
      await heading(page, de ? 'Nurturing' : 'Nurture').waitFor();
      const seq = page.getByRole('region', { name: /After the whitepaper/ });
      await seq.waitFor();
      const stepRows = seq.locator('tbody tr');
      await expect.poll(() => stepRows.count()).toBe(8);
      for (const id of ['thanks', 'wait-2-days', 'checklist', 'clicked-before', 'case-study', 'demo-offer', 'done']) await seq.getByRole('rowheader', { name: new RegExp(`^${id}`) }).waitFor();
      await seq.getByText(de ? /sendet die E-Mail „thanks“/ : /sends the mail “thanks”/).waitFor();
      await seq.getByText(de ? /Beginnt, wenn/ : /Starts when/).waitFor();
      await checkView(page, de ? 'nurture-de' : 'nurture', () => stepRows.first().waitFor());

      await openView(page, de ? 'Lead-Magnete' : 'Magnets');
      await heading(page, de ? 'Lead-Magnete' : 'Lead magnets').waitFor();
      const card = page.getByRole('region', { name: /Lead Magnets That Respect People/ });
      await card.waitFor();
      await card.getByText(/I agree that Acme Analytics stores the details/).waitFor();
      await expect.poll(() => card.getByText('2026-11-01', { exact: true }).count()).toBeGreaterThanOrEqual(1);
      await checkView(page, de ? 'magnets-de' : 'magnets', () => card.waitFor());
      expect(problems).toEqual([]);
      await context.close();
    }

    // A leads:read key of the demo site sees the texts but no control that changes them.
    const { secret: readKey } = await apiCall(adminToken, 'POST', '/admin/sites/demo/keys', { name: 'e2e ops read', scopes: ['leads:read'] });
    const { page, problems, context } = await dashboardPage(browser);
    await signIn(page, readKey, '#/magnets');
    await page.getByRole('region', { name: /Lead Magnets That Respect People/ }).waitFor();
    expect(await page.getByRole('button', { name: /consent texts/ }).count()).toBe(0);
    await page.getByText(/can read this but not change it/).first().waitFor();
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
