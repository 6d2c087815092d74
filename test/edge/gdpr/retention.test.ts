import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { eraseLead } from '../../../edge/features/gdpr/erasure-store';
import { erasedLeadRef, ledgerPseudonym } from '../../../edge/core/erasure-hash';
import { RETENTION_BATCH } from '../../../edge/features/gdpr/retention';
import { adminCall, collect, eventId, expectProblem } from '../helpers';
import { SIGNING_KEY, mailsTo, runCron, setupMagnet } from '../leads-helpers';
import { api, count, ev, realLead, scanAll } from '../gdpr-helpers';

const db = () => env.DB;
const DAY = 86_400_000;

const monthsAgo = (n: number, from = Date.now()) => {
  const d = new Date(from);
  d.setUTCMonth(d.getUTCMonth() - n);
  return d.getTime();
};

const lastRun = async (site: string) =>
  (await db().prepare('SELECT last_run_at FROM site_retention WHERE site_id = ?').bind(site).first<{ last_run_at: number | null }>())?.last_run_at ?? null;

/**
 * Fires the real scheduled handler (edge/index.ts) until a run has processed
 * `site` (each run takes a bounded share of sites, least recently processed
 * first), and stops right after that run.
 */
async function cronUntilProcessed(site: string, at = Date.now()): Promise<number> {
  for (let i = 0; i < 40; i++) {
    const t = at + i;
    await runCron(t);
    if ((await lastRun(site)) === t) return t;
  }
  throw new Error(`retention never reached site ${site}`);
}

const leadExists = async (site: string, lead: string) => (await count('SELECT COUNT(*) AS n FROM leads WHERE site_id = ? AND id = ?', site, lead)) === 1;

describe('retention cron (scheduled handler)', () => {
  it('erases pending leads after 30 days and withdrawn leads 30 days after withdrawal; confirmed and recent leads stay', async () => {
    const s = await setupMagnet();
    const oldPending = await realLead({ site: s, confirm: false });
    const newPending = await realLead({ site: s, confirm: false });
    const oldConfirmed = await realLead({ site: s, download: false });
    const oldWithdrawn = await realLead({ site: s, download: false });
    expect((await api(oldWithdrawn.key, 'POST', `/v1/leads/${oldWithdrawn.leadId}/withdraw`)).status).toBe(200);
    const now = Date.now();
    const age = (lead: string, ms: number) =>
      db().prepare('UPDATE leads SET created_at = ?1, updated_at = ?1, withdrawn_at = CASE WHEN withdrawn_at IS NULL THEN NULL ELSE ?1 END WHERE site_id = ?2 AND id = ?3')
        .bind(now - ms, s.site, lead).run();
    await age(oldPending.leadId, 31 * DAY);
    await age(newPending.leadId, 29 * DAY);
    await age(oldConfirmed.leadId, 400 * DAY);
    await age(oldWithdrawn.leadId, 31 * DAY);
    expect(await mailsTo(oldPending.email)).toHaveLength(1);

    await cronUntilProcessed(s.site, now);

    expect(await leadExists(s.site, oldPending.leadId)).toBe(false);
    expect(await leadExists(s.site, oldWithdrawn.leadId)).toBe(false);
    expect(await leadExists(s.site, newPending.leadId)).toBe(true);
    expect(await leadExists(s.site, oldConfirmed.leadId)).toBe(true);
    // The same erasure as DELETE: nothing of the person left anywhere…
    for (const l of [oldPending, oldWithdrawn]) {
      expect(await scanAll([l.email, l.firstName, l.company, l.vid, l.leadId])).toEqual([]);
    }
    // …but the pseudonymised ledger and the audit rows.
    const { results: log } = await db().prepare('SELECT reason, lead_status, pseudonym FROM erasure_log WHERE site_id = ? ORDER BY reason').bind(s.site)
      .all<{ reason: string; lead_status: string; pseudonym: string }>();
    expect(log.map((r) => `${r.reason}:${r.lead_status}`)).toEqual(['retention_pending:pending', 'retention_withdrawn:withdrawn']);
    for (const r of log) expect(await count('SELECT COUNT(*) AS n FROM consent_ledger WHERE site_id = ? AND lead_id = ?', s.site, r.pseudonym)).toBeGreaterThan(0);
    // The survivors are whole.
    expect(await count('SELECT COUNT(*) AS n FROM optin_tokens WHERE site_id = ? AND lead_id = ?', s.site, newPending.leadId)).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM lead_visitors WHERE site_id = ? AND lead_id = ?', s.site, oldConfirmed.leadId)).toBe(1);
    expect((await api(oldConfirmed.key, 'GET', `/v1/leads/${oldConfirmed.leadId}/export`)).status).toBe(200);
  });

  it('deletes events of visitors who never became leads after 13 months, in bounded batches resumed by the next run', async () => {
    const s = await setupMagnet();
    const lead = await realLead({ site: s, download: false });
    const now = Date.now();
    const old = monthsAgo(13, now) - DAY;
    const n = RETENTION_BATCH.events * RETENTION_BATCH.eventBatches + 100;
    // Old anonymous events: half with a visitor id that never became a lead, half without one (anonymous mode).
    await db().prepare(`WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < ?2)
                        INSERT INTO events (site_id, event_id, kind, visitor_id, url, path, ts, client_ts, received_at)
                        SELECT ?1, 'old_' || x, 'pageview', CASE WHEN x % 2 = 0 THEN 'vid_anon_' || (x % 7) ELSE NULL END,
                               'https://www.example.com/', '/', ?3, ?3, ?3 FROM i`)
      .bind(s.site, n, old).run();
    // Kept: the lead's own events (backdated as well), an unlinked old event of its linked visitor,
    // anonymous events younger than 13 months, and fresh ones.
    await db().prepare('UPDATE events SET received_at = ?, ts = ? WHERE site_id = ? AND lead_id = ?').bind(old, old, s.site, lead.leadId).run();
    const leadEvents = await count('SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND lead_id = ?', s.site, lead.leadId);
    expect(leadEvents).toBeGreaterThan(3);
    const young = monthsAgo(12, now);
    await db().batch([
      db().prepare(`INSERT INTO events (site_id, event_id, kind, visitor_id, url, path, ts, client_ts, received_at)
                    VALUES (?1, 'straggler', 'pageview', ?2, 'https://www.example.com/', '/', ?3, ?3, ?3)`).bind(s.site, lead.vid, old),
      db().prepare(`INSERT INTO events (site_id, event_id, kind, visitor_id, url, path, ts, client_ts, received_at)
                    VALUES (?1, 'young', 'pageview', 'vid_anon_young', 'https://www.example.com/', '/', ?2, ?2, ?2)`).bind(s.site, young),
    ]);
    expect((await collect({ site: s.site, events: [ev('pageview'), ev('pageview', { vid: 'vid_fresh_visitor' })] })).status).toBe(202);
    const oldAnonymous = () => count(`SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND event_id LIKE 'old\\_%' ESCAPE '\\'`, s.site);
    expect(await oldAnonymous()).toBe(n);

    await cronUntilProcessed(s.site, now);
    expect(await oldAnonymous()).toBe(100); // one run's share: 4 batches of 500
    await cronUntilProcessed(s.site, now + 1000);
    expect(await oldAnonymous()).toBe(0);

    // (The straggler may meanwhile have been linked to the lead by the scoring maintenance of the same cron.)
    expect(await count(`SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND (lead_id = ? OR event_id = 'straggler')`, s.site, lead.leadId))
      .toBe(leadEvents + 1);
    expect(await count(`SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND event_id IN ('straggler', 'young')`, s.site)).toBe(2);
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND received_at > ?', s.site, now - DAY)).toBeGreaterThanOrEqual(2);
  });

  it('deletes expired opt-in tokens and, after the ledger retention, the pseudonymised ledger of erased leads', async () => {
    const s = await setupMagnet();
    const a = await realLead({ site: s, download: false });
    const b = await realLead({ site: s, download: false });
    const c = await realLead({ site: s, download: false });
    const now = Date.now();
    // a was erased 3 years and a day ago, b 2 years ago (3 years is the default ledger retention).
    const erase = async (leadId: string, at: number) =>
      expect(await eraseLead(db(), {
        siteId: s.site, leadId, reason: 'request', now: at,
        pseudonym: (key) => ledgerPseudonym(SIGNING_KEY, s.site, key), leadRef: await erasedLeadRef(SIGNING_KEY, s.site, leadId),
      })).toEqual({ outcome: 'erased', erasedAt: at });
    await erase(a.leadId, monthsAgo(36, now) - DAY);
    await erase(b.leadId, monthsAgo(24, now));
    const pseudonymOf = async (email: string) => ledgerPseudonym(SIGNING_KEY, s.site, email.toLowerCase());
    expect(await count('SELECT COUNT(*) AS n FROM consent_ledger WHERE site_id = ? AND lead_id = ?', s.site, await pseudonymOf(a.email))).toBe(4);
    // c's spent token expired 31 days ago: it goes; its lead stays.
    await db().prepare('UPDATE optin_tokens SET expires_at = ? WHERE site_id = ? AND lead_id = ?').bind(now - 31 * DAY, s.site, c.leadId).run();

    await cronUntilProcessed(s.site, now);

    expect(await count('SELECT COUNT(*) AS n FROM consent_ledger WHERE site_id = ? AND lead_id = ?', s.site, await pseudonymOf(a.email))).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM consent_ledger WHERE site_id = ? AND lead_id = ?', s.site, await pseudonymOf(b.email))).toBe(4);
    expect(await count('SELECT COUNT(*) AS n FROM consent_ledger WHERE site_id = ? AND lead_id = ?', s.site, c.leadId)).toBe(4);
    expect(await count('SELECT COUNT(*) AS n FROM erasure_log WHERE site_id = ?', s.site)).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM optin_tokens WHERE site_id = ? AND lead_id = ?', s.site, c.leadId)).toBe(0);
    expect(await leadExists(s.site, c.leadId)).toBe(true);
  });
});

describe('retention settings per site', () => {
  it('GET/PUT /admin/sites/:site/retention: defaults, overrides, validation, reset', async () => {
    const { site } = await setupMagnet();
    const get = await adminCall('GET', `/admin/sites/${site}/retention`);
    expect(get.status).toBe(200);
    expect(await get.json()).toMatchObject({
      site, retention: { pendingDays: 30, withdrawnDays: 30, eventMonths: 13, ledgerYears: 3 },
      overrides: { pendingDays: null, withdrawnDays: null, eventMonths: null, ledgerYears: null },
    });
    const put = await adminCall('PUT', `/admin/sites/${site}/retention`, { pendingDays: 5, eventMonths: 2 });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ retention: { pendingDays: 5, withdrawnDays: 30, eventMonths: 2, ledgerYears: 3 } });
    // Fields left out keep their value; null resets one to the default.
    const reset = await adminCall('PUT', `/admin/sites/${site}/retention`, { eventMonths: null, ledgerYears: 5 });
    expect(await reset.json()).toMatchObject({ retention: { pendingDays: 5, eventMonths: 13, ledgerYears: 5 }, overrides: { pendingDays: 5, eventMonths: null } });

    const bad = await expectProblem(await adminCall('PUT', `/admin/sites/${site}/retention`, { pendingDays: 31, eventMonths: 0, ledgerYears: 'x' }), 400, PROBLEM_TYPES.validation);
    expect(bad.errors!.map((e) => e.path).sort()).toEqual(['/eventMonths', '/ledgerYears', '/pendingDays']);
    await expectProblem(await adminCall('PUT', `/admin/sites/${site}/retention`, [1]), 400, PROBLEM_TYPES.validation);
    await expectProblem(await adminCall('GET', '/admin/sites/no-such-site/retention'), 404, PROBLEM_TYPES.notFound);
    await expectProblem(await adminCall('GET', `/admin/sites/${site}/retention`, undefined, 'wrong-token'), 401, PROBLEM_TYPES.unauthorized);
    await expectProblem(await adminCall('PUT', `/admin/sites/${site}/retention`, { pendingDays: 1 }, 'wrong-token'), 401, PROBLEM_TYPES.unauthorized);
    expect((await (await adminCall('GET', `/admin/sites/${site}/retention`)).json() as { retention: { pendingDays: number } }).retention.pendingDays).toBe(5);
  });

  it('the cron applies each site\'s own periods', async () => {
    const strict = await setupMagnet();
    const lax = await setupMagnet();
    expect((await adminCall('PUT', `/admin/sites/${strict.site}/retention`, { pendingDays: 5, eventMonths: 2 })).status).toBe(200);
    const now = Date.now();
    const leads = { strict: await realLead({ site: strict, confirm: false }), lax: await realLead({ site: lax, confirm: false }) };
    for (const [name, l] of Object.entries(leads)) {
      await db().prepare('UPDATE leads SET updated_at = ? WHERE site_id = ? AND id = ?').bind(now - 6 * DAY, l.site, l.leadId).run();
      await db().prepare(`INSERT INTO events (site_id, event_id, kind, visitor_id, url, path, ts, client_ts, received_at)
                          VALUES (?1, ?2, 'pageview', 'vid_three_months', 'https://www.example.com/', '/', ?3, ?3, ?3)`)
        .bind(l.site, `${name}_${eventId()}`, monthsAgo(3, now)).run();
    }
    await cronUntilProcessed(strict.site, now);
    await cronUntilProcessed(lax.site, now + 1000);
    expect(await leadExists(strict.site, leads.strict.leadId)).toBe(false);
    expect(await leadExists(lax.site, leads.lax.leadId)).toBe(true);
    expect(await count(`SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND visitor_id = 'vid_three_months'`, strict.site)).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND visitor_id = 'vid_three_months'`, lax.site)).toBe(1);
  });

  it('POST /admin/retention/run runs the same work now', async () => {
    const s = await setupMagnet();
    const l = await realLead({ site: s, confirm: false });
    await db().prepare('UPDATE leads SET updated_at = ? WHERE site_id = ? AND id = ?').bind(Date.now() - 40 * DAY, s.site, l.leadId).run();
    for (let i = 0; i < 40 && (await leadExists(s.site, l.leadId)); i++) {
      const res = await adminCall('POST', '/admin/retention/run?budget_ms=5000');
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ report: { sites: expect.any(Number), pendingErased: expect.any(Number) } });
    }
    expect(await leadExists(s.site, l.leadId)).toBe(false);
    await expectProblem(await adminCall('POST', '/admin/retention/run', undefined, 'wrong-token'), 401, PROBLEM_TYPES.unauthorized);
  });
});
