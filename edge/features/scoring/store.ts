// Over 300 lines on purpose: all SQL of scores, stage history and rescore jobs, whose writes share one batch.
import type { EngagementState, FitLine, ScoringEvent, StageHistoryEntry, StageState, StageTransition } from '../../core/scoring';
import type { LeadRow } from '../leads';

/**
 * Data access for lead scoring: models, per-lead score rows, visitor links,
 * stage history and rescoring jobs. Plain functions on the D1 handle; the
 * computing happens in edge/core/scoring (pure) and lead-scoring.ts.
 */

// ── models ────────────────────────────────────────────────────────────────

export interface StoredModel {
  version: number;
  model: string;
  createdAt: number;
}

export async function getStoredModel(db: D1Database, siteId: string, version?: number): Promise<StoredModel | null> {
  const row = await db
    .prepare(`SELECT version, model, created_at FROM scoring_models WHERE site_id = ?1 AND (?2 IS NULL OR version = ?2)
              ORDER BY version DESC LIMIT 1`)
    .bind(siteId, version ?? null)
    .first<{ version: number; model: string; created_at: number }>();
  return row ? { version: row.version, model: row.model, createdAt: row.created_at } : null;
}

/**
 * Saves a new model version (one above the current) and points the site at
 * it, in one batch; a concurrent save of the same version fails on the key.
 */
export async function saveModel(db: D1Database, siteId: string, version: number, modelJson: string, now: number): Promise<void> {
  await db.batch([
    db.prepare('INSERT INTO scoring_models (site_id, version, model, created_at) VALUES (?, ?, ?, ?)').bind(siteId, version, modelJson, now),
    db.prepare('UPDATE sites SET scoring_model_version = ?, updated_at = ? WHERE id = ?').bind(version, now, siteId),
    db.prepare(`INSERT INTO rescore_jobs (site_id, model_version, started_at) VALUES (?, ?, ?)`).bind(siteId, version, now),
  ]);
}

// ── lead score rows ───────────────────────────────────────────────────────

/** A lead's stored score, with what scoring needs of the lead itself. */
export interface LeadScoreRow {
  leadId: string;
  /** The site's active scoring model version. */
  siteModelVersion: number;
  status: 'pending' | 'confirmed' | 'withdrawn';
  profile: {
    email: string; company: string | null; role: string | null; companySize: string | null; industry: string | null; country: string | null;
    budget: string | null; authority: string | null; need: string | null; timeline: string | null;
  };
  /** Sales recycled the lead then: engagement counts from this instant on (null: all of it). */
  engagementSince: number | null;
  /** Null when the lead has no score row yet. */
  score: {
    modelVersion: number;
    fit: number;
    fitRules: FitLine[];
    eNorm: number;
    lastSeq: number;
    state: EngagementState;
    stage: string;
    stageState: StageState;
    recheckAt: number | null;
    rev: string;
    updatedAt: number;
  } | null;
}

type JoinedRow = Pick<LeadRow, 'id' | 'status' | 'email' | 'company' | 'role' | 'company_size' | 'industry' | 'country'
  | 'budget' | 'authority' | 'need' | 'timeline' | 'engagement_since'> & {
  site_model_version: number;
  model_version: number | null;
  fit: number | null;
  fit_rules: string | null;
  e_norm: number | null;
  last_seq: number | null;
  state: string | null;
  stage: string | null;
  stage_state: string | null;
  recheck_at: number | null;
  rev: string | null;
  updated_at: number | null;
};

const LEAD_SCORE_COLUMNS = `
  l.id, l.status, (SELECT scoring_model_version FROM sites WHERE id = l.site_id) AS site_model_version,
  l.email, l.company, l.role, l.company_size, l.industry, l.country, l.budget, l.authority, l.need, l.timeline, l.engagement_since,
  s.model_version, s.fit, s.fit_rules, s.e_norm, s.last_seq, s.state, s.stage, s.stage_state, s.recheck_at, s.rev, s.updated_at`;

const SELECT_LEAD_SCORE = `
  SELECT ${LEAD_SCORE_COLUMNS}
  FROM leads l LEFT JOIN lead_scores s ON s.site_id = l.site_id AND s.lead_id = l.id`;

function toLeadScore(r: JoinedRow): LeadScoreRow {
  return {
    leadId: r.id,
    siteModelVersion: r.site_model_version,
    status: r.status,
    profile: {
      email: r.email, company: r.company, role: r.role, companySize: r.company_size, industry: r.industry, country: r.country,
      budget: r.budget, authority: r.authority, need: r.need, timeline: r.timeline,
    },
    engagementSince: r.engagement_since,
    score: r.rev === null ? null : {
      modelVersion: r.model_version!,
      fit: r.fit!,
      fitRules: JSON.parse(r.fit_rules!) as FitLine[],
      eNorm: r.e_norm!,
      lastSeq: r.last_seq!,
      state: JSON.parse(r.state!) as EngagementState,
      stage: r.stage!,
      stageState: JSON.parse(r.stage_state!) as StageState,
      recheckAt: r.recheck_at,
      rev: r.rev,
      updatedAt: r.updated_at!,
    },
  };
}

export async function getLeadScore(db: D1Database, siteId: string, leadId: string): Promise<LeadScoreRow | null> {
  const row = await db.prepare(`${SELECT_LEAD_SCORE} WHERE l.site_id = ? AND l.id = ?`).bind(siteId, leadId).first<JoinedRow>();
  return row ? toLeadScore(row) : null;
}

/** Several leads with their scores, for batch work (rescoring). */
export async function getLeadScores(db: D1Database, siteId: string, leadIds: string[]): Promise<LeadScoreRow[]> {
  if (!leadIds.length) return [];
  const { results } = await db
    .prepare(`${SELECT_LEAD_SCORE} WHERE l.site_id = ?1 AND l.id IN (SELECT value FROM json_each(?2))`)
    .bind(siteId, JSON.stringify(leadIds))
    .all<JoinedRow>();
  return results.map(toLeadScore);
}

/**
 * The leads behind a set of visitor ids, with their scores. The ingest path
 * batches this statement with the site lookup: one round trip for both.
 */
export function leadScoresForVisitorsStatement(db: D1Database, siteId: string, visitorIds: string[]): D1PreparedStatement {
  return db
    .prepare(`SELECT v.visitor_id, ${LEAD_SCORE_COLUMNS}
              FROM lead_visitors v
              JOIN leads l ON l.site_id = v.site_id AND l.id = v.lead_id
              LEFT JOIN lead_scores s ON s.site_id = v.site_id AND s.lead_id = v.lead_id
              WHERE v.site_id = ?1 AND v.visitor_id IN (SELECT value FROM json_each(?2))`)
    .bind(siteId, JSON.stringify(visitorIds));
}

/** Result rows of `leadScoresForVisitorsStatement`, by visitor id. */
export function leadScoresByVisitor(rows: readonly unknown[]): Map<string, LeadScoreRow> {
  return new Map((rows as (JoinedRow & { visitor_id: string })[]).map((r) => [r.visitor_id, toLeadScore(r)]));
}

/** The new score of a lead, as computed from a LeadScoreRow. */
export interface ScoreWrite {
  siteId: string;
  leadId: string;
  modelVersion: number;
  fit: number;
  fitRules: FitLine[];
  state: EngagementState;
  stageState: StageState;
  recheckAt: number | null;
  rev: string;
  now: number;
}

/**
 * Writes a score guarded by optimistic concurrency: only when the stored
 * revision is still `expectedRev` (null: no row yet). `extraGuard` adds an
 * SQL condition (e.g. "all events of this request were new"). Check
 * `meta.changes` of the result: 0 means another writer won; read and retry.
 */
export function writeScoreStatement(db: D1Database, w: ScoreWrite, expectedRev: string | null, extraGuard?: { sql: string; params: unknown[] }): D1PreparedStatement {
  const values = [w.modelVersion, w.fit, JSON.stringify(w.fitRules), w.state.eNorm, w.state.lastSeq, JSON.stringify(w.state),
    w.stageState.stage, JSON.stringify(w.stageState), w.recheckAt, w.rev, w.now];
  const guard = extraGuard ? ` AND ${extraGuard.sql}` : '';
  if (expectedRev === null) {
    return db
      .prepare(`INSERT INTO lead_scores (model_version, fit, fit_rules, e_norm, last_seq, state, stage, stage_state, recheck_at, rev, updated_at, site_id, lead_id)
                SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE 1${guard}
                ON CONFLICT (site_id, lead_id) DO NOTHING`)
      .bind(...values, w.siteId, w.leadId, ...(extraGuard?.params ?? []));
  }
  return db
    .prepare(`UPDATE lead_scores SET model_version = ?, fit = ?, fit_rules = ?, e_norm = ?, last_seq = ?, state = ?, stage = ?,
                     stage_state = ?, recheck_at = ?, rev = ?, updated_at = ?
              WHERE site_id = ? AND lead_id = ? AND rev = ?${guard}`)
    .bind(...values, w.siteId, w.leadId, expectedRev, ...(extraGuard?.params ?? []));
}

/** Only when the score write with revision `rev` happened in this batch. */
const wonSql = 'EXISTS (SELECT 1 FROM lead_scores WHERE site_id = ? AND lead_id = ? AND rev = ?)';

/** Gives events their scoring order, only if the score write `rev` won. */
export function assignSeqStatement(db: D1Database, siteId: string, leadId: string, rev: string, seqs: { eventId: string; seq: number }[]): D1PreparedStatement {
  return db
    .prepare(`UPDATE events SET lead_id = ?2,
                lead_seq = (SELECT j.value ->> '$.seq' FROM json_each(?4) j WHERE j.value ->> '$.id' = events.event_id)
              WHERE site_id = ?1 AND event_id IN (SELECT value ->> '$.id' FROM json_each(?4))
                AND EXISTS (SELECT 1 FROM lead_scores WHERE site_id = ?1 AND lead_id = ?2 AND rev = ?3)`)
    .bind(siteId, leadId, rev, JSON.stringify(seqs.map((s) => ({ id: s.eventId, seq: s.seq }))));
}

/** Records stage transitions, only if the score write `rev` won. */
export function stageHistoryStatements(db: D1Database, siteId: string, leadId: string, rev: string, transitions: StageTransition[]): D1PreparedStatement[] {
  return transitions.map((t) =>
    db
      .prepare(`INSERT INTO stage_history (site_id, lead_id, from_stage, to_stage, direction, at, score, fit, engagement, model_version)
                SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ${wonSql}`)
      .bind(siteId, leadId, t.from, t.to, t.direction, t.at, t.score, t.fit, t.engagement, t.modelVersion, siteId, leadId, rev),
  );
}

// ── events for scoring ────────────────────────────────────────────────────

interface EventForScoring {
  event_id: string;
  kind: string;
  ts: number;
  path: string;
  magnet_id: string | null;
  name: string | null;
  lead_seq: number | null;
}

/** A lead's scored events in canonical order, then its unscored ones in arrival order. */
export async function eventsOfLead(db: D1Database, siteId: string, leadId: string, onlyUnscored: boolean): Promise<{ scored: ScoringEvent[]; unscored: (Omit<ScoringEvent, 'seq'> & { eventId: string })[] }> {
  const { results } = await db
    .prepare(`SELECT event_id, kind, ts, path, magnet_id, name, lead_seq FROM events
              WHERE site_id = ?1 AND lead_id = ?2 AND (?3 = 0 OR lead_seq IS NULL)
              ORDER BY lead_seq IS NULL, lead_seq, received_at, event_id`)
    .bind(siteId, leadId, onlyUnscored ? 1 : 0)
    .all<EventForScoring>();
  const scored: ScoringEvent[] = [];
  const unscored: (Omit<ScoringEvent, 'seq'> & { eventId: string })[] = [];
  for (const r of results) {
    const e = { kind: r.kind, ts: r.ts, path: r.path, magnet: r.magnet_id, name: r.name };
    if (r.lead_seq === null) unscored.push({ ...e, eventId: r.event_id });
    else scored.push({ ...e, seq: r.lead_seq });
  }
  return { scored, unscored };
}

/** Every event of several leads, split per lead as `eventsOfLead` returns them. */
export async function eventsOfLeads(db: D1Database, siteId: string, leadIds: string[]): Promise<Map<string, Awaited<ReturnType<typeof eventsOfLead>>>> {
  const out = new Map(leadIds.map((id) => [id, { scored: [] as ScoringEvent[], unscored: [] as (Omit<ScoringEvent, 'seq'> & { eventId: string })[] }]));
  if (!leadIds.length) return out;
  const { results } = await db
    // Named index and IS NOT NULL: with an IN list the planner would otherwise scan every event of the site.
    .prepare(`SELECT lead_id, event_id, kind, ts, path, magnet_id, name, lead_seq FROM events INDEXED BY events_by_lead
              WHERE site_id = ?1 AND lead_id IS NOT NULL AND lead_id IN (SELECT value FROM json_each(?2))
              ORDER BY lead_id, lead_seq IS NULL, lead_seq, received_at, event_id`)
    .bind(siteId, JSON.stringify(leadIds))
    .all<EventForScoring & { lead_id: string }>();
  for (const r of results) {
    const bucket = out.get(r.lead_id)!;
    const e = { kind: r.kind, ts: r.ts, path: r.path, magnet: r.magnet_id, name: r.name };
    if (r.lead_seq === null) bucket.unscored.push({ ...e, eventId: r.event_id });
    else bucket.scored.push({ ...e, seq: r.lead_seq });
  }
  return out;
}

// ── identity stitching ────────────────────────────────────────────────────

/**
 * Links a visitor id to a lead and hands the lead that visitor's earlier,
 * unclaimed events (scored by the next refresh). A visitor id exists only
 * after consent, so this is consented history only.
 */
export function linkVisitorStatements(db: D1Database, siteId: string, visitorId: string, leadId: string, now: number): D1PreparedStatement[] {
  return [
    db.prepare(`INSERT INTO lead_visitors (site_id, visitor_id, lead_id, linked_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (site_id, visitor_id) DO UPDATE SET lead_id = excluded.lead_id, linked_at = excluded.linked_at`)
      .bind(siteId, visitorId, leadId, now),
    db.prepare('UPDATE events SET lead_id = ? WHERE site_id = ? AND visitor_id = ? AND lead_id IS NULL').bind(leadId, siteId, visitorId),
  ];
}

/**
 * Events that arrived unlinked while their visitor was being linked (a race
 * between collect and lead creation): link them now. Looks only at visitors
 * linked since `since`, through indexes. Returns the leads touched.
 */
export async function linkStragglers(db: D1Database, since: number): Promise<{ siteId: string; leadId: string }[]> {
  const { results } = await db
    .prepare(`UPDATE events SET lead_id = v.lead_id FROM lead_visitors v
              WHERE v.linked_at >= ? AND events.site_id = v.site_id AND events.visitor_id = v.visitor_id AND events.lead_id IS NULL
              RETURNING events.site_id AS site_id, events.lead_id AS lead_id`)
    .bind(since)
    .all<{ site_id: string; lead_id: string }>();
  const seen = new Map(results.map((r) => [`${r.site_id}\u0000${r.lead_id}`, { siteId: r.site_id, leadId: r.lead_id }]));
  return [...seen.values()];
}

/** Leads with events that were never scored (a failed refresh, a lost race): the cron's safety net. */
export async function leadsWithUnscoredEvents(db: D1Database, limit: number): Promise<{ siteId: string; leadId: string }[]> {
  const { results } = await db
    .prepare(`SELECT DISTINCT site_id, lead_id FROM events INDEXED BY events_unscored
              WHERE lead_id IS NOT NULL AND lead_seq IS NULL LIMIT ?`)
    .bind(limit)
    .all<{ site_id: string; lead_id: string }>();
  return results.map((r) => ({ siteId: r.site_id, leadId: r.lead_id }));
}

// ── stage history, rechecks, rescoring jobs ───────────────────────────────

export type { StageHistoryEntry };

export async function stageHistoryOf(db: D1Database, siteId: string, leadId: string): Promise<StageHistoryEntry[]> {
  const { results } = await db
    .prepare(`SELECT seq, from_stage AS "from", to_stage AS "to", direction, at, score, fit, engagement, model_version AS modelVersion, actor, detail
              FROM stage_history WHERE site_id = ? AND lead_id = ? ORDER BY seq`)
    .bind(siteId, leadId)
    .all<Omit<StageHistoryEntry, 'by' | 'detail'> & { actor: string | null; detail: string | null }>();
  return results.map(({ actor, detail, ...entry }) => ({
    ...entry,
    ...(actor === null ? {} : { by: actor }),
    ...(detail === null ? {} : { detail: JSON.parse(detail) as Record<string, unknown> }),
  }));
}

/** A sales change as the history keeps it: the score of the moment, who and what. */
export type SalesHistoryEntry = Omit<StageHistoryEntry, 'seq' | 'by'> & { by: string };

/**
 * Records a sales change, only if the sales write that carries `guard` won
 * (the caller's batch: the lead's update comes first).
 */
export function salesHistoryStatement(db: D1Database, siteId: string, leadId: string, e: SalesHistoryEntry, guard: { sql: string; params: unknown[] }): D1PreparedStatement {
  return db
    .prepare(`INSERT INTO stage_history (site_id, lead_id, from_stage, to_stage, direction, at, score, fit, engagement, model_version, actor, detail)
              SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ${guard.sql}`)
    .bind(siteId, leadId, e.from, e.to, e.direction, e.at, e.score, e.fit, e.engagement, e.modelVersion, e.by,
      e.detail ? JSON.stringify(e.detail) : null, ...guard.params);
}

/** Leads whose stage may have changed by decay or the end of a cool-down. */
export async function dueRechecks(db: D1Database, now: number, limit: number): Promise<{ siteId: string; leadId: string }[]> {
  const { results } = await db
    .prepare('SELECT site_id, lead_id FROM lead_scores WHERE recheck_at IS NOT NULL AND recheck_at <= ? ORDER BY recheck_at LIMIT ?')
    .bind(now, limit)
    .all<{ site_id: string; lead_id: string }>();
  return results.map((r) => ({ siteId: r.site_id, leadId: r.lead_id }));
}

export interface RescoreJob {
  siteId: string;
  modelVersion: number;
  cursor: string;
  done: number;
}

export async function openRescoreJobs(db: D1Database, limit: number): Promise<RescoreJob[]> {
  const { results } = await db
    .prepare(`SELECT site_id, model_version, cursor, done FROM rescore_jobs WHERE finished_at IS NULL ORDER BY started_at LIMIT ?`)
    .bind(limit)
    .all<{ site_id: string; model_version: number; cursor: string; done: number }>();
  return results.map((r) => ({ siteId: r.site_id, modelVersion: r.model_version, cursor: r.cursor, done: r.done }));
}

/** The next leads of a site to rescore, after `cursor` in id order. */
export async function leadsAfter(db: D1Database, siteId: string, cursor: string, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare('SELECT id FROM leads WHERE site_id = ? AND id > ? ORDER BY id LIMIT ?')
    .bind(siteId, cursor, limit)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/**
 * Moves a job's cursor from where `job` found it; false when another runner
 * moved it first (two runners may overlap: the save's own run and the cron).
 */
export async function advanceRescoreJob(db: D1Database, job: RescoreJob, cursor: string, doneDelta: number, finished: boolean, now: number): Promise<boolean> {
  const res = await db
    .prepare(`UPDATE rescore_jobs SET cursor = ?, done = done + ?, finished_at = ?
              WHERE site_id = ? AND model_version = ? AND cursor = ? AND finished_at IS NULL`)
    .bind(cursor, doneDelta, finished ? now : null, job.siteId, job.modelVersion, job.cursor)
    .run();
  return res.meta.changes === 1;
}

/** Progress of the background rescoring for one model version, or null when none ran. */
export async function rescoreStatus(db: D1Database, siteId: string, version: number) {
  const job = await db
    .prepare('SELECT done, started_at, finished_at FROM rescore_jobs WHERE site_id = ? AND model_version = ?')
    .bind(siteId, version)
    .first<{ done: number; started_at: number; finished_at: number | null }>();
  return job ? { version, leadsDone: job.done, startedAt: job.started_at, finishedAt: job.finished_at } : null;
}

/** What decides how a lead's visitors are linked: its status and its own visitor id. */
export const leadLinkState = (db: D1Database, siteId: string, leadId: string) =>
  db.prepare('SELECT status, visitor_id FROM leads WHERE site_id = ? AND id = ?').bind(siteId, leadId)
    .first<{ status: string; visitor_id: string | null }>();

/** Sets the country from request data once; a known country is kept. For the caller's batch. */
export const fillCountryStatement = (db: D1Database, siteId: string, leadId: string, country: string) =>
  db.prepare('UPDATE leads SET country = COALESCE(country, ?) WHERE site_id = ? AND id = ?').bind(country, siteId, leadId);

/** A withdrawn lead keeps no link to its visitors. For the caller's batch. */
export const unlinkVisitorsStatement = (db: D1Database, siteId: string, leadId: string) =>
  db.prepare('DELETE FROM lead_visitors WHERE site_id = ? AND lead_id = ?').bind(siteId, leadId);
