import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { expectProblem } from '../helpers';
import { decayFactor } from '../../../edge/core/scoring';
import { coolingCandidates, sendStatements } from '../../../edge/features/nurture/enrollments-store';
import { runCron, send } from '../leads-helpers';
import { api } from '../sales-helpers';
import { storedScore } from '../scoring-helpers';
import {
  DAY, HOUR, clickLink, confirmedLead, count, enrollment, nurtureMails, nurtureSite, putSequence, subjects, threeMails, unsubscribeLink,
} from '../nurture-helpers';

/**
 * Nurture sequences end to end in workerd with the real local D1: leads
 * confirmed through the form, the cron run "at" later times, mails read
 * from the dev outbox, clicks and unsubscribes through their links.
 */

/** A model where a click on a nurture mail is worth 50 behaviour points and 45 make an SQL. */
const CLICK_MODEL = {
  halfLifeDays: 30,
  stageCooldownDays: 0,
  thresholds: { mql: 20, sql: 45 },
  temperature: { warm: 10, hot: 40 },
  fit: [],
  engagement: [{ id: 'mail-click', label: 'Clicked a nurture mail', kinds: ['mail_click'], points: 50 }],
};

describe('a sequence after the whitepaper', () => {
  it('mails step 1 at once, step 2 after the wait, and lets the lead go when it becomes SQL', async () => {
    const { site, magnet, key } = await nurtureSite();
    expect((await api(key, 'PUT', '/v1/scoring-model', CLICK_MODEL)).status).toBe(200);
    await putSequence(key, 'after-whitepaper', threeMails());
    const lead = await confirmedLead(site, magnet, { marketing: true, firstName: 'Jane' });
    const t0 = Date.now();

    await runCron(t0);
    const [first] = await nurtureMails(lead.email);
    expect(first!.subject).toBe('Welcome, Jane');
    expect(first!.text_body).toContain('The 2026 B2B lead report');
    const headers = JSON.parse(first!.headers) as Record<string, string>;
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(headers['List-Unsubscribe']).toMatch(/^<http:\/\/edge\.test\/v1\/optin\/unsubscribe\?/);
    expect(first!.text_body).toContain(unsubscribeLink(first!.text_body).href);
    // The link in the body goes through the edge, not straight to the target.
    expect(first!.html_body).not.toContain('href="https://www.example.com/checklist"');

    await runCron(t0 + DAY);
    await runCron(t0 + DAY + HOUR);
    expect(await subjects(lead.email)).toEqual(['Welcome, Jane']);
    await runCron(t0 + 2 * DAY + HOUR);
    expect(await subjects(lead.email)).toEqual(['Welcome, Jane', 'How Acme doubled its pipeline']);
    expect((await enrollment(site, lead.id, 'after-whitepaper'))!).toMatchObject({ state: 'active', step_id: 'wait-2' });

    // A click on mail 2 is worth 50 points: the lead is SQL, handed to sales, and leaves the sequence before mail 3.
    const [, second] = await nurtureMails(lead.email);
    const click = await send(`${clickLink(second!.text_body).pathname}${clickLink(second!.text_body).search}`, { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe('https://www.example.com/case');
    expect((await storedScore(site, lead.id))!.stage).toBe('sql');

    await runCron(t0 + 5 * DAY);
    expect(await subjects(lead.email)).toEqual(['Welcome, Jane', 'How Acme doubled its pipeline']);
    expect((await enrollment(site, lead.id, 'after-whitepaper'))!).toMatchObject({ state: 'exited', exit_reason: 'handoff' });

    const stats = await (await api(key, 'GET', '/v1/sequences/after-whitepaper/stats')).json() as Record<string, unknown> & { steps: { id: string; sent: number; clicked: number }[] };
    expect(stats).toMatchObject({ entered: 1, leads: 1, active: 0, exited: { handoff: 1 }, reached: { sql: 1 } });
    expect(stats.steps.map((s) => [s.id, s.sent, s.clicked])).toEqual([
      ['welcome', 1, 0], ['wait-1', 0, 0], ['case-study', 1, 1], ['wait-2', 0, 0], ['offer', 0, 0],
    ]);
  });

  it('mails nothing to a lead that confirmed without marketing consent', async () => {
    const { site, magnet, key } = await nurtureSite();
    await putSequence(key, 'after-whitepaper', threeMails());
    const lead = await confirmedLead(site, magnet, { marketing: false });
    const t0 = Date.now();
    for (const at of [t0, t0 + 3 * DAY, t0 + 6 * DAY]) await runCron(at);
    expect(await nurtureMails(lead.email)).toEqual([]);
    expect(await count('SELECT COUNT(*) AS n FROM nurture_enrollments WHERE site_id = ?', site)).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM mail_outbox WHERE site_id = ? AND kind = 'nurture'", site)).toBe(0);
  });

  it('writes in the lead\'s language, with the other language as fallback', async () => {
    const { site, magnet, key } = await nurtureSite();
    await putSequence(key, 'after-whitepaper', threeMails());
    const lead = await confirmedLead(site, magnet, { marketing: true, lang: 'de', firstName: 'Jörg' });
    const t0 = Date.now();
    await runCron(t0);
    await runCron(t0 + 2 * DAY + HOUR);
    const [first, second] = await nurtureMails(lead.email);
    expect(first!.subject).toBe('Willkommen, Jörg');
    expect(first!.text_body).toContain('Abmelden');
    expect(first!.html_body).toContain('<html lang="de"');
    // The case study exists in English only; its unsubscribe page is in German all the same.
    expect(second!.subject).toBe('How Acme doubled its pipeline');
    expect(second!.text_body).toContain('Unsubscribe');
    const page = await send(`${unsubscribeLink(second!.text_body).pathname}${unsubscribeLink(second!.text_body).search}`);
    expect(await page.text()).toContain('lang="de"');
  });
});

describe('unsubscribing', () => {
  it('by one-click POST stops every sequence at once, is in the ledger, and is confirmed on a page in the lead\'s language', async () => {
    const { site, magnet, key } = await nurtureSite({ minGapHours: 1 });
    await putSequence(key, 'after-whitepaper', threeMails());
    await putSequence(key, 'webinars', threeMails({ name: 'Webinars', steps: [{ id: 'w0', type: 'wait', hours: 2 }, { id: 'invite', type: 'send', template: 'welcome' }], templates: { welcome: threeMails().templates.welcome } }));
    const lead = await confirmedLead(site, magnet, { marketing: true, lang: 'de' });
    const t0 = Date.now();
    await runCron(t0);
    const [first] = await nurtureMails(lead.email);
    const link = unsubscribeLink(first!.text_body);
    expect(await count("SELECT COUNT(*) AS n FROM nurture_enrollments WHERE site_id = ? AND state = 'active'", site)).toBe(2);

    // Opening the link changes nothing (mail scanners open links); it shows a button.
    const page = await send(`${link.pathname}${link.search}`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Abmelden');
    expect((await env.DB.prepare('SELECT marketing FROM leads WHERE id = ?').bind(lead.id).first<{ marketing: number }>())!.marketing).toBe(1);

    const oneClick = await send(`${link.pathname}${link.search}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.json()).toEqual({ status: 'unsubscribed' });
    expect((await env.DB.prepare('SELECT marketing, status FROM leads WHERE id = ?').bind(lead.id).first())!).toEqual({ marketing: 0, status: 'confirmed' });
    expect(await count("SELECT COUNT(*) AS n FROM consent_ledger WHERE lead_id = ? AND action = 'withdrawn' AND purpose = 'marketing'", lead.id)).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM nurture_enrollments WHERE site_id = ? AND state = 'exited' AND exit_reason = 'unsubscribed'", site)).toBe(2);

    // Again: nothing more recorded; the page says it is done, in German.
    const again = await send(`${link.pathname}${link.search}`, { method: 'POST', headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('Sie sind abgemeldet');
    expect(await count("SELECT COUNT(*) AS n FROM consent_ledger WHERE lead_id = ? AND action = 'withdrawn'", lead.id)).toBe(1);

    for (const at of [t0 + 3 * HOUR, t0 + 3 * DAY, t0 + 6 * DAY]) await runCron(at);
    expect(await subjects(lead.email)).toEqual(['Willkommen, Jane']);
    const stats = await (await api(key, 'GET', '/v1/sequences/after-whitepaper/stats')).json() as { exited: Record<string, number>; steps: { id: string; unsubscribed: number }[] };
    expect(stats.exited).toEqual({ unsubscribed: 1 });
    expect(stats.steps.find((s) => s.id === 'wait-1')!.unsubscribed).toBe(1);
  });

  it('refuses a link whose signature does not match, and changes nothing', async () => {
    const { site, magnet, key } = await nurtureSite();
    await putSequence(key, 'after-whitepaper', threeMails());
    const lead = await confirmedLead(site, magnet, { marketing: true });
    await runCron(Date.now());
    const link = unsubscribeLink((await nurtureMails(lead.email))[0]!.text_body);
    link.searchParams.set('sig', link.searchParams.get('sig')!.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A')));
    await expectProblem(await send(`${link.pathname}${link.search}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' }), 403, PROBLEM_TYPES.forbidden);
    // The withdraw link's signature is not an unsubscribe signature either.
    expect((await env.DB.prepare('SELECT marketing FROM leads WHERE id = ?').bind(lead.id).first<{ marketing: number }>())!.marketing).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM nurture_enrollments WHERE site_id = ? AND state = 'active'", site)).toBe(1);
  });

  it('withdrawing all consent also ends every sequence', async () => {
    const { site, magnet, key } = await nurtureSite();
    await putSequence(key, 'after-whitepaper', threeMails());
    const lead = await confirmedLead(site, magnet, { marketing: true });
    await runCron(Date.now());
    const withdraw = /https?:\/\/\S+\/v1\/optin\/withdraw\?\S+/.exec((await nurtureMails(lead.email)).length ? (await env.DB.prepare("SELECT text_body FROM dev_mailbox WHERE lower(to_addr) = lower(?) AND subject LIKE 'Confirm%'").bind(lead.email).first<{ text_body: string }>())!.text_body : '')!;
    const url = new URL(withdraw[0]);
    expect((await send(`${url.pathname}${url.search}`, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: '' })).status).toBe(200);
    expect((await enrollment(site, lead.id, 'after-whitepaper'))!).toMatchObject({ state: 'exited', exit_reason: 'withdrawn' });
    await runCron(Date.now() + 3 * DAY);
    expect(await nurtureMails(lead.email)).toHaveLength(1);
  });
});

describe('clicks', () => {
  it('count once per link and mail, raise the score through an engagement rule, and tampered or expired links redirect without counting', async () => {
    const { site, magnet, key } = await nurtureSite();
    expect((await api(key, 'PUT', '/v1/scoring-model', { ...CLICK_MODEL, thresholds: { mql: 500, sql: 1000 } })).status).toBe(200);
    await putSequence(key, 'after-whitepaper', threeMails());
    const lead = await confirmedLead(site, magnet, { marketing: true });
    await runCron(Date.now());
    const link = clickLink((await nurtureMails(lead.email))[0]!.text_body);
    const before = (await storedScore(site, lead.id))!.e_norm;
    const clicks = () => count("SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND lead_id = ? AND kind = 'mail_click'", site, lead.id);
    const open = (u: URL, headers: Record<string, string> = {}) => send(`${u.pathname}${u.search}`, { redirect: 'manual', headers });

    // Tampered click signature: redirected, not counted.
    const tampered = new URL(link);
    tampered.searchParams.set('s', `${tampered.searchParams.get('s')!.slice(0, -2)}AA`);
    expect((await open(tampered)).headers.get('location')).toBe('https://www.example.com/checklist');
    // Expired (a past expiry; its signature then no longer matches either): redirected, not counted.
    const expired = new URL(link);
    expired.searchParams.set('e', '1000');
    expect((await open(expired)).status).toBe(302);
    expect(await clicks()).toBe(0);

    const res = await open(link);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://www.example.com/checklist');
    expect(await clicks()).toBe(1);
    expect((await open(link)).status).toBe(302);
    expect(await clicks()).toBe(1);
    const event = await env.DB.prepare("SELECT props, target FROM events WHERE lead_id = ? AND kind = 'mail_click'").bind(lead.id).first<{ props: string; target: string }>();
    expect(JSON.parse(event!.props)).toEqual({ sequence: 'after-whitepaper', step: 'welcome', link: '0' });
    expect(event!.target).toBe('https://www.example.com/checklist');
    expect((await storedScore(site, lead.id))!.e_norm).toBeGreaterThan(before);
    const explained = await (await api(key, 'GET', `/v1/leads/${lead.id}/score`)).json() as { explanation: { lines: { id: string; points: number }[] } };
    expect(explained.explanation.lines.find((l) => l.id === 'mail-click')?.points).toBeCloseTo(50, 3);

    // A changed target is refused: no open redirect.
    const evil = new URL(link);
    evil.searchParams.set('u', 'https://evil.example/phish');
    const refused = await open(evil, { accept: 'text/html' });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('location')).toBeNull();
    expect(await refused.text()).toContain('This link does not work');
  });
});

describe('delivery', () => {
  it('a link in capitals or as long as a template allows is redirected and counted like any other', async () => {
    const { site, magnet, key } = await nurtureSite();
    const long = `https://www.example.com/${'p'.repeat(2048 - 'https://www.example.com/'.length)}`;
    const doc = threeMails();
    await putSequence(key, 'after-whitepaper', { ...doc, templates: { ...doc.templates, welcome: { en: { subject: 'Links', body: `[Upper](HTTPS://WWW.EXAMPLE.COM/Upper) and [long](${long})` } } } });
    const lead = await confirmedLead(site, magnet, { marketing: true });
    await runCron(Date.now());
    const text = (await nurtureMails(lead.email))[0]!.text_body;
    const links = [...text.matchAll(/https?:\/\/[^\s)]+\/v1\/m\/c\?[^\s)]+/g)].map((m) => new URL(m[0]));
    expect(links).toHaveLength(2);
    const targets = [];
    for (const u of links) {
      const res = await send(`${u.pathname}${u.search}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      targets.push(res.headers.get('location'));
    }
    expect(targets).toEqual(['HTTPS://WWW.EXAMPLE.COM/Upper', long]);
    expect(await count("SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND lead_id = ? AND kind = 'mail_click'", site, lead.id)).toBe(2);
  });

  it('a wait changed while leads rest at it counts anew from when they reached it, shorter or longer', async () => {
    const { site, magnet, key } = await nurtureSite();
    const doc = threeMails();
    const withWaits = (w1: number, w2: number) => ({ ...doc, steps: doc.steps.map((s) => (s.id === 'wait-1' ? { ...s, days: w1 } : s.id === 'wait-2' ? { ...s, days: w2 } : s)) });
    await putSequence(key, 'after-whitepaper', withWaits(7, 2));
    const lead = await confirmedLead(site, magnet, { marketing: true });
    const t0 = Date.now();
    await runCron(t0);
    expect((await enrollment(site, lead.id, 'after-whitepaper'))!.due_at).toBeGreaterThanOrEqual(t0 + 7 * DAY - HOUR);
    // Shortened to two days: due two days after the welcome mail, not seven.
    await putSequence(key, 'after-whitepaper', withWaits(2, 2), 200);
    await runCron(t0 + 2 * DAY + HOUR);
    expect(await subjects(lead.email)).toEqual(['Welcome, Jane', 'How Acme doubled its pipeline']);
    // Lengthened to five days while the lead rests at wait-2: not after two days, after five.
    await putSequence(key, 'after-whitepaper', withWaits(2, 5), 200);
    await runCron(t0 + 4 * DAY + 2 * HOUR);
    expect(await subjects(lead.email)).toHaveLength(2);
    expect(await enrollment(site, lead.id, 'after-whitepaper')).toMatchObject({ state: 'active', step_id: 'wait-2' });
    await runCron(t0 + 7 * DAY + 2 * HOUR);
    expect(await subjects(lead.email)).toEqual(['Welcome, Jane', 'How Acme doubled its pipeline', 'Talk to us']);
  }, 30_000);

  it('two overlapping cron runs send each mail once', async () => {
    const { site, magnet, key } = await nurtureSite();
    await putSequence(key, 'after-whitepaper', threeMails());
    const leads = [];
    for (let i = 0; i < 3; i++) leads.push(await confirmedLead(site, magnet, { marketing: true }));
    const t0 = Date.now();
    await Promise.all([runCron(t0), runCron(t0)]);
    await Promise.all([runCron(t0 + 2 * DAY + HOUR), runCron(t0 + 2 * DAY + HOUR)]);
    for (const l of leads) expect(await subjects(l.email)).toEqual(['Welcome, Jane', 'How Acme doubled its pipeline']);
    expect(await count("SELECT COUNT(*) AS n FROM mail_outbox WHERE site_id = ? AND kind = 'nurture'", site)).toBe(6);
  });

  it('the frequency cap holds across two sequences', async () => {
    const { site, magnet, key } = await nurtureSite({ minGapHours: 72 });
    await putSequence(key, 'a', threeMails({ name: 'A' }));
    await putSequence(key, 'b', threeMails({ name: 'B', steps: [{ id: 'hello', type: 'send', template: 'welcome' }], templates: { welcome: { en: { subject: 'From B', body: 'Hello' } } } }));
    const lead = await confirmedLead(site, magnet, { marketing: true });
    const t0 = Date.now();
    await runCron(t0);
    expect(await nurtureMails(lead.email)).toHaveLength(1);
    const firstSubject = (await subjects(lead.email))[0];
    await runCron(t0 + 2 * DAY + HOUR);
    expect(await nurtureMails(lead.email)).toHaveLength(1);
    await runCron(t0 + 3 * DAY + HOUR);
    expect(await nurtureMails(lead.email)).toHaveLength(2);
    // Both sequences walk on, one mail at a time: A's three and B's one within four gaps of 72 hours, never closer.
    for (let d = 4; d <= 13; d++) await runCron(t0 + d * DAY + 2 * HOUR);
    const all = await subjects(lead.email);
    expect([...all].sort()).toEqual(['From B', 'How Acme doubled its pipeline', 'Talk to us', 'Welcome, Jane']);
    expect(all[0]).toBe(firstSubject);
    const sent = (await env.DB.prepare("SELECT sent_at FROM mail_outbox WHERE site_id = ? AND kind = 'nurture' AND status = 'sent' ORDER BY sent_at").bind(site).all<{ sent_at: number }>()).results;
    expect(sent).toHaveLength(4);
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.sent_at - sent[i - 1]!.sent_at).toBeGreaterThanOrEqual(72 * HOUR);
  }, 30_000);

  it('the send rate holds over the cron interval, also for two runs at once, and the rest goes in the next window', async () => {
    // One mail a minute: at most five within any five minutes (the cron's interval).
    const { site, magnet, key } = await nurtureSite({ minGapHours: 24, sendsPerMinute: 1 });
    await putSequence(key, 'after-whitepaper', threeMails());
    for (let i = 0; i < 7; i++) await confirmedLead(site, magnet, { marketing: true });
    const queued = () => count("SELECT COUNT(*) AS n FROM mail_outbox WHERE site_id = ? AND kind = 'nurture'", site);
    const t0 = Date.now();
    await Promise.all([runCron(t0), runCron(t0)]);
    expect(await queued()).toBe(5);
    // A run a minute later finds the window full.
    await runCron(t0 + 61_000);
    expect(await queued()).toBe(5);
    await runCron(t0 + 5 * 60_000);
    expect(await queued()).toBe(7);
    expect(await count("SELECT COUNT(*) AS n FROM mail_outbox WHERE site_id = ? AND kind = 'nurture' AND status = 'sent'", site)).toBe(7);
  }, 30_000);
  it('a send claims the site’s rate in its own statement: of two planned sends over the limit, one batch queues only one', async () => {
    // Two runs that read different due enrolments at once both think one mail is left: the statement decides.
    const { site, magnet } = await nurtureSite({ minGapHours: 24, sendsPerMinute: 1 });
    const leads = [await confirmedLead(site, magnet, { marketing: true }), await confirmedLead(site, magnet, { marketing: true })];
    const now = Date.now();
    const rate = { since: now - 5 * 60_000, limit: 1 };
    const statements = leads.flatMap((lead, i) => {
      const e = { id: `ne_rate_${i}_${now}`, rev: 'r1' };
      return [
        env.DB.prepare(`INSERT INTO nurture_enrollments (id, site_id, sequence_id, lead_id, entry, state, step_id, step_at, due_at, rev, entered_at)
                        VALUES (?, ?, 'rate', ?, 1, 'active', 'welcome', ?, ?, 'r1', ?)`).bind(e.id, site, lead.id, now, now, now),
        ...sendStatements(env.DB, e, {
          outboxId: `mn_rate_${i}_${now}`, siteId: site, leadId: lead.id, sequenceId: 'rate', version: 1, step: 'welcome', lang: 'en',
          linkBase: 'http://localhost', minGapMs: 24 * HOUR, rate, now,
        }, { kind: 'completed', step: 'welcome' }),
      ];
    });
    await env.DB.batch(statements);
    expect(await count("SELECT COUNT(*) AS n FROM mail_outbox WHERE site_id = ? AND kind = 'nurture'", site)).toBe(1);
    // The one left out is untouched: still active at its step, its lead's cap not claimed.
    expect(await count("SELECT COUNT(*) AS n FROM nurture_enrollments WHERE site_id = ? AND state = 'active' AND rev = 'r1'", site)).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM leads WHERE site_id = ? AND last_nurture_at IS NOT NULL', site)).toBe(1);
  });
  it('the cold trigger enters a lead when its decayed engagement drops below warm, not while it is warm', async () => {
    // 20 points for confirming, a 7-day half-life, warm from 10: warm for a week, cold after.
    const { site, magnet, key } = await nurtureSite();
    const model = { halfLifeDays: 7, stageCooldownDays: 0, thresholds: { mql: 200, sql: 400 }, temperature: { warm: 10, hot: 40 }, fit: [],
      engagement: [{ id: 'confirmed', label: 'Confirmed an opt-in', kinds: ['optin_confirmed'], points: 20 }] };
    expect((await api(key, 'PUT', '/v1/scoring-model', model)).status).toBe(200);
    await putSequence(key, 'win-back', threeMails({ name: 'Win back', trigger: { on: 'cold' } }));
    const lead = await confirmedLead(site, magnet, { marketing: true });
    const t0 = Date.now();
    await runCron(t0);
    await runCron(t0 + 6 * DAY);
    expect(await enrollment(site, lead.id, 'win-back')).toBeNull();
    await runCron(t0 + 8 * DAY);
    expect(await enrollment(site, lead.id, 'win-back')).toMatchObject({ state: 'active', step_id: 'wait-1', entry: 1 });
    expect(await subjects(lead.email)).toEqual(['Welcome, Jane']);
    // Cold stays cold: later runs do not enter it again.
    await runCron(t0 + 9 * DAY);
    expect(await count('SELECT COUNT(*) AS n FROM nurture_enrollments WHERE site_id = ? AND lead_id = ?', site, lead.id)).toBe(1);
  }, 30_000);

  it('cooling candidates are the leads warm at the start and cold at the end, by either temperature basis', async () => {
    const site = `cooling-${Date.now()}`;
    const H = 7;
    const from = Date.now();
    const to = from + DAY;
    const [dFrom, dTo] = [decayFactor(from, H), decayFactor(to, H)];
    // Engagement now (at `from`) of each lead, and its fit.
    const leads = { crosses: [10.5, 0], staysWarm: [30, 0], staysCold: [9, 0], wasCold: [5, 0], fitCrosses: [4, 8.1], fitCrosses2: [4, 8.2], fitHolds: [4, 20] };
    await env.DB.batch(Object.entries(leads).map(([id, [engagement, fit]]) =>
      env.DB.prepare(`INSERT INTO lead_scores (site_id, lead_id, model_version, fit, fit_rules, e_norm, last_seq, state, stage, stage_state, rev, updated_at)
                      VALUES (?, ?, 1, ?, '[]', ?, 0, '{}', 'confirmed', '{}', 'r', ?)`).bind(site, id, fit, engagement! / dFrom, from)));
    const q = { siteId: site, warm: 10, dFrom, dTo, afterLead: '', limit: 10 };
    expect(await coolingCandidates(env.DB, { ...q, basis: 'engagement' })).toEqual(['crosses']);
    // By score, warm from 12: fit 8.1 + 4 is warm at the start, 8.1 + 3.6 cold a day later; 10.5 without fit was never warm.
    expect(await coolingCandidates(env.DB, { ...q, basis: 'score', warm: 12 })).toEqual(['fitCrosses', 'fitCrosses2']);
    // Paged by lead id.
    expect(await coolingCandidates(env.DB, { ...q, basis: 'score', warm: 12, limit: 1 })).toEqual(['fitCrosses']);
    expect(await coolingCandidates(env.DB, { ...q, basis: 'score', warm: 12, afterLead: 'fitCrosses' })).toEqual(['fitCrosses2']);
  });
});

describe('the hand-off exit', () => {
  it('a lead that reached the hand-off stage after it entered leaves, even when its score has cooled down since; one that was there before stays', async () => {
    const { site, magnet, key } = await nurtureSite();
    await putSequence(key, 'after-whitepaper', threeMails());
    const [before, after] = [await confirmedLead(site, magnet, { marketing: true }), await confirmedLead(site, magnet, { marketing: true })];
    const t0 = Date.now();
    await runCron(t0);
    const entered = (await enrollment(site, after.id, 'after-whitepaper'))!;
    // Stage history only: both leads' current stage is back at confirmed.
    const sql = (lead: string, at: number) => env.DB.prepare(`INSERT INTO stage_history (site_id, lead_id, from_stage, to_stage, direction, at, score, fit, engagement, model_version)
                                                              VALUES (?, ?, 'mql', 'sql', 'up', ?, 0, 0, 0, 1)`).bind(site, lead, at);
    await env.DB.batch([sql(before.id, entered.entered_at - DAY), sql(after.id, t0 + HOUR)]);
    await runCron(t0 + 2 * DAY + HOUR);
    expect(await enrollment(site, after.id, 'after-whitepaper')).toMatchObject({ state: 'exited', exit_reason: 'handoff' });
    expect(await enrollment(site, before.id, 'after-whitepaper')).toMatchObject({ state: 'active', step_id: 'wait-2' });
    expect(await subjects(after.email)).toEqual(['Welcome, Jane']);
  }, 30_000);
});

describe('delivery of nurture mails', () => {
  /** A stand-in send_email binding that fails while `failing` is true and records what it sent. */
  function binding() {
    const state = { failing: true, sent: [] as { to: string; text: string }[] };
    const EMAIL = {
      async send(m: { to: string; text: string }) {
        if (state.failing) throw new Error('provider down');
        state.sent.push({ to: m.to, text: m.text });
        return { messageId: `msg-${state.sent.length}` };
      },
    } as unknown as SendEmail;
    return { state, env: { MAIL_MODE: 'cloudflare', EMAIL } };
  }
  const rows = (site: string) => env.DB.prepare("SELECT lead_id, status, attempts, last_error, provider_id FROM mail_outbox WHERE site_id = ? AND kind = 'nurture'")
    .bind(site).all<{ lead_id: string; status: string; attempts: number; last_error: string | null; provider_id: string | null }>().then((r) => r.results);

  it('a failed send is retried with backoff and then sent once to each lead, more leads than are sent at a time', async () => {
    const fake = binding();
    const { site, magnet, key } = await nurtureSite();
    await putSequence(key, 'after-whitepaper', threeMails());
    const leads = [];
    for (let i = 0; i < 8; i++) leads.push(await confirmedLead(site, magnet, { marketing: true }));
    const t0 = Date.now();
    await runCron(t0, fake.env);
    expect(await rows(site)).toHaveLength(8);
    for (const r of await rows(site)) expect(r).toMatchObject({ status: 'pending', attempts: 1, last_error: expect.stringContaining('provider down') });
    expect(fake.state.sent).toHaveLength(0);
    fake.state.failing = false;
    await runCron(t0 + 2 * 60_000, fake.env);
    await runCron(t0 + 10 * 60_000, fake.env);
    expect(fake.state.sent.map((m) => m.to).sort()).toEqual(leads.map((l) => l.email.toLowerCase()).sort());
    for (const r of await rows(site)) expect(r).toMatchObject({ status: 'sent', attempts: 2, provider_id: expect.stringMatching(/^msg-/) });
    // Each mail links to its own lead's unsubscribe page.
    expect(new Set(fake.state.sent.map((m) => unsubscribeLink(m.text).href)).size).toBe(8);
  }, 30_000);

  it('consent is checked again right before a mail goes out: one planned for a lead who lost it since is cancelled', async () => {
    const fake = binding();
    const { site, magnet, key } = await nurtureSite();
    await putSequence(key, 'after-whitepaper', threeMails());
    const [a, b, c] = [await confirmedLead(site, magnet, { marketing: true }), await confirmedLead(site, magnet, { marketing: true }), await confirmedLead(site, magnet, { marketing: true })];
    const t0 = Date.now();
    await runCron(t0, fake.env);
    // Changed behind the planner's back (not through the unsubscribe or bounce routes, which cancel the mail themselves).
    await env.DB.batch([
      env.DB.prepare('UPDATE leads SET marketing = 0 WHERE site_id = ? AND id = ?').bind(site, a!.id),
      env.DB.prepare("UPDATE leads SET mail_suppressed = 'bounce' WHERE site_id = ? AND id = ?").bind(site, b!.id),
    ]);
    fake.state.failing = false;
    await runCron(t0 + 2 * 60_000, fake.env);
    expect(fake.state.sent.map((m) => m.to)).toEqual([c!.email.toLowerCase()]);
    const byLead = new Map((await rows(site)).map((r) => [r.lead_id, r.status]));
    expect([byLead.get(a!.id), byLead.get(b!.id), byLead.get(c!.id)]).toEqual(['cancelled', 'cancelled', 'sent']);
  }, 30_000);
});
