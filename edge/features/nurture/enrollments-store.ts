import type { Condition } from '../../core/nurture/sequence';
import type { ExitReason, Rest } from '../../core/nurture/plan';
import { randomToken } from '../../core/crypto';

/**
 * Data access for enrolments: who enters (trigger candidates and the entry
 * statement), what is due, the facts a move needs, and the move itself.
 *
 * Transaction contract of a move (`moveStatements`): every statement is
 * guarded by the enrolment's revision as this run read it, so of two
 * overlapping runs only the first batch changes anything; a send writes the
 * lead's frequency cap, the enrolment's new place and the outbox row in one
 * batch, each statement checking that the one before it took effect.
 */

export interface Enrollment {
  id: string;
  siteId: string;
  sequenceId: string;
  leadId: string;
  entry: number;
  stepId: string;
  stepAt: number;
  dueAt: number;
  rev: string;
  enteredAt: number;
}

interface EnrollmentRow {
  id: string;
  site_id: string;
  sequence_id: string;
  lead_id: string;
  entry: number;
  step_id: string;
  step_at: number;
  due_at: number;
  rev: string;
  entered_at: number;
}

const toEnrollment = (r: EnrollmentRow): Enrollment => ({
  id: r.id, siteId: r.site_id, sequenceId: r.sequence_id, leadId: r.lead_id, entry: r.entry, stepId: r.step_id, stepAt: r.step_at,
  dueAt: r.due_at, rev: r.rev, enteredAt: r.entered_at,
});

export const newRev = () => randomToken(12);

// ── triggers ────────────────────────────────────────────────────────────

export interface Candidate {
  leadId: string;
  /** Where the trigger's cursor moves once this candidate is handled. */
  at: number;
  key: string;
}

/** Leads with an event of `kind` after the cursor (received_at, event_id), oldest first. */
export async function eventCandidates(
  db: D1Database,
  q: { siteId: string; kind: string; magnetId: string | null; after: { at: number; key: string }; until: number; limit: number },
): Promise<Candidate[]> {
  const { results } = await db
    .prepare(`SELECT event_id, lead_id, received_at FROM events INDEXED BY events_by_site_time
              WHERE site_id = ?1 AND (received_at > ?2 OR (received_at = ?2 AND event_id > ?3)) AND received_at <= ?4
                AND kind = ?5 AND (?6 IS NULL OR magnet_id = ?6) AND lead_id IS NOT NULL
              ORDER BY received_at, event_id LIMIT ?7`)
    .bind(q.siteId, q.after.at, q.after.key, q.until, q.kind, q.magnetId, q.limit)
    .all<{ event_id: string; lead_id: string; received_at: number }>();
  return results.map((r) => ({ leadId: r.lead_id, at: r.received_at, key: r.event_id }));
}

/** Leads that entered `stage` (a scoring stage or a sales status) after the cursor (stage_history seq in key). */
export async function stageCandidates(
  db: D1Database,
  q: { siteId: string; stage: string; afterSeq: number; limit: number },
): Promise<Candidate[]> {
  const { results } = await db
    .prepare(`SELECT seq, lead_id, at FROM stage_history INDEXED BY stage_history_by_site
              WHERE site_id = ? AND seq > ? AND to_stage = ? ORDER BY seq LIMIT ?`)
    .bind(q.siteId, q.afterSeq, q.stage, q.limit)
    .all<{ seq: number; lead_id: string; at: number }>();
  return results.map((r) => ({ leadId: r.lead_id, at: r.at, key: String(r.seq) }));
}

/** The newest stage change of a site: where a new stage trigger starts reading. */
export async function lastStageSeq(db: D1Database, siteId: string): Promise<number> {
  const r = await db.prepare('SELECT MAX(seq) AS seq FROM stage_history WHERE site_id = ?').bind(siteId).first<{ seq: number | null }>();
  return r?.seq ?? 0;
}

/**
 * Leads whose last event fell in (from, to] and who did nothing since: they
 * have been inactive for (now − their last event). Paged by lead id within
 * the slice (`afterLead`), so a busy hour is read in several runs.
 */
export async function inactiveCandidates(
  db: D1Database,
  q: { siteId: string; from: number; to: number; afterLead: string; limit: number },
): Promise<string[]> {
  const { results } = await db
    .prepare(`SELECT e.lead_id, MAX(e.ts) AS last FROM events e INDEXED BY events_by_site_time
              WHERE e.site_id = ?1 AND e.received_at > ?2 AND e.received_at <= ?3 AND e.lead_id IS NOT NULL AND e.lead_id > ?4
              GROUP BY e.lead_id
              HAVING NOT EXISTS (SELECT 1 FROM events l INDEXED BY events_by_lead
                                 WHERE l.site_id = ?1 AND l.lead_id = e.lead_id AND l.ts > MAX(e.ts))
              ORDER BY e.lead_id LIMIT ?5`)
    .bind(q.siteId, q.from, q.to, q.afterLead, q.limit)
    .all<{ lead_id: string }>();
  return results.map((r) => r.lead_id);
}

/**
 * Leads that were warm or hot at `from` and are cold at `to`: their decayed
 * engagement (or score, by the model's basis) crossed the warm threshold in
 * between. `dFrom`/`dTo` are the decay factors at both ends; with the
 * engagement basis the crossing is a range of stored E_norm values, read
 * through an index. Paged by lead id.
 */
export async function coolingCandidates(
  db: D1Database,
  q: { siteId: string; basis: 'engagement' | 'score'; warm: number; dFrom: number; dTo: number; afterLead: string; limit: number },
): Promise<string[]> {
  const stmt = q.basis === 'engagement'
    ? db.prepare(`SELECT lead_id FROM lead_scores INDEXED BY lead_scores_cooling
                  WHERE site_id = ?1 AND e_norm >= ?2 AND e_norm < ?3 AND lead_id > ?4 ORDER BY lead_id LIMIT ?5`)
      .bind(q.siteId, q.warm / q.dFrom, q.warm / q.dTo, q.afterLead, q.limit)
    : db.prepare(`SELECT lead_id FROM lead_scores
                  WHERE site_id = ?1 AND fit + e_norm * ?2 >= ?4 AND fit + e_norm * ?3 < ?4 AND lead_id > ?5 ORDER BY lead_id LIMIT ?6`)
      .bind(q.siteId, q.dFrom, q.dTo, q.warm, q.afterLead, q.limit);
  const { results } = await stmt.all<{ lead_id: string }>();
  return results.map((r) => r.lead_id);
}

/** A lead may be mailed by a sequence: confirmed, marketing consent, not imported without consent, no bounce, not with sales. */
const MAILABLE = `l.status = 'confirmed' AND l.marketing = 1 AND (l.basis IS NULL OR l.basis = 'consent') AND l.mail_suppressed IS NULL`;
const WITH_SALES = `(l.owner_id IS NOT NULL AND l.sales_status IN ('open', 'accepted', 'opportunity', 'won'))`;

/**
 * Enters a lead into a sequence at its first step, due now, if it may be
 * mailed and the re-entry rule allows it. The id is derived from what
 * triggered the entry, so two runs that see the same trigger enter once;
 * the unique index keeps a lead in a sequence once at a time either way.
 */
export function enrollStatement(
  db: D1Database,
  e: { id: string; siteId: string; sequenceId: string; leadId: string; firstStep: string; reentryDays: number | null; now: number },
): D1PreparedStatement {
  const reentry = e.reentryDays === null
    ? 'NOT EXISTS (SELECT 1 FROM nurture_enrollments p WHERE p.site_id = l.site_id AND p.sequence_id = ?3 AND p.lead_id = l.id)'
    : `NOT EXISTS (SELECT 1 FROM nurture_enrollments p WHERE p.site_id = l.site_id AND p.sequence_id = ?3 AND p.lead_id = l.id
                     AND (p.state = 'active' OR p.ended_at > ?7))`;
  return db
    .prepare(`INSERT OR IGNORE INTO nurture_enrollments (id, site_id, sequence_id, lead_id, entry, state, step_id, step_at, due_at, rev, entered_at)
              SELECT ?1, l.site_id, ?3, l.id,
                     (SELECT COUNT(*) FROM nurture_enrollments p WHERE p.site_id = l.site_id AND p.sequence_id = ?3 AND p.lead_id = l.id) + 1,
                     'active', ?5, ?6, ?6, ?8, ?6
              FROM leads l
              WHERE l.site_id = ?2 AND l.id = ?4 AND ${MAILABLE} AND NOT ${WITH_SALES} AND ${reentry}`)
    .bind(e.id, e.siteId, e.sequenceId, e.leadId, e.firstStep, e.now, e.reentryDays === null ? 0 : e.now - e.reentryDays * 86_400_000, newRev());
}

// ── moves ───────────────────────────────────────────────────────────────

/** Active enrolments due by `now`, oldest first: read through the partial index, so the cost follows the due rows. */
export async function dueEnrollments(db: D1Database, now: number, limit: number): Promise<Enrollment[]> {
  const { results } = await db
    .prepare(`SELECT id, site_id, sequence_id, lead_id, entry, step_id, step_at, due_at, rev, entered_at
              FROM nurture_enrollments INDEXED BY nurture_due WHERE state = 'active' AND due_at <= ? ORDER BY due_at LIMIT ?`)
    .bind(now, limit)
    .all<EnrollmentRow>();
  return results.map(toEnrollment);
}

/** What a move needs to know of a lead, read for many leads of one site at once. */
export interface LeadNurtureRow {
  id: string;
  email: string;
  status: 'pending' | 'confirmed' | 'withdrawn';
  marketing: number;
  basis: string | null;
  mailSuppressed: 'bounce' | 'complaint' | null;
  withSales: boolean;
  lastNurtureAt: number | null;
  lang: string;
  profile: Record<string, string | null>;
  score: { stage: string; fit: number; eNorm: number; modelVersion: number } | null;
}

export async function leadsForNurture(db: D1Database, siteId: string, leadIds: readonly string[]): Promise<Map<string, LeadNurtureRow>> {
  if (!leadIds.length) return new Map();
  const { results } = await db
    .prepare(`SELECT l.id, l.email, l.status, l.marketing, l.basis, l.mail_suppressed, ${WITH_SALES} AS with_sales, l.last_nurture_at, l.lang,
                     l.first_name, l.company, l.role, l.company_size, l.industry, l.country,
                     s.stage, s.fit, s.e_norm, s.model_version
              FROM json_each(?2) j CROSS JOIN leads l ON l.site_id = ?1 AND l.id = j.value
              LEFT JOIN lead_scores s ON s.site_id = l.site_id AND s.lead_id = l.id`)
    .bind(siteId, JSON.stringify([...new Set(leadIds)]))
    .all<{
      id: string; email: string; status: LeadNurtureRow['status']; marketing: number; basis: string | null; mail_suppressed: LeadNurtureRow['mailSuppressed'];
      with_sales: number; last_nurture_at: number | null; lang: string; first_name: string | null; company: string | null; role: string | null;
      company_size: string | null; industry: string | null; country: string | null; stage: string | null; fit: number | null; e_norm: number | null;
      model_version: number | null;
    }>();
  return new Map(results.map((r) => [r.id, {
    id: r.id, email: r.email, status: r.status, marketing: r.marketing, basis: r.basis, mailSuppressed: r.mail_suppressed, withSales: r.with_sales === 1,
    lastNurtureAt: r.last_nurture_at, lang: r.lang,
    profile: { firstName: r.first_name, company: r.company, role: r.role, companySize: r.company_size, industry: r.industry, country: r.country },
    score: r.stage === null ? null : { stage: r.stage, fit: r.fit!, eNorm: r.e_norm!, modelVersion: r.model_version! },
  }]));
}

/** Whether the lead has an event matching an event condition since `since` (through the lead's event index). */
export async function hasEvent(db: D1Database, siteId: string, leadId: string, c: Extract<Condition, { type: 'event' }>, since: number): Promise<boolean> {
  const r = await db
    .prepare(`SELECT 1 AS hit FROM events INDEXED BY events_by_lead
              WHERE site_id = ?1 AND lead_id = ?2 AND ts >= ?3
                AND (?4 IS NULL OR kind IN (SELECT value FROM json_each(?4)))
                AND (?5 IS NULL OR magnet_id IN (SELECT value FROM json_each(?5)))
                AND (?6 IS NULL OR path IN (SELECT value FROM json_each(?6)))
              LIMIT 1`)
    .bind(siteId, leadId, since, c.kinds ? JSON.stringify(c.kinds) : null, c.magnets ? JSON.stringify(c.magnets) : null,
      c.paths ? JSON.stringify(c.paths) : null)
    .first<{ hit: number }>();
  return r !== null;
}

/**
 * Which of `entries` (a lead and when it entered a sequence) reached one of
 * `stages` since then, for one move batch in one query (through the lead
 * index of the stage history). Answers keys `${lead}|${since}`.
 */
export async function reachedStageSince(
  db: D1Database,
  siteId: string,
  entries: readonly { leadId: string; since: number }[],
  stages: readonly string[],
): Promise<Set<string>> {
  if (!entries.length) return new Set();
  const { results } = await db
    .prepare(`SELECT j.value ->> '$.l' AS lead_id, j.value ->> '$.s' AS since FROM json_each(?2) j
              WHERE EXISTS (SELECT 1 FROM stage_history h INDEXED BY stage_history_by_lead
                            WHERE h.site_id = ?1 AND h.lead_id = j.value ->> '$.l' AND h.at >= j.value ->> '$.s'
                              AND h.to_stage IN (SELECT value FROM json_each(?3)))`)
    .bind(siteId, JSON.stringify(entries.map((e) => ({ l: e.leadId, s: e.since }))), JSON.stringify(stages))
    .all<{ lead_id: string; since: number }>();
  return new Set(results.map((r) => `${r.lead_id}|${r.since}`));
}

const restColumns = (rest: Rest, now: number) =>
  rest.kind === 'at'
    ? { state: 'active', step: rest.step, stepAt: rest.stepAt, dueAt: rest.dueAt, endedAt: null, reason: null }
    : { state: rest.kind, step: rest.step, stepAt: now, dueAt: now, endedAt: now, reason: rest.kind === 'exited' ? rest.reason : null };

/** Puts an enrolment where `rest` says, if it is still at `rev` (no mail). True when this run moved it. */
export function restStatement(db: D1Database, e: Pick<Enrollment, 'id' | 'rev'>, rest: Rest, now: number, guard?: { sql: string; params: unknown[] }): D1PreparedStatement {
  const c = restColumns(rest, now);
  return db
    .prepare(`UPDATE nurture_enrollments SET state = ?, step_id = ?, step_at = ?, due_at = ?, ended_at = ?, exit_reason = ?,
                exit_step = ?, rev = ?
              WHERE id = ? AND rev = ? AND state = 'active' ${guard ? `AND ${guard.sql}` : ''}`)
    .bind(c.state, c.step, c.stepAt, c.dueAt, c.endedAt, c.reason, c.state === 'active' ? null : c.step, newRev(), e.id, e.rev, ...(guard?.params ?? []));
}

export interface PlannedSend {
  outboxId: string;
  siteId: string;
  leadId: string;
  sequenceId: string;
  version: number;
  step: string;
  lang: string;
  linkBase: string;
  minGapMs: number;
  /** The site's send rate: at most `limit` nurture mails queued after `since`. */
  rate: { since: number; limit: number };
  now: number;
}

/**
 * A send, in three statements for one batch: (1) the lead's frequency cap,
 * consent and the site's send rate, checked and claimed; (2) the enrolment
 * moved on, only if (1) took effect for this send; (3) the outbox row, only
 * if (2) did. D1 runs batches one at a time, so the rate holds exactly even
 * when two runs plan at once.
 */
export function sendStatements(db: D1Database, e: Pick<Enrollment, 'id' | 'rev'>, s: PlannedSend, rest: Rest): D1PreparedStatement[] {
  const token = s.outboxId;
  const claim = db
    .prepare(`UPDATE leads AS l SET last_nurture_at = ?1, nurture_rev = ?2
              WHERE l.site_id = ?3 AND l.id = ?4 AND ${MAILABLE} AND NOT ${WITH_SALES}
                AND (l.last_nurture_at IS NULL OR l.last_nurture_at <= ?5)
                AND EXISTS (SELECT 1 FROM nurture_enrollments WHERE id = ?6 AND rev = ?7 AND state = 'active')
                AND (SELECT COUNT(*) FROM mail_outbox INDEXED BY mail_outbox_nurture_rate
                     WHERE site_id = ?3 AND kind = 'nurture' AND created_at > ?8) < ?9`)
    .bind(s.now, token, s.siteId, s.leadId, s.now - s.minGapMs, e.id, e.rev, s.rate.since, s.rate.limit);
  const moved = restStatement(db, e, rest, s.now, { sql: 'EXISTS (SELECT 1 FROM leads WHERE site_id = ? AND id = ? AND nurture_rev = ?)', params: [s.siteId, s.leadId, token] });
  const queue = db
    .prepare(`INSERT OR IGNORE INTO mail_outbox (id, site_id, lead_id, magnet_id, owner_id, kind, lang, link_base, status, attempts, next_attempt_at,
                                                 created_at, updated_at, sequence_id, sequence_version, step_id, enrollment_id)
              SELECT ?1, ?2, ?3, NULL, NULL, 'nurture', ?4, ?5, 'pending', 0, ?6, ?6, ?6, ?7, ?8, ?9, ?10
              WHERE EXISTS (SELECT 1 FROM leads WHERE site_id = ?2 AND id = ?3 AND nurture_rev = ?1 AND last_nurture_at = ?6)
                AND NOT EXISTS (SELECT 1 FROM nurture_enrollments WHERE id = ?10 AND rev = ?11)`)
    .bind(s.outboxId, s.siteId, s.leadId, s.lang, s.linkBase, s.now, s.sequenceId, s.version, s.step, e.id, e.rev);
  return [claim, moved, queue];
}

/** Nurture mails the site queued since `since`: its send rate. */
export async function queuedSince(db: D1Database, siteId: string, since: number): Promise<number> {
  const r = await db.prepare(`SELECT COUNT(*) AS n FROM mail_outbox INDEXED BY mail_outbox_nurture_rate
                              WHERE site_id = ? AND kind = 'nurture' AND created_at > ?`).bind(siteId, since).first<{ n: number }>();
  return r?.n ?? 0;
}

/**
 * Ends every active enrolment of a lead (unsubscribe, withdrawal, bounce)
 * and cancels its queued nurture mails, for the caller's batch; `guard`
 * makes both take effect only with the caller's own write.
 */
export function exitAllStatements(
  db: D1Database,
  siteId: string,
  leadId: string,
  reason: ExitReason,
  now: number,
  guard?: { sql: string; params: unknown[] },
): D1PreparedStatement[] {
  const g = guard ? `AND ${guard.sql}` : '';
  const p = guard?.params ?? [];
  return [
    db.prepare(`UPDATE nurture_enrollments SET state = 'exited', exit_reason = ?, exit_step = step_id, ended_at = ?, rev = ?
                WHERE site_id = ? AND lead_id = ? AND state = 'active' ${g}`)
      .bind(reason, now, newRev(), siteId, leadId, ...p),
    db.prepare(`UPDATE mail_outbox SET status = 'cancelled', updated_at = ?
                WHERE site_id = ? AND lead_id = ? AND kind = 'nurture' AND status = 'pending' ${g}`)
      .bind(now, siteId, leadId, ...p),
  ];
}

/** A lead's enrolments, newest first (lead detail, export). */
export async function enrollmentsOf(db: D1Database, siteId: string, leadId: string) {
  const { results } = await db
    .prepare(`SELECT sequence_id, entry, state, step_id, due_at, entered_at, ended_at, exit_reason, exit_step
              FROM nurture_enrollments WHERE site_id = ? AND lead_id = ? ORDER BY entered_at DESC`)
    .bind(siteId, leadId)
    .all<{ sequence_id: string; entry: number; state: string; step_id: string; due_at: number; entered_at: number; ended_at: number | null; exit_reason: string | null; exit_step: string | null }>();
  return results.map((r) => ({
    sequence: r.sequence_id, entry: r.entry, state: r.state, step: r.state === 'active' ? r.step_id : r.exit_step ?? r.step_id,
    dueAt: r.state === 'active' ? new Date(r.due_at).toISOString() : null, enteredAt: new Date(r.entered_at).toISOString(),
    endedAt: r.ended_at === null ? null : new Date(r.ended_at).toISOString(), exitReason: r.exit_reason,
  }));
}
