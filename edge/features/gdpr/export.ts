import { visitorIdsOf } from './erasure-store';
import {
  consentTextsOf, eventsOfSubject, leadRowOf, optinRequestsOf, outboxOf, outcomeFactsOf, rowsOfLeadIn, siteOf, visitorLinksOf, webhookTablesWithLead,
} from './export-store';
import { likelihoodFor } from '../review';
import { enrollmentsOf } from '../nurture';
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
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const tbl of await webhookTablesWithLead(db)) {
    const rows = await rowsOfLeadIn(db, tbl, siteId, leadId);
    out[tbl] = rows.map((r) =>
      Object.fromEntries(Object.entries(r).filter(([k]) => !SECRET_COLUMN.test(k)).map(([k, v]) => [k, typeof v === 'string' && /^[[{]/.test(v) ? parseJson(v) : v])));
  }
  return out;
}

export async function exportLead(db: D1Database, siteId: string, leadId: string, now: number): Promise<Record<string, unknown> | null> {
  const lead = await leadRowOf(db, siteId, leadId);
  if (!lead) return null;
  const site = await siteOf(db, siteId);

  const [ledger, texts, links, tokens, outbox, history, scoreRow, review, nurture] = await Promise.all([
    ledgerOf(db, siteId, leadId),
    consentTextsOf(db, siteId, leadId),
    visitorLinksOf(db, siteId, leadId),
    optinRequestsOf(db, siteId, leadId),
    outboxOf(db, siteId, leadId),
    stageHistoryOf(db, siteId, leadId),
    getLeadScore(db, siteId, leadId),
    outcomeFactsOf(db, siteId, leadId),
    enrollmentsOf(db, siteId, leadId),
  ]);

  const visitorIds = await visitorIdsOf(db, siteId, leadId, (lead.visitor_id as string | null) ?? null);
  const events = await eventsOfSubject(db, siteId, leadId, visitorIds);

  const score = scoreRow && (await currentScoreOf(db, siteId, scoreRow, now));
  const likelihood = score ? await likelihoodFor(db, siteId, { status: lead.status as string, score: score.score, modelVersion: score.modelVersion, lines: score.explanation.lines }) : undefined;

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
    visitorLinks: links.map((l) => ({ visitorId: l.visitor_id, linkedAt: l.linked_at })),
    consents: {
      ledger,
      texts: texts.map((t) => ({
        magnetId: t.magnet_id, purpose: t.purpose, version: t.version, hash: t.hash, text: t.text, createdAt: t.created_at,
      })),
    },
    optinRequests: tokens.map((t) => ({
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
    // Profiling the person is subject to (docs/scoring-review.md): the likelihood to buy and the review's facts.
    likelihood: likelihood ?? null,
    scoringReview: review && {
      modelVersion: review.model_version, salesStatus: review.sales_status, handedOffAt: review.ref_at, score: review.score, fit: review.fit,
      engagement: review.engagement, facts: parseJson(review.facts), computedAt: review.computed_at,
    },
    stageHistory: history,
    events: events.map((e) => ({
      id: e.event_id, kind: e.kind, name: e.name, visitorId: e.visitor_id, url: e.url, path: e.path, referrer: e.referrer,
      utm: parseJson(e.utm), target: e.target, magnetId: e.magnet_id, engagedMs: e.engaged_ms, props: parseJson(e.props), ts: e.ts,
      clientTs: e.client_ts, receivedAt: e.received_at, country: e.country, linkedToLead: e.linked === 1,
    })),
    mails: outbox.map((m) => ({
      id: m.id, magnetId: m.magnet_id, kind: m.kind, lang: m.lang, linkBase: m.link_base, status: m.status, attempts: m.attempts,
      lastError: m.last_error, providerId: m.provider_id, createdAt: m.created_at, updatedAt: m.updated_at, sentAt: m.sent_at,
      ...(m.kind === 'nurture' ? { sequence: m.sequence_id, step: m.step_id, clickedAt: m.clicked_at } : {}),
    })),
    // Nurture sequences the lead entered, where it is or why it left, and whether its address is suppressed.
    nurture: { mailSuppressed: lead.mail_suppressed ?? null, lastMailAt: lead.last_nurture_at ?? null, sequences: nurture },
    webhooks: await extraRows(db, siteId, leadId),
  };
}
