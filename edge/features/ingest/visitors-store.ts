/**
 * The visitors_seen rollup (migration 0016): per visitor, when its last
 * event, last pricing visit and last form view were received. Reports count
 * the visitors of a period that ends now from it. Every statement that
 * stores, de-identifies or deletes an event with a visitor id is followed,
 * in the same D1 batch, by one of these builders, so the rollup always
 * says what the events say.
 */

const KIND_TIMES = `MAX(e.received_at),
       MAX(CASE WHEN e.kind = 'pricing_view' THEN e.received_at END),
       MAX(CASE WHEN e.kind = 'form_view' THEN e.received_at END)`;

/**
 * Folds stored events, named by id, into their visitors' rows. For the
 * batch that inserts them, after the inserts: it reads the rows as stored,
 * so an id skipped as a duplicate or an insert whose condition failed adds
 * nothing new, and a retried batch changes nothing (the latest time wins).
 */
export function foldVisitorsStatement(db: D1Database, siteId: string, eventIds: string[]): D1PreparedStatement {
  return db
    .prepare(`
      INSERT INTO visitors_seen (site_id, visitor_id, last_seen_at, last_pricing_at, last_form_at)
      SELECT e.site_id, e.visitor_id, ${KIND_TIMES}
      FROM json_each(?2) j JOIN events e ON e.site_id = ?1 AND e.event_id = j.value
      WHERE e.visitor_id IS NOT NULL
      GROUP BY e.visitor_id
      ON CONFLICT (site_id, visitor_id) DO UPDATE SET
        last_seen_at = MAX(last_seen_at, excluded.last_seen_at),
        last_pricing_at = COALESCE(MAX(last_pricing_at, excluded.last_pricing_at), last_pricing_at, excluded.last_pricing_at),
        last_form_at = COALESCE(MAX(last_form_at, excluded.last_form_at), last_form_at, excluded.last_form_at)`)
    .bind(siteId, JSON.stringify(eventIds));
}

/**
 * Recomputes the named visitors' rows from their events, as they are when
 * the batch runs: a visitor left with no event loses its row. For a batch
 * that de-identifies or deletes events, after those statements (two
 * statements, both of that batch).
 */
export function recountVisitorsStatements(db: D1Database, siteId: string, visitorIds: (string | null)[]): D1PreparedStatement[] {
  // Event rows name their visitor or none; each visitor is recounted once.
  const ids = JSON.stringify([...new Set(visitorIds.filter((v): v is string => !!v))]);
  return [
    db.prepare('DELETE FROM visitors_seen WHERE site_id = ?1 AND visitor_id IN (SELECT value FROM json_each(?2))').bind(siteId, ids),
    db.prepare(`
      INSERT INTO visitors_seen (site_id, visitor_id, last_seen_at, last_pricing_at, last_form_at)
      SELECT e.site_id, e.visitor_id, ${KIND_TIMES}
      FROM events e INDEXED BY events_by_visitor
      WHERE e.site_id = ?1 AND e.visitor_id IS NOT NULL AND e.visitor_id IN (SELECT value FROM json_each(?2))
      GROUP BY e.visitor_id`).bind(siteId, ids),
  ];
}
