import { randomToken } from '../../core/crypto';
import type { MailMessage } from '../../core/mail/types';

/** The local-dev mailbox behind /dev/outbox. */

export interface DevMail extends MailMessage {
  id: string;
  createdAt: number;
}

interface DevMailRow {
  id: string;
  to_addr: string;
  from_addr: string;
  subject: string;
  text_body: string;
  html_body: string;
  headers: string;
  created_at: number;
}

const toMail = (r: DevMailRow): DevMail => ({
  id: r.id,
  to: r.to_addr,
  from: r.from_addr,
  subject: r.subject,
  text: r.text_body,
  html: r.html_body,
  headers: JSON.parse(r.headers) as Record<string, string>,
  createdAt: r.created_at,
});

export async function insertDevMail(db: D1Database, m: MailMessage, now: number): Promise<string> {
  const id = `dev_${now.toString(36)}_${randomToken(6)}`;
  await db
    .prepare(`INSERT INTO dev_mailbox (id, to_addr, from_addr, subject, text_body, html_body, headers, created_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
    .bind(id, m.to, m.from, m.subject, m.text, m.html, JSON.stringify(m.headers), now)
    .run();
  return id;
}

/** Newest first; `to` filters by recipient (exact, case-insensitive). */
export async function listDevMail(db: D1Database, opts: { to?: string; limit: number }): Promise<DevMail[]> {
  const { results } = opts.to
    ? await db.prepare('SELECT * FROM dev_mailbox WHERE lower(to_addr) = lower(?) ORDER BY created_at DESC, id DESC LIMIT ?')
        .bind(opts.to, opts.limit).all<DevMailRow>()
    : await db.prepare('SELECT * FROM dev_mailbox ORDER BY created_at DESC, id DESC LIMIT ?').bind(opts.limit).all<DevMailRow>();
  return results.map(toMail);
}

export async function getDevMail(db: D1Database, id: string): Promise<DevMail | null> {
  const row = await db.prepare('SELECT * FROM dev_mailbox WHERE id = ?').bind(id).first<DevMailRow>();
  return row ? toMail(row) : null;
}
