import type { Context, MiddlewareHandler } from 'hono';
import { verifyApiKey, type ApiKey, type ApiKeyScope } from './api-keys-store';
import type { Env } from '../../platform/env';
import { PROBLEM_TYPES } from '../../../protocol';
import { ProblemError, unauthorized } from '../../http/problem';
import { liveSession } from './sessions-store';
import { SAFE_METHODS, isSameOrigin, readSessionToken } from './session-cookie';

/** Hono environment of routes behind a marketing API key. */
export interface KeyedEnv {
  Bindings: Env;
  Variables: { apiKey: ApiKey; authVia: 'key' | 'session' };
}

/** A cross-site request made with a dashboard session: refused before anything is read. */
export const crossSite = () =>
  new ProblemError(403, PROBLEM_TYPES.forbiddenOrigin, 'Cross-site request refused', 'A request that changes something must come from a page of this origin (its Origin header).');

/**
 * Marketing API authentication: `Authorization: Bearer lsk_…`, or the
 * dashboard's session cookie (a key exchanged at sign-in; a state-changing
 * request must then also come from this origin). The key names its site,
 * so a key of site A can only ever reach site A. Missing, unknown,
 * malformed and revoked keys get the same 401; a live key without the
 * scope gets 403.
 */
export function requireApiKey(...anyOf: ApiKeyScope[]): MiddlewareHandler<KeyedEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const token = header === undefined ? readSessionToken(c) : null;
    let key: ApiKey | null;
    if (token !== null) {
      if (!SAFE_METHODS.has(c.req.method) && !isSameOrigin(c)) throw crossSite();
      key = (await liveSession(c.env.DB, token, Date.now()))?.key ?? null;
      if (!key) throw unauthorized('The dashboard session has ended (signed out, idle too long, too old, or its key was revoked); sign in again.');
    } else {
      const presented = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
      if (!presented) throw unauthorized('Send a marketing API key as "Authorization: Bearer lsk_…".');
      key = await verifyApiKey(c.env.DB, presented);
      if (!key) throw unauthorized('The API key is unknown or revoked.');
    }
    if (!anyOf.some((s) => key.scopes.includes(s))) {
      throw new ProblemError(403, PROBLEM_TYPES.forbidden, 'Insufficient scope', `This API key lacks the scope ${anyOf.join(' or ')}.`);
    }
    c.set('apiKey', key);
    c.set('authVia', token !== null ? 'session' : 'key');
    await next();
  };
}

/**
 * Who writes, for histories and the ledger: the API key by name, marked
 * when the CLI sent it (it says so in a header), so "changed by the nightly
 * CRM sync", "changed by hand" and "changed in the dashboard" can be told apart.
 */
export function keyActor(c: Context<KeyedEnv>): string {
  const via = c.get('authVia') === 'session' ? 'app' : c.req.header('lodestone-client') === 'cli' ? 'cli' : 'key';
  return `${via}:${c.get('apiKey').name}`;
}
