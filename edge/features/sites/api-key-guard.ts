import type { Context, MiddlewareHandler } from 'hono';
import { verifyApiKey, type ApiKey, type ApiKeyScope } from './api-keys-store';
import type { Env } from '../../platform/env';
import { PROBLEM_TYPES } from '../../../protocol';
import { ProblemError, unauthorized } from '../../http/problem';

/** Hono environment of routes behind a marketing API key. */
export interface KeyedEnv {
  Bindings: Env;
  Variables: { apiKey: ApiKey };
}

/**
 * Marketing API authentication: `Authorization: Bearer lsk_…`. The key names
 * its site, so a key of site A can only ever reach site A. Missing, unknown,
 * malformed and revoked keys get the same 401; a live key without the
 * scope gets 403.
 */
export function requireApiKey(...anyOf: ApiKeyScope[]): MiddlewareHandler<KeyedEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!presented) throw unauthorized('Send a marketing API key as "Authorization: Bearer lsk_…".');
    const key = await verifyApiKey(c.env.DB, presented);
    if (!key) throw unauthorized('The API key is unknown or revoked.');
    if (!anyOf.some((s) => key.scopes.includes(s))) {
      throw new ProblemError(403, PROBLEM_TYPES.forbidden, 'Insufficient scope', `This API key lacks the scope ${anyOf.join(' or ')}.`);
    }
    c.set('apiKey', key);
    await next();
  };
}

/**
 * Who writes, for histories and the ledger: the API key by name, marked
 * when the CLI sent it (it says so in a header), so "changed by the nightly
 * CRM sync" and "changed by hand" can be told apart.
 */
export function keyActor(c: Context<KeyedEnv>): string {
  const via = c.req.header('lodestone-client') === 'cli' ? 'cli' : 'key';
  return `${via}:${c.get('apiKey').name}`;
}
