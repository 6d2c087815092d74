/**
 * Mail: settings, the durable outbox, the confirmation mail and its retry.
 * What other features may use; routes are mounted by app.ts, not exported.
 */
export { deliverConfirmation, unsubscribeUrl } from './confirmation-mail';
export { retryOutbox } from './outbox-retry';
export { claimDueMails, getOwnerMailRow, mailHealth, markCancelled, markCancelledStatement, markFailed, markFailedStatement, markSent, markSentStatement, ownerMailStatement, requeueDeadMails } from './outbox-store';
export type { MailHealth, OutboxKind, OwnerMailRow } from './outbox-store';
export { configChecks, downloadTtlMs, mailSettings, reportConfigProblems, retrySettings, signingKey } from './settings';
export type { ConfigCheck } from './settings';
export { insertDevMail } from './dev-mailbox-store';
export { devOutboxEnabled, DEV_SENDER } from './select';
