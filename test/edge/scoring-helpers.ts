import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { scoreFromScratch, type ScoringEvent, type ScoringModel } from '../../edge/core/scoring';
import { adminCall } from './helpers';

/** Seeds a lead row directly: lead creation itself is tested with the widget's routes. */
export async function seedLead(
  siteId: string,
  opts: { status?: 'pending' | 'confirmed' | 'withdrawn'; email?: string; company?: string; role?: string; companySize?: string; industry?: string; country?: string } = {},
): Promise<string> {
  const id = `ld_test_${Math.random().toString(36).slice(2, 12)}`;
  const email = opts.email ?? `${id}@acme-industries.example`;
  const now = Date.now();
  await env.DB.prepare(`INSERT INTO leads (site_id, id, email, email_key, status, company, role, company_size, industry, country, lang, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'en', ?, ?)`)
    .bind(siteId, id, email, email.toLowerCase(), opts.status ?? 'confirmed', opts.company ?? null, opts.role ?? null,
      opts.companySize ?? null, opts.industry ?? null, opts.country ?? null, now, now)
    .run();
  return id;
}

export async function apiKey(siteId: string, scopes = ['leads:read', 'leads:write', 'config:write']): Promise<string> {
  const res = await adminCall('POST', `/admin/sites/${siteId}/keys`, { name: 'test', scopes });
  return ((await res.json()) as { secret: string }).secret;
}

export interface StoredScore {
  fit: number;
  e_norm: number;
  last_seq: number;
  stage: string;
  model_version: number;
  state: string;
}

export async function storedScore(siteId: string, leadId: string): Promise<StoredScore | null> {
  return env.DB.prepare('SELECT fit, e_norm, last_seq, stage, model_version, state FROM lead_scores WHERE site_id = ? AND lead_id = ?')
    .bind(siteId, leadId).first<StoredScore>();
}

/** The lead's events as stored, in scoring order. */
export async function scoredEvents(siteId: string, leadId: string): Promise<(ScoringEvent & { eventId: string })[]> {
  const { results } = await env.DB.prepare(
    'SELECT event_id, kind, ts, path, magnet_id, name, lead_seq FROM events WHERE site_id = ? AND lead_id = ? ORDER BY lead_seq',
  ).bind(siteId, leadId).all<{ event_id: string; kind: string; ts: number; path: string; magnet_id: string | null; name: string | null; lead_seq: number | null }>();
  return results.map((r) => {
    expect(r.lead_seq, `event ${r.event_id} was never scored`).not.toBeNull();
    return { eventId: r.event_id, seq: r.lead_seq!, kind: r.kind, ts: r.ts, path: r.path, magnet: r.magnet_id, name: r.name };
  });
}

/** Asserts the incrementally kept score equals a from-scratch replay of the stored events. */
export async function expectConsistent(siteId: string, leadId: string, model: ScoringModel, profile: Parameters<typeof scoreFromScratch>[1]) {
  const stored = (await storedScore(siteId, leadId))!;
  const events = await scoredEvents(siteId, leadId);
  expect(new Set(events.map((e) => e.seq)).size).toBe(events.length); // each event scored once
  const fresh = scoreFromScratch(model, profile, events, Date.now());
  expect(stored.fit).toBe(fresh.fit.fit);
  expect(Math.abs(stored.e_norm - fresh.state.eNorm)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(fresh.state.eNorm)));
  expect(JSON.parse(stored.state).rules).toEqual(fresh.state.rules);
  return { stored, events, fresh };
}
