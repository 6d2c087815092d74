import { recountVisitorsStatements } from '../ingest';

/**
 * Data access for retention: per-site settings (NULL = default) and the
 * bounded deletions the cron runs. Every deletion works on at most `limit`
 * rows chosen through an index, so a run never exceeds D1's per-query
 * limits; what is left is picked up by the next run (rows deleted never
 * come back, so the queries themselves are the resume point).
 */

export interface RetentionOverrides {
  pendingDays: number | null;
  withdrawnDays: number | null;
  eventMonths: number | null;
  ledgerYears: number | null;
}

interface RetentionRow {
  site_id: string;
  pending_days: number | null;
  withdrawn_days: number | null;
  event_months: number | null;
  ledger_years: number | null;
  updated_at: number | null;
  last_run_at: number | null;
}

const toOverrides = (r: Partial<RetentionRow> | null): RetentionOverrides => ({
  pendingDays: r?.pending_days ?? null,
  withdrawnDays: r?.withdrawn_days ?? null,
  eventMonths: r?.event_months ?? null,
  ledgerYears: r?.ledger_years ?? null,
});

export async function getRetention(db: D1Database, siteId: string): Promise<{ overrides: RetentionOverrides; updatedAt: number | null; lastRunAt: number | null }> {
  const row = await db.prepare('SELECT * FROM site_retention WHERE site_id = ?').bind(siteId).first<RetentionRow>();
  return { overrides: toOverrides(row), updatedAt: row?.updated_at ?? null, lastRunAt: row?.last_run_at ?? null };
}

/** Replaces the overrides given (a field left undefined keeps its value; null resets it to the default). */
export async function putRetention(db: D1Database, siteId: string, patch: Partial<RetentionOverrides>, now: number): Promise<void> {
  const has = (k: keyof RetentionOverrides) => (patch[k] === undefined ? 0 : 1);
  await db
    .prepare(`INSERT INTO site_retention (site_id, pending_days, withdrawn_days, event_months, ledger_years, updated_at)
              VALUES (?1, ?2, ?4, ?6, ?8, ?10)
              ON CONFLICT (site_id) DO UPDATE SET
                pending_days = CASE WHEN ?3 THEN ?2 ELSE pending_days END,
                withdrawn_days = CASE WHEN ?5 THEN ?4 ELSE withdrawn_days END,
                event_months = CASE WHEN ?7 THEN ?6 ELSE event_months END,
                ledger_years = CASE WHEN ?9 THEN ?8 ELSE ledger_years END,
                updated_at = ?10`)
    .bind(siteId, patch.pendingDays ?? null, has('pendingDays'), patch.withdrawnDays ?? null, has('withdrawnDays'),
      patch.eventMonths ?? null, has('eventMonths'), patch.ledgerYears ?? null, has('ledgerYears'), now)
    .run();
}

/** Sites for this run, least recently processed first (round robin across runs). */
export async function sitesDue(db: D1Database, limit: number): Promise<(RetentionOverrides & { siteId: string })[]> {
  const { results } = await db
    .prepare(`SELECT s.id AS site_id, r.pending_days, r.withdrawn_days, r.event_months, r.ledger_years
              FROM sites s LEFT JOIN site_retention r ON r.site_id = s.id
              ORDER BY COALESCE(r.last_run_at, 0), s.id LIMIT ?`)
    .bind(limit)
    .all<RetentionRow>();
  return results.map((r) => ({ siteId: r.site_id, ...toOverrides(r) }));
}

export async function markRun(db: D1Database, siteId: string, now: number): Promise<void> {
  await db
    .prepare(`INSERT INTO site_retention (site_id, updated_at, last_run_at) VALUES (?1, ?2, ?2)
              ON CONFLICT (site_id) DO UPDATE SET last_run_at = ?2`)
    .bind(siteId, now)
    .run();
}

/** Leads in `status` whose last change is older than `before`, oldest first. */
export async function staleLeads(db: D1Database, siteId: string, status: 'pending' | 'withdrawn', before: number, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare(`SELECT id FROM leads WHERE site_id = ? AND status = ? AND updated_at < ? ORDER BY updated_at LIMIT ?`)
    .bind(siteId, status, before, limit)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/**
 * Events of visitors who never became leads (or no visitor id at all:
 * anonymous mode, de-identified), received before `before`. Events linked
 * to a lead, or of a visitor linked to one, stay while the lead exists.
 */
export async function deleteOldAnonymousEvents(db: D1Database, siteId: string, before: number, limit: number): Promise<number> {
  const unlinked = `e.lead_id IS NULL
    AND (e.visitor_id IS NULL OR NOT EXISTS (SELECT 1 FROM lead_visitors v WHERE v.site_id = e.site_id AND v.visitor_id = e.visitor_id))`;
  const { results } = await db
    .prepare(`SELECT e.event_id, e.visitor_id FROM events e INDEXED BY events_by_site_time
              WHERE e.site_id = ?1 AND e.received_at < ?2 AND ${unlinked} LIMIT ?3`)
    .bind(siteId, before, limit)
    .all<{ event_id: string; visitor_id: string | null }>();
  if (!results.length) return 0;
  // The condition again in the batch: a visitor who became a lead meanwhile keeps its events.
  const [res] = await db.batch([
    db.prepare(`DELETE FROM events WHERE (site_id, event_id) IN (
                  SELECT e.site_id, e.event_id FROM events e
                  WHERE e.site_id = ?1 AND e.event_id IN (SELECT value FROM json_each(?2)) AND ${unlinked})`)
      .bind(siteId, JSON.stringify(results.map((r) => r.event_id))),
    ...recountVisitorsStatements(db, siteId, results.map((r) => r.visitor_id)),
  ]);
  return res!.meta.changes;
}

/** Opt-in tokens (with the profile as typed) expired before `before`: spent, voided or never used. */
export async function deleteExpiredTokens(db: D1Database, siteId: string, before: number, limit: number): Promise<number> {
  const res = await db
    .prepare(`DELETE FROM optin_tokens WHERE token_hash IN (
                SELECT token_hash FROM optin_tokens WHERE site_id = ? AND expires_at < ? LIMIT ?)`)
    .bind(siteId, before, limit)
    .run();
  return res.meta.changes;
}

/** Pseudonymised ledger rows and erasure-log rows of erasures before `before`. */
export async function deleteErasedLedger(db: D1Database, siteId: string, before: number, limit: number): Promise<number> {
  const [ledger] = await db.batch([
    db.prepare(`DELETE FROM consent_ledger WHERE seq IN (
                  SELECT seq FROM consent_ledger WHERE site_id = ? AND erased_at IS NOT NULL AND erased_at < ? LIMIT ?)`)
      .bind(siteId, before, limit),
    db.prepare(`DELETE FROM erasure_log WHERE seq IN (SELECT seq FROM erasure_log WHERE site_id = ? AND erased_at < ? LIMIT ?)`)
      .bind(siteId, before, limit),
  ]);
  return ledger!.meta.changes;
}
