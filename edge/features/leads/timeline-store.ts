/** The newest events of a lead, for its detail view. A plain read. */
export const timelineOf = (db: D1Database, siteId: string, leadId: string, limit: number) =>
  db
    .prepare(`SELECT event_id AS id, kind, name, path, url, target, magnet_id AS magnet, engaged_ms AS engagedMs, ts, country
              FROM events WHERE site_id = ? AND lead_id = ? ORDER BY ts DESC, event_id LIMIT ?`)
    .bind(siteId, leadId, limit)
    .all();
