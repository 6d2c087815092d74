import { getLeadScore, stageHistoryOf, type LeadScoreRow } from './store';
import { currentScore, explain, qualifiedStage, type Explanation, type ScoringModel, type Temperature } from '../../core/scoring';
import { modelAt } from './lead-scoring';

/** A lead's score as of a moment, under the model it was scored with. */
export interface CurrentScore {
  stage: string;
  /** The stage the lead qualifies for now (differs from `stage` while a cool-down holds it). */
  qualifiesFor: string;
  score: number;
  fit: number;
  engagement: number;
  temperature: Temperature;
  modelVersion: number;
  explanation: Explanation;
  updatedAt: number;
}

/**
 * The one reading of a stored score, decayed to `now` and explained: the score
 * and lead-detail routes, webhook payloads and the GDPR export each show a
 * part of it, so they can never disagree about a lead. Null without a score.
 */
export async function currentScoreOf(db: D1Database, siteId: string, row: LeadScoreRow, now: number, model?: ScoringModel): Promise<CurrentScore | null> {
  const s = row.score;
  if (!s) return null;
  const m = model ?? (await modelAt(db, siteId, s.modelVersion));
  const current = currentScore(m, s.fit, s.eNorm, now);
  return {
    stage: s.stage,
    qualifiesFor: qualifiedStage(m, row.status, current.fit, current.engagement),
    score: current.score,
    fit: current.fit,
    engagement: current.engagement,
    temperature: current.temperature,
    modelVersion: s.modelVersion,
    explanation: explain(m, { fit: s.fit, rules: s.fitRules }, s.state, now),
    updatedAt: s.updatedAt,
  };
}

/**
 * A lead's current score as sales reads it: score, fit, engagement,
 * temperature, stage (and the stage it qualifies for while a cool-down
 * holds it), the per-rule explanation and the stage history. Null when the
 * site has no such lead.
 */
export async function scoreView(db: D1Database, siteId: string, leadId: string, now: number) {
  // Both reads at once: a lead without a score row is rare, and then the history read is simply unused.
  const [row, history] = await Promise.all([getLeadScore(db, siteId, leadId), stageHistoryOf(db, siteId, leadId)]);
  if (!row) return null;
  const c = await currentScoreOf(db, siteId, row, now);
  if (!c) return { lead: leadId, status: row.status, score: null, history };
  return {
    lead: leadId,
    status: row.status,
    stage: c.stage,
    qualifiesFor: c.qualifiesFor,
    score: c.score,
    fit: c.fit,
    engagement: c.engagement,
    temperature: c.temperature,
    modelVersion: c.modelVersion,
    rescorePending: c.modelVersion !== row.siteModelVersion,
    explanation: c.explanation,
    history,
    at: now,
  };
}
