import type { Lang } from '../../../protocol';
import type { LeadProfile, LeadRow, LeadStatus } from './store';
import type { LegalBasis } from './import-schemas';

/**
 * Data access of the lead import: what the import needs to know of the
 * leads a file names, and the statements that store one row. A row's lead,
 * its consent evidence and its opt-in mail are stored together or not at
 * all; several rows share one D1 batch, each guarded on its own.
 */

/** Imported consent lives in consent_texts under this pseudo magnet (no magnet id can take this form). */
export const IMPORT_MAGNET = '~import';

/** What an import knows of a lead before it writes. */
export interface ImportedLeadState {
  id: string;
  status: LeadStatus;
  email: string;
  lang: Lang;
  marketing: boolean;
  basis: LegalBasis | null;
  origin: string | null;
  profile: Required<{ [K in keyof LeadProfile]: string | null }>;
  updatedAt: number;
  confirmedAt: number | null;
  withdrawnAt: number | null;
  /** Imported consents already on record, as `hash|givenAt|source`. */
  consents: Set<string>;
}

export const consentKey = (hash: string, givenAt: number, source: string) => `${hash}|${givenAt}|${source}`;

type Row = Pick<LeadRow, 'id' | 'email_key' | 'status' | 'email' | 'marketing' | 'first_name' | 'company' | 'role' | 'company_size'
  | 'industry' | 'updated_at' | 'confirmed_at' | 'withdrawn_at'> & { lang: Lang; basis: LegalBasis | null; origin: string | null };

/** The leads of these addresses (email keys), with their imported consents; chunked so no query grows without bound. */
export async function importedLeadStates(db: D1Database, siteId: string, emailKeys: readonly string[]): Promise<Map<string, ImportedLeadState>> {
  const out = new Map<string, ImportedLeadState>();
  const unique = [...new Set(emailKeys)];
  for (let i = 0; i < unique.length; i += 500) {
    const keys = JSON.stringify(unique.slice(i, i + 500));
    const [leads, consents] = await db.batch([
      // From the list into the indexes: with "IN (list)" the planner would scan the site's leads and ledger.
      db.prepare(`SELECT l.id, l.email_key, l.status, l.email, l.lang, l.marketing, l.basis, l.origin, l.first_name, l.company, l.role,
                         l.company_size, l.industry, l.updated_at, l.confirmed_at, l.withdrawn_at
                  FROM json_each(?2) j CROSS JOIN leads l ON l.site_id = ?1 AND l.email_key = j.value`).bind(siteId, keys),
      db.prepare(`SELECT c.lead_id, c.text_hash, c.given_at, c.source FROM json_each(?2) j
                  CROSS JOIN leads l ON l.site_id = ?1 AND l.email_key = j.value
                  CROSS JOIN consent_ledger c INDEXED BY consent_ledger_imports ON c.site_id = l.site_id AND c.lead_id = l.id AND c.method = 'import'
                  WHERE c.action = 'given'`)
        .bind(siteId, keys),
    ]);
    const byLead = new Map<string, Set<string>>();
    for (const c of consents!.results as { lead_id: string; text_hash: string; given_at: number; source: string }[]) {
      if (!byLead.has(c.lead_id)) byLead.set(c.lead_id, new Set());
      byLead.get(c.lead_id)!.add(consentKey(c.text_hash, c.given_at, c.source));
    }
    for (const r of leads!.results as Row[]) {
      out.set(r.email_key, {
        id: r.id, status: r.status, email: r.email, lang: r.lang, marketing: r.marketing === 1, basis: r.basis, origin: r.origin,
        profile: { firstName: r.first_name, company: r.company, role: r.role, companySize: r.company_size, industry: r.industry },
        updatedAt: r.updated_at, confirmedAt: r.confirmed_at, withdrawnAt: r.withdrawn_at, consents: byLead.get(r.id) ?? new Set(),
      });
    }
  }
  return out;
}

/** One row's write: the lead as it is to be, and what else the row brings. */
export interface ImportWrite {
  siteId: string;
  emailKey: string;
  /** The lead as the import read it; null: a new lead with `next.id`. */
  before: Pick<ImportedLeadState, 'status' | 'updatedAt'> | null;
  next: Omit<ImportedLeadState, 'consents' | 'withdrawnAt'>;
  now: number;
  actor: string;
  /**
   * The row's consent: `record` puts it on record (given) when it is not
   * yet; `confirms` when this import makes the lead confirmed on it.
   */
  consent: { text: string; hash: string; version: string; givenAt: number; source: string; record: boolean; confirms: boolean } | null;
  /** The double opt-in mail: the token's hash (its plaintext never stored) and the outbox row. */
  mail: { tokenHash: string; expiresAt: number; outboxId: string; magnetId: string; consentVersion: string; coupled: boolean;
    linkBase: string; leaseUntil: number } | null;
}

const LEDGER_COLUMNS = `site_id, lead_id, magnet_id, action, purpose, granted, coupled, text_version, text_hash, page_url,
                        ip_hash, user_agent, created_at, method, given_at, source, actor`;

/**
 * The statements of one imported row, for a batch. The lead write comes
 * first and is guarded by what the import read (a new lead: that nobody
 * took the address meanwhile); every later statement runs only if that
 * write is in place, so a row that lost a race stores nothing of itself.
 * Its first result's `changes` tells whether it took effect.
 */
export function importStatements(db: D1Database, w: ImportWrite): D1PreparedStatement[] {
  const n = w.next;
  const p = n.profile;
  const lead = w.before
    ? db.prepare(`UPDATE leads SET status = ?, email = ?, lang = ?, marketing = ?, basis = ?, origin = ?, first_name = ?, company = ?,
                    role = ?, company_size = ?, industry = ?, confirmed_at = ?, updated_at = ?
                  WHERE site_id = ? AND id = ? AND status = ? AND updated_at = ?`)
      .bind(n.status, n.email, n.lang, n.marketing ? 1 : 0, n.basis, n.origin, p.firstName, p.company, p.role, p.companySize, p.industry,
        n.confirmedAt, w.now, w.siteId, n.id, w.before.status, w.before.updatedAt)
    : db.prepare(`INSERT INTO leads (site_id, id, email, email_key, status, lang, marketing, basis, origin, first_name, company, role,
                                     company_size, industry, created_at, updated_at, confirmed_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site_id, email_key) DO NOTHING`)
      .bind(w.siteId, n.id, n.email, w.emailKey, n.status, n.lang, n.marketing ? 1 : 0, n.basis, n.origin, p.firstName, p.company, p.role,
        p.companySize, p.industry, w.now, w.now, n.confirmedAt);
  const written = {
    sql: 'EXISTS (SELECT 1 FROM leads WHERE site_id = ? AND id = ? AND email_key = ? AND status = ? AND updated_at = ?)',
    params: [w.siteId, n.id, w.emailKey, n.status, w.now],
  };
  const statements = [lead];
  const c = w.consent;
  if (c && (c.record || c.confirms)) {
    const actions = [...(c.record ? ['given'] : []), ...(c.confirms ? ['confirmed'] : [])];
    statements.push(
      // The words, once per version (the version is derived from their hash).
      db.prepare(`INSERT INTO consent_texts (site_id, magnet_id, purpose, version, hash, text, created_at)
                  SELECT ?, ?, 'marketing', ?, ?, ?, ? WHERE ${written.sql} ON CONFLICT DO NOTHING`)
        .bind(w.siteId, IMPORT_MAGNET, c.version, c.hash, c.text, w.now, ...written.params),
      ...actions.map((action) =>
        db.prepare(`INSERT INTO consent_ledger (${LEDGER_COLUMNS})
                    SELECT ?, ?, ?, ?, 'marketing', ?, 0, ?, ?, NULL, NULL, NULL, ?, 'import', ?, ?, ? WHERE ${written.sql}`)
          .bind(w.siteId, n.id, IMPORT_MAGNET, action, action === 'given' ? 1 : null, c.version, c.hash, w.now, c.givenAt, c.source, w.actor,
            ...written.params)),
    );
  }
  const m = w.mail;
  if (m) {
    const profile = JSON.stringify(Object.fromEntries(Object.entries(p).filter(([, value]) => value !== null)));
    statements.push(
      db.prepare(`INSERT INTO optin_tokens (token_hash, site_id, lead_id, magnet_id, profile, visitor_id, lang, consent_version,
                                            marketing_version, coupled, page_url, created_at, expires_at)
                  SELECT ?, ?, ?, ?, ?, NULL, ?, ?, NULL, ?, ?, ?, ? WHERE ${written.sql}`)
        .bind(m.tokenHash, w.siteId, n.id, m.magnetId, profile, n.lang, m.consentVersion, m.coupled ? 1 : 0, c?.source ?? '', w.now,
          m.expiresAt, ...written.params),
      db.prepare(`INSERT INTO mail_outbox (id, site_id, lead_id, magnet_id, kind, lang, link_base, status, attempts,
                                           next_attempt_at, created_at, updated_at)
                  SELECT ?, ?, ?, ?, 'confirmation', ?, ?, 'pending', 0, ?, ?, ? WHERE ${written.sql}`)
        .bind(m.outboxId, w.siteId, n.id, m.magnetId, n.lang, m.linkBase, m.leaseUntil, w.now, w.now, ...written.params),
    );
  }
  return statements;
}
