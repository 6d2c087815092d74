/**
 * The API reference: the OpenAPI document and the landing page.
 * What other features may use; routes are mounted by app.ts, not exported.
 */
export { landingPage, styleHash } from './api-reference-page';
