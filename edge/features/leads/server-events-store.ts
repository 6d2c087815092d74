import type { EventKind, ServerEventKind } from '../../../protocol';
import { randomToken } from '../../core/crypto';

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
 * An INSERT for one server event. `leadSql` is an SQL expression for the lead
 * id (a bound parameter or a sub-select), and `when` an optional condition:
 * the row is written only if it holds at the moment the batch runs.
 */
export function serverEventStatement(
  db: D1Database,
  e: ServerEvent,
  lead: { sql: string; params: unknown[] },
  when?: { sql: string; params: unknown[] },
): D1PreparedStatement {
  const sql = `INSERT INTO events (${COLUMNS})
               SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${lead.sql} ${when ? `WHERE ${when.sql}` : ''}`;
  return db
    .prepare(sql)
    .bind(e.siteId, serverEventId(), e.kind, e.visitorId, e.url, e.path, e.target ?? null, e.magnetId, e.now, e.now, e.now,
      e.country, ...lead.params, ...(when?.params ?? []));
}
