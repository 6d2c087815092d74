/** Data access for sites and their allowed origins. */

export interface Site {
  id: string;
  name: string;
  origins: string[];
  /** Active scoring model version (1: the built-in default). */
  scoringModelVersion: number;
  createdAt: number;
  updatedAt: number;
}

interface SiteRow {
  id: string;
  name: string;
  origins: string;
  scoring_model_version: number;
  created_at: number;
  updated_at: number;
}

const SELECT_SITE = `
  SELECT s.id, s.name, s.created_at, s.updated_at, s.scoring_model_version,
         (SELECT json_group_array(origin) FROM (SELECT origin FROM site_origins WHERE site_id = s.id ORDER BY origin)) AS origins
  FROM sites s`;

const toSite = (row: SiteRow): Site => ({
  id: row.id,
  name: row.name,
  origins: JSON.parse(row.origins) as string[],
  scoringModelVersion: row.scoring_model_version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The site-and-origins query, for callers that batch it with other reads. */
export function siteStatement(db: D1Database, id: string): D1PreparedStatement {
  return db.prepare(`${SELECT_SITE} WHERE s.id = ?`).bind(id);
}

/** The site from `siteStatement`'s result rows, or null. */
export function siteFrom(rows: readonly unknown[]): Site | null {
  const row = rows[0] as SiteRow | undefined;
  return row ? toSite(row) : null;
}

/** One query: the site and its origins, or null. */
export async function getSite(db: D1Database, id: string): Promise<Site | null> {
  return siteFrom((await siteStatement(db, id).all()).results);
}

export async function listSites(db: D1Database): Promise<Site[]> {
  const { results } = await db.prepare(`${SELECT_SITE} ORDER BY s.id`).all<SiteRow>();
  return results.map(toSite);
}

/** Whether any site allows `origin`: the question a CORS preflight asks. */
export async function isKnownOrigin(db: D1Database, origin: string): Promise<boolean> {
  return (await db.prepare('SELECT 1 FROM site_origins WHERE origin = ? LIMIT 1').bind(origin).first()) !== null;
}

/** Creates a site with its origins in one batch; false when the id is taken. */
export async function createSite(
  db: D1Database,
  site: { id: string; name: string; origins: string[] },
  now: number,
): Promise<boolean> {
  const results = await db.batch([
    db.prepare('INSERT INTO sites (id, name, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING')
      .bind(site.id, site.name, now, now),
    ...site.origins.map((origin) =>
      // Only inserted when the site row above was new (its created_at is now).
      db.prepare(`INSERT INTO site_origins (site_id, origin, created_at)
                  SELECT ?1, ?2, ?3 WHERE (SELECT created_at FROM sites WHERE id = ?1) = ?3
                  ON CONFLICT DO NOTHING`).bind(site.id, origin, now),
    ),
  ]);
  return results[0]!.meta.changes === 1;
}

export async function addOrigin(db: D1Database, siteId: string, origin: string, now: number): Promise<boolean> {
  const [insert] = await db.batch([
    db.prepare('INSERT INTO site_origins (site_id, origin, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .bind(siteId, origin, now),
    db.prepare('UPDATE sites SET updated_at = ? WHERE id = ?').bind(now, siteId),
  ]);
  return insert!.meta.changes === 1;
}

export async function removeOrigin(db: D1Database, siteId: string, origin: string, now: number): Promise<boolean> {
  const [del] = await db.batch([
    db.prepare('DELETE FROM site_origins WHERE site_id = ? AND origin = ?').bind(siteId, origin),
    db.prepare('UPDATE sites SET updated_at = ? WHERE id = ?').bind(now, siteId),
  ]);
  return del!.meta.changes === 1;
}
