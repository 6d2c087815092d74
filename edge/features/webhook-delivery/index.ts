/**
 * Delivery of queued webhook messages: right after the request that caused them, and by the cron.
 * What other features may use; routes are mounted by app.ts, not exported.
 */
export { deliverDue, deliverFreshWebhooks, runWebhookDelivery } from './delivery';
