import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createSite } from '../helpers';
import { api } from '../sales-helpers';
import { apiKey } from '../scoring-helpers';

/**
 * The overview over 100,000 leads (60 days of them, half in the default
 * period), each with a score, a first magnet and, for every other one, a
 * first touch, and 50,000 stage changes: written in a few INSERT … SELECT
 * statements, then read through the Worker. The plans go through the
 * indexes of migration 0014 (leads by creation, stage changes by time).
 */

const N = 100_000;
const DAY = 86_400_000;

async function seedMany(site: string, now: number) {
  const nums = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${N - 1})`;
  await env.DB.batch([
    env.DB.prepare(`${nums} INSERT INTO leads (site_id, id, email, email_key, status, lang, created_at, updated_at)
                    SELECT ?1, 'ld_' || i, 'l' || i || '@corp.example', 'l' || i || '@corp.example', 'confirmed', 'en', ?2 - (i % 60) * ${DAY} - i, ?2 FROM n`).bind(site, now),
    env.DB.prepare(`${nums} INSERT INTO lead_scores (site_id, lead_id, model_version, fit, fit_rules, e_norm, last_seq, state, stage, stage_state, rev, updated_at)
                    SELECT ?1, 'ld_' || i, 1, (i % 130) - 10, '[]', 0, 0, '{}', 'confirmed', '{}', 'r', ?2 FROM n`).bind(site, now),
    env.DB.prepare(`${nums} INSERT INTO consent_ledger (site_id, lead_id, magnet_id, action, purpose, granted, created_at)
                    SELECT ?1, 'ld_' || i, CASE WHEN i % 4 = 0 THEN 'wp' ELSE 'other' END, 'given', 'download', 1, ?2 FROM n`).bind(site, now),
    env.DB.prepare(`${nums} INSERT INTO events (site_id, event_id, kind, url, path, utm, ts, client_ts, received_at, lead_id)
                    SELECT ?1, 'ev_' || i, 'pageview', 'https://www.example.com/', '/', CASE WHEN i % 4 = 0 THEN '{"source":"linkedin"}' ELSE '{"source":"google"}' END,
                           ?2 - (i % 60) * ${DAY} - i - 1000, ?2, ?2, 'ld_' || i FROM n WHERE i % 2 = 0`).bind(site, now),
    env.DB.prepare(`${nums} INSERT INTO stage_history (site_id, lead_id, from_stage, to_stage, direction, at, score, fit, engagement, model_version)
                    SELECT ?1, 'ld_' || i, 'confirmed', CASE WHEN i % 3 = 0 THEN 'sql' ELSE 'mql' END, 'up', ?2 - (i % 60) * ${DAY}, 1, 1, 0, 1 FROM n WHERE i % 2 = 1`).bind(site, now),
  ]);
}

interface Overview {
  newLeads: { day: string; count: number }[];
  scoreDistribution: { bands: { count: number }[]; below: number; above: number };
  temperature: { hot: number; warm: number; cold: number };
  totals: { newLeads: number; stageChanges: number; byStage: Record<string, number> };
}

describe('GET /v1/reports/overview at scale', () => {
  it('answers over 100,000 leads quickly, with and without filters, and its counts add up', { timeout: 120_000 }, async () => {
    const site = await createSite();
    const key = await apiKey(site, ['leads:read', 'config:write']);
    // The magnets must be known to the site for the filter.
    await env.DB.prepare(`INSERT INTO consent_texts (site_id, magnet_id, purpose, version, hash, text, created_at) VALUES (?, 'wp', 'download', 'v1', 'h', 't', 0)`).bind(site).run();
    const now = Date.now();
    await seedMany(site, now);

    const timed = async (q: string) => {
      const started = Date.now();
      const res = await api(key, 'GET', `/v1/reports/overview?${q}`);
      const ms = Date.now() - started;
      expect(res.status, await res.clone().text()).toBe(200);
      return { o: (await res.json()) as Overview, ms, server: res.headers.get('server-timing') };
    };
    const all = await timed('');
    const wp = await timed('magnet=wp');
    const li = await timed('source=linkedin');
    console.log('overview over 100k leads:', [all, wp, li].map((r) => `${r.ms} ms (${r.server})`).join(', '));

    // About half the leads were created in the last 30 days.
    expect(all.o.totals.newLeads).toBeGreaterThan(45_000);
    expect(all.o.totals.newLeads).toBeLessThan(55_000);
    for (const { o } of [all, wp, li]) {
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      expect(sum(o.newLeads.map((d) => d.count))).toBe(o.totals.newLeads);
      expect(sum(o.scoreDistribution.bands.map((b) => b.count)) + o.scoreDistribution.below + o.scoreDistribution.above).toBe(o.totals.newLeads);
      expect(o.temperature.hot + o.temperature.warm + o.temperature.cold).toBe(o.totals.newLeads);
    }
    // i % 4 = 0 leads: magnet wp and (all with events) linkedin: the same set.
    expect(wp.o.totals.newLeads).toBe(li.o.totals.newLeads);
    expect(wp.o.totals.newLeads).toBeGreaterThan(all.o.totals.newLeads / 5);
    // Stage changes are on odd leads only, none of them wp.
    expect(wp.o.totals.stageChanges).toBe(0);
    expect(all.o.totals.stageChanges).toBeGreaterThan(20_000);
    // Generous bounds for a loaded CI machine; a site-wide scan per lead would take far longer.
    expect(all.ms).toBeLessThan(10_000);
    expect(wp.ms).toBeLessThan(10_000);
    expect(li.ms).toBeLessThan(15_000);
  });
});
