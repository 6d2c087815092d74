/**
 * The durable mail outbox. A row is written in the same batch as the lead it
 * mails, so a mail can be late but never lost; the send attempt and the cron
 * retries update it.
 */

export type OutboxStatus = 'pending' | 'sent' | 'dead' | 'cancelled';

/** The confirmation mail to a lead; the alert to its new owner; the notice to an owner a lead moved away from; a nurture mail. */
export type OutboxKind = 'confirmation' | 'owner_alert' | 'owner_notice' | 'nurture';

/** The outbox row of a mail to a sales person (the rest of its content is read when it is sent). */
export interface OwnerMailRow {
  id: string;
  kind: 'owner_alert' | 'owner_notice';
  siteId: string;
  leadId: string;
  ownerId: string;
  lang: 'en' | 'de';
  linkBase: string;
  status: OutboxStatus;
  attempts: number;
}

export async function getOwnerMailRow(db: D1Database, id: string): Promise<OwnerMailRow | null> {
  const r = await db
    .prepare(`SELECT id, kind, site_id, lead_id, owner_id, lang, link_base, status, attempts FROM mail_outbox
              WHERE id = ? AND kind IN ('owner_alert', 'owner_notice')`)
    .bind(id)
    .first<{ id: string; kind: OwnerMailRow['kind']; site_id: string; lead_id: string; owner_id: string; lang: 'en' | 'de'; link_base: string; status: OutboxStatus; attempts: number }>();
  return r && { id: r.id, kind: r.kind, siteId: r.site_id, leadId: r.lead_id, ownerId: r.owner_id, lang: r.lang, linkBase: r.link_base, status: r.status, attempts: r.attempts };
}

/**
 * Queues a mail to a sales person, for the caller's batch, only when the
 * write carrying `guard` won. The id is the caller's: derived from the
 * assignment, so a retried batch queues the mail once.
 */
export function ownerMailStatement(
  db: D1Database,
  m: { id: string; kind: OwnerMailRow['kind']; siteId: string; leadId: string; ownerId: string; lang: 'en' | 'de'; linkBase: string; now: number },
  guard: { sql: string; params: unknown[] },
): D1PreparedStatement {
  return db
    .prepare(`INSERT OR IGNORE INTO mail_outbox (id, site_id, lead_id, magnet_id, owner_id, kind, lang, link_base, status, attempts,
                                                 next_attempt_at, created_at, updated_at)
              SELECT ?, ?, ?, NULL, ?, ?, ?, ?, 'pending', 0, ?, ?, ? WHERE ${guard.sql}`)
    .bind(m.id, m.siteId, m.leadId, m.ownerId, m.kind, m.lang, m.linkBase, m.now, m.now, m.now, ...guard.params);
}

/** Everything needed to render and send one confirmation mail again. */
export interface OutboxJob {
  id: string;
  siteId: string;
  siteName: string;
  leadId: string;
  leadStatus: string;
  email: string;
  magnetId: string;
  magnetTitle: string | null;
  lang: 'en' | 'de';
  linkBase: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  /** First name from the newest token of this opt-in (the form as typed). */
  firstName: string | null;
  /** False once the opt-in was confirmed or voided (withdrawn): then there is nothing to mail. */
  optinOpen: boolean;
}

interface JobRow {
  id: string;
  site_id: string;
  site_name: string;
  lead_id: string;
  lead_status: string;
  email: string;
  magnet_id: string;
  magnet_title: string | null;
  lang: 'en' | 'de';
  link_base: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  profile: string | null;
  token_open: number | null;
}

const SELECT_JOB = `
  SELECT o.id, o.site_id, s.name AS site_name, o.lead_id, l.status AS lead_status, l.email, o.magnet_id, m.title AS magnet_title,
         o.lang, o.link_base, o.status, o.attempts, o.next_attempt_at, t.profile,
         (t.used_at IS NULL) AS token_open
  FROM mail_outbox o
  JOIN sites s ON s.id = o.site_id
  JOIN leads l ON l.site_id = o.site_id AND l.id = o.lead_id
  LEFT JOIN magnets m ON m.site_id = o.site_id AND m.id = o.magnet_id
  LEFT JOIN optin_tokens t ON t.token_hash = (
    SELECT token_hash FROM optin_tokens WHERE site_id = o.site_id AND lead_id = o.lead_id AND magnet_id = o.magnet_id
    ORDER BY created_at DESC LIMIT 1)`;

const toJob = (r: JobRow): OutboxJob => ({
  id: r.id,
  siteId: r.site_id,
  siteName: r.site_name,
  leadId: r.lead_id,
  leadStatus: r.lead_status,
  email: r.email,
  magnetId: r.magnet_id,
  magnetTitle: r.magnet_title,
  lang: r.lang,
  linkBase: r.link_base,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  firstName: r.profile ? ((JSON.parse(r.profile) as { firstName?: string }).firstName ?? null) : null,
  optinOpen: r.token_open === 1,
});

export async function getOutboxJob(db: D1Database, id: string): Promise<OutboxJob | null> {
  const row = await db.prepare(`${SELECT_JOB} WHERE o.id = ?`).bind(id).first<JobRow>();
  return row ? toJob(row) : null;
}

/**
 * Claims due rows for this cron run (or only the rows `only` names): each is leased (its next attempt moved
 * to `leaseUntil`) only if nobody else moved it first, so overlapping runs
 * never send the same mail twice.
 */
export async function claimDueMails(
  db: D1Database,
  now: number,
  leaseUntil: number,
  limit: number,
  only?: readonly string[],
  kinds: readonly OutboxKind[] = ['confirmation'],
): Promise<string[]> {
  if (only && !only.length) return [];
  const ids = only ? `AND id IN (${only.map(() => '?').join(',')})` : '';
  const { results } = await db
    .prepare(`SELECT id, next_attempt_at FROM mail_outbox
              WHERE status = 'pending' AND next_attempt_at <= ? AND kind IN (SELECT value FROM json_each(?)) ${ids}
              ORDER BY next_attempt_at LIMIT ?`)
    .bind(now, JSON.stringify(kinds), ...(only ?? []), limit)
    .all<{ id: string; next_attempt_at: number }>();
  if (!results.length) return [];
  const claims = await db.batch(
    results.map((r) =>
      db.prepare(`UPDATE mail_outbox SET next_attempt_at = ?, updated_at = ?
                  WHERE id = ? AND status = 'pending' AND next_attempt_at = ?`).bind(leaseUntil, now, r.id, r.next_attempt_at),
    ),
  );
  return results.filter((_, i) => claims[i]!.meta.changes === 1).map((r) => r.id);
}

/** Records a sent mail. Statement builders, so a sender can write many outcomes in one batch; each takes effect only on a pending row. */
export function markSentStatement(db: D1Database, id: string, providerId: string, attempts: number, now: number): D1PreparedStatement {
  // last_error(_at) stay: the record of what failed before this attempt worked.
  return db.prepare(`UPDATE mail_outbox SET status = 'sent', attempts = ?, provider_id = ?, sent_at = ?, updated_at = ?
                     WHERE id = ? AND status = 'pending'`)
    .bind(attempts, providerId, now, now, id);
}

/** Records a failed attempt: retry at `nextAt`, or give up (`dead`) when it is null. */
export function markFailedStatement(db: D1Database, id: string, attempts: number, nextAt: number | null, error: string, now: number): D1PreparedStatement {
  return db.prepare(`UPDATE mail_outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, last_error_at = ?, updated_at = ?
                     WHERE id = ? AND status = 'pending'`)
    .bind(nextAt === null ? 'dead' : 'pending', attempts, nextAt ?? now, error.slice(0, 500), now, now, id);
}

export function markCancelledStatement(db: D1Database, id: string, now: number): D1PreparedStatement {
  return db.prepare(`UPDATE mail_outbox SET status = 'cancelled', updated_at = ? WHERE id = ? AND status = 'pending'`).bind(now, id);
}

export async function markSent(db: D1Database, id: string, providerId: string, attempts: number, now: number): Promise<void> {
  await markSentStatement(db, id, providerId, attempts, now).run();
}

export async function markFailed(db: D1Database, id: string, attempts: number, nextAt: number | null, error: string, now: number): Promise<void> {
  await markFailedStatement(db, id, attempts, nextAt, error, now).run();
}

export async function markCancelled(db: D1Database, id: string, now: number): Promise<void> {
  await markCancelledStatement(db, id, now).run();
}

/**
 * A new token for a retry, copied from the newest token of the same opt-in
 * (profile, consent versions, page). The plaintext of the old one was never
 * stored, so a retry cannot reuse it.
 */
export async function insertRetryToken(
  db: D1Database,
  job: Pick<OutboxJob, 'siteId' | 'leadId' | 'magnetId'>,
  tokenHash: string,
  now: number,
  expiresAt: number,
): Promise<boolean> {
  const res = await db
    .prepare(`INSERT INTO optin_tokens (token_hash, site_id, lead_id, magnet_id, profile, visitor_id, lang, consent_version,
                                        marketing_version, coupled, page_url, created_at, expires_at)
              SELECT ?, site_id, lead_id, magnet_id, profile, visitor_id, lang, consent_version, marketing_version, coupled,
                     page_url, ?, ?
              FROM optin_tokens WHERE site_id = ? AND lead_id = ? AND magnet_id = ? ORDER BY created_at DESC LIMIT 1`)
    .bind(tokenHash, now, expiresAt, job.siteId, job.leadId, job.magnetId)
    .run();
  return res.meta.changes === 1;
}

/**
 * Dead mails back to pending, due now, with a fresh retry schedule (attempts
 * 0). `ids` null means every dead mail; ids that are unknown or not dead are
 * skipped, so asking twice requeues (and sends) once.
 */
export async function requeueDeadMails(db: D1Database, ids: readonly string[] | null, now: number): Promise<string[]> {
  const sql = `UPDATE mail_outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?
               WHERE status = 'dead'`;
  if (ids === null) {
    const { results } = await db.prepare(`${sql} RETURNING id`).bind(now, now).all<{ id: string }>();
    return results.map((r) => r.id);
  }
  const unique = [...new Set(ids)];
  if (!unique.length) return [];
  const res = await db.batch(unique.map((id) => db.prepare(`${sql} AND id = ? RETURNING id`).bind(now, now, id)));
  return res.flatMap((r) => (r.results as { id: string }[]).map((x) => x.id));
}

/** How many dead mails health lists by id, newest first (for `lodestone mail retry <id>`). */
export const DEAD_IDS_SHOWN = 20;

export interface MailHealth {
  dead: number;
  stuck: number;
  /** The newest dead mails' ids (at most DEAD_IDS_SHOWN): ids only, never recipients. */
  deadIds: string[];
  lastError: string | null;
  lastErrorAt: string | null;
}

/**
 * Outbox health. Stuck: pending and due for more than `stuckMs` (the cron is
 * not getting to it), or pending after failed attempts for more than
 * `stuckMs` since it was queued (sending keeps failing).
 */
export async function mailHealth(db: D1Database, now: number, stuckMs: number): Promise<MailHealth> {
  const cutoff = now - stuckMs;
  const [counts, last, dead] = await db.batch([
    db.prepare(`SELECT
                  (SELECT COUNT(*) FROM mail_outbox WHERE status = 'dead') AS dead,
                  (SELECT COUNT(*) FROM mail_outbox WHERE status = 'pending'
                     AND (next_attempt_at <= ?1 OR (attempts > 0 AND created_at <= ?1))) AS stuck`).bind(cutoff),
    db.prepare(`SELECT last_error, last_error_at FROM mail_outbox WHERE last_error_at IS NOT NULL
                ORDER BY last_error_at DESC LIMIT 1`),
    db.prepare(`SELECT id FROM mail_outbox WHERE status = 'dead' ORDER BY updated_at DESC, id LIMIT ?`).bind(DEAD_IDS_SHOWN),
  ]);
  const c = (counts!.results[0] ?? { dead: 0, stuck: 0 }) as { dead: number; stuck: number };
  const l = last!.results[0] as { last_error: string | null; last_error_at: number } | undefined;
  const deadIds = (dead!.results as { id: string }[]).map((r) => r.id);
  return { dead: c.dead, stuck: c.stuck, deadIds, lastError: l?.last_error ?? null, lastErrorAt: l ? new Date(l.last_error_at).toISOString() : null };
}
