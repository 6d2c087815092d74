import type { EventKind, ServerEventKind } from '../../../protocol';
import { randomToken } from '../../core/crypto';
import { foldVisitorsStatement } from '../ingest';

/**
 * Events the edge itself writes for a lead. They carry lead_id, which no
 * browser-sent event has, and some use kinds POST /v1/collect refuses
 * (SERVER_EVENT_KINDS), so they cannot be forged from a page.
 */
export interface ServerEvent {
  siteId: string;
  kind: ServerEventKind | Extract<EventKind, 'form_submit'>;
  visitorId: string | null;
  /** Page (form_submit) or edge URL (confirm, download); no query string. */
  url: string;
  path: string;
  magnetId: string | null;
  target?: string | null;
  now: number;
  country: string | null;
}

/** Server event ids: "srv_" and 128 random bits; never collide with retries. */
export const serverEventId = () => `srv_${randomToken(16)}`;

const COLUMNS = `site_id, event_id, kind, visitor_id, url, path, target, magnet_id, ts, client_ts, received_at, country, lead_id`;

/**
 * The statements that store one server event, for the caller's D1 batch:
 * its INSERT, then (with a visitor id) the fold into the visitors rollup.
 * `leadSql` is an SQL expression for the lead id (a bound parameter or a
 * sub-select), and `when` an optional condition: the row is written only if
 * it holds at the moment the batch runs. The INSERT comes first, so a
 * caller that reads its change count finds it at the statement's position.
 */
export function serverEventStatements(
  db: D1Database,
  e: ServerEvent,
  lead: { sql: string; params: unknown[] },
  when?: { sql: string; params: unknown[] },
): D1PreparedStatement[] {
  const id = serverEventId();
  const sql = `INSERT INTO events (${COLUMNS})
               SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${lead.sql} ${when ? `WHERE ${when.sql}` : ''}`;
  const insert = db
    .prepare(sql)
    .bind(e.siteId, id, e.kind, e.visitorId, e.url, e.path, e.target ?? null, e.magnetId, e.now, e.now, e.now,
      e.country, ...lead.params, ...(when?.params ?? []));
  return e.visitorId ? [insert, foldVisitorsStatement(db, e.siteId, [id])] : [insert];
}
