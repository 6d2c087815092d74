import { randomToken, sha256Hex } from '../../core/crypto';
import { API_KEY_SCOPES, type ApiKey, type ApiKeyScope } from './api-keys-store';

/**
 * Dashboard sessions: a marketing API key exchanged for a random token that
 * lives in an HttpOnly cookie. Only the token's hash is stored; a session
 * dies when it is idle too long, reaches its lifetime, is signed out, or its
 * key is revoked (checked on every request, so revoking a key signs out
 * everyone who signed in with it).
 */

/** Signed out after this long without a request. */
export const SESSION_IDLE_MS = 30 * 60_000;
/** Signed out this long after signing in, however busy. */
export const SESSION_LIFETIME_MS = 12 * 3_600_000;
/** last_seen_at is written at most this often: a busy dashboard is not a write per request. */
const TOUCH_EVERY_MS = 60_000;

const TOKEN_PATTERN = /^lss_[A-Za-z0-9_-]{43}$/;

export interface Session {
  id: string;
  key: ApiKey;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

/**
 * A new session for a verified key, in one batch with the removal of that
 * key's ended sessions. Returns the cookie's token (shown once) and when the
 * session ends at the latest.
 */
export async function createSession(db: D1Database, key: ApiKey, now: number): Promise<{ token: string; expiresAt: number }> {
  const token = `lss_${randomToken(32)}`;
  const expiresAt = now + SESSION_LIFETIME_MS;
  await db.batch([
    db.prepare('DELETE FROM app_sessions WHERE api_key_id = ? AND (expires_at <= ? OR revoked_at IS NOT NULL OR last_seen_at <= ?)')
      .bind(key.id, now, now - SESSION_IDLE_MS),
    db.prepare('INSERT INTO app_sessions (id, site_id, api_key_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .bind(await sha256Hex(token), key.siteId, key.id, now, now, expiresAt),
  ]);
  return { token, expiresAt };
}

interface SessionRow {
  id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  key_id: string;
  site_id: string;
  name: string;
  scopes: string;
  key_created_at: number;
  last_used_at: number | null;
}

/** The live session of a cookie's token (and its key), or null; counts the request against the idle timeout. */
export async function liveSession(db: D1Database, token: string, now: number): Promise<Session | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const id = await sha256Hex(token);
  const r = await db
    .prepare(`SELECT s.id, s.created_at, s.last_seen_at, s.expires_at, k.id AS key_id, k.site_id, k.name, k.scopes, k.created_at AS key_created_at, k.last_used_at
              FROM app_sessions s JOIN api_keys k ON k.id = s.api_key_id
              WHERE s.id = ? AND s.revoked_at IS NULL AND k.revoked_at IS NULL AND s.expires_at > ? AND s.last_seen_at > ?`)
    .bind(id, now, now - SESSION_IDLE_MS)
    .first<SessionRow>();
  if (!r) return null;
  if (now - r.last_seen_at >= TOUCH_EVERY_MS) {
    await db.prepare('UPDATE app_sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?').bind(now, id, now).run();
  }
  const scopes = (JSON.parse(r.scopes) as string[]).filter((s): s is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(s));
  return {
    id: r.id, createdAt: r.created_at, lastSeenAt: Math.max(r.last_seen_at, now), expiresAt: r.expires_at,
    key: { id: r.key_id, siteId: r.site_id, name: r.name, scopes, createdAt: r.key_created_at, lastUsedAt: r.last_used_at, revokedAt: null },
  };
}

/** Signs a session out (sign-out). True when it was live. */
export async function endSession(db: D1Database, token: string, now: number): Promise<boolean> {
  if (!TOKEN_PATTERN.test(token)) return false;
  const res = await db.prepare('UPDATE app_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').bind(now, await sha256Hex(token)).run();
  return res.meta.changes === 1;
}
