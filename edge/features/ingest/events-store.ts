import type { EventRow } from '../../core/event-row';

/** Data access for raw events. */

const INSERT_EVENT = `
  INSERT INTO events (site_id, event_id, kind, name, visitor_id, url, path, referrer, utm, target,
                      magnet_id, engaged_ms, props, ts, client_ts, received_at, country, lead_id, ingest_id)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
  ON CONFLICT (site_id, event_id) DO NOTHING`;

/**
 * One INSERT per event, for the caller's D1 batch (one transaction: all or
 * nothing). An id already stored is skipped, so a retried batch stores
 * nothing twice; `meta.changes` of each result says whether its row was new.
 * `ingestId` marks the rows this request inserted (see lead scoring), and
 * `leadOf` names the lead of a linked visitor.
 */
export function insertEventStatements(
  db: D1Database,
  rows: EventRow[],
  ingestId: string,
  leadOf: (visitorId: string | null) => string | null,
): D1PreparedStatement[] {
  const stmt = db.prepare(INSERT_EVENT);
  return rows.map((r) =>
    stmt.bind(r.siteId, r.eventId, r.kind, r.name, r.visitorId, r.url, r.path, r.referrer, r.utm, r.target,
      r.magnetId, r.engagedMs, r.props, r.ts, r.clientTs, r.receivedAt, r.country, leadOf(r.visitorId), ingestId),
  );
}

export interface StoredEvent {
  event_id: string;
  kind: string;
  name: string | null;
  visitor_id: string | null;
  url: string;
  path: string;
  referrer: string | null;
  utm: string | null;
  target: string | null;
  magnet_id: string | null;
  engaged_ms: number | null;
  props: string | null;
  ts: number;
  received_at: number;
  country: string | null;
}

/** Newest events of a site first; `after` pages forward by receive time (for tailing). */
export async function recentEvents(
  db: D1Database,
  siteId: string,
  opts: { limit: number; since?: number },
): Promise<StoredEvent[]> {
  const { results } = await db
    .prepare(`SELECT event_id, kind, name, visitor_id, url, path, referrer, utm, target, magnet_id, engaged_ms,
                     props, ts, received_at, country
              FROM events WHERE site_id = ? AND received_at > ? ORDER BY received_at DESC, event_id LIMIT ?`)
    .bind(siteId, opts.since ?? 0, opts.limit)
    .all<StoredEvent>();
  return results;
}
