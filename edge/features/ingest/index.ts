/**
 * Event ingestion from the snippet; its events store.
 * What other features may use; routes are mounted by app.ts, not exported.
 */
export { recentEvents } from './events-store';
