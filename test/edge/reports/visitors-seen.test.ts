import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { behaviourCounts } from '../../../edge/features/reports/funnel-store';
import { deidentifyOrphanEvents, eraseLead } from '../../../edge/features/gdpr/erasure-store';
import { deleteOldAnonymousEvents } from '../../../edge/features/gdpr/retention-store';
import { erasedLeadRef, ledgerPseudonym } from '../../../edge/core/erasure-hash';
import { ev, realLead } from '../gdpr-helpers';
import { collect } from '../helpers';
import { SIGNING_KEY, postLead, setupMagnet, submission } from '../leads-helpers';

/**
 * A period that reaches the present counts its visitors from the visitors
 * rollup; any other period counts them from the events. Both must agree
 * after every write that stores, de-identifies or deletes events: ingest,
 * the server's own events (form, confirmation, download), erasure, the
 * repair of orphaned events and retention.
 */

const FAR = Date.now() + 10 * 86_400_000;

/** Both ways of counting, for periods from each start up to the present. */
async function bothWays(site: string, froms: number[]) {
  const out = [];
  for (const from of froms) {
    const rollup = await behaviourCounts(env.DB, site, from, FAR, 0);
    const scan = await behaviourCounts(env.DB, site, from, FAR, Number.MAX_SAFE_INTEGER);
    expect(rollup, `from ${from}`).toEqual(scan);
    out.push(rollup);
  }
  return out;
}

const rollupRows = async (site: string) =>
  (await env.DB.prepare('SELECT COUNT(*) AS n FROM visitors_seen WHERE site_id = ?').bind(site).first<{ n: number }>())!.n;

const hasRow = async (site: string, vid: string) =>
  !!(await env.DB.prepare('SELECT 1 FROM visitors_seen WHERE site_id = ? AND visitor_id = ?').bind(site, vid).first());

async function erase(site: string, leadId: string) {
  const now = Date.now();
  expect(await eraseLead(env.DB, {
    siteId: site, leadId, now, reason: 'request',
    leadRef: await erasedLeadRef(SIGNING_KEY, site, leadId), pseudonym: (key) => ledgerPseudonym(SIGNING_KEY, site, key),
  })).toEqual({ outcome: 'erased', erasedAt: now });
}

describe('the visitors rollup', () => {
  it('counts what the events count, through ingest, lead flows, erasure, orphan repair and retention', { timeout: 30_000 }, async () => {
    const { site, magnet } = await setupMagnet();
    const start = Date.now() - 1000;

    // Browsing: a pricing visitor, a form viewer, a visitor seen twice, anonymous page views, a repeated batch.
    const batch = {
      site,
      events: [
        ev('pageview', { vid: 'vid_rollup_a' }), ev('pricing_view', { vid: 'vid_rollup_a', url: 'https://www.example.com/pricing' }),
        ev('form_view', { vid: 'vid_rollup_b', magnet }), ev('pageview', { vid: 'vid_rollup_c' }), ev('pageview', { vid: 'vid_rollup_c' }), ev('pageview', { vid: 'vid_rollup_d' }),
        ev('pageview'), ev('pageview'), ev('engagement', { ms: 500 }),
      ],
    };
    expect((await collect(batch)).status).toBe(202);
    expect((await collect(batch)).status).toBe(202);
    const mid = Date.now() + 1;
    await new Promise((r) => setTimeout(r, 5));

    // A lead made through the real flows: browsing, form, confirmation, download, more browsing.
    const lead = await realLead({ site: { site, magnet }, vid: 'vid_rollup_lead' });
    // d comes back; then the first batch is retried late: d's later visit must still count.
    expect((await collect({ site, events: [ev('pageview', { vid: 'vid_rollup_d' })] })).status).toBe(202);
    expect((await collect(batch)).status).toBe(202);
    // A visitor known only from the server's own event: the form names it, the snippet never sent anything.
    expect((await postLead(submission(site, magnet, { vid: 'vid_rollup_quiet' }))).status).toBe(202);
    let counts = await bothWays(site, [0, start, mid]);
    expect(counts[0]).toEqual({ visitors: 6, pricingVisitors: 2, formViewers: 1, anonymousPageviews: 2 });
    expect(counts[2]).toEqual({ visitors: 3, pricingVisitors: 1, formViewers: 0, anonymousPageviews: 0 });
    expect(await hasRow(site, 'vid_rollup_quiet')).toBe(true);

    // Erasure: the lead's visitor id is gone from the events and from the rollup.
    await erase(site, lead.leadId);
    counts = await bothWays(site, [0, start, mid]);
    expect(counts[0]!.visitors).toBe(5);
    expect(await hasRow(site, lead.vid)).toBe(false);

    // Orphaned events (written for a lead that was erased meanwhile) are de-identified, and their visitor recounted.
    const orphan = await realLead({ site: { site, magnet }, vid: 'vid_rollup_orphan' });
    expect((await bothWays(site, [0]))[0]!.visitors).toBe(6);
    await env.DB.prepare(`UPDATE events SET lead_id = 'ld_gone' WHERE site_id = ? AND visitor_id = ?`).bind(site, orphan.vid).run();
    expect(await deidentifyOrphanEvents(env.DB, site, 0, 1000)).toBeGreaterThan(0);
    expect((await bothWays(site, [0, start, mid]))[0]!.visitors).toBe(5);
    expect(await hasRow(site, orphan.vid)).toBe(false);

    // Retention, three events at a time: unlinked events before the cut go, and so do visitors left with none.
    let deleted = 0;
    for (let n; (n = await deleteOldAnonymousEvents(env.DB, site, Date.now() + 1, 3)); deleted += n) await bothWays(site, [0, start, mid]);
    expect(deleted).toBeGreaterThan(6);
    counts = await bothWays(site, [0, start, mid]);
    for (const vid of ['vid_rollup_a', 'vid_rollup_b', 'vid_rollup_c', 'vid_rollup_d']) expect(await hasRow(site, vid)).toBe(false);
    expect(counts[0]!.anonymousPageviews).toBe(0);
    expect(await rollupRows(site)).toBe(counts[0]!.visitors);
  });
});
