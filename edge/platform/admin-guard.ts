import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env';
import { timingSafeEqualText } from '../core/crypto';
import { notConfigured, unauthorized } from '../http/problem';

/**
 * Bearer ADMIN_TOKEN, compared in constant time. Every admin router applies
 * it itself, so no route depends on another router's middleware order.
 */
export const requireAdminToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) throw notConfigured('The admin API is disabled: set the ADMIN_TOKEN secret.');
  const header = c.req.header('authorization') ?? '';
  const presented = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  if (!presented) throw unauthorized('Send the admin token as "Authorization: Bearer <token>".');
  if (!(await timingSafeEqualText(presented, expected))) throw unauthorized('The admin token is wrong.');
  await next();
};
