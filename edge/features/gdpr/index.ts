/**
 * GDPR rights: export, erasure and retention.
 * What other features may use; routes are mounted by app.ts, not exported.
 */
export { GDPR_OPERATIONS, GDPR_SCHEMAS } from './openapi';
export { runRetention } from './retention';
export { wasErased } from './erased';
