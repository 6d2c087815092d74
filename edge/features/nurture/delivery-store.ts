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

export async function getNurtureMailRow(db: D1Database, id: string): Promise<NurtureMailRow | null> {
  const r = await db
    .prepare(`SELECT o.id, o.site_id, s.name AS site_name, o.lead_id, o.lang, o.link_base, o.status, o.attempts, o.sequence_id,
                     o.sequence_version, o.step_id, e.state AS enrollment_state, e.exit_reason
              FROM mail_outbox o JOIN sites s ON s.id = o.site_id
              LEFT JOIN nurture_enrollments e ON e.id = o.enrollment_id
              WHERE o.id = ? AND o.kind = 'nurture'`)
    .bind(id)
    .first<{
      id: string; site_id: string; site_name: string; lead_id: string; lang: 'en' | 'de'; link_base: string; status: NurtureMailRow['status'];
      attempts: number; sequence_id: string; sequence_version: number; step_id: string; enrollment_state: NurtureMailRow['enrollmentState'];
      exit_reason: string | null;
    }>();
  return r && {
    id: r.id, siteId: r.site_id, siteName: r.site_name, leadId: r.lead_id, lang: r.lang, linkBase: r.link_base, status: r.status, attempts: r.attempts,
    sequenceId: r.sequence_id, version: r.sequence_version, stepId: r.step_id, enrollmentState: r.enrollment_state, exitReason: r.exit_reason,
  };
}

/**
 * {{magnetTitle}}: the title of the magnet the lead last confirmed or
 * downloaded, else (no lead: a preview; or no such event) of `fallback`, the
 * magnet the sequence's trigger names.
 */
export async function magnetTitleFor(db: D1Database, siteId: string, leadId: string | null, fallback: string | null): Promise<string | null> {
  const own = leadId ? await lastMagnetTitle(db, siteId, leadId) : null;
  if (own || !fallback) return own;
  const r = await db.prepare('SELECT title FROM magnets WHERE site_id = ? AND id = ?').bind(siteId, fallback).first<{ title: string }>();
  return r?.title ?? null;
}

async function lastMagnetTitle(db: D1Database, siteId: string, leadId: string): Promise<string | null> {
  const r = await db
    .prepare(`SELECT m.title FROM events e INDEXED BY events_by_lead JOIN magnets m ON m.site_id = e.site_id AND m.id = e.magnet_id
              WHERE e.site_id = ? AND e.lead_id = ? AND e.magnet_id IS NOT NULL AND e.kind IN ('optin_confirmed', 'magnet_download')
              ORDER BY e.ts DESC LIMIT 1`)
    .bind(siteId, leadId)
    .first<{ title: string }>();
  return r?.title ?? null;
}
