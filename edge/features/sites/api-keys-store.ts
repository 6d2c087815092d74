import { randomToken, sha256Hex, timingSafeEqualText } from '../../core/crypto';

/** Marketing API keys: shown once, stored as SHA-256 hashes. */

export const API_KEY_SCOPES = ['leads:read', 'leads:write', 'config:write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Key format: `lsk_<id>_<secret>`; the id finds the row, the secret proves possession. */
const KEY_PATTERN = /^lsk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface ApiKey {
  id: string;
  siteId: string;
  name: string;
  scopes: ApiKeyScope[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

interface ApiKeyRow {
  id: string;
  site_id: string;
  name: string;
  scopes: string;
  secret_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const toKey = (r: ApiKeyRow): ApiKey => ({
  id: r.id,
  siteId: r.site_id,
  name: r.name,
  scopes: JSON.parse(r.scopes) as ApiKeyScope[],
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

const alnum = (n: number) => randomToken(n * 2).replace(/[^A-Za-z0-9]/g, '').slice(0, n).padEnd(n, '0');

/** Creates a key and returns its plaintext once; only the hash is stored. */
export async function createApiKey(
  db: D1Database,
  input: { siteId: string; name: string; scopes: ApiKeyScope[] },
  now: number,
): Promise<{ key: ApiKey; secret: string }> {
  const id = alnum(12);
  const secret = `lsk_${id}_${randomToken(32)}`;
  await db
    .prepare('INSERT INTO api_keys (id, site_id, name, scopes, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .bind(id, input.siteId, input.name, JSON.stringify(input.scopes), await sha256Hex(secret), now)
    .run();
  return {
    key: { id, siteId: input.siteId, name: input.name, scopes: input.scopes, createdAt: now, lastUsedAt: null, revokedAt: null },
    secret,
  };
}

export async function listApiKeys(db: D1Database, siteId: string): Promise<ApiKey[]> {
  const { results } = await db
    .prepare('SELECT * FROM api_keys WHERE site_id = ? ORDER BY created_at, id')
    .bind(siteId)
    .all<ApiKeyRow>();
  return results.map(toKey);
}

/** Revokes a key of `siteId`; false when there is no such live key. */
export async function revokeApiKey(db: D1Database, siteId: string, id: string, now: number): Promise<boolean> {
  const res = await db
    .prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND site_id = ? AND revoked_at IS NULL')
    .bind(now, id, siteId)
    .run();
  return res.meta.changes === 1;
}

/**
 * The live key matching a presented secret, or null. The stored hash is
 * compared in constant time; malformed, unknown and revoked keys look alike.
 */
export async function verifyApiKey(db: D1Database, presented: string): Promise<ApiKey | null> {
  const match = KEY_PATTERN.exec(presented);
  if (!match) return null;
  const row = await db.prepare('SELECT * FROM api_keys WHERE id = ?').bind(match[1]).first<ApiKeyRow>();
  const ok = await timingSafeEqualText(await sha256Hex(presented), row?.secret_hash ?? '');
  return row && ok && row.revoked_at === null ? toKey(row) : null;
}
