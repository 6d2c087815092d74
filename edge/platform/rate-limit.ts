import type { Context } from 'hono';
import type { AppEnv } from './env';
import { clientIp } from './request';
import { rateLimited } from '../http/problem';

/** What a limited client is told to wait: the limiter's window is a minute. */
const RETRY_AFTER_SECONDS = 60;

/**
 * The ingest rate limit, per `scope` (a site, or a kind of request on a site)
 * and client address: a 429 problem when the client is over it. No limiter
 * binding, or INGEST_RATE_LIMIT=off, means no limit. The address is a key
 * only; it is never stored.
 */
export async function limitClient(c: Context<AppEnv>, scope: string): Promise<void> {
  const limiter = c.env.RATE_LIMITER;
  if (!limiter || c.env.INGEST_RATE_LIMIT === 'off') return;
  const { success } = await limiter.limit({ key: `${scope}:${clientIp(c) ?? 'unknown'}` });
  if (!success) throw rateLimited(RETRY_AFTER_SECONDS);
}
