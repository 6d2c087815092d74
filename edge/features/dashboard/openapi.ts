import type * as v from 'valibot';
import { signInBody } from './schemas';

/** The dashboard's session operations, in the shape of the API document's OPERATIONS table. */
export const DASHBOARD_SCHEMAS: Record<string, v.GenericSchema> = { SignIn: signInBody as unknown as v.GenericSchema };

const TAG = 'Dashboard';

export const DASHBOARD_TAG = {
  name: TAG,
  description: 'Signing in to the dashboard at /app: a marketing API key exchanged for an HttpOnly, SameSite=Strict session cookie, which then authenticates the marketing API for that key (state-changing requests only from this origin).',
};

export const DASHBOARD_OPERATIONS = [
  { method: 'get' as const, path: '/app', summary: 'The dashboard (HTML; its views are in the URL hash, e.g. /app#/leads). Scripts and styles only from this origin: a strict Content-Security-Policy with no inline code', auth: 'none' as const, tag: TAG, ok: { status: 200, description: 'HTML page', type: 'text/html' as const }, errors: [] },
  { method: 'post' as const, path: '/app/session', summary: 'Signs in with a marketing API key: sets the session cookie (idle timeout 30 minutes, lifetime 12 hours); only from a page of this origin', auth: 'none' as const, tag: TAG, body: { schema: 'SignIn' }, ok: { status: 201, description: '{site, key: {name, scopes}, expiresAt, idleTimeoutSeconds}' }, errors: [400, 401, 403, 413, 415] },
  { method: 'get' as const, path: '/app/session', summary: 'The signed-in session (session cookie): site, key name and scopes, when it ends', auth: 'none' as const, tag: TAG, ok: { status: 200, description: '{site, key: {name, scopes}, expiresAt, idleTimeoutSeconds}' }, errors: [401] },
  { method: 'delete' as const, path: '/app/session', summary: 'Signs out: revokes the session on the server and clears the cookie; only from a page of this origin', auth: 'none' as const, tag: TAG, ok: { status: 200, description: '{signedOut: true}' }, errors: [403] },
];
