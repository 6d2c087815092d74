/**
 * Lead scoring on D1: the scores and stage history, ranking, rescoring and the score view (the engine itself is core/scoring).
 * What other features may use; routes are mounted by app.ts, not exported.
 */
export { modelAt, onLeadChanged, planIngestScoring, refreshLead, refreshLeads } from './lead-scoring';
export { runRescoring, runScoringMaintenance } from './maintenance';
export { rankLeads } from './ranking-store';
export { currentScoreOf, scoreView } from './score-view';
export type { CurrentScore } from './score-view';
export { eventsOfLeads, getLeadScore, getLeadScores, leadScoresByVisitor, leadScoresForVisitorsStatement, openRescoreJobs, salesHistoryStatement, stageHistoryOf } from './store';
export type { LeadScoreRow, SalesHistoryEntry } from './store';
