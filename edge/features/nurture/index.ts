/**
 * Lead nurturing: sequences of condition-based mails for consenting leads,
 * the cron that enters and moves leads, the nurture mails and what comes
 * back from them (clicks, bounces). What other features may use; routes are
 * mounted by app.ts, not exported.
 */
export { runNurture } from './run';
export type { NurtureRunReport } from './run';
export { sendNurtureMails } from './delivery';
export { enrollmentsOf } from './enrollments-store';
export { NURTURE_OPERATIONS, NURTURE_SCHEMAS, NURTURE_TAG } from './openapi';
