import { claimDueMessages, endpointTargets, pruneMessages, recordAttempt, storePayload, type AttemptRecord, type ClaimedMessage, type EndpointTarget, type Via } from '../webhooks';
import { signatureHeaders } from '../../core/webhooks/signature';
import { classifyStatus, nextAttemptAt, parseRetryAfter, RETRY_WINDOW_MS } from '../../core/webhooks/retry';
import { buildPayload, leadSnapshot, recentLeadEvents, scoreSnapshot, type LeadSnapshot } from './payload';
import { segmentSkipReason } from './segment-filter';

/**
 * Webhook delivery: claims due messages from the outbox (D1), builds and
 * freezes each payload at its first attempt, signs it (Standard Webhooks),
 * POSTs it with a timeout, and records the attempt and the message's next
 * state. Runs right after the request that enqueued (deliverFreshWebhooks,
 * scheduled by that request's route through platform/after-response.ts),
 * for replays, and from the Cron Trigger, which also picks up retries and
 * whatever an immediate run could not finish.
 */

/** Per request; a receiver slower than this counts as failed (and is retried). */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** An attempt that never reports back keeps its message leased this long. */
export const DELIVERY_LEASE_MS = 2 * 60_000;
/** Messages claimed at once, and sent in parallel (Workers allow 6 open connections). */
export const CLAIM_BATCH = 24;
export const CONCURRENCY = 6;
/** Characters of the receiver's answer kept in the log. */
const RESPONSE_CHARS = 256;
const RESPONSE_BYTES = 4096;

export const USER_AGENT = 'Lodestone-Webhooks/1.0 (+https://www.standardwebhooks.com/)';

export interface DeliverOptions {
  via: Via;
  /** The clock for due-ness and scheduling (the cron's scheduled time); real time when absent. */
  now?: number;
  /** Only messages never attempted (the immediate path leaves retries to the cron). */
  fresh?: boolean;
  /** Only these messages (a replay). */
  ids?: string[];
  /** Stop claiming more after this long. */
  budgetMs?: number;
  timeoutMs?: number;
  /** Outbound fetch (tests); the global fetch otherwise. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  random?: () => number;
}

export interface DeliveryReport {
  claimed: number;
  delivered: number;
  retry: number;
  dead: number;
  cancelled: number;
}

/** Delivers due messages until none is left or the budget is spent. Never throws for one message. */
export async function deliverDue(db: D1Database, opts: DeliverOptions): Promise<DeliveryReport> {
  const report: DeliveryReport = { claimed: 0, delivered: 0, retry: 0, dead: 0, cancelled: 0 };
  const started = Date.now();
  const budget = opts.budgetMs ?? 20_000;
  while (Date.now() - started < budget) {
    const now = opts.now ?? Date.now();
    const batch = await claimDueMessages(db, { now, leaseUntil: now + DELIVERY_LEASE_MS, limit: CLAIM_BATCH, fresh: opts.fresh, ids: opts.ids });
    if (!batch.length) break;
    report.claimed += batch.length;
    const targets = await endpointTargets(db, [...new Set(batch.map((m) => m.endpointId))]);
    await inParallel(batch, CONCURRENCY, async (m) => {
      try {
        const outcome = await attempt(db, m, targets.get(m.endpointId), opts);
        report[outcome]++;
      } catch (err) {
        // The lease runs out and the cron tries again.
        console.error('webhook message', m.id, 'failed unexpectedly:', err);
      }
    });
    if (batch.length < CLAIM_BATCH || opts.ids) break;
  }
  return report;
}

/**
 * The immediate run, for a request whose writes enqueued messages (their
 * results say `enqueuedWebhooks`): every never-attempted message goes out
 * now; retries are left to the cron. Sends nothing twice when runs overlap
 * (claims are atomic).
 */
export function deliverFreshWebhooks(env: { DB: D1Database }): Promise<DeliveryReport> {
  return deliverDue(env.DB, { via: 'immediate', fresh: true, budgetMs: 15_000 });
}

/** Cron Trigger: due deliveries and retries, then pruning of old finished messages. */
export async function runWebhookDelivery(db: D1Database, now: number): Promise<DeliveryReport> {
  const report = await deliverDue(db, { via: 'cron', now, budgetMs: 20_000 });
  if (report.claimed) console.log('webhook delivery', JSON.stringify(report));
  await pruneMessages(db, now);
  return report;
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Why a message is not to be sent any more, or null. */
function cancelReason(m: ClaimedMessage, target: EndpointTarget | undefined, lead: LeadSnapshot | null): string | null {
  if (!target) return 'the endpoint was deleted';
  if (!target.enabled) return 'the endpoint is disabled';
  if (!lead) return 'the lead no longer exists (erased)';
  // After a withdrawal only the withdrawal itself may still go out.
  if (lead.status === 'withdrawn' && m.type !== 'lead.withdrawn') return 'the lead withdrew consent';
  return null;
}

async function payloadOf(db: D1Database, m: ClaimedMessage, lead: LeadSnapshot, now: number): Promise<string> {
  if (m.payload !== null) return m.payload;
  const full = m.type !== 'lead.withdrawn';
  const [score, events] = full
    ? await Promise.all([scoreSnapshot(db, m.siteId, m.leadId, now), recentLeadEvents(db, m.siteId, m.leadId)])
    : [null, []];
  const payload = JSON.stringify(buildPayload({ type: m.type, siteId: m.siteId, lead, change: m.change, historySeq: m.historySeq, score, events, now }));
  await storePayload(db, m.id, m.claim, payload);
  return payload;
}

/** Reads at most RESPONSE_BYTES of an answer, for the log. */
async function responseSnippet(res: Response): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  const text = new TextDecoder().decode(bytes.subarray(0, RESPONSE_BYTES)).slice(0, RESPONSE_CHARS);
  return text || null;
}

function describeStatus(status: number, outcome: ReturnType<typeof classifyStatus>): string | null {
  if (outcome === 'delivered') return null;
  if (status >= 300 && status < 400) return `HTTP ${status}: redirects are not followed; point the endpoint at the final URL`;
  if (outcome === 'dead') return `HTTP ${status}: the receiver refused the message (4xx other than 408/429 is not retried)`;
  return `HTTP ${status}`;
}

/** One attempt of one claimed message; returns its outcome. */
async function attempt(db: D1Database, m: ClaimedMessage, target: EndpointTarget | undefined, opts: DeliverOptions): Promise<keyof Omit<DeliveryReport, 'claimed'>> {
  const clock = () => opts.now ?? Date.now();
  const base = { message: m, via: opts.via, durationMs: 0, statusCode: null, response: null, nextAttemptAt: null } as const;

  const lead = target ? await leadSnapshot(db, m.siteId, m.leadId) : null;
  const reason = cancelReason(m, target, lead);
  if (reason) {
    await recordAttempt(db, { ...base, at: clock(), outcome: 'cancelled', error: reason, sent: false }, clock());
    return 'cancelled';
  }
  // An endpoint with a segment: asked once, before the payload is frozen (segment-filter.ts).
  const skipped = m.payload === null && target!.segment ? await segmentSkipReason(db, m, target!.segment, clock()) : null;
  if (skipped) {
    await recordAttempt(db, { ...base, at: clock(), outcome: 'cancelled', error: skipped, sent: false }, clock());
    return 'cancelled';
  }
  const body = await payloadOf(db, m, lead!, clock());

  const sentAt = Date.now();
  const headers = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    ...(await signatureHeaders(target!.secret, m.id, body, sentAt)),
  };
  const timeoutMs = opts.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const send = opts.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
  let statusCode: number | null = null;
  let response: string | null = null;
  let retryAfterMs: number | null = null;
  let error: string | null = null;
  try {
    const res = await send(target!.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    statusCode = res.status;
    retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), clock());
    response = await responseSnippet(res).catch(() => null);
  } catch (err) {
    const e = err as Error;
    error = e?.name === 'TimeoutError' || e?.name === 'AbortError'
      ? `timeout: no answer within ${timeoutMs} ms`
      : `network error: ${String(e?.message ?? e).slice(0, 200)}`;
  }
  const durationMs = Date.now() - sentAt;
  const at = opts.now ?? sentAt;

  let outcome: AttemptRecord['outcome'] = classifyStatus(statusCode);
  if (statusCode !== null) error = describeStatus(statusCode, outcome);
  let next: number | null = null;
  if (outcome === 'retry') {
    next = nextAttemptAt({ failed: m.attempts + 1, now: clock(), windowStart: m.windowStart, retryAfterMs, random: (opts.random ?? Math.random)() });
    if (next === null) {
      outcome = 'dead';
      error = retryAfterMs !== null && clock() < m.windowStart + RETRY_WINDOW_MS
        ? `${error}; Retry-After asks for a time beyond the 72 h retry window`
        : `${error}; retries exhausted (72 h since the message was created or replayed)`;
    }
  }
  await recordAttempt(db, { ...base, at, durationMs, statusCode, response, outcome, error, nextAttemptAt: next, sent: true }, clock());
  return outcome;
}
