import { exitAllStatements } from './enrollments-store';

/**
 * Data access for what comes back from a nurture mail: a click (an event of
 * the lead, counted once per link and mail) and a provider's bounce or
 * complaint (the address is never mailed by a sequence again).
 */

export interface ClickedMail {
  siteId: string;
  leadId: string;
  sequenceId: string;
  stepId: string;
}

/**
 * Records a click as a `mail_click` event of the lead, in one batch with the
 * mail's first-click time. The event id is the mail and link, so a second
 * click on the same link (or a retried request) counts once. Only while the
 * lead is confirmed with marketing consent: an unsubscribed lead's clicks
 * are not followed. Returns the mail's lead when a click was recorded.
 */
export async function recordClick(
  db: D1Database,
  c: { mailId: string; link: number; target: string; url: string; now: number; country: string | null },
): Promise<ClickedMail | null> {
  const mail = await db
    .prepare(`SELECT o.site_id, o.lead_id, o.sequence_id, o.step_id FROM mail_outbox o
              JOIN leads l ON l.site_id = o.site_id AND l.id = o.lead_id
              WHERE o.id = ? AND o.kind = 'nurture' AND o.status = 'sent' AND l.status = 'confirmed' AND l.marketing = 1`)
    .bind(c.mailId)
    .first<{ site_id: string; lead_id: string; sequence_id: string; step_id: string }>();
  if (!mail) return null;
  const props = JSON.stringify({ sequence: mail.sequence_id, step: mail.step_id, link: String(c.link) });
  const [inserted] = await db.batch([
    db.prepare(`INSERT OR IGNORE INTO events (site_id, event_id, kind, visitor_id, url, path, target, magnet_id, props, ts, client_ts, received_at,
                                              country, lead_id)
                VALUES (?, ?, 'mail_click', NULL, ?, '/v1/m/c', ?, NULL, ?, ?, ?, ?, ?, ?)`)
      .bind(mail.site_id, `mc_${c.mailId}_${c.link}`, c.url, c.target, props, c.now, c.now, c.now, c.country, mail.lead_id),
    db.prepare('UPDATE mail_outbox SET clicked_at = COALESCE(clicked_at, ?) WHERE id = ?').bind(c.now, c.mailId),
  ]);
  return inserted!.meta.changes === 1 ? { siteId: mail.site_id, leadId: mail.lead_id, sequenceId: mail.sequence_id, stepId: mail.step_id } : null;
}

/** The leads a provider's bounce or complaint is about: by the message id it names, else by the address (every site). */
export async function leadsOfMail(db: D1Database, providerId: string | null, emailKey: string | null): Promise<{ siteId: string; leadId: string }[]> {
  if (providerId) {
    const r = await db.prepare('SELECT site_id, lead_id FROM mail_outbox INDEXED BY mail_outbox_by_provider_id WHERE provider_id = ? LIMIT 1')
      .bind(providerId).first<{ site_id: string; lead_id: string }>();
    if (r) return [{ siteId: r.site_id, leadId: r.lead_id }];
  }
  if (!emailKey) return [];
  const { results } = await db.prepare('SELECT site_id, id FROM leads WHERE email_key = ? LIMIT 100').bind(emailKey).all<{ site_id: string; id: string }>();
  return results.map((r) => ({ siteId: r.site_id, leadId: r.id }));
}

/**
 * Suppresses a lead's address (bounce or complaint): it leaves every
 * sequence and its queued nurture mails are cancelled, in one batch. A
 * complaint outranks a bounce; repeating either changes nothing.
 */
export async function suppress(db: D1Database, t: { siteId: string; leadId: string }, kind: 'bounce' | 'complaint', now: number): Promise<boolean> {
  const token = `sp_${now}_${kind}`;
  const done = { sql: 'EXISTS (SELECT 1 FROM leads WHERE site_id = ? AND id = ? AND nurture_rev = ?)', params: [t.siteId, t.leadId, token] };
  const [res] = await db.batch([
    db.prepare(`UPDATE leads SET mail_suppressed = ?, nurture_rev = ?, updated_at = ?
                WHERE site_id = ? AND id = ? AND (mail_suppressed IS NULL OR (mail_suppressed = 'bounce' AND ? = 'complaint'))`)
      .bind(kind, token, now, t.siteId, t.leadId, kind),
    ...exitAllStatements(db, t.siteId, t.leadId, kind === 'bounce' ? 'bounced' : 'complained', now, done),
  ]);
  return res!.meta.changes === 1;
}
