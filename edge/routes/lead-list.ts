import { Hono } from 'hono';
import * as v from 'valibot';
import { rankLeads } from '../db/lead-ranking';
import { getSite } from '../db/sites';
import { requireApiKey, type KeyedEnv } from '../http/api-key';
import { temperatureOf } from '../scoring';
import { modelAt } from '../services/lead-scoring';
import { validate } from '../validation/validate';

const query = v.object({
  sort: v.optional(v.picklist(['score'], 'must be "score"'), 'score'),
  min_score: v.optional(v.pipe(v.string(), v.toNumber('must be a number'), v.finite('must be a finite number'))),
  limit: v.optional(v.pipe(v.string(), v.toNumber('must be a number'), v.integer('must be an integer'), v.minValue(1, 'must be at least 1'), v.maxValue(1000, 'must be at most 1000')), '100'),
});

interface LeadInfo {
  id: string;
  email: string;
  first_name: string | null;
  company: string | null;
  role: string | null;
  status: string;
  stage: string;
  updated_at: number;
}

/**
 * GET /v1/leads: scored leads of the key's site, best current score first,
 * optionally only those with score ≥ min_score. Answered through the score
 * index (see db/lead-ranking.ts), so it stays fast with many leads.
 */
export const leadListRoutes = new Hono<KeyedEnv>().get('/v1/leads', requireApiKey('leads:read'), async (c) => {
  const q = validate(query, c.req.query(), 'query');
  const siteId = c.get('apiKey').siteId;
  const site = (await getSite(c.env.DB, siteId))!;
  const model = await modelAt(c.env.DB, siteId, site.scoringModelVersion);
  const now = Date.now();
  const started = performance.now();
  const ranked = await rankLeads(c.env.DB, siteId, { limit: q.limit, minScore: q.min_score, now, halfLifeDays: model.halfLifeDays });
  const { results } = ranked.length
    ? await c.env.DB
      .prepare(`SELECT l.id, l.email, l.first_name, l.company, l.role, l.status, s.stage, l.updated_at
                FROM leads l JOIN lead_scores s ON s.site_id = l.site_id AND s.lead_id = l.id
                WHERE l.site_id = ? AND l.id IN (SELECT value FROM json_each(?))`)
      .bind(siteId, JSON.stringify(ranked.map((r) => r.leadId)))
      .all<LeadInfo>()
    : { results: [] as LeadInfo[] };
  const info = new Map(results.map((r) => [r.id, r]));
  // The query's own time, apart from auth and HTTP (benchmarks read it).
  c.header('Server-Timing', `rank;dur=${(performance.now() - started).toFixed(1)}`);
  return c.json({
    at: now,
    leads: ranked.flatMap((r) => {
      const l = info.get(r.leadId);
      if (!l) return [];
      const engagement = r.score - r.fit;
      return [{
        id: l.id, email: l.email, firstName: l.first_name, company: l.company, role: l.role, status: l.status, stage: l.stage,
        score: r.score, fit: r.fit, engagement, temperature: temperatureOf(model, r.score, engagement), updatedAt: l.updated_at,
      }];
    }),
  });
});
