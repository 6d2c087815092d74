import { visitorIdsOf } from './erasure-store';
import { ledgerOf } from '../leads';
import { getLeadScore, stageHistoryOf, currentScoreOf } from '../scoring';

/**
 * The data subject access export (Art. 15 and 20 GDPR): everything the
 * edge holds about one lead, as one machine-readable JSON document. Secrets
 * are left out (token hashes, signatures), nothing else.
 */

export const EXPORT_FORMAT = 'lodestone.gdpr-export/v1';

const parseJson = (text: unknown): unknown => {
  if (typeof text !== 'string') return text ?? null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** Columns never exported from tables discovered at run time (webhooks): credentials and leases, not data about the person. */
const SECRET_COLUMN = /secret|token|signature|password|key_hash|^claim$/i;

async function extraRows(db: D1Database, siteId: string, leadId: string): Promise<Record<string, Record<string, unknown>[]>> {
  const { results } = await db
    .prepare(`SELECT m.name AS tbl FROM sqlite_master m
              WHERE m.type = 'table' AND m.name LIKE 'webhook%'
                AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) p WHERE p.name = 'lead_id')
                AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) p WHERE p.name = 'site_id')`)
    .all<{ tbl: string }>();
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const { tbl } of results) {
    if (!/^[a-z_][a-z0-9_]*$/.test(tbl)) continue;
    const rows = await db.prepare(`SELECT * FROM ${tbl} WHERE site_id = ? AND lead_id = ?`).bind(siteId, leadId).all<Record<string, unknown>>();
    out[tbl] = rows.results.map((r) =>
      Object.fromEntries(Object.entries(r).filter(([k]) => !SECRET_COLUMN.test(k)).map(([k, v]) => [k, typeof v === 'string' && /^[[{]/.test(v) ? parseJson(v) : v])));
  }
  return out;
}

export async function exportLead(db: D1Database, siteId: string, leadId: string, now: number): Promise<Record<string, unknown> | null> {
  const lead = await db.prepare('SELECT * FROM leads WHERE site_id = ? AND id = ?').bind(siteId, leadId).first<Record<string, unknown>>();
  if (!lead) return null;
  const site = await db.prepare('SELECT id, name FROM sites WHERE id = ?').bind(siteId).first<{ id: string; name: string }>();

  const [ledger, texts, links, tokens, outbox, history, scoreRow] = await Promise.all([
    ledgerOf(db, siteId, leadId),
    db.prepare(`SELECT t.magnet_id, t.purpose, t.version, t.hash, t.text, t.created_at FROM consent_texts t
                WHERE t.site_id = ?1 AND EXISTS (
                  SELECT 1 FROM consent_ledger c WHERE c.site_id = ?1 AND c.lead_id = ?2 AND c.magnet_id = t.magnet_id
                    AND c.purpose = t.purpose AND c.text_version = t.version)
                ORDER BY t.magnet_id, t.purpose, t.version`).bind(siteId, leadId).all<Record<string, unknown>>(),
    db.prepare('SELECT visitor_id, linked_at FROM lead_visitors WHERE site_id = ? AND lead_id = ? ORDER BY linked_at')
      .bind(siteId, leadId).all<{ visitor_id: string; linked_at: number }>(),
    db.prepare(`SELECT magnet_id, profile, visitor_id, lang, consent_version, marketing_version, coupled, page_url, created_at,
                       expires_at, used_at, used_by FROM optin_tokens WHERE site_id = ? AND lead_id = ? ORDER BY created_at`)
      .bind(siteId, leadId).all<Record<string, unknown>>(),
    db.prepare(`SELECT id, magnet_id, kind, lang, link_base, status, attempts, last_error, provider_id, created_at, updated_at, sent_at
                FROM mail_outbox WHERE site_id = ? AND lead_id = ? ORDER BY created_at`).bind(siteId, leadId).all<Record<string, unknown>>(),
    stageHistoryOf(db, siteId, leadId),
    getLeadScore(db, siteId, leadId),
  ]);

  const visitorIds = await visitorIdsOf(db, siteId, leadId, (lead.visitor_id as string | null) ?? null);
  const { results: events } = await db
    .prepare(`SELECT event_id, kind, name, visitor_id, url, path, referrer, utm, target, magnet_id, engaged_ms, props, ts, client_ts,
                     received_at, country, lead_id IS NOT NULL AS linked
              FROM events WHERE site_id = ?1 AND (lead_id = ?2 OR (lead_id IS NULL AND visitor_id IN (SELECT value FROM json_each(?3))))
              ORDER BY ts, event_id`)
    .bind(siteId, leadId, JSON.stringify(visitorIds))
    .all<Record<string, unknown>>();

  const score = scoreRow && (await currentScoreOf(db, siteId, scoreRow, now));

  return {
    format: EXPORT_FORMAT,
    exportedAt: now,
    controller: { site: site?.id ?? siteId, name: site?.name ?? null },
    lead: {
      id: lead.id,
      email: lead.email,
      status: lead.status,
      marketing: lead.marketing === 1,
      profile: {
        firstName: lead.first_name, company: lead.company, role: lead.role, companySize: lead.company_size,
        industry: lead.industry, country: lead.country,
      },
      lang: lead.lang,
      visitorId: lead.visitor_id,
      createdAt: lead.created_at,
      updatedAt: lead.updated_at,
      confirmedAt: lead.confirmed_at,
      withdrawnAt: lead.withdrawn_at,
    },
    visitorIds,
    visitorLinks: links.results.map((l) => ({ visitorId: l.visitor_id, linkedAt: l.linked_at })),
    consents: {
      ledger,
      texts: texts.results.map((t) => ({
        magnetId: t.magnet_id, purpose: t.purpose, version: t.version, hash: t.hash, text: t.text, createdAt: t.created_at,
      })),
    },
    optinRequests: tokens.results.map((t) => ({
      magnetId: t.magnet_id,
      profile: parseJson(t.profile),
      visitorId: t.visitor_id,
      lang: t.lang,
      consentVersion: t.consent_version,
      marketingVersion: t.marketing_version,
      coupled: t.coupled === 1,
      pageUrl: t.page_url,
      createdAt: t.created_at,
      expiresAt: t.expires_at,
      usedAt: t.used_at,
      state: t.used_by === 'void' ? 'voided' : t.used_at !== null ? 'confirmed' : (t.expires_at as number) <= now ? 'expired' : 'open',
    })),
    score,
    stageHistory: history,
    events: events.map((e) => ({
      id: e.event_id, kind: e.kind, name: e.name, visitorId: e.visitor_id, url: e.url, path: e.path, referrer: e.referrer,
      utm: parseJson(e.utm), target: e.target, magnetId: e.magnet_id, engagedMs: e.engaged_ms, props: parseJson(e.props), ts: e.ts,
      clientTs: e.client_ts, receivedAt: e.received_at, country: e.country, linkedToLead: e.linked === 1,
    })),
    mails: outbox.results.map((m) => ({
      id: m.id, magnetId: m.magnet_id, kind: m.kind, lang: m.lang, linkBase: m.link_base, status: m.status, attempts: m.attempts,
      lastError: m.last_error, providerId: m.provider_id, createdAt: m.created_at, updatedAt: m.updated_at, sentAt: m.sent_at,
    })),
    webhooks: await extraRows(db, siteId, leadId),
  };
}
