/**
 * The numbers of one sequence: entries, where they ended and why, mails
 * sent and clicked per step, and how many leads reached MQL or SQL after
 * entering. Read-only aggregates over the sequence's own rows (indexed by
 * site and sequence), so a site's other sequences cost nothing.
 */

export interface SequenceStats {
  entered: number;
  leads: number;
  active: number;
  completed: number;
  exited: Record<string, number>;
  reachedMql: number;
  reachedSql: number;
  steps: Record<string, { sent: number; clicked: number; pending: number; failed: number; unsubscribed: number; exited: number; waiting: number }>;
}

export async function sequenceStats(db: D1Database, siteId: string, sequenceId: string): Promise<SequenceStats> {
  const [totals, reasons, mails, ends, reached] = await db.batch([
    db.prepare(`SELECT COUNT(*) AS entered, COUNT(DISTINCT lead_id) AS leads, COALESCE(SUM(state = 'active'), 0) AS active,
                       COALESCE(SUM(state = 'completed'), 0) AS completed
                FROM nurture_enrollments INDEXED BY nurture_by_sequence WHERE site_id = ? AND sequence_id = ?`).bind(siteId, sequenceId),
    db.prepare(`SELECT exit_reason, COUNT(*) AS n FROM nurture_enrollments INDEXED BY nurture_by_sequence
                WHERE site_id = ? AND sequence_id = ? AND state = 'exited' GROUP BY exit_reason`).bind(siteId, sequenceId),
    db.prepare(`SELECT step_id, COALESCE(SUM(status = 'sent'), 0) AS sent, COALESCE(SUM(clicked_at IS NOT NULL), 0) AS clicked,
                       COALESCE(SUM(status = 'pending'), 0) AS pending, COALESCE(SUM(status = 'dead'), 0) AS failed
                FROM mail_outbox INDEXED BY mail_outbox_nurture_steps WHERE site_id = ? AND sequence_id = ? AND kind = 'nurture' GROUP BY step_id`)
      .bind(siteId, sequenceId),
    db.prepare(`SELECT COALESCE(exit_step, step_id) AS step_id, COALESCE(SUM(exit_reason = 'unsubscribed'), 0) AS unsubscribed,
                       COALESCE(SUM(state = 'exited'), 0) AS exited, COALESCE(SUM(state = 'active'), 0) AS waiting
                FROM nurture_enrollments INDEXED BY nurture_by_sequence WHERE site_id = ? AND sequence_id = ? GROUP BY 1`).bind(siteId, sequenceId),
    // A lead counts once per stage, when it reached that stage after its first entry.
    db.prepare(`SELECT h.to_stage AS stage, COUNT(DISTINCT h.lead_id) AS n
                FROM (SELECT lead_id, MIN(entered_at) AS first FROM nurture_enrollments INDEXED BY nurture_by_sequence
                      WHERE site_id = ?1 AND sequence_id = ?2 GROUP BY lead_id) e
                CROSS JOIN stage_history h INDEXED BY stage_history_by_lead
                  ON h.site_id = ?1 AND h.lead_id = e.lead_id AND h.at >= e.first AND h.to_stage IN ('mql', 'sql')
                GROUP BY h.to_stage`).bind(siteId, sequenceId),
  ]);
  const t = totals!.results[0] as { entered: number; leads: number; active: number; completed: number };
  const steps: SequenceStats['steps'] = {};
  const step = (id: string) => (steps[id] ??= { sent: 0, clicked: 0, pending: 0, failed: 0, unsubscribed: 0, exited: 0, waiting: 0 });
  for (const m of mails!.results as { step_id: string; sent: number; clicked: number; pending: number; failed: number }[]) {
    Object.assign(step(m.step_id), { sent: m.sent, clicked: m.clicked, pending: m.pending, failed: m.failed });
  }
  for (const x of ends!.results as { step_id: string; unsubscribed: number; exited: number; waiting: number }[]) {
    Object.assign(step(x.step_id), { unsubscribed: x.unsubscribed, exited: x.exited, waiting: x.waiting });
  }
  const by = new Map((reached!.results as { stage: string; n: number }[]).map((r) => [r.stage, r.n]));
  return {
    entered: t.entered, leads: t.leads, active: t.active, completed: t.completed,
    exited: Object.fromEntries((reasons!.results as { exit_reason: string; n: number }[]).map((r) => [r.exit_reason, r.n])),
    reachedMql: by.get('mql') ?? 0, reachedSql: by.get('sql') ?? 0, steps,
  };
}
