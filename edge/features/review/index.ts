/**
 * The scoring review: outcome facts, the review report, the suggested model,
 * the preview of a draft and the likelihood to buy (the statistics live in
 * core/review). What other features may use; routes are mounted by app.ts.
 */
export { runReviewMaintenance, refreshOutcomeFacts } from './refresh';
export { likelihoodFor, likelihoodReader, type Likelihoods } from './likelihood';
export { REVIEW_OPERATIONS, REVIEW_SCHEMAS, REVIEW_TAG } from './openapi';
