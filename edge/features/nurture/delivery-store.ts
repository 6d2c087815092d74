/**
 * Data access for sending a nurture mail: its outbox row with the site and
 * the enrolment it belongs to, and the magnet the lead came through.
 */

export interface NurtureMailRow {
  id: string;
  siteId: string;
  siteName: string;
  leadId: string;
  lang: 'en' | 'de';
  linkBase: string;
  status: 'pending' | 'sent' | 'dead' | 'cancelled';
  attempts: number;
  sequenceId: string;
  version: number;
  stepId: string;
  /** Null once the enrolment is gone (erased). */
  enrollmentState: 'active' | 'completed' | 'exited' | null;
  exitReason: string | null;
}

interface NurtureMailDbRow {
  id: string; site_id: string; site_name: string; lead_id: string; lang: 'en' | 'de'; link_base: string; status: NurtureMailRow['status'];
  attempts: number; sequence_id: string; sequence_version: number; step_id: string; enrollment_state: NurtureMailRow['enrollmentState'];
  exit_reason: string | null;
}

const toMailRow = (r: NurtureMailDbRow): NurtureMailRow => ({
  id: r.id, siteId: r.site_id, siteName: r.site_name, leadId: r.lead_id, lang: r.lang, linkBase: r.link_base, status: r.status, attempts: r.attempts,
  sequenceId: r.sequence_id, version: r.sequence_version, stepId: r.step_id, enrollmentState: r.enrollment_state, exitReason: r.exit_reason,
});

/** The outbox rows of many nurture mails in one query, in no particular order. */
export async function getNurtureMailRows(db: D1Database, ids: readonly string[]): Promise<NurtureMailRow[]> {
  if (!ids.length) return [];
  const { results } = await db
    .prepare(`SELECT o.id, o.site_id, s.name AS site_name, o.lead_id, o.lang, o.link_base, o.status, o.attempts, o.sequence_id,
                     o.sequence_version, o.step_id, e.state AS enrollment_state, e.exit_reason
              FROM json_each(?) j CROSS JOIN mail_outbox o ON o.id = j.value
              JOIN sites s ON s.id = o.site_id
              LEFT JOIN nurture_enrollments e ON e.id = o.enrollment_id
              WHERE o.kind = 'nurture'`)
    .bind(JSON.stringify([...new Set(ids)]))
    .all<NurtureMailDbRow>();
  return results.map(toMailRow);
}

/**
 * {{magnetTitle}}: the title of the magnet the lead last confirmed or
 * downloaded, else (no lead: a preview; or no such event) of `fallback`, the
 * magnet the sequence's trigger names.
 */
export async function magnetTitleFor(db: D1Database, siteId: string, leadId: string | null, fallback: string | null): Promise<string | null> {
  const own = leadId ? (await lastMagnetTitles(db, siteId, [leadId])).get(leadId) ?? null : null;
  if (own || !fallback) return own;
  return titleOfMagnet(db, siteId, fallback);
}

export async function titleOfMagnet(db: D1Database, siteId: string, magnetId: string): Promise<string | null> {
  const r = await db.prepare('SELECT title FROM magnets WHERE site_id = ? AND id = ?').bind(siteId, magnetId).first<{ title: string }>();
  return r?.title ?? null;
}

/** The title of the magnet each lead last confirmed or downloaded, for many leads of a site in one query (absent: none). */
export async function lastMagnetTitles(db: D1Database, siteId: string, leadIds: readonly string[]): Promise<Map<string, string>> {
  if (!leadIds.length) return new Map();
  const { results } = await db
    .prepare(`SELECT j.value AS lead_id,
                     (SELECT m.title FROM events e INDEXED BY events_by_lead JOIN magnets m ON m.site_id = e.site_id AND m.id = e.magnet_id
                      WHERE e.site_id = ?1 AND e.lead_id = j.value AND e.magnet_id IS NOT NULL AND e.kind IN ('optin_confirmed', 'magnet_download')
                      ORDER BY e.ts DESC LIMIT 1) AS title
              FROM json_each(?2) j`)
    .bind(siteId, JSON.stringify([...new Set(leadIds)]))
    .all<{ lead_id: string; title: string | null }>();
  return new Map(results.filter((r) => r.title !== null).map((r) => [r.lead_id, r.title!]));
}
