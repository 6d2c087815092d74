// Over 300 lines on purpose: all SQL of webhook endpoints, messages and deliveries, whose writes join the callers' batches.
import type { StageHistoryEntry, StageTransition } from '../../core/scoring';
import { randomToken } from '../../core/crypto';

/**
 * Data access for webhooks: endpoints, the outbox of messages and the log of
 * delivery attempts. Plain functions on the D1 handle; sending lives in
 * edge/features/webhook-delivery/delivery.ts. See docs/webhooks.md.
 */

export const WEBHOOK_EVENT_TYPES = ['lead.confirmed', 'lead.stage_changed', 'lead.withdrawn', 'lead.assigned', 'lead.status_changed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * What an endpoint gets when it names no events: the marketing hand-off.
 * Sales events (assignment, status write-back) are opted into, so an
 * integration written before them never receives a type it does not know.
 */
export const DEFAULT_EVENT_TYPES: readonly WebhookEventType[] = ['lead.confirmed', 'lead.stage_changed', 'lead.withdrawn'];

export type MessageStatus = 'pending' | 'delivered' | 'dead' | 'cancelled';
export const MESSAGE_STATUSES: readonly MessageStatus[] = ['pending', 'delivered', 'dead', 'cancelled'];

/** Endpoints per site: bounds the fan-out of one stage change. */
export const MAX_ENDPOINTS_PER_SITE = 20;

/**
 * The event type of a stage change: each change is exactly one type.
 * - lead.confirmed: the double opt-in was confirmed (pending/withdrawn → confirmed);
 * - lead.withdrawn: consent was withdrawn (→ withdrawn);
 * - lead.stage_changed: the score moved the lead between confirmed, MQL and SQL (up or down).
 */
export function eventTypeOf(t: Pick<StageTransition, 'from' | 'to'>): WebhookEventType {
  if (t.to === 'withdrawn') return 'lead.withdrawn';
  if (t.to === 'confirmed' && (t.from === 'pending' || t.from === 'withdrawn')) return 'lead.confirmed';
  return 'lead.stage_changed';
}

// ── endpoints ─────────────────────────────────────────────────────────────

export interface WebhookEndpoint {
  id: string;
  siteId: string;
  url: string;
  description: string | null;
  events: WebhookEventType[];
  enabled: boolean;
  /** A saved segment's id: only lead events of leads in it are delivered (checked at the first attempt); null: every lead. */
  segment: string | null;
  createdAt: number;
  updatedAt: number;
}

interface EndpointRow {
  id: string;
  site_id: string;
  url: string;
  description: string | null;
  secret: string;
  events: string;
  enabled: number;
  segment_id: string | null;
  created_at: number;
  updated_at: number;
}

const toEndpoint = (r: EndpointRow): WebhookEndpoint => ({
  id: r.id,
  siteId: r.site_id,
  url: r.url,
  description: r.description,
  events: JSON.parse(r.events) as WebhookEventType[],
  enabled: r.enabled === 1,
  segment: r.segment_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const newEndpointId = () => `whe_${randomToken(12)}`;

/** Stores an endpoint with its secret; false when the site already has the maximum. */
export async function insertEndpoint(db: D1Database, e: WebhookEndpoint, secret: string): Promise<boolean> {
  const res = await db
    .prepare(`INSERT INTO webhook_endpoints (id, site_id, url, description, secret, events, enabled, created_at, updated_at, segment_id)
              SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?11
              WHERE (SELECT COUNT(*) FROM webhook_endpoints WHERE site_id = ?2) < ?10`)
    .bind(e.id, e.siteId, e.url, e.description, secret, JSON.stringify(e.events), e.enabled ? 1 : 0, e.createdAt, e.updatedAt, MAX_ENDPOINTS_PER_SITE, e.segment)
    .run();
  return res.meta.changes === 1;
}

export async function listEndpoints(db: D1Database, siteId: string): Promise<WebhookEndpoint[]> {
  const { results } = await db
    .prepare('SELECT * FROM webhook_endpoints WHERE site_id = ? ORDER BY created_at, id')
    .bind(siteId)
    .all<EndpointRow>();
  return results.map(toEndpoint);
}

export async function getEndpoint(db: D1Database, siteId: string, id: string): Promise<WebhookEndpoint | null> {
  const row = await db.prepare('SELECT * FROM webhook_endpoints WHERE site_id = ? AND id = ?').bind(siteId, id).first<EndpointRow>();
  return row ? toEndpoint(row) : null;
}

/** Changes url, description, events, enabled or segment (null: none); returns the endpoint after, or null if unknown. */
export async function updateEndpoint(
  db: D1Database,
  siteId: string,
  id: string,
  patch: {
    url?: string | undefined; description?: string | null | undefined; events?: WebhookEventType[] | undefined; enabled?: boolean | undefined;
    segment?: string | null | undefined;
  },
  now: number,
): Promise<WebhookEndpoint | null> {
  const row = await db
    .prepare(`UPDATE webhook_endpoints SET
                url = COALESCE(?3, url),
                description = CASE WHEN ?4 = 1 THEN ?5 ELSE description END,
                events = COALESCE(?6, events),
                enabled = COALESCE(?7, enabled),
                segment_id = CASE WHEN ?9 = 1 THEN ?10 ELSE segment_id END,
                updated_at = ?8
              WHERE site_id = ?1 AND id = ?2 RETURNING *`)
    .bind(siteId, id, patch.url ?? null, patch.description !== undefined ? 1 : 0, patch.description ?? null,
      patch.events ? JSON.stringify(patch.events) : null, patch.enabled === undefined ? null : patch.enabled ? 1 : 0, now,
      patch.segment !== undefined ? 1 : 0, patch.segment ?? null)
    .first<EndpointRow>();
  return row ? toEndpoint(row) : null;
}

/** Deletes an endpoint with its messages and their log; false if unknown. */
export async function deleteEndpoint(db: D1Database, siteId: string, id: string): Promise<boolean> {
  const results = await db.batch([
    db.prepare('DELETE FROM webhook_attempts WHERE site_id = ? AND endpoint_id = ?').bind(siteId, id),
    db.prepare('DELETE FROM webhook_messages WHERE site_id = ? AND endpoint_id = ?').bind(siteId, id),
    db.prepare('DELETE FROM webhook_endpoints WHERE site_id = ? AND id = ?').bind(siteId, id),
  ]);
  return results[2]!.meta.changes === 1;
}

/** What a delivery needs of an endpoint, secret included (never leaves the Worker). */
export interface EndpointTarget {
  id: string;
  url: string;
  secret: string;
  enabled: boolean;
  /** The segment the endpoint delivers (null: every lead). */
  segment: string | null;
}

export async function endpointTargets(db: D1Database, ids: string[]): Promise<Map<string, EndpointTarget>> {
  if (!ids.length) return new Map();
  const { results } = await db
    .prepare('SELECT id, url, secret, enabled, segment_id FROM webhook_endpoints WHERE id IN (SELECT value FROM json_each(?))')
    .bind(JSON.stringify(ids))
    .all<{ id: string; url: string; secret: string; enabled: number; segment_id: string | null }>();
  return new Map(results.map((r) => [r.id, { id: r.id, url: r.url, secret: r.secret, enabled: r.enabled === 1, segment: r.segment_id }]));
}

/** Whether the endpoint was ever sent a message about the lead (delivered): a segment's endpoint then also hears of its withdrawal. */
export async function deliveredBefore(db: D1Database, siteId: string, endpointId: string, leadId: string): Promise<boolean> {
  const row = await db
    .prepare(`SELECT 1 AS x FROM webhook_messages WHERE site_id = ? AND lead_id = ? AND endpoint_id = ? AND status = 'delivered' LIMIT 1`)
    .bind(siteId, leadId, endpointId)
    .first();
  return row !== null;
}

// ── enqueueing, in the scoring batch ─────────────────────────────────────

/** Statements that enqueue webhook messages, marked as such (see enqueueWebhookStatements). */
export type WebhookStatements = D1PreparedStatement[] & { readonly enqueuesWebhooks: boolean };

/**
 * One message per subscribed, enabled endpoint of the site for each stage
 * change, for the caller's D1 batch right after the stage_history inserts
 * (scoring/store.ts stageHistoryStatements). Guarded exactly like them:
 * only when the score write with revision `rev` won, so a lost race or a
 * retried batch enqueues nothing.
 *
 * The result says whether it enqueues: `enqueuesWebhooks` is true whenever
 * there are statements. Whoever runs them passes that on, up to the code
 * that schedules delivery: a route then calls
 * `afterResponse(c, …, deliverFreshWebhooks)`; the cron delivers in its own
 * run. (Spreading the array drops the flag: read it first.)
 */
export function enqueueWebhookStatements(
  db: D1Database,
  siteId: string,
  leadId: string,
  rev: string,
  transitions: StageTransition[],
): WebhookStatements {
  // A lead that never confirmed was never handed over: its withdrawal is nobody's business.
  const changes = transitions.filter((t) => !(t.from === 'pending' && t.to === 'withdrawn'));
  const statements = changes.map((t) => {
    const change = JSON.stringify({
      from: t.from, to: t.to, direction: t.direction, at: t.at, score: t.score, fit: t.fit, engagement: t.engagement, modelVersion: t.modelVersion,
    });
    return db
      .prepare(`INSERT INTO webhook_messages (id, site_id, endpoint_id, lead_id, event_type, history_seq, change, status, attempts,
                                              next_attempt_at, window_start, created_at, updated_at)
                SELECT 'msg_' || lower(hex(randomblob(12))), e.site_id, e.id, ?2, ?4,
                       (SELECT MAX(seq) FROM stage_history WHERE site_id = ?1 AND lead_id = ?2 AND to_stage = ?6 AND at = ?7),
                       ?5, 'pending', 0, ?7, ?7, ?7, ?7
                FROM webhook_endpoints e
                WHERE e.site_id = ?1 AND e.enabled = 1
                  AND EXISTS (SELECT 1 FROM json_each(e.events) WHERE value = ?4)
                  AND EXISTS (SELECT 1 FROM lead_scores WHERE site_id = ?1 AND lead_id = ?2 AND rev = ?3)`)
      .bind(siteId, leadId, rev, eventTypeOf(t), change, t.to, t.at);
  });
  return Object.assign(statements, { enqueuesWebhooks: statements.length > 0 });
}

/**
 * One message per subscribed, enabled endpoint for a sales change (an
 * assignment or a status written back), for the caller's batch right after
 * the history insert, and only when the sales write carrying `guard` won.
 * `change` keeps the stage-change shape: from and to are sales statuses.
 */
export function enqueueSalesWebhookStatements(
  db: D1Database,
  siteId: string,
  leadId: string,
  type: 'lead.assigned' | 'lead.status_changed',
  change: StageChange,
  guard: { sql: string; params: unknown[] },
): WebhookStatements {
  const statement = db
    .prepare(`INSERT INTO webhook_messages (id, site_id, endpoint_id, lead_id, event_type, history_seq, change, status, attempts,
                                            next_attempt_at, window_start, created_at, updated_at)
              SELECT 'msg_' || lower(hex(randomblob(12))), e.site_id, e.id, ?2, ?3,
                     (SELECT MAX(seq) FROM stage_history WHERE site_id = ?1 AND lead_id = ?2 AND to_stage = ?5 AND at = ?6),
                     ?4, 'pending', 0, ?6, ?6, ?6, ?6
              FROM webhook_endpoints e
              WHERE e.site_id = ?1 AND e.enabled = 1
                AND EXISTS (SELECT 1 FROM json_each(e.events) WHERE value = ?3)
                AND ${guard.sql} -- its plain ? are numbered on from ?7
              `)
    .bind(siteId, leadId, type, JSON.stringify(change), change.to, change.at, ...guard.params);
  return Object.assign([statement], { enqueuesWebhooks: true });
}

// ── claiming and recording attempts ──────────────────────────────────────

/** A stage change as a webhook carries it: a stage_history row without its seq. */
export type StageChange = Omit<StageHistoryEntry, 'seq'>;

export interface ClaimedMessage {
  id: string;
  claim: string;
  siteId: string;
  endpointId: string;
  leadId: string;
  type: WebhookEventType;
  historySeq: number | null;
  change: StageChange;
  payload: string | null;
  /** Attempts made before this one. */
  attempts: number;
  windowStart: number;
  createdAt: number;
}

interface ClaimedRow {
  id: string;
  site_id: string;
  endpoint_id: string;
  lead_id: string;
  event_type: WebhookEventType;
  history_seq: number | null;
  change: string;
  payload: string | null;
  attempts: number;
  window_start: number;
  created_at: number;
}

/**
 * Claims due messages: each is leased (its next attempt moved to
 * `leaseUntil`, a fresh claim token set) in one statement, so two runners
 * never send the same message at once; an attempt that never reports back
 * (the isolate died) is retried once the lease is over. `fresh` only claims
 * messages never attempted (the immediate path); `ids` only those messages.
 */
export async function claimDueMessages(
  db: D1Database,
  opts: { now: number; leaseUntil: number; limit: number; fresh?: boolean; ids?: string[] },
): Promise<ClaimedMessage[]> {
  const claim = randomToken(9);
  const { results } = await db
    .prepare(`UPDATE webhook_messages SET claim = ?1, next_attempt_at = ?2, updated_at = ?3
              WHERE seq IN (
                SELECT seq FROM webhook_messages
                WHERE status = 'pending' AND next_attempt_at <= ?3
                  AND (?5 = 0 OR attempts = 0)
                  AND (?6 IS NULL OR id IN (SELECT value FROM json_each(?6)))
                ORDER BY next_attempt_at LIMIT ?4)
              RETURNING id, site_id, endpoint_id, lead_id, event_type, history_seq, change, payload, attempts, window_start, created_at`)
    .bind(claim, opts.leaseUntil, opts.now, opts.limit, opts.fresh ? 1 : 0, opts.ids ? JSON.stringify(opts.ids) : null)
    .all<ClaimedRow>();
  return results.map((r) => ({
    id: r.id,
    claim,
    siteId: r.site_id,
    endpointId: r.endpoint_id,
    leadId: r.lead_id,
    type: r.event_type,
    historySeq: r.history_seq,
    change: JSON.parse(r.change) as StageChange,
    payload: r.payload,
    attempts: r.attempts,
    windowStart: r.window_start,
    createdAt: r.created_at,
  }));
}

/** Freezes the body of a message at its first attempt (only while this claim holds it). */
export async function storePayload(db: D1Database, id: string, claim: string, payload: string): Promise<void> {
  await db.prepare('UPDATE webhook_messages SET payload = ? WHERE id = ? AND claim = ? AND payload IS NULL').bind(payload, id, claim).run();
}

export type Via = 'immediate' | 'cron' | 'replay';

/** What one attempt did: the row of the attempt log. */
export interface AttemptResult {
  via: Via;
  at: number;
  durationMs: number;
  statusCode: number | null;
  outcome: 'delivered' | 'retry' | 'dead' | 'cancelled';
  error: string | null;
  response: string | null;
  /** Outcome retry: the next attempt. */
  nextAttemptAt: number | null;
}

export interface AttemptRecord extends AttemptResult {
  message: ClaimedMessage;
  /** Whether this was an HTTP attempt (cancellations are not). */
  sent: boolean;
}

/**
 * Records an attempt: the log row always (it happened, even when the lease
 * ran out meanwhile), the message's new state only while this claim still
 * holds it. One batch.
 */
export async function recordAttempt(db: D1Database, a: AttemptRecord, now: number): Promise<void> {
  const m = a.message;
  const status = a.outcome === 'retry' ? 'pending' : a.outcome;
  const attempt = m.attempts + (a.sent ? 1 : 0);
  await db.batch([
    db.prepare(`INSERT INTO webhook_attempts (message_id, site_id, endpoint_id, attempt, via, at, duration_ms, status_code, outcome, error, response, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .bind(m.id, m.siteId, m.endpointId, attempt, a.via, a.at, a.durationMs, a.statusCode, a.outcome, a.error, a.response, a.nextAttemptAt),
    db.prepare(`UPDATE webhook_messages SET status = ?3, attempts = ?4, next_attempt_at = COALESCE(?5, next_attempt_at), claim = NULL,
                       last_status = CASE WHEN ?6 = 1 THEN ?7 ELSE last_status END,
                       last_error = ?8, last_attempt_at = CASE WHEN ?6 = 1 THEN ?9 ELSE last_attempt_at END,
                       delivered_at = CASE WHEN ?3 = 'delivered' THEN ?10 ELSE delivered_at END, updated_at = ?10
                WHERE id = ?1 AND claim = ?2`)
      .bind(m.id, m.claim, status, attempt, a.nextAttemptAt, a.sent ? 1 : 0, a.statusCode, a.error, a.at, now),
  ]);
}

// ── reading the log, replaying ───────────────────────────────────────────

export interface WebhookMessage {
  id: string;
  seq: number;
  endpointId: string;
  leadId: string;
  type: WebhookEventType;
  status: MessageStatus;
  change: StageChange;
  attempts: number;
  nextAttemptAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: number | null;
  deliveredAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookAttempt extends AttemptResult {
  attempt: number;
}

interface MessageRow {
  seq: number;
  id: string;
  endpoint_id: string;
  lead_id: string;
  event_type: WebhookEventType;
  status: MessageStatus;
  change: string;
  attempts: number;
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
  last_attempt_at: number | null;
  delivered_at: number | null;
  created_at: number;
  updated_at: number;
}

const MESSAGE_COLUMNS = `seq, id, endpoint_id, lead_id, event_type, status, change, attempts, next_attempt_at, last_status, last_error,
  last_attempt_at, delivered_at, created_at, updated_at`;

const toMessage = (r: MessageRow): WebhookMessage => ({
  id: r.id,
  seq: r.seq,
  endpointId: r.endpoint_id,
  leadId: r.lead_id,
  type: r.event_type,
  status: r.status,
  change: JSON.parse(r.change) as StageChange,
  attempts: r.attempts,
  nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
  lastStatus: r.last_status,
  lastError: r.last_error,
  lastAttemptAt: r.last_attempt_at,
  deliveredAt: r.delivered_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** A site's messages, newest first; `before` is the seq cursor of the previous page. */
export async function listMessages(
  db: D1Database,
  siteId: string,
  opts: { status?: MessageStatus | undefined; endpointId?: string | undefined; leadId?: string | undefined; before?: number | undefined; limit: number },
): Promise<WebhookMessage[]> {
  const { results } = await db
    .prepare(`SELECT ${MESSAGE_COLUMNS} FROM webhook_messages
              WHERE site_id = ?1 AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR endpoint_id = ?3) AND (?4 IS NULL OR lead_id = ?4)
                AND seq < ?5
              ORDER BY seq DESC LIMIT ?6`)
    .bind(siteId, opts.status ?? null, opts.endpointId ?? null, opts.leadId ?? null, opts.before ?? Number.MAX_SAFE_INTEGER, opts.limit)
    .all<MessageRow>();
  return results.map(toMessage);
}

/** One message with its frozen payload and its attempt log (oldest first). */
export async function getMessage(
  db: D1Database,
  siteId: string,
  id: string,
): Promise<{ message: WebhookMessage; payload: unknown; attempts: WebhookAttempt[] } | null> {
  const [msg, log] = await db.batch([
    db.prepare(`SELECT ${MESSAGE_COLUMNS}, payload FROM webhook_messages WHERE site_id = ? AND id = ?`).bind(siteId, id),
    db.prepare(`SELECT attempt, via, at, duration_ms, status_code, outcome, error, response, next_attempt_at
                FROM webhook_attempts WHERE message_id = ? AND site_id = ? ORDER BY seq`).bind(id, siteId),
  ]);
  const row = (msg!.results as (MessageRow & { payload: string | null })[])[0];
  if (!row) return null;
  const attempts = (log!.results as { attempt: number; via: Via; at: number; duration_ms: number; status_code: number | null; outcome: WebhookAttempt['outcome']; error: string | null; response: string | null; next_attempt_at: number | null }[])
    .map((a) => ({
      attempt: a.attempt, via: a.via, at: a.at, durationMs: a.duration_ms, statusCode: a.status_code, outcome: a.outcome,
      error: a.error, response: a.response, nextAttemptAt: a.next_attempt_at,
    }));
  return { message: toMessage(row), payload: row.payload === null ? null : JSON.parse(row.payload), attempts };
}

/**
 * Makes a message due again now, with a fresh 72 h window; same id, same
 * payload. 'missing' when unknown, 'busy' while an attempt is in flight.
 */
export async function replayMessage(db: D1Database, siteId: string, id: string, now: number): Promise<'ok' | 'missing' | 'busy'> {
  const res = await db
    .prepare(`UPDATE webhook_messages SET status = 'pending', next_attempt_at = ?3, window_start = ?3, claim = NULL, updated_at = ?3
              WHERE site_id = ?1 AND id = ?2 AND (claim IS NULL OR next_attempt_at <= ?3)`)
    .bind(siteId, id, now)
    .run();
  if (res.meta.changes === 1) return 'ok';
  const exists = await db.prepare('SELECT 1 AS x FROM webhook_messages WHERE site_id = ? AND id = ?').bind(siteId, id).first();
  return exists ? 'busy' : 'missing';
}

// ── retention and erasure ────────────────────────────────────────────────

/** Finished messages (delivered, dead, cancelled) and their log are kept this long. */
export const MESSAGE_RETENTION_MS = 30 * 24 * 60 * 60_000;

/** Deletes finished messages older than the retention, a bounded number per call. */
export async function pruneMessages(db: D1Database, now: number, limit = 500): Promise<number> {
  const { results } = await db
    .prepare(`DELETE FROM webhook_messages WHERE seq IN (
                SELECT seq FROM webhook_messages WHERE status IN ('delivered', 'dead', 'cancelled') AND updated_at < ? LIMIT ?)
              RETURNING id`)
    .bind(now - MESSAGE_RETENTION_MS, limit)
    .all<{ id: string }>();
  if (results.length) {
    await db.prepare('DELETE FROM webhook_attempts WHERE message_id IN (SELECT value FROM json_each(?))').bind(JSON.stringify(results.map((r) => r.id))).run();
  }
  return results.length;
}

/**
 * Statements that remove everything webhooks hold about one lead (messages
 * with their payloads, and their attempt log), for an erasure batch.
 */
export function webhookErasureStatements(db: D1Database, siteId: string, leadId: string): D1PreparedStatement[] {
  return [
    db.prepare(`DELETE FROM webhook_attempts WHERE site_id = ?1 AND message_id IN (
                  SELECT id FROM webhook_messages WHERE site_id = ?1 AND lead_id = ?2)`).bind(siteId, leadId),
    db.prepare('DELETE FROM webhook_messages WHERE site_id = ? AND lead_id = ?').bind(siteId, leadId),
  ];
}
