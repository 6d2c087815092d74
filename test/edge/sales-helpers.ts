import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { refreshLead } from '../../edge/features/scoring/lead-scoring';
import { createSite } from './helpers';
import { send } from './leads-helpers';
import { apiKey, seedLead, storedScore } from './scoring-helpers';

/** Helpers for the sales tests: a site with a team and a model where fit alone reaches SQL. */

export const PUBLIC = { WEBHOOK_TARGETS: 'public' };
export const HOUR = 3_600_000;

/** Fit alone reaches SQL for a lead in DACH (so a seeded lead is handed off at once); one pageview is engagement. */
export const MODEL = {
  halfLifeDays: 7,
  stageCooldownDays: 0,
  thresholds: { mql: 20, sql: 40 },
  temperature: { warm: 10, hot: 30, basis: 'score' },
  fit: [
    { id: 'dach', label: 'DACH', field: 'country', countries: ['DE', 'AT', 'CH'], points: 50 },
    { id: 'budget', label: 'Budget approved', field: 'budget', values: ['approved'], points: 7 },
  ],
  engagement: [{ id: 'views', label: 'Page views', kinds: ['pageview'], points: 1 }],
};

export const TEAM = [
  { id: 'anna', name: 'Anna Berg', email: 'anna@sales.example', lang: 'de', weight: 3 },
  { id: 'ben', name: 'Ben Cole', email: 'ben@sales.example', weight: 2 },
  { id: 'cem', name: 'Cem Demir', email: 'cem@sales.example', weight: 1 },
];

export function api(key: string | null, method: string, path: string, body?: unknown, type = 'application/json') {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = type;
  return send(path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) }, PUBLIC);
}

export async function salesSite(team: unknown[] = TEAM) {
  const site = await createSite();
  const key = await apiKey(site);
  expect((await api(key, 'PUT', '/v1/scoring-model', MODEL)).status).toBe(200);
  const put = await api(key, 'PUT', '/v1/owners', { owners: team });
  expect(put.status).toBe(200);
  return { site, key };
}

/** A confirmed DACH lead at SQL (scored), not yet routed. */
export async function sqlLead(site: string, opts: Parameters<typeof seedLead>[1] = {}) {
  const id = await seedLead(site, { country: 'DE', company: 'Acme GmbH', ...opts });
  await refreshLead(env.DB, site, id);
  expect((await storedScore(site, id))!.stage).toBe('sql');
  return id;
}

