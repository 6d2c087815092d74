/**
 * Operator endpoints: sites, origins, keys and recent events.
 * What other features may use; routes are mounted by app.ts, not exported.
 */
export { createKeyBody, createSiteBody, eventsQuery, mailRetryBody, originBody } from './schemas';
