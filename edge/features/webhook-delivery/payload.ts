import { toLeadSales, type Lead, type LeadSales } from '../leads';
import { leadSnapshotRow, recentEventRows } from './payload-store';
import { getLeadScore, currentScoreOf, type CurrentScore } from '../scoring';
import { likelihoodFor } from '../review';
import type { Likelihood } from '../../core/review/likelihood';
import type { StageChange, WebhookEventType } from '../webhooks';
import type { ScoringModel } from '../../core/scoring';

/**
 * The body of a webhook: everything sales needs to act on a lead without
 * asking back (docs/domain.md, "Thresholds and the hand-off to sales"): the profile, the
 * stage change, the score with its explanation (explicit fit and implicit
 * behaviour) and the recent behaviour itself. See docs/webhooks.md.
 *
 * Built when a message is first sent (normally within a second of the
 * change) and then frozen: retries and replays send the same bytes. The
 * `stageChange` block is the change as it happened; `lead`, `score`,
 * `explanation` and `recentEvents` are as of `snapshotAt`.
 *
 * A withdrawal carries only what the receiver needs to stop: the lead's id
 * and address, its status and the change. No score, no behaviour.
 */

export const RECENT_EVENTS = 20;

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** The lead as a webhook carries it: the stored profile plus the country scoring uses, and what sales knows. */
// No basis: only consented, confirmed leads are handed over (a lead kept on legitimate interest stays pending).
export type LeadSnapshot = Omit<Lead, 'visitorId' | 'updatedAt' | 'sales' | 'basis' | 'origin'> & {
  country: string | null;
  sales?: LeadSales;
  owner?: { id: string; name: string; email: string } | null;
};

/** Event types about the work of sales: their payload adds the sales block and the owner. */
const SALES_TYPES: ReadonlySet<WebhookEventType> = new Set(['lead.assigned', 'lead.status_changed']);

export interface EventSnapshot {
  kind: string;
  name: string | null;
  ts: number;
  url: string;
  path: string;
  target: string | null;
  magnetId: string | null;
  utm: Record<string, string> | null;
}

/** The part of the current score a webhook carries. */
export type ScoreSnapshot = Pick<CurrentScore, 'stage' | 'score' | 'fit' | 'engagement' | 'temperature' | 'modelVersion' | 'explanation'> & {
  /** Likelihood to buy, once enough sales outcomes calibrate it (docs/scoring-review.md); absent before. */
  likelihood?: Likelihood;
};

export interface PayloadInput {
  type: WebhookEventType;
  siteId: string;
  lead: LeadSnapshot;
  change: StageChange;
  historySeq: number | null;
  score: ScoreSnapshot | null;
  events: EventSnapshot[];
  now: number;
}

export interface WebhookPayload {
  type: WebhookEventType;
  /** When the stage change happened (ISO 8601). */
  timestamp: string;
  data: Record<string, unknown>;
}

/** Pure: the payload of one message from what was read. */
export function buildPayload(p: PayloadInput): WebhookPayload {
  const stageChange = {
    from: p.change.from,
    to: p.change.to,
    direction: p.change.direction,
    at: iso(p.change.at),
    score: p.change.score,
    fit: p.change.fit,
    engagement: p.change.engagement,
    modelVersion: p.change.modelVersion,
    historySeq: p.historySeq,
  };
  if (p.type === 'lead.withdrawn') {
    return {
      type: p.type,
      timestamp: iso(p.change.at)!,
      data: {
        site: p.siteId,
        lead: { id: p.lead.id, email: p.lead.email, status: p.lead.status, withdrawnAt: iso(p.lead.withdrawnAt) },
        stageChange,
        snapshotAt: iso(p.now),
      },
    };
  }
  const l = p.lead;
  return {
    type: p.type,
    timestamp: iso(p.change.at)!,
    data: {
      site: p.siteId,
      lead: {
        id: l.id,
        email: l.email,
        firstName: l.firstName,
        company: l.company,
        role: l.role,
        companySize: l.companySize,
        industry: l.industry,
        country: l.country,
        lang: l.lang,
        status: l.status,
        marketingConsent: l.marketing,
        createdAt: iso(l.createdAt),
        confirmedAt: iso(l.confirmedAt),
      },
      stageChange,
      ...(SALES_TYPES.has(p.type) ? { sales: l.sales ?? null, owner: l.owner ?? null } : {}),
      score: p.score && {
        stage: p.score.stage,
        score: p.score.score,
        fit: p.score.fit,
        engagement: p.score.engagement,
        temperature: p.score.temperature,
        modelVersion: p.score.modelVersion,
        // Once sales outcomes calibrate it (docs/scoring-review.md); absent before, never zero.
        ...(p.score.likelihood ? { likelihood: p.score.likelihood } : {}),
      },
      explanation: p.score?.explanation.lines.map((line) => ({
        id: line.id,
        label: line.label ?? null,
        group: line.group,
        points: line.points,
        raw: line.raw,
        count: line.count,
        capped: line.capped,
        lastAt: iso(line.lastTs),
      })) ?? [],
      recentEvents: p.events.slice(0, RECENT_EVENTS).map((e) => ({
        kind: e.kind,
        name: e.name,
        at: iso(e.ts),
        url: e.url,
        path: e.path,
        target: e.target,
        magnet: e.magnetId,
        utm: e.utm,
      })),
      snapshotAt: iso(p.now),
    },
  };
}

/** The lead's score now, with its explanation; null without a score row. */
export async function scoreSnapshot(db: D1Database, siteId: string, leadId: string, now: number, model?: ScoringModel): Promise<ScoreSnapshot | null> {
  const row = await getLeadScore(db, siteId, leadId);
  const c = row && (await currentScoreOf(db, siteId, row, now, model));
  if (!c) return null;
  const likelihood = await likelihoodFor(db, siteId, { status: row.status, score: c.score, modelVersion: c.modelVersion, lines: c.explanation.lines });
  return {
    stage: c.stage, score: c.score, fit: c.fit, engagement: c.engagement, temperature: c.temperature,
    modelVersion: c.modelVersion, explanation: c.explanation, ...(likelihood ? { likelihood } : {}),
  };
}

export async function leadSnapshot(db: D1Database, siteId: string, leadId: string): Promise<LeadSnapshot | null> {
  const r = await leadSnapshotRow(db, siteId, leadId);
  if (!r) return null;
  return {
    id: r.id, email: r.email, status: r.status, marketing: r.marketing === 1, firstName: r.first_name, company: r.company,
    role: r.role, companySize: r.company_size, industry: r.industry, country: r.country, lang: r.lang, createdAt: r.created_at,
    confirmedAt: r.confirmed_at, withdrawnAt: r.withdrawn_at, sales: toLeadSales(r),
    owner: r.owner_id && r.owner_name && r.owner_email ? { id: r.owner_id, name: r.owner_name, email: r.owner_email } : null,
  };
}

/** The lead's newest events (consented behaviour linked to it), newest first. */
export async function recentLeadEvents(db: D1Database, siteId: string, leadId: string, limit = RECENT_EVENTS): Promise<EventSnapshot[]> {
  const results = await recentEventRows(db, siteId, leadId, limit);
  return results.map((e) => ({
    kind: e.kind, name: e.name, ts: e.ts, url: e.url, path: e.path, target: e.target, magnetId: e.magnetId,
    utm: e.utm ? (JSON.parse(e.utm) as Record<string, string>) : null,
  }));
}
