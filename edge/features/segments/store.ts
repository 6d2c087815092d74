import type { SegmentFilter } from './schemas';

/** Data access for saved segments: plain rows of a name and a filter per site. */

export interface Segment {
  id: string;
  name: string;
  filter: SegmentFilter;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  id: string;
  name: string;
  filter: string;
  created_at: number;
  updated_at: number;
}

const toSegment = (r: Row): Segment => ({ id: r.id, name: r.name, filter: JSON.parse(r.filter) as SegmentFilter, createdAt: r.created_at, updatedAt: r.updated_at });

export async function listSegments(db: D1Database, siteId: string): Promise<Segment[]> {
  const { results } = await db.prepare('SELECT id, name, filter, created_at, updated_at FROM segments WHERE site_id = ? ORDER BY name, id').bind(siteId).all<Row>();
  return results.map(toSegment);
}

export async function getSegment(db: D1Database, siteId: string, id: string): Promise<Segment | null> {
  const r = await db.prepare('SELECT id, name, filter, created_at, updated_at FROM segments WHERE site_id = ? AND id = ?').bind(siteId, id).first<Row>();
  return r ? toSegment(r) : null;
}

/**
 * Creates or replaces a segment in one statement; a new one only while the
 * site has fewer than `max`. Answers whether it was created, replaced, or
 * refused for the limit.
 */
export async function saveSegment(
  db: D1Database,
  siteId: string,
  s: { id: string; name: string; filter: SegmentFilter },
  max: number,
  now: number,
): Promise<'created' | 'replaced' | 'full'> {
  const filter = JSON.stringify(s.filter);
  const [updated, inserted] = await db.batch([
    db.prepare('UPDATE segments SET name = ?, filter = ?, updated_at = ? WHERE site_id = ? AND id = ?').bind(s.name, filter, now, siteId, s.id),
    db.prepare(`INSERT INTO segments (site_id, id, name, filter, created_at, updated_at)
                SELECT ?1, ?2, ?3, ?4, ?5, ?5
                WHERE NOT EXISTS (SELECT 1 FROM segments WHERE site_id = ?1 AND id = ?2)
                  AND (SELECT COUNT(*) FROM segments WHERE site_id = ?1) < ?6`)
      .bind(siteId, s.id, s.name, filter, now, max),
  ]);
  if (updated!.meta.changes === 1) return 'replaced';
  return inserted!.meta.changes === 1 ? 'created' : 'full';
}

export async function deleteSegment(db: D1Database, siteId: string, id: string): Promise<boolean> {
  const res = await db.prepare('DELETE FROM segments WHERE site_id = ? AND id = ?').bind(siteId, id).run();
  return res.meta.changes === 1;
}
