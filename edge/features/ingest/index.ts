/**
 * Event ingestion from the snippet; its events store and the visitors
 * rollup that every write of an event keeps.
 * What other features may use; routes are mounted by app.ts, not exported.
 */
export { recentEvents } from './events-store';
export { foldVisitorsStatement, recountVisitorsStatements } from './visitors-store';
