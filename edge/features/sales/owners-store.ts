import type { RoutingOwner, Territory } from '../../core/sales';
import type { OwnerInput } from './schemas';

/** Data access for a site's sales people (owners). */

export interface Owner extends RoutingOwner {
  name: string;
  email: string;
  lang: 'en' | 'de';
  createdAt: number;
  updatedAt: number;
}

interface OwnerRow {
  id: string;
  name: string;
  email: string;
  lang: 'en' | 'de';
  active: number;
  fallback: number;
  territory: string | null;
  weight: number;
  assigned: number;
  created_at: number;
  updated_at: number;
}

const toOwner = (r: OwnerRow): Owner => ({
  id: r.id,
  name: r.name,
  email: r.email,
  lang: r.lang,
  active: r.active === 1,
  fallback: r.fallback === 1,
  territory: r.territory ? (JSON.parse(r.territory) as Territory) : null,
  weight: r.weight,
  assigned: r.assigned,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function listOwners(db: D1Database, siteId: string): Promise<Owner[]> {
  const { results } = await db.prepare('SELECT * FROM owners WHERE site_id = ? ORDER BY id').bind(siteId).all<OwnerRow>();
  return results.map(toOwner);
}

export async function getOwner(db: D1Database, siteId: string, id: string): Promise<Owner | null> {
  const r = await db.prepare('SELECT * FROM owners WHERE site_id = ? AND id = ?').bind(siteId, id).first<OwnerRow>();
  return r ? toOwner(r) : null;
}

/**
 * The whole team in one batch: listed owners are inserted or updated (their
 * assignment count kept), owners left out become inactive. Nobody is
 * deleted: leads and their history name their owners.
 */
export async function replaceOwners(db: D1Database, siteId: string, owners: readonly OwnerInput[], now: number): Promise<void> {
  const ids = JSON.stringify(owners.map((o) => o.id));
  await db.batch([
    ...owners.map((o) =>
      db
        .prepare(`INSERT INTO owners (site_id, id, name, email, lang, active, fallback, territory, weight, assigned, created_at, updated_at)
                  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?10)
                  ON CONFLICT (site_id, id) DO UPDATE SET name = ?3, email = ?4, lang = ?5, active = ?6, fallback = ?7, territory = ?8,
                    weight = ?9, updated_at = CASE WHEN name IS ?3 AND email IS ?4 AND lang IS ?5 AND active IS ?6 AND fallback IS ?7
                                                  AND territory IS ?8 AND weight IS ?9 THEN updated_at ELSE ?10 END`)
        .bind(siteId, o.id, o.name, o.email, o.lang, o.active ? 1 : 0, o.fallback ? 1 : 0, o.territory ? JSON.stringify(o.territory) : null, o.weight, now),
    ),
    db.prepare(`UPDATE owners SET active = 0, updated_at = ?3
                WHERE site_id = ?1 AND active = 1 AND id NOT IN (SELECT value FROM json_each(?2))`).bind(siteId, ids, now),
  ]);
}

/** Counts an assignment for the round-robin, only when the assignment carrying `guard` won. */
export function countAssignmentStatement(db: D1Database, siteId: string, ownerId: string, guard: { sql: string; params: unknown[] }): D1PreparedStatement {
  return db
    .prepare(`UPDATE owners SET assigned = assigned + 1 WHERE site_id = ? AND id = ? AND ${guard.sql}`)
    .bind(siteId, ownerId, ...guard.params);
}
