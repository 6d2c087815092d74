import { planMove, type LeadFacts, type Move } from '../../core/nurture/plan';
import type { NurtureSettings, Sequence } from '../../core/nurture/sequence';
import { currentScore, decayFactor } from '../../core/scoring';
import { modelAt } from '../scoring';
import { getSite } from '../sites';
import { getSalesSettings } from '../sales';
import {
  coolingCandidates, dueEnrollments, enrollStatement, eventCandidates, hasEvent, inactiveCandidates, leadsForNurture, queuedSince, reachedStageSince, restStatement,
  sendStatements, stageCandidates, type Candidate, type Enrollment, type LeadNurtureRow,
} from './enrollments-store';
import { activeSequences, getNurtureSettings, getSequence, moveCursorStatement, type StoredSequence } from './sequences-store';

/**
 * The nurture cron: who enters a sequence (its trigger, read from a cursor),
 * then every enrolment that is due moves one step (a wait, a mail, a branch,
 * an exit). Both are bounded per run and resumed by the next; both are safe
 * when two runs overlap (see the stores' transaction contracts).
 */

/** Trigger candidates read per sequence and run. */
const ENROLL_BATCH = 500;
/** Due enrolments read per query; a run reads more while its budget lasts. */
const MOVE_BATCH = 200;
/** The inactivity trigger reads the events of one hour per query. */
const INACTIVE_SLICE_MS = 3_600_000;
/**
 * The send rate is counted over the cron's interval: a run every five
 * minutes may queue five minutes' worth, and no five minutes hold more.
 */
export const RATE_WINDOW_MINUTES = 5;
const RATE_WINDOW_MS = RATE_WINDOW_MINUTES * 60_000;

export interface NurtureRunReport {
  entered: number;
  moved: number;
  queued: number;
  deferred: number;
  exited: number;
  /** Outbox ids of the mails this run queued: the caller sends them. */
  mailIds: string[];
}

const enrollmentId = (siteId: string, seqId: string, cause: string) => `ne_${siteId}/${seqId}/${cause}`;

/** One pass of a sequence's trigger: new candidates entered, the cursor moved, in one batch. */
async function enrollFor(db: D1Database, seq: StoredSequence & { siteId: string }, now: number): Promise<number> {
  const t = seq.sequence.trigger;
  const from = { at: seq.cursorAt, key: seq.cursorKey };
  let candidates: Candidate[] = [];
  let to = from;
  if (t.on === 'confirmed' || t.on === 'download') {
    candidates = await eventCandidates(db, {
      siteId: seq.siteId, kind: t.on === 'confirmed' ? 'optin_confirmed' : 'magnet_download', magnetId: t.on === 'download' ? t.magnet : null,
      after: from, until: now, limit: ENROLL_BATCH,
    });
    to = candidates.length === ENROLL_BATCH ? { at: candidates.at(-1)!.at, key: candidates.at(-1)!.key } : { at: now, key: '' };
  } else if (t.on === 'stage') {
    candidates = await stageCandidates(db, { siteId: seq.siteId, stage: t.stage, afterSeq: Number(seq.cursorKey) || 0, limit: ENROLL_BATCH });
    to = candidates.length ? { at: now, key: candidates.at(-1)!.key } : from;
  } else if (t.on === 'cold') {
    // Cooled off between the cursor and now; while a busy interval is paged, the key holds its end and the last lead.
    const [until, afterLead] = seq.cursorKey ? [Number(seq.cursorKey.slice(0, seq.cursorKey.indexOf('|'))), seq.cursorKey.slice(seq.cursorKey.indexOf('|') + 1)] : [now, ''];
    const site = await getSite(db, seq.siteId);
    if (!site) return 0;
    const model = await modelAt(db, seq.siteId, site.scoringModelVersion);
    const leads = await coolingCandidates(db, {
      siteId: seq.siteId, basis: model.temperature.basis ?? 'engagement', warm: model.temperature.warm,
      dFrom: decayFactor(seq.cursorAt, model.halfLifeDays), dTo: decayFactor(until, model.halfLifeDays), afterLead, limit: ENROLL_BATCH,
    });
    candidates = leads.map((leadId) => ({ leadId, at: seq.cursorAt, key: leadId }));
    to = leads.length === ENROLL_BATCH ? { at: seq.cursorAt, key: `${until}|${leads.at(-1)!}` } : { at: until, key: '' };
  } else {
    // Inactive for `days`: leads whose last event fell into the slice that is now `days` old.
    const lag = t.days * 86_400_000;
    const sliceEnd = Math.min(seq.cursorAt + INACTIVE_SLICE_MS, now);
    const leads = await inactiveCandidates(db, { siteId: seq.siteId, from: seq.cursorAt - lag, to: sliceEnd - lag, afterLead: seq.cursorKey, limit: ENROLL_BATCH });
    candidates = leads.map((leadId) => ({ leadId, at: sliceEnd, key: leadId }));
    to = leads.length === ENROLL_BATCH ? { at: seq.cursorAt, key: leads.at(-1)! } : { at: sliceEnd, key: '' };
  }
  if (to.at === from.at && to.key === from.key) return 0;
  const first = seq.sequence.steps[0]!.id;
  const reentryDays = seq.sequence.reentry === 'never' ? null : seq.sequence.reentry.afterDays;
  const cause = (c: Candidate) =>
    t.on === 'inactive' ? `i${c.at}/${c.leadId}` : t.on === 'cold' ? `c${c.at}/${c.leadId}` : t.on === 'stage' ? `s${c.key}` : `e${c.key}`;
  const results = await db.batch([
    // First, so an overlapping run that moved the cursor already makes the entries below duplicates of its own (same ids).
    moveCursorStatement(db, seq.siteId, seq.id, from, to),
    ...candidates.map((c) => enrollStatement(db, { id: enrollmentId(seq.siteId, seq.id, cause(c)), siteId: seq.siteId, sequenceId: seq.id, leadId: c.leadId, firstStep: first, reentryDays, now })),
  ]);
  return results.slice(1).reduce((n, r) => n + r.meta.changes, 0);
}

/** Enters the leads every active sequence's trigger found since its cursor. */
export async function enrollNew(db: D1Database, now: number, deadline: number): Promise<number> {
  let entered = 0;
  for (const seq of await activeSequences(db)) {
    if (Date.now() > deadline) break;
    entered += await enrollFor(db, seq, now).catch((err) => {
      console.error('nurture trigger', seq.siteId, seq.id, err);
      return 0;
    });
  }
  return entered;
}

interface SiteContext {
  sequences: Map<string, StoredSequence | null>;
  settings: NurtureSettings;
  handoffStage: 'mql' | 'sql';
  /** Mails the site may still queue in this rate window. */
  allowance: number;
  /** The window's limit, also checked by each send's own statement (overlapping runs). */
  rate: { since: number; limit: number };
}

async function siteContext(db: D1Database, siteId: string, now: number): Promise<SiteContext> {
  const since = now - RATE_WINDOW_MS;
  const [{ settings }, sales, recent] = await Promise.all([getNurtureSettings(db, siteId), getSalesSettings(db, siteId), queuedSince(db, siteId, since)]);
  const limit = settings.sendsPerMinute * RATE_WINDOW_MINUTES;
  return { sequences: new Map(), settings, handoffStage: sales.settings.handoffStage, allowance: Math.max(0, limit - recent), rate: { since, limit } };
}

/** The facts a move decides on, with the score decayed to now. */
async function leadFacts(db: D1Database, siteId: string, row: LeadNurtureRow, handoffStage: 'mql' | 'sql', now: number, handedOff: boolean): Promise<LeadFacts> {
  let score: number | null = null;
  let temperature: LeadFacts['temperature'] = null;
  if (row.score) {
    const c = currentScore(await modelAt(db, siteId, row.score.modelVersion), row.score.fit, row.score.eNorm, now);
    score = c.score;
    temperature = c.temperature;
  }
  return {
    status: row.status, marketing: row.marketing === 1, legitimateInterest: row.basis === 'legitimate_interest', suppressed: row.mailSuppressed,
    withSales: row.withSales, handedOff, stage: row.score?.stage ?? row.status, handoffStage, score, temperature, profile: row.profile, lastNurtureAt: row.lastNurtureAt,
  };
}

/**
 * Moves due enrolments until none is left or the budget is spent. A mail
 * over the site's send rate waits for the next run (its place and clock
 * unchanged); a paused sequence's leads wait an hour at a time.
 */
export async function moveDue(db: D1Database, now: number, deadline: number, linkBase: string): Promise<Omit<NurtureRunReport, 'entered'>> {
  const report = { moved: 0, queued: 0, deferred: 0, exited: 0, mailIds: [] as string[] };
  const sites = new Map<string, SiteContext>();
  const seen = new Set<string>();
  while (Date.now() <= deadline) {
    const due = (await dueEnrollments(db, now, MOVE_BATCH)).filter((e) => !seen.has(e.id));
    if (!due.length) break;
    const bySite = new Map<string, Enrollment[]>();
    for (const e of due) {
      seen.add(e.id);
      bySite.set(e.siteId, [...(bySite.get(e.siteId) ?? []), e]);
    }
    for (const [siteId, list] of bySite) {
      let ctx = sites.get(siteId);
      if (!ctx) sites.set(siteId, (ctx = await siteContext(db, siteId, now)));
      const [leads, handedOff] = await Promise.all([
        leadsForNurture(db, siteId, list.map((e) => e.leadId)),
        reachedStageSince(db, siteId, list.map((e) => ({ leadId: e.leadId, since: e.enteredAt })), ctx.handoffStage === 'mql' ? ['mql', 'sql'] : ['sql']),
      ]);
      const statements: D1PreparedStatement[] = [];
      const queued: { index: number; id: string }[] = [];
      for (const e of list) {
        if (!ctx.sequences.has(e.sequenceId)) ctx.sequences.set(e.sequenceId, await getSequence(db, siteId, e.sequenceId));
        const stored = ctx.sequences.get(e.sequenceId)!;
        const row = leads.get(e.leadId);
        if (!stored || !row) {
          statements.push(restStatement(db, e, { kind: 'exited', step: e.stepId, reason: 'sequence_changed' }, now));
          report.exited++;
          continue;
        }
        if (stored.status === 'paused') {
          statements.push(restStatement(db, e, { kind: 'at', step: e.stepId, stepAt: e.stepAt, dueAt: now + 3_600_000 }, now));
          report.deferred++;
          continue;
        }
        const facts = await leadFacts(db, siteId, row, ctx.handoffStage, now, handedOff.has(`${e.leadId}|${e.enteredAt}`));
        const move: Move = await planMove(stored.sequence as Sequence, e, facts, {
          now, settings: ctx.settings, probe: (c, since) => hasEvent(db, siteId, e.leadId, c, since),
        });
        if (move.kind === 'rest') {
          statements.push(restStatement(db, e, move.rest, now));
          if (move.rest.kind === 'exited') report.exited++;
          if (move.deferred) report.deferred++;
          else report.moved++;
          continue;
        }
        if (ctx.allowance <= 0) {
          statements.push(restStatement(db, e, { kind: 'at', step: e.stepId, stepAt: e.stepAt, dueAt: now + 60_000 }, now));
          report.deferred++;
          continue;
        }
        ctx.allowance--;
        const outboxId = `mn_${crypto.randomUUID().replace(/-/g, '')}`;
        // The cap holds across sequences in one batch too: a second send for the same lead finds last_nurture_at = now.
        statements.push(...sendStatements(db, e, {
          outboxId, siteId, leadId: e.leadId, sequenceId: e.sequenceId, version: stored.version, step: move.step, lang: row.lang,
          linkBase, minGapMs: ctx.settings.minGapHours * 3_600_000, rate: ctx.rate, now,
        }, move.rest));
        queued.push({ index: statements.length - 1, id: outboxId });
        report.moved++;
      }
      if (!statements.length) continue;
      const results = await db.batch(statements);
      for (const q of queued) {
        if (results[q.index]!.meta.changes === 1) {
          report.queued++;
          report.mailIds.push(q.id);
        }
      }
    }
  }
  return report;
}

/** One cron run: enter, then move, within `budgetMs`. */
export async function runNurture(db: D1Database, now: number, opts: { budgetMs: number; linkBase: string }): Promise<NurtureRunReport> {
  const deadline = Date.now() + opts.budgetMs;
  const entered = await enrollNew(db, now, deadline);
  const moved = await moveDue(db, now, deadline, opts.linkBase);
  return { entered, ...moved };
}
