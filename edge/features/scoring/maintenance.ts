import { dueRechecks, leadsWithUnscoredEvents, linkStragglers, openRescoreJobs } from './store';
import { refreshLead, rescoreBatch, type ScoringOutcome } from './lead-scoring';

/** Leads rescored per batch: one lead at a time, guarded, resumable. */
export const RESCORE_BATCH = 100;

/**
 * Works through open rescoring jobs until done or `budgetMs` is spent; the
 * next cron run resumes from each job's cursor. Returns the leads processed
 * and whether webhook messages were enqueued (see ScoringOutcome).
 */
export async function runRescoring(db: D1Database, opts: { budgetMs: number; now?: number }): Promise<{ processed: number } & ScoringOutcome> {
  const deadline = Date.now() + opts.budgetMs;
  let processed = 0;
  let enqueuedWebhooks = false;
  for (let job of await openRescoreJobs(db, 10)) {
    for (let finished = false; !finished && Date.now() < deadline; ) {
      const step = await rescoreBatch(db, job, RESCORE_BATCH, opts.now);
      ({ job, finished } = step);
      processed += step.processed;
      if (step.enqueuedWebhooks) enqueuedWebhooks = true;
    }
  }
  return { processed, enqueuedWebhooks };
}

export interface MaintenanceReport {
  stragglers: number;
  unscored: number;
  rechecked: number;
  rescored: number;
}

/**
 * Cron Trigger work for scoring:
 * - links events that raced a visitor's linking, and scores them;
 * - scores events a failed or lost refresh left unscored (unless the lead's
 *   site is mid-rescore: rescoring reaches those leads in its own order);
 * - re-evaluates leads whose stage may change by decay alone or whose
 *   cool-down ended (recheck_at), so a decayed lead drops and may fire again;
 * - continues rescoring after a model change.
 * What it enqueues is delivered by the same cron run (edge/scheduled.ts).
 */
export async function runScoringMaintenance(db: D1Database, now: number, budgetMs = 20_000): Promise<MaintenanceReport> {
  const stragglers = await linkStragglers(db, now - 60 * 60 * 1000);
  for (const l of stragglers) await refreshLead(db, l.siteId, l.leadId, now);
  const openSites = new Set((await openRescoreJobs(db, 100)).map((j) => j.siteId));
  const unscored = (await leadsWithUnscoredEvents(db, 200)).filter((l) => !openSites.has(l.siteId));
  for (const l of unscored) await refreshLead(db, l.siteId, l.leadId, now);
  const due = await dueRechecks(db, now, 500);
  for (const l of due) await refreshLead(db, l.siteId, l.leadId, now);
  const { processed: rescored } = await runRescoring(db, { budgetMs, now });
  return { stragglers: stragglers.length, unscored: unscored.length, rechecked: due.length, rescored };
}
