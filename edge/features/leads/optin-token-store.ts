/** Reads of the opt-in token table that decide what a confirmation link shows. */

/** What a confirmation link stands for now, as read by a GET (which writes nothing). */
export type OptinTokenState =
  | { state: 'unknown' }
  | ({ state: 'open' | 'expired' | 'void' | 'used' | 'confirmed' } & OptinTokenInfo);

export interface OptinTokenInfo {
  siteId: string;
  leadId: string;
  magnetId: string;
  lang: string;
  siteName: string | null;
  /** The page the form was on, and the site's allowed origins: where "back to the site" goes. */
  pageUrl: string;
  origins: string[];
  /** When it was used to confirm (confirmed and used). */
  usedAt: number | null;
}

/**
 * Reads a confirmation token. `confirmed`: it (or a sibling) confirmed the
 * lead less than `downloadTtlMs` ago and consent stands, so the download link
 * made then is still valid; `used`: that was longer ago.
 */
export async function readOptinToken(db: D1Database, hash: string, now: number, downloadTtlMs: number): Promise<OptinTokenState> {
  const row = await db
    .prepare(`SELECT t.site_id, t.lead_id, t.magnet_id, t.lang, t.page_url, t.expires_at, t.used_at, t.used_by,
                     l.status AS lead_status, s.name AS site_name,
                     (SELECT json_group_array(origin) FROM (SELECT origin FROM site_origins WHERE site_id = t.site_id ORDER BY origin)) AS origins
              FROM optin_tokens t
              LEFT JOIN leads l ON l.site_id = t.site_id AND l.id = t.lead_id
              LEFT JOIN sites s ON s.id = t.site_id
              WHERE t.token_hash = ?`)
    .bind(hash)
    .first<{ site_id: string; lead_id: string; magnet_id: string; lang: string; page_url: string; expires_at: number; used_at: number | null;
      used_by: string | null; lead_status: string | null; site_name: string | null; origins: string }>();
  if (!row) return { state: 'unknown' };
  const info: OptinTokenInfo = {
    siteId: row.site_id, leadId: row.lead_id, magnetId: row.magnet_id, lang: row.lang, siteName: row.site_name,
    pageUrl: row.page_url, origins: JSON.parse(row.origins) as string[], usedAt: row.used_at,
  };
  // 'void' marks tokens spent by a withdrawal (see withdrawLead).
  if (row.used_by === 'void' || row.lead_status === 'withdrawn' || row.lead_status === null) return { state: 'void', ...info };
  if (row.used_at !== null) return { state: row.used_at + downloadTtlMs > now ? 'confirmed' : 'used', ...info };
  return { state: row.expires_at <= now ? 'expired' : 'open', ...info };
}
