/**
 * Sites, their allowed origins and API keys, and the guards that check them.
 * What other features may use; routes are mounted by app.ts, not exported.
 */
export { crossSite, keyActor, requireApiKey } from './api-key-guard';
export { SESSION_IDLE_MS, SESSION_LIFETIME_MS, createSession, endSession, liveSession } from './sessions-store';
export type { Session } from './sessions-store';
export { clearSessionCookie, isSameOrigin, readSessionToken, setSessionCookie } from './session-cookie';
export type { KeyedEnv } from './api-key-guard';
export { API_KEY_SCOPES, createApiKey, listApiKeys, revokeApiKey, verifyApiKey } from './api-keys-store';
export { allowOrigin, browserCors } from './origin-guard';
export { addOrigin, createSite, getSite, listSites, removeOrigin, siteFrom, siteStatement } from './store';
export type { Site } from './store';
