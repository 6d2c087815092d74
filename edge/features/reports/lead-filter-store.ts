/**
 * SQL pieces the reports share to say what a lead is filtered and grouped
 * by; `lead` is the SQL expression of the lead's id, and the site is ?1.
 */

/** The lead's first magnet, from its consent ledger: what by=magnet groups by and magnet= filters on. */
export const firstMagnetSql = (lead: string) =>
  `(SELECT magnet_id FROM consent_ledger WHERE site_id = ?1 AND lead_id = ${lead} AND magnet_id IS NOT NULL ORDER BY seq LIMIT 1)`;

/** One column of the lead's first event (the first touch), through events_by_lead. */
export const firstEventSql = (column: 'utm' | 'referrer', lead: string) =>
  `(SELECT e.${column} FROM events e WHERE e.site_id = ?1 AND e.lead_id = ${lead} ORDER BY e.ts, e.event_id LIMIT 1)`;

/** The first touch in one index seek: a JSON array [utm, referrer] of the lead's first event, or NULL without events. */
export const firstTouchSql = (lead: string) =>
  `(SELECT json_array(e.utm, e.referrer) FROM events e WHERE e.site_id = ?1 AND e.lead_id = ${lead} ORDER BY e.ts, e.event_id LIMIT 1)`;
