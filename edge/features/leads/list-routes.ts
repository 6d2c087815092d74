import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { leadsByIds, queryLeads, segmentLeadFilters, type LeadFilters, type LeadListRow } from './list-store';
import { rankLeads, modelAt } from '../scoring';
import { getSite, requireApiKey, type KeyedEnv } from '../sites';
import { invalid, notFound } from '../../http/problem';
import { getSegment } from '../segments';
import { csvPreamble, csvRow } from '../../core/csv';
import { decodeCursor, encodeCursor, filterFingerprint, type Cursor } from '../../core/cursor';
import { decayFactor, temperatureOf, type ScoringModel } from '../../core/scoring';
import { listQuery } from './schemas';
import { likelihoodReader, type Likelihoods } from '../review';
import { Refused } from '../../core/errors';
import { validate } from '../../http/validate';

const CSV_COLUMNS = ['id', 'email', 'firstName', 'company', 'role', 'companySize', 'industry', 'country', 'status', 'stage',
  'score', 'fit', 'engagement', 'temperature', 'likelihood', 'updatedAt'] as const;

/** A listed lead as the API shows it (the stored e_norm stays internal: it only feeds the cursor). */
function present(row: LeadListRow & { eNorm?: number }, model: ScoringModel, likelihood: Likelihoods) {
  const { eNorm: _internal, ...shown } = row;
  const l = likelihood({ status: row.status, score: row.score, modelVersion: model.version, lines: [] });
  return {
    ...shown, temperature: temperatureOf(model, row.score, row.engagement),
    // The probability only; its reasons are in the lead's detail. Absent until outcomes calibrate it.
    ...(l ? { likelihood: l.probability } : {}),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}


function formatOf(c: Context, asked?: 'json' | 'ndjson' | 'csv'): 'json' | 'ndjson' | 'csv' {
  if (asked) return asked;
  const accept = c.req.header('accept') ?? '';
  return accept.includes('text/csv') ? 'csv' : accept.includes('application/x-ndjson') ? 'ndjson' : 'json';
}

/** Profile and score columns of the leads behind ranked ids (fast path). */
async function hydrate(db: D1Database, siteId: string, ranked: { leadId: string; fit: number; eNorm: number; score: number }[], d: number): Promise<(LeadListRow & { eNorm: number })[]> {
  if (!ranked.length) return [];
  const results = await leadsByIds(db, siteId, ranked.map((r) => r.leadId));
  const byId = new Map(results.map((r) => [r.id as string, r]));
  return ranked.flatMap((r) => {
    const l = byId.get(r.leadId);
    if (!l) return [];
    return [{
      id: r.leadId, email: l.email as string, firstName: l.first_name as string | null, company: l.company as string | null,
      role: l.role as string | null, companySize: l.company_size as string | null, industry: l.industry as string | null,
      country: l.country as string | null, status: l.status as string, stage: l.stage as string, score: r.score, fit: r.fit,
      engagement: r.eNorm * d, eNorm: r.eNorm, updatedAt: l.updated as number,
    }];
  });
}

/**
 * GET /v1/leads: the key's site's leads, filtered (stage, temperature,
 * min_score, max_score, updated_since, magnet, q over name, company and
 * e-mail, owner, sales_status, country, industry), sorted
 * by current score or by last update, in pages with a keyset cursor, as
 * JSON, NDJSON or spreadsheet-safe CSV. Score-sorted lists filtered at most
 * by min_score go through the score index (scoring/ranking-store.ts).
 */
export const leadListRoutes = new Hono<KeyedEnv>().get('/v1/leads', requireApiKey('leads:read'), async (c) => {
  const q = validate(listQuery, c.req.query(), 'query');
  const siteId = c.get('apiKey').siteId;
  const after: Cursor | null = q.cursor ? decodeCursor(q.cursor) : null;
  const at = after?.at ?? Date.now();
  // A saved segment's filters, each overridden by the same filter given in the query.
  const saved = q.segment ? await getSegment(c.env.DB, siteId, q.segment) : null;
  if (q.segment && !saved) throw notFound(`No segment "${q.segment}" on this site.`);
  const f: LeadFilters = saved ? segmentLeadFilters(saved.filter, at) : {};
  const filters: LeadFilters = {
    stages: q.stage ?? f.stages, temperature: q.temperature ?? f.temperature, minScore: q.min_score ?? f.minScore,
    updatedSince: q.updated_since ?? f.updatedSince, magnet: q.magnet ?? f.magnet, q: q.q ?? f.q,
    maxScore: q.max_score ?? f.maxScore, owner: q.owner ?? f.owner, salesStatus: q.sales_status ?? f.salesStatus,
    country: q.country ?? f.country, industry: q.industry ?? f.industry,
  };
  const fingerprint = filterFingerprint({ ...filters, sort: q.sort });
  // Likelihood is a rising curve of the score (docs/scoring-review.md): its order is the score's.
  const sort = q.sort === 'likelihood' ? 'score' : q.sort;
  if (q.cursor && (!after || after.filters !== fingerprint || after.sort !== sort)) {
    throw invalid('The cursor does not belong to this query; start again without it.', [{ path: '/cursor', message: 'does not belong to this query' }]);
  }
  const site = (await getSite(c.env.DB, siteId))!;
  const model = await modelAt(c.env.DB, siteId, site.scoringModelVersion);
  const likelihood = await likelihoodReader(c.env.DB, siteId);
  if (q.sort === 'likelihood' && likelihood.modelVersion !== model.version) {
    throw new Refused('not_enough_data', 'No likelihood to sort by yet: it needs enough sales outcomes for the current scoring model (docs/scoring-review.md).');
  }
  const started = performance.now();

  let rows: (LeadListRow & { eNorm?: number })[];
  let more: boolean;
  const indexed = sort === 'score' && !filters.stages && !filters.temperature && filters.updatedSince === undefined && !filters.magnet && !filters.q
    && filters.maxScore === undefined && !filters.owner && !filters.salesStatus && !filters.country && !filters.industry;
  if (indexed && (!after || after.fit !== undefined)) {
    const ranked = await rankLeads(c.env.DB, siteId, {
      limit: q.limit, minScore: filters.minScore, now: at, halfLifeDays: model.halfLifeDays,
      after: after && after.fit !== undefined ? { value: after.value, id: after.id, fit: after.fit, e: after.e! } : null,
    });
    more = ranked.length > q.limit;
    rows = await hydrate(c.env.DB, siteId, ranked.slice(0, q.limit), decayFactor(at, model.halfLifeDays));
  } else {
    ({ rows, more } = await queryLeads(c.env.DB, siteId, { filters, sort, limit: q.limit, at, after, model }));
  }
  c.header('Server-Timing', `rank;dur=${(performance.now() - started).toFixed(1)}`);

  const last = rows.at(-1);
  const next = more && last
    ? encodeCursor({
      sort, at, value: sort === 'score' ? last.score : last.updatedAt, id: last.id, filters: fingerprint,
      // The index path resumes ties exactly on the stored (fit, e_norm).
      ...(last.eNorm !== undefined ? { fit: last.fit, e: last.eNorm } : {}),
    })
    : null;
  const nextUrl = next ? (() => { const u = new URL(c.req.url); u.searchParams.set('cursor', next); return u.pathname + u.search; })() : null;
  if (nextUrl) c.header('Link', `<${nextUrl}>; rel="next"`);
  c.header('Cache-Control', 'no-store');

  const leads = rows.map((r) => present(r, model, likelihood));
  const format = formatOf(c, q.format);
  if (format === 'ndjson') {
    if (next) c.header('X-Next-Cursor', next);
    return c.body(leads.map((l) => JSON.stringify(l)).join('\n') + (leads.length ? '\n' : ''), 200, { 'Content-Type': 'application/x-ndjson' });
  }
  if (format === 'csv') {
    if (next) c.header('X-Next-Cursor', next);
    const d = q.dialect;
    const body = csvPreamble(d) + csvRow(CSV_COLUMNS, d) + leads.map((l) => csvRow(CSV_COLUMNS.map((k) => l[k]), d)).join('');
    return c.body(body, 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="leads.csv"' });
  }
  return c.json({ at: new Date(at).toISOString(), leads, next });
});
