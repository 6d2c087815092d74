/**
 * The dashboard at /app: signing in with a marketing API key (a server-side
 * session in an HttpOnly cookie) and out. What other features may use;
 * routes are mounted by app.ts, not exported.
 */
export { DASHBOARD_OPERATIONS, DASHBOARD_SCHEMAS, DASHBOARD_TAG } from './openapi';
