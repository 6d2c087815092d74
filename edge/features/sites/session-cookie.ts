import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Env } from '../../platform/env';
import { isDevelopment } from '../../platform/request';

/**
 * The dashboard's session cookie: HttpOnly (no script reads it), SameSite
 * Strict (no other site's page sends it), and outside local development
 * Secure with the __Host- prefix (only this host, over https, path /).
 * Local development runs on plain http, so there it is a plain name.
 */
const NAME = 'lodestone_session';

export function readSessionToken<E extends { Bindings: Env }>(c: Context<E>): string | null {
  return (isDevelopment(c.env) ? getCookie(c, NAME) : getCookie(c, NAME, 'host')) ?? null;
}

/** The cookie's attributes; set and clear must name the same ones, or the browser keeps the old cookie. */
function attributes(env: Pick<Env, 'LODESTONE_ENV'>) {
  const dev = isDevelopment(env);
  return { path: '/', httpOnly: true, sameSite: 'Strict' as const, secure: !dev, ...(dev ? {} : { prefix: 'host' as const }) };
}

export function setSessionCookie<E extends { Bindings: Env }>(c: Context<E>, token: string, maxAgeMs: number): void {
  setCookie(c, NAME, token, { ...attributes(c.env), maxAge: Math.floor(maxAgeMs / 1000) });
}

export function clearSessionCookie<E extends { Bindings: Env }>(c: Context<E>): void {
  deleteCookie(c, NAME, attributes(c.env));
}

/**
 * A state-changing request made with the session cookie must come from a
 * page of this very origin: browsers send Origin on every such fetch, so a
 * missing or foreign one is refused (defence in depth next to SameSite).
 */
export function isSameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  return origin !== undefined && origin === new URL(c.req.url).origin;
}

export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
