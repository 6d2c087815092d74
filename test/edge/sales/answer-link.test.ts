import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { expectProblem } from '../helpers';
import { HOUR, TEAM, api, salesSite, sqlLead } from '../sales-helpers';
import { SIGNING_KEY, runCron, send } from '../leads-helpers';
import { answerUrl } from '../../../edge/features/sales/answer-link';

/**
 * The owner's one-click answer from the alert mail: opening the link shows
 * the lead and changes nothing (mail scanners open links); the buttons
 * accept or reject; a link of a lead that moved on, a tampered or an
 * expired one answers nothing.
 */

const salesOf = (site: string, id: string) =>
  env.DB.prepare('SELECT sales_status, sales_reason, owner_id FROM leads WHERE site_id = ? AND id = ?').bind(site, id)
    .first<{ sales_status: string; sales_reason: string | null; owner_id: string }>();
const lastHistory = (site: string, id: string) =>
  env.DB.prepare('SELECT to_stage, actor, detail FROM stage_history WHERE site_id = ? AND lead_id = ? ORDER BY seq DESC LIMIT 1').bind(site, id)
    .first<{ to_stage: string; actor: string; detail: string | null }>();

/** The answer link of the newest alert mail about `lead` to `owner`. */
async function answerLink(lead: string, owner: string): Promise<URL> {
  const mail = await env.DB.prepare('SELECT text_body, html_body FROM dev_mailbox WHERE to_addr = ? AND instr(text_body, ?) > 0 ORDER BY created_at DESC LIMIT 1')
    .bind(owner, lead).first<{ text_body: string; html_body: string }>();
  expect(mail, `an alert to ${owner}`).not.toBeNull();
  const href = /(?:Accept or reject|Annehmen oder ablehnen): (\S+)/.exec(mail!.text_body)?.[1];
  expect(href).toBeDefined();
  expect(mail!.html_body).toContain(href!.replace(/&/g, '&amp;'));
  return new URL(href!);
}

const open = (url: URL, accept = 'text/html') => send(`${url.pathname}${url.search}`, { headers: { accept } });
const answer = (url: URL, fields: Record<string, string>) =>
  send(url.pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams({ ...Object.fromEntries(url.searchParams), ...fields }).toString(),
  });

afterEach(async () => {
  await env.DB.prepare("UPDATE webhook_messages SET status = 'cancelled' WHERE status = 'pending'").run();
});

describe('the answer link in the owner\'s alert mail', () => {
  it('opening it shows the lead, its score and why, and two buttons, and changes nothing; accepting is the owner\'s own answer', async () => {
    const { site } = await salesSite([TEAM[0]]);
    const id = await sqlLead(site, { email: 'petra.klein@acme-gmbh.example' });
    await runCron(Date.now());
    const link = await answerLink(id, 'anna@sales.example');
    expect(link.pathname).toBe('/v1/sales/answer');

    for (let i = 0; i < 3; i++) {
      const page = await open(link);
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-store');
      const html = await page.text();
      expect(html).toContain('<html lang="de">');
      expect(html).toContain('Acme GmbH &lt;petra.klein@acme-gmbh.example&gt;');
      expect(html).toContain('+50  DACH');
      expect(html).toContain('Lead annehmen');
      expect(html).toMatch(/<option value="no_budget">Kein Budget<\/option>/);
    }
    expect(await salesOf(site, id)).toMatchObject({ sales_status: 'open', owner_id: 'anna' });

    const done = await answer(link, { answer: 'accepted' });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Lead angenommen');
    expect(await salesOf(site, id)).toMatchObject({ sales_status: 'accepted', owner_id: 'anna' });
    expect(await lastHistory(site, id)).toMatchObject({ to_stage: 'accepted', actor: 'owner:anna' });
    // The deadline no longer applies: a cron a day later passes nothing on.
    await runCron(Date.now() + 25 * HOUR);
    expect(await salesOf(site, id)).toMatchObject({ sales_status: 'accepted', owner_id: 'anna' });
    // Opened again, the page says where the lead stands and offers nothing more.
    const again = await (await open(link)).text();
    expect(again).toContain('Dieser Lead ist angenommen.');
    expect(again).not.toContain('<form');
  });

  it('rejecting takes a reason from the site\'s list; an unknown reason is refused and changes nothing', async () => {
    const { site } = await salesSite([TEAM[1]]);
    const id = await sqlLead(site);
    await runCron(Date.now());
    const link = await answerLink(id, 'ben@sales.example');
    const bad = await answer(link, { answer: 'rejected', reason: 'moon_phase' });
    expect(bad.status).toBe(400);
    expect(await salesOf(site, id)).toMatchObject({ sales_status: 'open' });
    const res = await answer(link, { answer: 'rejected', reason: 'competitor' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Lead rejected');
    expect(await salesOf(site, id)).toMatchObject({ sales_status: 'rejected', sales_reason: 'competitor' });
  });

  it('a tampered, incomplete or expired link, or one of a lead passed on, answers nothing', async () => {
    const { site } = await salesSite([TEAM[0], TEAM[1]]);
    const id = await sqlLead(site);
    await runCron(Date.now());
    const owner = (await salesOf(site, id))!.owner_id;
    const mine = TEAM.find((t) => t.id === owner)!;
    const link = await answerLink(id, mine.email);

    const tampered = new URL(link);
    tampered.searchParams.set('l', `${id}x`);
    expect((await open(tampered)).status).toBe(403);
    expect((await answer(tampered, { answer: 'accepted' })).status).toBe(403);
    const forged = new URL(link);
    forged.searchParams.set('e', String(Number(link.searchParams.get('e')) + 86_400));
    expect((await open(forged)).status).toBe(403);
    const cut = new URL(link);
    cut.searchParams.delete('sig');
    expect((await open(cut)).status).toBe(400);
    await expectProblem(await open(tampered, 'application/json'), 403, PROBLEM_TYPES.forbidden);
    // A genuine link of an assignment made 15 days ago has expired (14 days), whatever the lead's state.
    const old = new URL(await answerUrl(SIGNING_KEY, 'http://edge.test', { site, lead: id, owner, assignedAt: Date.now() - 15 * 86_400_000 }));
    expect((await open(old)).status).toBe(410);
    expect(await (await open(old)).text()).toMatch(/expired|abgelaufen/);
    expect((await answer(old, { answer: 'accepted' })).status).toBe(410);
    expect(await salesOf(site, id)).toMatchObject({ sales_status: 'open', owner_id: owner });

    // Past its deadline the lead goes to the other owner; the first link is void.
    await runCron(Date.now() + 25 * HOUR);
    const moved = (await salesOf(site, id))!;
    expect(moved.owner_id).not.toBe(owner);
    const passed = await open(link);
    expect(passed.status).toBe(409);
    expect(await passed.text()).toMatch(mine.lang === 'de' ? /nicht mehr Ihrer/ : /no longer yours/);
    expect((await answer(link, { answer: 'accepted' })).status).toBe(409);
    expect(await salesOf(site, id)).toMatchObject({ sales_status: 'open', owner_id: moved.owner_id });
  });

  it('a withdrawn lead\'s link shows that it is gone', async () => {
    const { site, key } = await salesSite([TEAM[2]]);
    const id = await sqlLead(site);
    await runCron(Date.now());
    const link = await answerLink(id, 'cem@sales.example');
    expect((await api(key, 'POST', `/v1/leads/${id}/withdraw`)).status).toBe(200);
    const res = await open(link);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('no longer available');
  });
});
