/** Read-only probes for the health routes. */

/** One round trip to D1: fails when the database does not answer. */
export const pingDatabase = (db: D1Database) => db.prepare('SELECT 1').first();

/** Dead webhook messages, and pending ones older than `cutoff` that should have gone out. */
export async function webhookHealth(db: D1Database, cutoff: number) {
  const row = await db.prepare(`SELECT
      (SELECT COUNT(*) FROM webhook_messages WHERE status = 'dead') AS dead,
      (SELECT COUNT(*) FROM webhook_messages WHERE status = 'pending'
         AND (next_attempt_at <= ?1 OR (attempts > 0 AND created_at <= ?1))) AS stuck`).bind(cutoff)
    .first<{ dead: number; stuck: number }>();
  return { dead: row?.dead ?? 0, stuck: row?.stuck ?? 0 };
}
