import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { HOUR, TEAM, api, salesSite, sqlLead } from '../sales-helpers';
import { runCron } from '../leads-helpers';
import { apiKey } from '../scoring-helpers';

/**
 * GET /v1/sales/waiting: the leads handed off and waiting for their owner's
 * answer, with the deadline, the overdue ones first; an answered lead leaves
 * the list; another site's leads never show.
 */

afterEach(async () => {
  await env.DB.prepare("UPDATE webhook_messages SET status = 'cancelled' WHERE status = 'pending'").run();
});

describe('GET /v1/sales/waiting', () => {
  it('lists open assignments with owner and deadline, overdue first, and drops answered ones', async () => {
    const { site, key } = await salesSite([TEAM[0]]);
    const a = await sqlLead(site, { email: 'petra.klein@acme-gmbh.example', company: 'Acme GmbH' });
    const b = await sqlLead(site, { email: 'jonas.weber@beta-ag.example', company: 'Beta AG' });
    const t = Date.now();
    await runCron(t);
    // b missed its deadline (the cron has not moved it on yet: with one owner it would stay anyway).
    await env.DB.prepare('UPDATE leads SET sla_due_at = ? WHERE site_id = ? AND id = ?').bind(t - HOUR, site, b).run();

    const res = await api(key, 'GET', '/v1/sales/waiting');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { at: string; overdue: number; more: boolean; leads: { id: string; ownerId: string; slaDueAt: number; assignedAt: number; overdue: boolean; email: string; company: string }[] };
    expect(body.overdue).toBe(1);
    expect(body.more).toBe(false);
    expect(body.leads.map((l) => [l.id, l.ownerId, l.overdue])).toEqual([[b, 'anna', true], [a, 'anna', false]]);
    expect(body.leads[1]).toMatchObject({ email: 'petra.klein@acme-gmbh.example', company: 'Acme GmbH' });
    expect(body.leads[1]!.slaDueAt - body.leads[1]!.assignedAt).toBe(24 * HOUR);

    expect((await api(key, 'PATCH', `/v1/leads/${a}`, { status: 'accepted' })).status).toBe(200);
    const after = (await (await api(key, 'GET', '/v1/sales/waiting')).json()) as { leads: { id: string }[] };
    expect(after.leads.map((l) => l.id)).toEqual([b]);

    // Another site sees none of them; a key without leads:read is refused.
    const other = await salesSite([TEAM[1]]);
    expect(((await (await api(other.key, 'GET', '/v1/sales/waiting')).json()) as { leads: unknown[] }).leads).toEqual([]);
    const configOnly = await apiKey(site, ['config:write']);
    expect((await api(configOnly, 'GET', '/v1/sales/waiting')).status).toBe(403);
  });
});
