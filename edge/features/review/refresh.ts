import { computeFacts } from '../../core/review/facts';
import { fitCalibration } from '../../core/review/likelihood';
import type { ScoringModel } from '../../core/scoring';
import { eventsOfLeads, modelAt } from '../scoring';
import { getSite } from '../sites';
import { Refused } from '../../core/errors';
import { OPEN_DAYS } from './constants';
import { defaultReview } from './review-snapshot';
import { deleteLeftFacts, dropSnapshot, factRows, getCalibration, putCalibration, sitesWithOutcomes, staleOutcomeLeads, writeFactsStatements } from './store';

/** Leads per chunk: one read of their events and one batch of writes. */
const CHUNK = 200;
/** A calibration is refitted at least this often: open leads age into "not won" as days pass. */
const CALIBRATION_MAX_AGE = 86_400_000;

export interface RefreshResult {
  /** Facts computed in this run. */
  computed: number;
  /** True when every lead with a sales status has facts of the current model version. */
  complete: boolean;
  modelVersion: number;
}

/**
 * Brings a site's outcome facts up to date within a time budget, chunk by
 * chunk, and refits the likelihood calibration when they are complete;
 * `sweep` also deletes the facts of leads that left the review. Safe
 * when two runs overlap: both compute the same rows from the same data.
 */
export async function refreshOutcomeFacts(db: D1Database, siteId: string, now: number, budgetMs: number, opts: { sweep?: boolean } = {}): Promise<RefreshResult> {
  const site = await getSite(db, siteId);
  if (!site) return { computed: 0, complete: true, modelVersion: 0 };
  const model = await modelAt(db, siteId, site.scoringModelVersion);
  const started = Date.now();
  let computed = 0;
  let complete = false;
  while (Date.now() - started < budgetMs) {
    const stale = await staleOutcomeLeads(db, siteId, model.version, CHUNK);
    if (!stale.length) {
      complete = true;
      break;
    }
    await writeChunk(db, siteId, model, stale, now);
    computed += stale.length;
    if (stale.length < CHUNK) {
      complete = true;
      break;
    }
  }
  if (complete) {
    // Facts of leads that lost their sales status: a sweep over all facts, so the cron's and not every read's.
    // Withdrawal and erasure delete their own at once.
    const left = opts.sweep ? await deleteLeftFacts(db, siteId) : 0;
    if (computed || left) await dropSnapshot(db, siteId);
    const current = await getCalibration(db, siteId);
    if (computed || left || !current || current.modelVersion !== model.version || now - current.fittedAt > CALIBRATION_MAX_AGE) {
      await putCalibration(db, siteId, fitCalibration(await factRows(db, siteId, model.version), model.version, now, OPEN_DAYS));
    }
  }
  return { computed, complete, modelVersion: model.version };
}

async function writeChunk(db: D1Database, siteId: string, model: ScoringModel, stale: Awaited<ReturnType<typeof staleOutcomeLeads>>, now: number) {
  const events = await eventsOfLeads(db, siteId, stale.map((l) => l.id));
  const rows = stale.map((l) => {
    const c = computeFacts({ model, profile: l.profile, events: events.get(l.id)?.scored ?? [], refAt: l.refAt, magnet: l.magnet });
    return { leadId: l.id, salesRev: l.salesRev, salesStatus: l.salesStatus, refAt: l.refAt, score: c.score, fit: c.fit, engagement: c.engagement, facts: JSON.stringify(c.facts) };
  });
  await db.batch(writeFactsStatements(db, siteId, model.version, rows, now));
}

/** The cron's part: every site with outcomes, until the budget is spent; the next run resumes. */
export async function runReviewMaintenance(db: D1Database, now: number, budgetMs = 10_000): Promise<{ sites: number; computed: number }> {
  const started = Date.now();
  let computed = 0;
  let sites = 0;
  for (const siteId of await sitesWithOutcomes(db)) {
    const left = budgetMs - (Date.now() - started);
    if (left <= 0) break;
    const r = await refreshOutcomeFacts(db, siteId, now, left, { sweep: true });
    computed += r.computed;
    // The default report ready before anyone asks; too few outcomes is not an error here.
    if (r.complete) await defaultReview(db, siteId, r.modelVersion, now).catch((err) => { if (!(err instanceof Refused)) throw err; });
    sites++;
  }
  return { sites, computed };
}
