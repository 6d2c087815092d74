import type { Calibration } from '../../core/review/likelihood';
import type { FactRow } from '../../core/review/report';
import type { LeadProfile } from '../../core/scoring';

/**
 * The scoring review's tables (migration 0009): the outcome facts of each
 * lead sales has touched, and the likelihood calibration per site.
 */

/** The lead columns fit rules read, as the scoring engine's profile. */
const PROFILE_COLUMNS = 'l.email, l.company, l.role, l.company_size, l.industry, l.country, l.budget, l.authority, l.need, l.timeline';
const profileOf = (r: Record<string, string | number | null>): LeadProfile => ({
  email: r.email as string, company: r.company as string | null, role: r.role as string | null, companySize: r.company_size as string | null,
  industry: r.industry as string | null, country: r.country as string | null, budget: r.budget as string | null,
  authority: r.authority as string | null, need: r.need as string | null, timeline: r.timeline as string | null,
});

const SALES_STAGES = "'open', 'accepted', 'rejected', 'recycled', 'opportunity', 'won', 'lost'";

export interface StaleLead {
  id: string;
  profile: LeadProfile;
  salesStatus: string;
  salesRev: string | null;
  refAt: number;
  magnet: string | null;
}

/**
 * Leads with a sales status whose facts are missing, of another model
 * version, or older than their last sales write. The hand-off moment is the
 * first time the lead reached the site's hand-off stage or got a sales
 * status; a lead marked won without either (a CRM import) falls back to its
 * close, then its assignment, then its last change.
 */
export async function staleOutcomeLeads(db: D1Database, siteId: string, modelVersion: number, limit: number): Promise<StaleLead[]> {
  const { results: due } = await db
    .prepare(`SELECT l.id FROM leads l INDEXED BY leads_by_sales_status
              LEFT JOIN outcome_facts f ON f.site_id = l.site_id AND f.lead_id = l.id
              WHERE l.site_id = ?1 AND l.sales_status IS NOT NULL AND l.status != 'withdrawn'
                AND (f.lead_id IS NULL OR f.model_version != ?2 OR f.sales_rev IS NOT l.sales_rev)
              ORDER BY l.id LIMIT ?3`)
    .bind(siteId, modelVersion, limit)
    .all<{ id: string }>();
  if (!due.length) return [];
  // The hand-off moment and the magnet for the chunk only, in a second statement: joined to the list above, the planner
  // walked every lead of the site. CROSS JOIN keeps the id list outside.
  const { results } = await db
    .prepare(`
      SELECT l.id, ${PROFILE_COLUMNS},
             l.sales_status, l.sales_rev,
             COALESCE((SELECT MIN(h.at) FROM stage_history h
                       WHERE h.site_id = ?1 AND h.lead_id = l.id
                         AND (h.to_stage = COALESCE((SELECT handoff_stage FROM sales_settings WHERE site_id = ?1), 'sql') OR h.to_stage IN (${SALES_STAGES}))),
                      l.closed_at, l.assigned_at, l.updated_at) AS ref_at,
             (SELECT magnet_id FROM consent_ledger WHERE site_id = ?1 AND lead_id = l.id AND magnet_id IS NOT NULL ORDER BY seq LIMIT 1) AS magnet
      FROM json_each(?2) j CROSS JOIN leads l ON l.site_id = ?1 AND l.id = j.value
      ORDER BY l.id`)
    .bind(siteId, JSON.stringify(due.map((d) => d.id)))
    .all<Record<string, string | number | null>>();
  return results.map((r) => ({
    id: r.id as string,
    profile: profileOf(r),
    salesStatus: r.sales_status as string,
    salesRev: r.sales_rev as string | null,
    refAt: r.ref_at as number,
    magnet: r.magnet as string | null,
  }));
}

/** How many leads of the site have a sales status and are not withdrawn (the review's whole population). */
export async function countOutcomeLeads(db: D1Database, siteId: string): Promise<number> {
  const row = await db.prepare(`SELECT COUNT(*) AS n FROM leads INDEXED BY leads_by_sales_status
                                WHERE site_id = ? AND sales_status IS NOT NULL AND status != 'withdrawn'`).bind(siteId).first<{ n: number }>();
  return row!.n;
}

export interface FactsWrite {
  leadId: string;
  salesRev: string | null;
  salesStatus: string;
  refAt: number;
  score: number;
  fit: number;
  engagement: number;
  facts: string;
}

/**
 * The facts of one chunk, in one batch. Overlapping runs compute the same
 * row from the same data, so the upsert is idempotent; the guard keeps a
 * lead erased meanwhile from getting a row back.
 */
export function writeFactsStatements(db: D1Database, siteId: string, modelVersion: number, rows: readonly FactsWrite[], now: number): D1PreparedStatement[] {
  return rows.map((r) => db
    .prepare(`INSERT INTO outcome_facts (site_id, lead_id, model_version, sales_rev, sales_status, ref_at, score, fit, engagement, facts, computed_at)
              SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11
              WHERE EXISTS (SELECT 1 FROM leads WHERE site_id = ?1 AND id = ?2 AND status != 'withdrawn' AND sales_status IS NOT NULL)
              ON CONFLICT (site_id, lead_id) DO UPDATE SET model_version = excluded.model_version, sales_rev = excluded.sales_rev,
                sales_status = excluded.sales_status, ref_at = excluded.ref_at, score = excluded.score, fit = excluded.fit,
                engagement = excluded.engagement, facts = excluded.facts, computed_at = excluded.computed_at`)
    .bind(siteId, r.leadId, modelVersion, r.salesRev, r.salesStatus, r.refAt, r.score, r.fit, r.engagement, r.facts, now));
}

/** Facts of leads that left the review: withdrawn, erased, or without a sales status any more. */
export async function deleteLeftFacts(db: D1Database, siteId: string): Promise<number> {
  const res = await db
    .prepare(`DELETE FROM outcome_facts WHERE site_id = ?1 AND lead_id NOT IN (
                SELECT id FROM leads INDEXED BY leads_by_sales_status WHERE site_id = ?1 AND sales_status IS NOT NULL AND status != 'withdrawn')`)
    .bind(siteId)
    .run();
  return res.meta.changes;
}

/** The facts of a model version, optionally of hand-offs in [from, to). */
export async function factRows(db: D1Database, siteId: string, modelVersion: number, period?: { from: number; to: number }): Promise<FactRow[]> {
  const { results } = await db
    .prepare(`SELECT lead_id, ref_at, sales_status, score, fit, engagement, facts FROM outcome_facts INDEXED BY outcome_facts_by_ref
              WHERE site_id = ?1 AND ref_at >= ?2 AND ref_at < ?3 AND model_version = ?4`)
    .bind(siteId, period?.from ?? Number.MIN_SAFE_INTEGER, period?.to ?? Number.MAX_SAFE_INTEGER, modelVersion)
    .all<{ lead_id: string; ref_at: number; sales_status: string; score: number; fit: number; engagement: number; facts: string }>();
  return results.map((r) => ({
    leadId: r.lead_id, refAt: r.ref_at, salesStatus: r.sales_status, score: r.score, fit: r.fit, engagement: r.engagement, facts: JSON.parse(r.facts),
  }));
}

export async function getCalibration(db: D1Database, siteId: string): Promise<Calibration | null> {
  const r = await db.prepare('SELECT model_version, a, b, outcomes, won, fitted_at FROM likelihood_calibrations WHERE site_id = ?')
    .bind(siteId).first<{ model_version: number; a: number; b: number; outcomes: number; won: number; fitted_at: number }>();
  return r ? { modelVersion: r.model_version, a: r.a, b: r.b, outcomes: r.outcomes, won: r.won, fittedAt: r.fitted_at } : null;
}

export async function putCalibration(db: D1Database, siteId: string, c: Calibration | null): Promise<void> {
  if (!c) {
    await db.prepare('DELETE FROM likelihood_calibrations WHERE site_id = ?').bind(siteId).run();
    return;
  }
  await db
    .prepare(`INSERT INTO likelihood_calibrations (site_id, model_version, a, b, outcomes, won, fitted_at) VALUES (?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (site_id) DO UPDATE SET model_version = excluded.model_version, a = excluded.a, b = excluded.b,
                outcomes = excluded.outcomes, won = excluded.won, fitted_at = excluded.fitted_at`)
    .bind(siteId, c.modelVersion, c.a, c.b, c.outcomes, c.won, c.fittedAt)
    .run();
}

/** Sites with at least one lead that sales has touched. */
export async function sitesWithOutcomes(db: D1Database): Promise<string[]> {
  const { results } = await db
    .prepare(`SELECT id FROM sites s WHERE EXISTS (SELECT 1 FROM leads INDEXED BY leads_by_sales_status WHERE site_id = s.id AND sales_status IS NOT NULL)
              OR EXISTS (SELECT 1 FROM outcome_facts WHERE site_id = s.id)`)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

export interface ReviewSnapshot {
  modelVersion: number;
  openDays: number;
  computedAt: number;
  report: string;
}

export async function getSnapshot(db: D1Database, siteId: string): Promise<ReviewSnapshot | null> {
  const r = await db.prepare('SELECT model_version, open_days, computed_at, report FROM review_snapshots WHERE site_id = ?')
    .bind(siteId).first<{ model_version: number; open_days: number; computed_at: number; report: string }>();
  return r ? { modelVersion: r.model_version, openDays: r.open_days, computedAt: r.computed_at, report: r.report } : null;
}

export async function putSnapshot(db: D1Database, siteId: string, s: ReviewSnapshot): Promise<void> {
  await db
    .prepare(`INSERT INTO review_snapshots (site_id, model_version, open_days, computed_at, report) VALUES (?, ?, ?, ?, ?)
              ON CONFLICT (site_id) DO UPDATE SET model_version = excluded.model_version, open_days = excluded.open_days,
                computed_at = excluded.computed_at, report = excluded.report`)
    .bind(siteId, s.modelVersion, s.openDays, s.computedAt, s.report)
    .run();
}

export async function dropSnapshot(db: D1Database, siteId: string): Promise<void> {
  await db.prepare('DELETE FROM review_snapshots WHERE site_id = ?').bind(siteId).run();
}

export interface PreviewRow {
  id: string;
  status: string;
  profile: LeadProfile;
  /** The stored score: its E_norm and model version (null: not scored yet). */
  eNorm: number | null;
  scoreVersion: number | null;
  /** The lead's outcome facts, when it has some. */
  outcome: { refAt: number; salesStatus: string; engagement: number; modelVersion: number } | null;
}

/**
 * One page of the site's leads for the preview, after `cursor` by id: the
 * profile, the stored engagement and the outcome facts in one statement,
 * without the score's JSON columns (a preview of 100,000 leads reads them all).
 */
const PREVIEW_SELECT = `
  SELECT l.id, l.status, ${PROFILE_COLUMNS},
         s.e_norm, s.model_version, f.ref_at, f.sales_status, f.engagement AS ref_engagement, f.model_version AS facts_version
  FROM leads l
  LEFT JOIN lead_scores s ON s.site_id = l.site_id AND s.lead_id = l.id
  LEFT JOIN outcome_facts f ON f.site_id = l.site_id AND f.lead_id = l.id`;

const toPreviewRow = (r: Record<string, string | number | null>): PreviewRow => ({
  id: r.id as string,
  status: r.status as string,
  profile: profileOf(r),
  eNorm: r.e_norm as number | null,
  scoreVersion: r.model_version as number | null,
  outcome: r.ref_at === null ? null : {
    refAt: r.ref_at as number, salesStatus: r.sales_status as string, engagement: r.ref_engagement as number, modelVersion: r.facts_version as number,
  },
});

export async function previewRows(db: D1Database, siteId: string, cursor: string, limit: number): Promise<PreviewRow[]> {
  const { results } = await db.prepare(`${PREVIEW_SELECT} WHERE l.site_id = ?1 AND l.id > ?2 ORDER BY l.id LIMIT ?3`)
    .bind(siteId, cursor, limit).all<Record<string, string | number | null>>();
  return results.map(toPreviewRow);
}

/** The same rows for named leads (the movers, read again with their events). */
export async function previewRowsOf(db: D1Database, siteId: string, ids: string[]): Promise<PreviewRow[]> {
  if (!ids.length) return [];
  const { results } = await db.prepare(`${PREVIEW_SELECT} WHERE l.site_id = ?1 AND l.id IN (SELECT value FROM json_each(?2))`)
    .bind(siteId, JSON.stringify(ids)).all<Record<string, string | number | null>>();
  return results.map(toPreviewRow);
}
