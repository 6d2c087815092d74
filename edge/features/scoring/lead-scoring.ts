// Over 300 lines on purpose: every path that scores a lead (a lead change, an ingest batch, a rescore job) shares its planning here.
import {
  advanceRescoreJob, assignSeqStatement, fillCountryStatement, leadLinkState, unlinkVisitorsStatement, eventsOfLeads, getLeadScores, linkVisitorStatements, eventsOfLead, getLeadScore, getStoredModel, leadsAfter, stageHistoryStatements,
  writeScoreStatement, type LeadScoreRow, type RescoreJob, type ScoreWrite,
} from './store';
import { enqueueWebhookStatements } from '../webhooks';
import type { EventRow } from '../../core/event-row';
import { randomToken } from '../../core/crypto';
import {
  applyEvent, DEFAULT_MODEL, evaluateFit, initialStageState, nextStage, parseModel, replayEngagement,
  type EngagementState, type ScoringEvent, type ScoringModel,
} from '../../core/scoring';

/**
 * Lead scoring against D1: keeps each lead's score current as events arrive,
 * as leads are created, confirmed or stitched to their visitor history, and
 * when the model changes. Pure scoring lives in edge/scoring; this module
 * reads, computes and writes, always with optimistic concurrency (a `rev`
 * per score row) so concurrent writers can never apply an event twice.
 */

const newRev = () => randomToken(9);

/**
 * A withdrawn lead whose withdrawal is already recorded in its stage: it is
 * not processed any further (no rescoring, no re-checks), as the person asked.
 */
const isSettledWithdrawal = (row: LeadScoreRow) => row.status === 'withdrawn' && row.score?.stage === 'withdrawn';

// ── models ────────────────────────────────────────────────────────────────

const modelCache = new Map<string, ScoringModel>();

/**
 * The model of `siteId` at `version`. Version 1 is the built-in default;
 * saved versions start at 2. Parsed models are cached per isolate: a
 * version never changes once saved.
 */
export async function modelAt(db: D1Database, siteId: string, version: number): Promise<ScoringModel> {
  if (version <= DEFAULT_MODEL.version) return DEFAULT_MODEL;
  const key = `${siteId}\u0000${version}`;
  const cached = modelCache.get(key);
  if (cached) return cached;
  const stored = await getStoredModel(db, siteId, version);
  if (!stored) throw new Error(`scoring model ${version} of site ${siteId} is missing`);
  const model = { ...parseModel(JSON.parse(stored.model)), version };
  if (modelCache.size > 500) modelCache.clear();
  modelCache.set(key, model);
  return model;
}

// ── one lead, from whatever state it is in ───────────────────────────────

interface Computed {
  write: ScoreWrite;
  expectedRev: string | null;
  seqs: { eventId: string; seq: number }[];
  transitions: ReturnType<typeof nextStage>['transitions'];
}

/**
 * A lead's new score: fit from its profile, its unscored events applied in
 * arrival order (or, when the model changed, every event replayed), and its
 * stage evaluated at `now`. Pure given its inputs.
 */
function computeLead(
  model: ScoringModel,
  row: LeadScoreRow,
  events: Awaited<ReturnType<typeof eventsOfLead>>,
  siteId: string,
  now: number,
): Computed {
  const fit = evaluateFit(model, row.profile);
  const prev = row.score;
  let lastSeq = events.scored.reduce((m, e) => Math.max(m, e.seq), prev?.lastSeq ?? -1);
  const seqs = events.unscored.map((e) => ({ eventId: e.eventId, seq: ++lastSeq }));
  const fresh: ScoringEvent[] = events.unscored.map((e, i) => ({ ...e, seq: seqs[i]!.seq }));

  // After a recycle only later engagement counts; the first write after it replays.
  const since = row.engagementSince;
  const counts = (e: ScoringEvent) => since === null || e.ts >= since;
  const recycledSinceLastWrite = since !== null && prev !== null && prev.updatedAt <= since;
  let state: EngagementState;
  if (prev && prev.modelVersion === model.version && !recycledSinceLastWrite) {
    state = prev.state;
    for (const e of fresh) if (counts(e)) state = applyEvent(model, state, e).state;
  } else {
    state = replayEngagement(model, [...events.scored, ...fresh].filter(counts));
  }
  const input = { status: row.status, fit: fit.fit, eNorm: state.eNorm, needsNewEngagement: since !== null };
  const stage = nextStage(model, prev?.stageState ?? initialStageState(), input, now);
  return {
    write: {
      siteId, leadId: row.leadId, modelVersion: model.version, fit: fit.fit, fitRules: fit.rules, state,
      stageState: stage.state, recheckAt: stage.recheckAt, rev: newRev(), now,
    },
    expectedRev: prev?.rev ?? null,
    seqs,
    transitions: stage.transitions,
  };
}

/**
 * What a scoring call wrote that its caller must follow up on:
 * `enqueuedWebhooks` means webhook messages may now wait in the outbox, so a
 * request schedules `afterResponse(c, …, deliverFreshWebhooks)`. The cron
 * delivers in its own run and may ignore it.
 */
export interface ScoringOutcome {
  enqueuedWebhooks: boolean;
}

function writeStatements(db: D1Database, c: Computed): { statements: D1PreparedStatement[]; enqueuesWebhooks: boolean } {
  const { siteId, leadId, rev } = c.write;
  const hooks = enqueueWebhookStatements(db, siteId, leadId, rev, c.transitions);
  return {
    statements: [
      writeScoreStatement(db, c.write, c.expectedRev),
      ...(c.seqs.length ? [assignSeqStatement(db, siteId, leadId, rev, c.seqs)] : []),
      ...stageHistoryStatements(db, siteId, leadId, rev, c.transitions),
      ...hooks,
    ],
    enqueuesWebhooks: hooks.enqueuesWebhooks,
  };
}

/**
 * Brings one lead's score up to date and returns whether it exists and
 * whether its write enqueued webhook messages (see ScoringOutcome). Used
 * when a lead is created, confirmed or linked to a visitor, when the fast
 * path lost a race, by the decay re-check and by rescoring. Idempotent: with
 * nothing new it only re-evaluates the stage.
 */
export async function refreshLead(
  db: D1Database,
  siteId: string,
  leadId: string,
  now = Date.now(),
): Promise<ScoringOutcome & { exists: boolean }> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const row = await getLeadScore(db, siteId, leadId);
    if (!row) return { exists: false, enqueuedWebhooks: false };
    if (isSettledWithdrawal(row)) return { exists: true, enqueuedWebhooks: false }; // withdrawn: no further processing
    const model = await modelAt(db, siteId, row.siteModelVersion);
    const replay = !row.score || row.score.modelVersion !== model.version;
    const events = await eventsOfLead(db, siteId, leadId, !replay);
    const computed = computeLead(model, row, events, siteId, now);
    const { statements, enqueuesWebhooks } = writeStatements(db, computed);
    const [write] = await db.batch(statements);
    // A lost write enqueued nothing (the inserts are guarded by its revision).
    if (write!.meta.changes === 1) return { exists: true, enqueuedWebhooks: enqueuesWebhooks };
  }
  throw new Error(`scoring of lead ${leadId} kept losing races`);
}

/**
 * Identity stitching: from now on `visitorId`'s events belong to the lead,
 * and so do its earlier, unclaimed ones (consented history: a visitor id
 * exists only after consent). Then the lead is scored, history included.
 * Called when a lead is created or confirmed with the snippet's visitor id.
 */
export async function stitchVisitor(db: D1Database, siteId: string, leadId: string, visitorId: string | null, now = Date.now()): Promise<ScoringOutcome> {
  if (visitorId) await db.batch(linkVisitorStatements(db, siteId, visitorId, leadId, now));
  const { enqueuedWebhooks } = await refreshLead(db, siteId, leadId, now);
  return { enqueuedWebhooks };
}

/**
 * Keeps scoring and tracking linkage in step with a lead's life: call after
 * a submission, a confirmation, a download or a withdrawal. On confirmation
 * (`linkVisitor`) the lead's visitor id is linked, so its consented browsing
 * history counts from then on; not earlier, because until the address owner
 * confirms, anyone could have typed the address. A withdrawn lead is
 * unlinked: none of its visitor's later events reach it. Never throws: the
 * user's request must not fail over scoring, and the cron repairs what a
 * failure left unscored. Returns whether webhook messages were enqueued
 * (see ScoringOutcome): the calling route schedules their delivery.
 */
export async function onLeadChanged(
  db: D1Database,
  siteId: string,
  leadId: string,
  opts: { linkVisitor?: boolean; country?: string | null; now?: number } = {},
): Promise<ScoringOutcome> {
  const now = opts.now ?? Date.now();
  try {
    const lead = await leadLinkState(db, siteId, leadId);
    if (!lead) return { enqueuedWebhooks: false };
    const statements: D1PreparedStatement[] = [];
    if (opts.country) {
      statements.push(fillCountryStatement(db, siteId, leadId, opts.country));
    }
    if (lead.status === 'withdrawn') {
      statements.push(unlinkVisitorsStatement(db, siteId, leadId));
    } else if (opts.linkVisitor && lead.visitor_id) {
      statements.push(...linkVisitorStatements(db, siteId, lead.visitor_id, leadId, now));
    }
    if (statements.length) await db.batch(statements);
    const { enqueuedWebhooks } = await refreshLead(db, siteId, leadId, now);
    return { enqueuedWebhooks };
  } catch (err) {
    // Only a write that lost every race gets here, and a lost write enqueues nothing.
    console.error('scoring of lead', leadId, 'deferred to the cron:', err);
    return { enqueuedWebhooks: false };
  }
}

// ── the ingest fast path ─────────────────────────────────────────────────

/** What collect appends to its batch, and which leads need the slow path. */
export interface IngestScoringPlan {
  statements: D1PreparedStatement[];
  /** Index in `statements` of each guarded score write, by lead. */
  writes: { leadId: string; index: number }[];
  /** Leads whose events this request cannot score incrementally (new score row, other model version). */
  slow: string[];
  /** The statements enqueue webhook messages: once they ran, the request schedules their delivery. */
  enqueuesWebhooks: boolean;
}

/**
 * Plans the incremental scoring of a batch's events: per linked lead, its
 * events in batch order are applied to the stored state (O(rules) each, no
 * reads beyond the one lookup collect already did) and written in the same
 * D1 batch as the events. The write is guarded twice: by the row's `rev`
 * (no concurrent writer slipped in) and by every one of those events having
 * been inserted by this very request (`ingestId`; a retried event is already
 * stored and must not count again). A write that loses either guard changes
 * nothing, and the caller refreshes that lead instead.
 */
export function planIngestScoring(
  db: D1Database,
  model: ScoringModel,
  rows: EventRow[],
  leads: Map<string, LeadScoreRow>,
  ingestId: string,
  now: number,
): IngestScoringPlan {
  const byLead = new Map<string, { lead: LeadScoreRow; events: EventRow[] }>();
  for (const r of rows) {
    const lead = r.visitorId ? leads.get(r.visitorId) : undefined;
    if (!lead) continue;
    const entry = byLead.get(lead.leadId) ?? { lead, events: [] };
    entry.events.push(r);
    byLead.set(lead.leadId, entry);
  }
  const plan: IngestScoringPlan = { statements: [], writes: [], slow: [], enqueuesWebhooks: false };
  for (const [leadId, { lead, events }] of byLead) {
    const score = lead.score;
    const since = lead.engagementSince;
    // A recycle not yet replayed goes the slow way (computeLead knows how).
    if (!score || score.modelVersion !== model.version || (since !== null && score.updatedAt <= since)) {
      plan.slow.push(leadId);
      continue;
    }
    let state = score.state;
    const seqs: { eventId: string; seq: number }[] = [];
    for (const e of events) {
      const seq = state.lastSeq + 1;
      if (since === null || e.ts >= since) {
        state = applyEvent(model, state, { seq, kind: e.kind, ts: e.ts, path: e.path, magnet: e.magnetId, name: e.name }).state;
      } else {
        state = { ...state, lastSeq: seq }; // ordered, but from before the recycle: it no longer counts
      }
      seqs.push({ eventId: e.eventId, seq });
    }
    const input = { status: lead.status, fit: score.fit, eNorm: state.eNorm, needsNewEngagement: since !== null };
    const stage = nextStage(model, score.stageState, input, now);
    const rev = newRev();
    const write: ScoreWrite = {
      siteId: events[0]!.siteId, leadId, modelVersion: model.version, fit: score.fit, fitRules: score.fitRules, state,
      stageState: stage.state, recheckAt: stage.recheckAt, rev, now,
    };
    const allMine = {
      sql: '(SELECT COUNT(*) FROM events WHERE site_id = ? AND event_id IN (SELECT value FROM json_each(?)) AND ingest_id = ?) = ?',
      params: [write.siteId, JSON.stringify(events.map((e) => e.eventId)), ingestId, events.length],
    };
    const hooks = enqueueWebhookStatements(db, write.siteId, leadId, rev, stage.transitions);
    if (hooks.enqueuesWebhooks) plan.enqueuesWebhooks = true;
    plan.writes.push({ leadId, index: plan.statements.length });
    plan.statements.push(
      writeScoreStatement(db, write, score.rev, allMine),
      assignSeqStatement(db, write.siteId, leadId, rev, seqs),
      ...stageHistoryStatements(db, write.siteId, leadId, rev, stage.transitions),
      ...hooks,
    );
  }
  return plan;
}

/**
 * `refreshLead` for many leads of one site at once (an import, a rescoring
 * page): three round trips for all of them (their scores, their events, one
 * batch of writes) instead of several per lead. A lead written concurrently
 * loses its guard and is refreshed alone.
 */
export async function refreshLeads(db: D1Database, siteId: string, leadIds: readonly string[], now = Date.now()): Promise<ScoringOutcome> {
  let enqueuedWebhooks = false;
  // In pages, so a batch of writes stays well below D1's statement limit.
  for (let i = 0; i < leadIds.length; i += REFRESH_PAGE) {
    if ((await refreshPage(db, siteId, leadIds.slice(i, i + REFRESH_PAGE), now)).enqueuedWebhooks) enqueuedWebhooks = true;
  }
  return { enqueuedWebhooks };
}

const REFRESH_PAGE = 100;

async function refreshPage(db: D1Database, siteId: string, ids: string[], now: number): Promise<ScoringOutcome> {
  const [rows, events] = await Promise.all([getLeadScores(db, siteId, ids), eventsOfLeads(db, siteId, ids)]);
  const computed: Computed[] = [];
  for (const row of rows.filter((r) => !isSettledWithdrawal(r))) {
    const model = await modelAt(db, siteId, row.siteModelVersion);
    computed.push(computeLead(model, row, events.get(row.leadId)!, siteId, now));
  }
  const writes = computed.map((c) => writeStatements(db, c));
  const statements = writes.map((w) => w.statements);
  const results = statements.length ? await db.batch(statements.flat()) : [];
  let enqueuedWebhooks = writes.some((w) => w.enqueuesWebhooks);
  let at = 0;
  for (let i = 0; i < computed.length; i++) {
    if (results[at]!.meta.changes !== 1 && (await refreshLead(db, siteId, computed[i]!.write.leadId, now)).enqueuedWebhooks) enqueuedWebhooks = true;
    at += statements[i]!.length;
  }
  return { enqueuedWebhooks };
}

// ── rescoring after a model change ───────────────────────────────────────

/**
 * Rescores up to `batchSize` leads of a job from their stored events and
 * advances its cursor; resumable at any point (each lead's write is guarded,
 * and a lead already at the new version is simply re-evaluated). Ingestion
 * goes on meanwhile: events of a lead not yet rescored stay unscored until
 * its turn. Returns the advanced job (finished also when another runner
 * holds the job) and whether webhook messages were enqueued.
 */
export async function rescoreBatch(
  db: D1Database,
  job: RescoreJob,
  batchSize: number,
  now = Date.now(),
): Promise<{ job: RescoreJob; processed: number; finished: boolean } & ScoringOutcome> {
  const ids = await leadsAfter(db, job.siteId, job.cursor, batchSize);
  const { enqueuedWebhooks } = await refreshLeads(db, job.siteId, ids, now);
  const finished = ids.length < batchSize;
  const cursor = ids.at(-1) ?? job.cursor;
  // Losing the cursor means another runner is on this job: leave it to that one.
  if (!(await advanceRescoreJob(db, job, cursor, ids.length, finished, now))) return { job, processed: 0, finished: true, enqueuedWebhooks };
  return { job: { ...job, cursor, done: job.done + ids.length }, processed: ids.length, finished, enqueuedWebhooks };
}
