// Over 300 lines on purpose: all SQL of leads, the consent ledger and opt-in tokens, whose writes share one batch.
import type { Lang } from '../../../protocol';
import { randomToken } from '../../core/crypto';
import type { Evidence } from '../../core/evidence';
import { serverEventStatements, type ServerEvent } from './server-events-store';
import type { Bant, SalesStatus } from '../../core/sales';

/**
 * Data access for leads, the consent ledger and opt-in tokens. Each public
 * write is one D1 batch (one transaction): a submission, a confirmation or a
 * withdrawal is stored completely or not at all.
 */

export type LeadStatus = 'pending' | 'confirmed' | 'withdrawn';

/** The explicit profile typed into a form. */
export interface LeadProfile {
  firstName?: string;
  company?: string;
  role?: string;
  companySize?: string;
  industry?: string;
}

export interface ConsentRef {
  version: string;
  hash: string;
}

export interface Submission {
  siteId: string;
  magnetId: string;
  email: string;
  emailKey: string;
  profile: LeadProfile;
  visitorId: string | null;
  lang: Lang;
  consent: ConsentRef;
  /** The marketing checkbox, when the form showed one (or coupled consent). */
  marketing: (ConsentRef & { granted: boolean }) | null;
  coupled: boolean;
  /** Page of the form, without query string. */
  pageUrl: string;
  pagePath: string;
  evidence: Evidence;
  now: number;
  /** Present when this submission sends a confirmation mail. */
  mail: { tokenHash: string; expiresAt: number; outboxId: string; linkBase: string; leaseUntil: number } | null;
}

/** A new lead's id; existing leads keep theirs. */
export const newLeadId = () => `ld_${randomToken(12)}`;
export const newOutboxId = () => `mo_${randomToken(12)}`;

/** The lead id by address, as an SQL expression: valid after the upsert ran in the same batch. */
const LEAD_BY_KEY = '(SELECT id FROM leads WHERE site_id = ? AND email_key = ?)';

const LEDGER_COLUMNS = `site_id, lead_id, magnet_id, action, purpose, granted, coupled, text_version, text_hash, page_url,
                        ip_hash, user_agent, created_at`;

export async function findLeadByEmail(db: D1Database, siteId: string, emailKey: string): Promise<{ id: string; status: LeadStatus } | null> {
  return db.prepare('SELECT id, status FROM leads WHERE site_id = ? AND email_key = ?').bind(siteId, emailKey)
    .first<{ id: string; status: LeadStatus }>();
}

/** Mails recently minted for a lead: the resend throttle's input. */
export async function recentMailState(
  db: D1Database,
  siteId: string,
  leadId: string,
  magnetId: string,
  since: { magnet: number; day: number },
): Promise<{ sameMagnet: number; lastDay: number }> {
  const row = await db
    .prepare(`SELECT COALESCE(SUM(magnet_id = ? AND created_at > ?), 0) AS same_magnet, COUNT(*) AS last_day
              FROM optin_tokens WHERE site_id = ? AND lead_id = ? AND created_at > ?`)
    .bind(magnetId, since.magnet, siteId, leadId, since.day)
    .first<{ same_magnet: number; last_day: number }>();
  return { sameMagnet: row?.same_magnet ?? 0, lastDay: row?.last_day ?? 0 };
}

/**
 * Stores a form submission: the lead (created pending, or updated), the
 * consent ledger entries, the form_submit event and, when a mail goes out,
 * the token hash and the outbox row. Returns the lead id.
 *
 * A confirmed lead keeps its verified profile: what an unverified form says
 * waits in the token and is applied only when the address owner confirms.
 * A withdrawn lead that signs up again becomes pending again.
 */
export async function recordSubmission(db: D1Database, s: Submission, newId: string): Promise<string> {
  const p = s.profile;
  const lead = { sql: LEAD_BY_KEY, params: [s.siteId, s.emailKey] };
  const keep = (col: string) => `CASE WHEN leads.status = 'confirmed' THEN leads.${col} ELSE COALESCE(excluded.${col}, leads.${col}) END`;
  const upsert = db
    .prepare(`INSERT INTO leads (site_id, id, email, email_key, status, first_name, company, role, company_size, industry,
                                 visitor_id, lang, created_at, updated_at)
              VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (site_id, email_key) DO UPDATE SET
                status = CASE WHEN leads.status = 'confirmed' THEN 'confirmed' ELSE 'pending' END,
                email = CASE WHEN leads.status = 'confirmed' THEN leads.email ELSE excluded.email END,
                first_name = ${keep('first_name')}, company = ${keep('company')}, role = ${keep('role')},
                company_size = ${keep('company_size')}, industry = ${keep('industry')}, visitor_id = ${keep('visitor_id')},
                lang = CASE WHEN leads.status = 'confirmed' THEN leads.lang ELSE excluded.lang END,
                updated_at = excluded.updated_at`)
    .bind(s.siteId, newId, s.email, s.emailKey, p.firstName ?? null, p.company ?? null, p.role ?? null, p.companySize ?? null,
      p.industry ?? null, s.visitorId, s.lang, s.now, s.now);

  const ledger = (purpose: 'download' | 'marketing', granted: boolean, ref: ConsentRef) =>
    db.prepare(`INSERT INTO consent_ledger (${LEDGER_COLUMNS})
                SELECT ?, ${LEAD_BY_KEY}, ?, 'given', ?, ?, ?, ?, ?, ?, ?, ?, ?`)
      .bind(s.siteId, s.siteId, s.emailKey, s.magnetId, purpose, granted ? 1 : 0, s.coupled ? 1 : 0, ref.version, ref.hash,
        s.pageUrl, s.evidence.ipHash, s.evidence.userAgent, s.now);

  const event: ServerEvent = {
    siteId: s.siteId, kind: 'form_submit', visitorId: s.visitorId, url: s.pageUrl, path: s.pagePath, magnetId: s.magnetId,
    now: s.now, country: s.evidence.country,
  };
  const statements = [
    upsert,
    ledger('download', true, s.consent),
    ...(s.marketing ? [ledger('marketing', s.marketing.granted, s.marketing)] : []),
    ...serverEventStatements(db, event, lead),
  ];
  if (s.mail) {
    const marketingVersion = s.marketing?.granted ? s.marketing.version : null;
    statements.push(
      db.prepare(`INSERT INTO optin_tokens (token_hash, site_id, lead_id, magnet_id, profile, visitor_id, lang, consent_version,
                                            marketing_version, coupled, page_url, created_at, expires_at)
                  SELECT ?, ?, ${LEAD_BY_KEY}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?`)
        .bind(s.mail.tokenHash, s.siteId, s.siteId, s.emailKey, s.magnetId, JSON.stringify(p), s.visitorId, s.lang,
          s.consent.version, marketingVersion, s.coupled ? 1 : 0, s.pageUrl, s.now, s.mail.expiresAt),
      db.prepare(`INSERT INTO mail_outbox (id, site_id, lead_id, magnet_id, kind, lang, link_base, status, attempts,
                                           next_attempt_at, created_at, updated_at)
                  SELECT ?, ?, ${LEAD_BY_KEY}, ?, 'confirmation', ?, ?, 'pending', 0, ?, ?, ?`)
        .bind(s.mail.outboxId, s.siteId, s.siteId, s.emailKey, s.magnetId, s.lang, s.mail.linkBase, s.mail.leaseUntil, s.now, s.now),
    );
  }
  statements.push(db.prepare(`SELECT ${LEAD_BY_KEY} AS id`).bind(s.siteId, s.emailKey));
  const results = await db.batch<{ id: string }>(statements);
  return results[results.length - 1]!.results[0]!.id;
}

interface TokenRow {
  token_hash: string;
  site_id: string;
  lead_id: string;
  magnet_id: string;
  profile: string;
  visitor_id: string | null;
  lang: Lang;
  consent_version: string;
  marketing_version: string | null;
  coupled: number;
  page_url: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  used_by: string | null;
}

export type ConfirmOutcome =
  | { outcome: 'confirmed'; siteId: string; leadId: string; magnetId: string; lang: Lang }
  | { outcome: 'unknown' | 'used' | 'expired' | 'void'; lang?: Lang };

/** Marks tokens of a withdrawn lead: they can no longer confirm anything. */
const VOID = 'void';

/**
 * Confirms a double opt-in with a token hash. Single use is enforced inside
 * the batch: the first statement claims the token (only if unused and not
 * expired) under a fresh confirmation id, and every later statement runs only
 * if that claim is in place, so two racing clicks confirm once.
 */
export async function confirmOptin(
  db: D1Database,
  tokenHash: string,
  ctx: { now: number; evidence: Evidence; url: string; path: string },
): Promise<ConfirmOutcome> {
  const row = await db.prepare('SELECT * FROM optin_tokens WHERE token_hash = ?').bind(tokenHash).first<TokenRow>();
  if (!row) return { outcome: 'unknown' };
  const refuse = (r: TokenRow): ConfirmOutcome =>
    r.used_by === VOID ? { outcome: 'void', lang: r.lang } : r.used_at !== null ? { outcome: 'used', lang: r.lang }
      : { outcome: 'expired', lang: r.lang };
  if (row.used_at !== null || row.expires_at <= ctx.now) return refuse(row);

  const now = ctx.now;
  const cid = `cf_${randomToken(12)}`;
  const claimed = { sql: 'EXISTS (SELECT 1 FROM optin_tokens WHERE token_hash = ? AND used_by = ?)', params: [tokenHash, cid] };
  const profile = JSON.parse(row.profile) as LeadProfile;
  const ev = ctx.evidence;
  const ledger = (purpose: 'download' | 'marketing', version: string) =>
    db.prepare(`INSERT INTO consent_ledger (${LEDGER_COLUMNS})
                SELECT ?, ?, ?, 'confirmed', ?, NULL, ?, ?,
                       (SELECT hash FROM consent_texts WHERE site_id = ? AND magnet_id = ? AND purpose = ? AND version = ?),
                       ?, ?, ?, ? WHERE ${claimed.sql}`)
      .bind(row.site_id, row.lead_id, row.magnet_id, purpose, row.coupled, version, row.site_id, row.magnet_id, purpose, version,
        row.page_url, ev.ipHash, ev.userAgent, now, ...claimed.params);

  const results = await db.batch([
    db.prepare('UPDATE optin_tokens SET used_at = ?, used_by = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?')
      .bind(now, cid, tokenHash, now),
    // Its siblings (resends of the same opt-in) are spent too: one confirmation per opt-in.
    db.prepare(`UPDATE optin_tokens SET used_at = ?, used_by = ?
                WHERE site_id = ? AND lead_id = ? AND magnet_id = ? AND used_at IS NULL AND ${claimed.sql}`)
      .bind(now, cid, row.site_id, row.lead_id, row.magnet_id, ...claimed.params),
    db.prepare(`UPDATE leads SET status = 'confirmed', confirmed_at = COALESCE(confirmed_at, ?), updated_at = ?,
                  first_name = COALESCE(?, first_name), company = COALESCE(?, company), role = COALESCE(?, role),
                  company_size = COALESCE(?, company_size), industry = COALESCE(?, industry),
                  visitor_id = COALESCE(?, visitor_id), lang = ?, marketing = MAX(marketing, ?)
                WHERE site_id = ? AND id = ? AND ${claimed.sql}`)
      .bind(now, now, profile.firstName ?? null, profile.company ?? null, profile.role ?? null, profile.companySize ?? null,
        profile.industry ?? null, row.visitor_id, row.lang, row.marketing_version ? 1 : 0, row.site_id, row.lead_id, ...claimed.params),
    ledger('download', row.consent_version),
    ...(row.marketing_version ? [ledger('marketing', row.marketing_version)] : []),
    ...serverEventStatements(
      db,
      { siteId: row.site_id, kind: 'optin_confirmed', visitorId: row.visitor_id, url: ctx.url, path: ctx.path, magnetId: row.magnet_id,
        now, country: ev.country },
      { sql: '?', params: [row.lead_id] },
      claimed,
    ),
  ]);
  if (results[0]!.meta.changes === 1) {
    return { outcome: 'confirmed', siteId: row.site_id, leadId: row.lead_id, magnetId: row.magnet_id, lang: row.lang };
  }
  // Lost a race with another click (or the clock passed expiry in between).
  const again = await db.prepare('SELECT * FROM optin_tokens WHERE token_hash = ?').bind(tokenHash).first<TokenRow>();
  return refuse(again ?? row);
}

/**
 * Withdraws all consent of a lead: status withdrawn, marketing off, open
 * confirmation links voided, queued mails cancelled, visitor links removed
 * (no further tracking linkage), a ledger entry and an optin_withdrawn
 * event. Idempotent: withdrawing twice records it once.
 * Returns false when there is no such lead.
 */
export async function withdrawLead(
  db: D1Database,
  siteId: string,
  leadId: string,
  ctx: { now: number; evidence: Evidence; url: string; path: string },
): Promise<boolean> {
  const lead = await db.prepare('SELECT status, visitor_id FROM leads WHERE site_id = ? AND id = ?').bind(siteId, leadId)
    .first<{ status: LeadStatus; visitor_id: string | null }>();
  if (!lead) return false;
  if (lead.status === 'withdrawn') return true;
  const now = ctx.now;
  const ev = ctx.evidence;
  // A marker unique to this withdrawal: later statements run only if it is in place.
  const done = { sql: "EXISTS (SELECT 1 FROM leads WHERE site_id = ? AND id = ? AND status = 'withdrawn' AND withdrawn_at = ?)", params: [siteId, leadId, now] };
  await db.batch([
    db.prepare(`UPDATE leads SET status = 'withdrawn', marketing = 0, withdrawn_at = ?, updated_at = ?
                WHERE site_id = ? AND id = ? AND status != 'withdrawn'`).bind(now, now, siteId, leadId),
    db.prepare(`INSERT INTO consent_ledger (${LEDGER_COLUMNS})
                SELECT ?, ?, NULL, 'withdrawn', NULL, NULL, NULL, NULL, NULL, NULL, ?, ?, ? WHERE ${done.sql}`)
      .bind(siteId, leadId, ev.ipHash, ev.userAgent, now, ...done.params),
    db.prepare(`UPDATE optin_tokens SET used_at = ?, used_by = '${VOID}' WHERE site_id = ? AND lead_id = ? AND used_at IS NULL`)
      .bind(now, siteId, leadId),
    db.prepare(`UPDATE mail_outbox SET status = 'cancelled', updated_at = ? WHERE site_id = ? AND lead_id = ? AND status = 'pending'`)
      .bind(now, siteId, leadId),
    // No tracking linkage from now on: the visitor's later events reach no lead.
    db.prepare(`DELETE FROM lead_visitors WHERE site_id = ? AND lead_id = ? AND ${done.sql}`).bind(siteId, leadId, ...done.params),
    // Nothing is processed any more: the scoring review's copy of the profile and behaviour goes now, not at its next refresh.
    db.prepare(`DELETE FROM outcome_facts WHERE site_id = ? AND lead_id = ? AND ${done.sql}`).bind(siteId, leadId, ...done.params),
    db.prepare(`DELETE FROM review_snapshots WHERE site_id = ? AND ${done.sql}`).bind(siteId, ...done.params),
    // Out of every nurture sequence at once, and no queued nurture mail goes out.
    db.prepare(`UPDATE nurture_enrollments SET state = 'exited', exit_reason = 'withdrawn', exit_step = step_id, ended_at = ?, rev = ?
                WHERE site_id = ? AND lead_id = ? AND state = 'active' AND ${done.sql}`)
      .bind(now, randomToken(12), siteId, leadId, ...done.params),
    // Hand-offs queued before the withdrawal are not sent; the lead.withdrawn notice (enqueued by scoring) still is.
    db.prepare(`UPDATE webhook_messages SET status = 'cancelled', updated_at = ?
                WHERE site_id = ? AND lead_id = ? AND status = 'pending' AND event_type != 'lead.withdrawn' AND ${done.sql}`)
      .bind(now, siteId, leadId, ...done.params),
    ...serverEventStatements(
      db,
      { siteId, kind: 'optin_withdrawn', visitorId: lead.visitor_id, url: ctx.url, path: ctx.path, magnetId: null, now, country: ev.country },
      { sql: '?', params: [leadId] },
      done,
    ),
  ]);
  return true;
}

/**
 * Withdraws marketing consent only (the unsubscribe link of a nurture
 * mail): marketing off, a ledger entry, every nurture sequence left and its
 * queued mails cancelled, in one batch. The download consent and the lead
 * stay. Idempotent: a second unsubscribe records nothing. Returns null when
 * there is no such lead, else whether this call changed anything.
 */
export async function withdrawMarketing(
  db: D1Database,
  siteId: string,
  leadId: string,
  ctx: { now: number; evidence: Evidence; pageUrl: string },
): Promise<boolean | null> {
  const lead = await db.prepare('SELECT marketing FROM leads WHERE site_id = ? AND id = ?').bind(siteId, leadId).first<{ marketing: number }>();
  if (!lead) return null;
  if (!lead.marketing) return false;
  const now = ctx.now;
  const token = `un_${randomToken(12)}`;
  const done = { sql: 'EXISTS (SELECT 1 FROM leads WHERE site_id = ? AND id = ? AND nurture_rev = ?)', params: [siteId, leadId, token] };
  const [res] = await db.batch([
    db.prepare('UPDATE leads SET marketing = 0, nurture_rev = ?, updated_at = ? WHERE site_id = ? AND id = ? AND marketing = 1')
      .bind(token, now, siteId, leadId),
    db.prepare(`INSERT INTO consent_ledger (${LEDGER_COLUMNS})
                SELECT ?, ?, NULL, 'withdrawn', 'marketing', NULL, NULL, NULL, NULL, ?, ?, ?, ? WHERE ${done.sql}`)
      .bind(siteId, leadId, ctx.pageUrl, ctx.evidence.ipHash, ctx.evidence.userAgent, now, ...done.params),
    db.prepare(`UPDATE nurture_enrollments SET state = 'exited', exit_reason = 'unsubscribed', exit_step = step_id, ended_at = ?, rev = ?
                WHERE site_id = ? AND lead_id = ? AND state = 'active' AND ${done.sql}`)
      .bind(now, randomToken(12), siteId, leadId, ...done.params),
    db.prepare(`UPDATE mail_outbox SET status = 'cancelled', updated_at = ?
                WHERE site_id = ? AND lead_id = ? AND kind = 'nurture' AND status = 'pending' AND ${done.sql}`)
      .bind(now, siteId, leadId, ...done.params),
  ]);
  return res!.meta.changes === 1;
}

export interface Lead {
  id: string;
  email: string;
  status: LeadStatus;
  marketing: boolean;
  firstName: string | null;
  company: string | null;
  role: string | null;
  companySize: string | null;
  industry: string | null;
  visitorId: string | null;
  lang: string;
  createdAt: number;
  updatedAt: number;
  confirmedAt: number | null;
  withdrawnAt: number | null;
  /**
   * Why the lead is kept: `consent` (a form with double opt-in, or consent
   * documented at an import) or `legitimate_interest` (imported without
   * consent: never mailed, erased after at most 30 days unless confirmed).
   */
  basis: 'consent' | 'legitimate_interest';
  /** Where an imported lead was met (a fair, a webinar); null for leads from a form. */
  origin: string | null;
  /** What sales knows and wrote back; null fields where nothing is known yet. */
  sales: LeadSales;
}

/** The lead after hand-off (docs/sales.md). */
export interface LeadSales extends Partial<Bant> {
  status: SalesStatus | null;
  reason: string | null;
  ownerId: string | null;
  assignedAt: number | null;
  /** The owner's answer (accept or reject) is due by then. */
  slaDueAt: number | null;
  value: number | null;
  currency: string | null;
  closedAt: number | null;
  crmId: string | null;
}

/** One row of the leads table as D1 returns it: the one shape every query of it picks from. */
export interface LeadRow {
  site_id: string;
  id: string;
  email: string;
  email_key: string;
  status: LeadStatus;
  marketing: number;
  first_name: string | null;
  company: string | null;
  role: string | null;
  company_size: string | null;
  industry: string | null;
  visitor_id: string | null;
  country: string | null;
  lang: string;
  created_at: number;
  updated_at: number;
  confirmed_at: number | null;
  withdrawn_at: number | null;
  sales_status: SalesStatus | null;
  sales_reason: string | null;
  owner_id: string | null;
  assigned_at: number | null;
  sales_rev: string | null;
  sla_due_at: number | null;
  deal_value: number | null;
  deal_currency: string | null;
  closed_at: number | null;
  crm_id: string | null;
  budget: Bant['budget'] | null;
  authority: Bant['authority'] | null;
  need: Bant['need'] | null;
  timeline: Bant['timeline'] | null;
  engagement_since: number | null;
  basis: 'consent' | 'legitimate_interest' | null;
  origin: string | null;
}

/** The sales part of a lead row, as the API shows it (BANT fields only where known). */
export const toLeadSales = (r: Pick<LeadRow, 'sales_status' | 'sales_reason' | 'owner_id' | 'assigned_at' | 'sla_due_at' | 'deal_value'
  | 'deal_currency' | 'closed_at' | 'crm_id' | 'budget' | 'authority' | 'need' | 'timeline'>): LeadSales => ({
  status: r.sales_status,
  reason: r.sales_reason,
  ownerId: r.owner_id,
  assignedAt: r.assigned_at,
  slaDueAt: r.sla_due_at,
  value: r.deal_value,
  currency: r.deal_currency,
  closedAt: r.closed_at,
  crmId: r.crm_id,
  ...(r.budget ? { budget: r.budget } : {}),
  ...(r.authority ? { authority: r.authority } : {}),
  ...(r.need ? { need: r.need } : {}),
  ...(r.timeline ? { timeline: r.timeline } : {}),
});

const toLead = (r: LeadRow): Lead => ({
  id: r.id,
  email: r.email,
  status: r.status,
  marketing: r.marketing === 1,
  firstName: r.first_name,
  company: r.company,
  role: r.role,
  companySize: r.company_size,
  industry: r.industry,
  visitorId: r.visitor_id,
  lang: r.lang,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  confirmedAt: r.confirmed_at,
  withdrawnAt: r.withdrawn_at,
  basis: r.basis ?? 'consent',
  origin: r.origin,
  sales: toLeadSales(r),
});

export async function getLead(db: D1Database, siteId: string, leadId: string): Promise<Lead | null> {
  const row = await db.prepare('SELECT * FROM leads WHERE site_id = ? AND id = ?').bind(siteId, leadId).first<LeadRow>();
  return row ? toLead(row) : null;
}

/** Newest first; optional status and exact (case-insensitive) address filters. */
export async function listLeads(
  db: D1Database,
  siteId: string,
  opts: { status?: LeadStatus; email?: string; limit: number },
): Promise<Lead[]> {
  const { results } = await db
    .prepare(`SELECT * FROM leads WHERE site_id = ?1 AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR email_key = lower(?3))
              ORDER BY updated_at DESC, id LIMIT ?4`)
    .bind(siteId, opts.status ?? null, opts.email ?? null, opts.limit)
    .all<LeadRow>();
  return results.map(toLead);
}

export interface LedgerEntry {
  seq: number;
  magnetId: string | null;
  action: 'given' | 'confirmed' | 'withdrawn';
  purpose: 'download' | 'marketing' | null;
  granted: boolean | null;
  coupled: boolean | null;
  textVersion: string | null;
  textHash: string | null;
  pageUrl: string | null;
  ipHash: string | null;
  userAgent: string | null;
  createdAt: number;
}

export async function ledgerOf(db: D1Database, siteId: string, leadId: string): Promise<LedgerEntry[]> {
  const { results } = await db
    .prepare('SELECT * FROM consent_ledger WHERE site_id = ? AND lead_id = ? ORDER BY seq')
    .bind(siteId, leadId)
    .all<Record<string, unknown>>();
  const bool = (v: unknown) => (v === null || v === undefined ? null : v === 1);
  return results.map((r) => ({
    seq: r.seq as number,
    magnetId: r.magnet_id as string | null,
    action: r.action as LedgerEntry['action'],
    purpose: r.purpose as LedgerEntry['purpose'],
    granted: bool(r.granted),
    coupled: bool(r.coupled),
    textVersion: r.text_version as string | null,
    textHash: r.text_hash as string | null,
    pageUrl: r.page_url as string | null,
    ipHash: r.ip_hash as string | null,
    userAgent: r.user_agent as string | null,
    createdAt: r.created_at as number,
  }));
}
