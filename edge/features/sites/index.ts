/**
 * Sites, their allowed origins and API keys, and the guards that check them.
 * What other features may use; routes are mounted by app.ts, not exported.
 */
export { keyActor, requireApiKey } from './api-key-guard';
export type { KeyedEnv } from './api-key-guard';
export { API_KEY_SCOPES, createApiKey, listApiKeys, revokeApiKey } from './api-keys-store';
export { allowOrigin, browserCors } from './origin-guard';
export { addOrigin, createSite, getSite, listSites, removeOrigin, siteFrom, siteStatement } from './store';
export type { Site } from './store';
