import type { Context, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { isKnownOrigin } from './store';
import type { AppEnv } from '../../platform/env';
import { forbiddenOrigin } from '../../http/problem';

/** How long browsers may cache a preflight answer. */
const PREFLIGHT_MAX_AGE = 86_400;

/**
 * CORS for the browser-facing API (/v1/*).
 *
 * A preflight carries no site id (it is in the body), so it is allowed when
 * *some* site lists the origin; the route then checks the origin against the
 * named site itself. A preflight from an origin no site lists gets a 403
 * problem instead of a silent answer without CORS headers.
 */
export function browserCors(): MiddlewareHandler<AppEnv> {
  // Runs only after the guard below has checked the origin, so it just echoes it.
  const handler = cors({
    origin: (origin) => origin,
    allowMethods: ['POST', 'GET', 'OPTIONS'],
    allowHeaders: ['Content-Type'],
    maxAge: PREFLIGHT_MAX_AGE,
  });
  return async (c, next) => {
    if (c.req.method !== 'OPTIONS') return next();
    const origin = c.req.header('origin') ?? '';
    if (!origin || !(await isKnownOrigin(c.env.DB, origin))) throw forbiddenOrigin(origin);
    return handler(c, next);
  };
}

/** Marks an answer readable by `origin` (already checked by the caller). */
export function allowOrigin(c: Context, origin: string): void {
  c.header('Access-Control-Allow-Origin', origin);
  c.header('Vary', 'Origin', { append: true });
}
