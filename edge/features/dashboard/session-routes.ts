import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../platform/env';
import { readJson } from '../../http/body';
import { unauthorized } from '../../http/problem';
import { validate } from '../../http/validate';
import {
  SESSION_IDLE_MS, clearSessionCookie, createSession, crossSite, endSession, getSite, isSameOrigin, liveSession, readSessionToken, setSessionCookie,
  verifyApiKey, type Session,
} from '../sites';
import { signInBody } from './schemas';

const SIGN_IN_BODY = { maxBytes: 1024, mediaTypes: ['application/json'] } as const;

async function sessionAnswer(c: Context<AppEnv>, s: Pick<Session, 'key' | 'expiresAt'>) {
  const site = await getSite(c.env.DB, s.key.siteId);
  return {
    site: { id: s.key.siteId, name: site?.name ?? s.key.siteId },
    key: { name: s.key.name, scopes: s.key.scopes },
    expiresAt: new Date(s.expiresAt).toISOString(),
    idleTimeoutSeconds: SESSION_IDLE_MS / 1000,
  };
}

/**
 * Dashboard sign-in and sign-out. The key is exchanged for a session once
 * and then forgotten by the browser; every answer is no-store, and sign-in
 * and sign-out must come from this origin's own pages.
 */
export const sessionRoutes = new Hono<AppEnv>()
  .use('/app/session', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  })
  /** POST /app/session {key}: 201 with the session cookie, or 401 and no cookie. */
  .post('/app/session', async (c) => {
    if (!isSameOrigin(c)) throw crossSite();
    const { key: presented } = validate(signInBody, await readJson(c.req.raw, SIGN_IN_BODY));
    const key = await verifyApiKey(c.env.DB, presented.trim());
    if (!key) throw unauthorized('The API key is unknown or revoked.');
    const now = Date.now();
    const session = await createSession(c.env.DB, key, now);
    setSessionCookie(c, session.token, session.expiresAt - now);
    return c.json(await sessionAnswer(c, { key, expiresAt: session.expiresAt }), 201);
  })
  /** GET /app/session: who is signed in (site, key name, scopes), or 401. */
  .get('/app/session', async (c) => {
    const token = readSessionToken(c);
    const session = token ? await liveSession(c.env.DB, token, Date.now()) : null;
    if (!session) {
      if (token) clearSessionCookie(c);
      throw unauthorized('Not signed in, or the session has ended; sign in with a marketing API key.');
    }
    return c.json(await sessionAnswer(c, session));
  })
  /** DELETE /app/session: signs out (the session is revoked on the server, the cookie cleared). Idempotent. */
  .delete('/app/session', async (c) => {
    if (!isSameOrigin(c)) throw crossSite();
    const token = readSessionToken(c);
    if (token) await endSession(c.env.DB, token, Date.now());
    clearSessionCookie(c);
    return c.json({ signedOut: true });
  });
