/**
 * Sales: owners and routing, the write-back of what sales did with a lead,
 * the owner's deadline and the mails to sales people.
 * What other features may use; routes are mounted by app.ts, not exported.
 */
export { reassignOverdue, routeHandoffs } from './assignment';
export type { RoutingReport } from './assignment';
export { sendOwnerMails } from './owner-mail';
export { handOffNow } from './handoff';
export { getSalesSettings } from './settings-store';
export { SALES_OPERATIONS, SALES_SCHEMAS, SALES_TAG } from './openapi';
