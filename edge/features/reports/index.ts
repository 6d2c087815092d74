/**
 * Reports over the funnel.
 * What other features may use; routes are mounted by app.ts, not exported.
 */
export { funnelQuery, overviewQuery } from './schemas';
