/**
 * Webhook endpoints and the messages queued for them.
 * What other features may use; routes are mounted by app.ts, not exported.
 */
export { createEndpointBody, deliveriesQuery, updateEndpointBody } from './schemas';
export { claimDueMessages, deliveredBefore, endpointTargets, enqueueSalesWebhookStatements, enqueueWebhookStatements, pruneMessages, recordAttempt, storePayload } from './store';
export type { AttemptRecord, ClaimedMessage, EndpointTarget, StageChange, Via, WebhookEventType } from './store';
