import { newRev } from './enrollments-store';
import type { NurtureSettings, Sequence } from '../../core/nurture/sequence';
import { DEFAULT_NURTURE_SETTINGS } from '../../core/nurture/sequence';

/**
 * Data access for sequences, their versions and the site's nurture
 * settings. A save writes the current row and its version in one batch.
 */

export interface StoredSequence {
  id: string;
  version: number;
  name: string;
  status: 'active' | 'paused';
  triggerOn: string;
  sequence: Sequence;
  cursorAt: number;
  cursorKey: string;
  createdAt: number;
  updatedAt: number;
}

interface SequenceRow {
  site_id: string;
  id: string;
  version: number;
  name: string;
  status: 'active' | 'paused';
  trigger_on: string;
  doc: string;
  cursor_at: number;
  cursor_key: string;
  created_at: number;
  updated_at: number;
}

const toStored = (r: SequenceRow): StoredSequence => ({
  id: r.id, version: r.version, name: r.name, status: r.status, triggerOn: r.trigger_on, sequence: JSON.parse(r.doc) as Sequence,
  cursorAt: r.cursor_at, cursorKey: r.cursor_key, createdAt: r.created_at, updatedAt: r.updated_at,
});

export async function getSequence(db: D1Database, siteId: string, id: string): Promise<StoredSequence | null> {
  const r = await db.prepare('SELECT * FROM sequences WHERE site_id = ? AND id = ?').bind(siteId, id).first<SequenceRow>();
  return r ? toStored(r) : null;
}

export async function listSequences(db: D1Database, siteId: string): Promise<StoredSequence[]> {
  const { results } = await db.prepare('SELECT * FROM sequences WHERE site_id = ? ORDER BY id').bind(siteId).all<SequenceRow>();
  return results.map(toStored);
}

/** Active sequences of every site, for the cron's trigger pass. */
export async function activeSequences(db: D1Database): Promise<(StoredSequence & { siteId: string })[]> {
  const { results } = await db.prepare("SELECT * FROM sequences WHERE status = 'active' ORDER BY site_id, id").all<SequenceRow>();
  return results.map((r) => ({ ...toStored(r), siteId: r.site_id }));
}

/** The version a queued mail was planned with. */
export async function sequenceVersion(db: D1Database, siteId: string, id: string, version: number): Promise<Sequence | null> {
  const r = await db.prepare('SELECT doc FROM sequence_versions WHERE site_id = ? AND sequence_id = ? AND version = ?')
    .bind(siteId, id, version).first<{ doc: string }>();
  return r ? (JSON.parse(r.doc) as Sequence) : null;
}

/**
 * Saves a new version, only if the stored one is still `expected` (null: a
 * new sequence), so two saves at once cannot both become version n + 1.
 * `cursor` is where the trigger starts reading (a new sequence, or a changed
 * trigger: from now on, so leads that qualified before do not enter); null
 * keeps it. Enrolments resting at `rescheduleSteps` (waits that changed) are
 * made due now, in the same batch and only if this save won. Returns false
 * when another save won.
 */
export async function saveSequence(
  db: D1Database,
  siteId: string,
  seq: Sequence & { version: number },
  expected: number | null,
  now: number,
  cursor: { at: number; key: string } | null,
  rescheduleSteps: readonly string[] = [],
): Promise<boolean> {
  const doc = JSON.stringify(seq);
  const start = cursor ?? { at: now, key: '' };
  const write = expected === null
    ? db.prepare(`INSERT OR IGNORE INTO sequences (site_id, id, version, name, status, trigger_on, doc, cursor_at, cursor_key, created_at, updated_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .bind(siteId, seq.id, seq.version, seq.name, seq.status, seq.trigger.on, doc, start.at, start.key, now, now)
    : db.prepare(`UPDATE sequences SET version = ?, name = ?, status = ?, trigger_on = ?, doc = ?, updated_at = ?,
                    cursor_at = CASE WHEN ? THEN ? ELSE cursor_at END, cursor_key = CASE WHEN ? THEN ? ELSE cursor_key END
                  WHERE site_id = ? AND id = ? AND version = ?`)
      .bind(seq.version, seq.name, seq.status, seq.trigger.on, doc, now, cursor ? 1 : 0, start.at, cursor ? 1 : 0, start.key,
        siteId, seq.id, expected);
  const [res] = await db.batch([
    write,
    db.prepare(`INSERT OR IGNORE INTO sequence_versions (site_id, sequence_id, version, doc, created_at)
                SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM sequences WHERE site_id = ? AND id = ? AND version = ? AND doc = ?)`)
      .bind(siteId, seq.id, seq.version, doc, now, siteId, seq.id, seq.version, doc),
    // Leads resting at a wait whose length or window changed are looked at again in the next run, which
    // reads the wait anew from when they reached it; the new rev voids a move planned from the old one.
    ...(rescheduleSteps.length
      ? [db.prepare(`UPDATE nurture_enrollments SET due_at = MIN(due_at, ?1), rev = ?2
                     WHERE site_id = ?3 AND sequence_id = ?4 AND state = 'active' AND step_id IN (SELECT value FROM json_each(?5))
                       AND EXISTS (SELECT 1 FROM sequences WHERE site_id = ?3 AND id = ?4 AND version = ?6 AND doc = ?7)`)
        .bind(now, newRev(), siteId, seq.id, JSON.stringify(rescheduleSteps), seq.version, doc)]
      : []),
  ]);
  return res!.meta.changes === 1;
}

/** Moves a trigger's cursor, only from where this run read it (an overlapping run that moved it first wins). */
export function moveCursorStatement(
  db: D1Database,
  siteId: string,
  id: string,
  from: { at: number; key: string },
  to: { at: number; key: string },
): D1PreparedStatement {
  return db.prepare('UPDATE sequences SET cursor_at = ?, cursor_key = ? WHERE site_id = ? AND id = ? AND cursor_at = ? AND cursor_key = ?')
    .bind(to.at, to.key, siteId, id, from.at, from.key);
}

export async function getNurtureSettings(db: D1Database, siteId: string): Promise<{ settings: NurtureSettings; updatedAt: number | null }> {
  const r = await db.prepare('SELECT min_gap_hours, sends_per_minute, time_zone, updated_at FROM nurture_settings WHERE site_id = ?')
    .bind(siteId).first<{ min_gap_hours: number | null; sends_per_minute: number | null; time_zone: string | null; updated_at: number }>();
  return {
    settings: {
      minGapHours: r?.min_gap_hours ?? DEFAULT_NURTURE_SETTINGS.minGapHours,
      sendsPerMinute: r?.sends_per_minute ?? DEFAULT_NURTURE_SETTINGS.sendsPerMinute,
      timeZone: r?.time_zone ?? DEFAULT_NURTURE_SETTINGS.timeZone,
    },
    updatedAt: r?.updated_at ?? null,
  };
}

/** Replaces the site's settings; a field left out is the default (NULL). */
export async function putNurtureSettings(
  db: D1Database,
  siteId: string,
  s: { minGapHours?: number; sendsPerMinute?: number; timeZone?: string },
  now: number,
): Promise<void> {
  await db.prepare(`INSERT INTO nurture_settings (site_id, min_gap_hours, sends_per_minute, time_zone, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (site_id) DO UPDATE SET min_gap_hours = excluded.min_gap_hours, sends_per_minute = excluded.sends_per_minute,
                      time_zone = excluded.time_zone, updated_at = excluded.updated_at`)
    .bind(siteId, s.minGapHours ?? null, s.sendsPerMinute ?? null, s.timeZone ?? null, now)
    .run();
}
