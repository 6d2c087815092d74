import type { Env } from '../../platform/env';
import { SEND_LEASE_MS, nextAttemptAt } from '../../core/mail/backoff';
import { renderOwnerAlert, renderOwnerNotice, type OwnerAlertLead } from '../../core/mail/owner-alert';
import { MailError } from '../../core/mail/types';
import { claimDueMails, getOwnerMailRow, markCancelled, markFailed, markSent, retrySettings } from '../mail';
import { getLead, ledgerOf, timelineOf } from '../leads';
import { scoreView } from '../scoring';
import { getSite } from '../sites';
import { getOwner } from './owners-store';
import { getSalesSettings } from './settings-store';
import { answerUrl } from './answer-link';

/**
 * Sending the mails to sales people from the durable outbox: the alert
 * ("a lead for you") and the notice ("a lead of yours moved on"). Queued in
 * the batch of the assignment, sent right after the answer and retried by
 * the cron with the confirmation mail's backoff. An alert for a lead that
 * is no longer this owner's open lead is cancelled, not sent.
 */

/** Mails per call; the rest wait for the next run. */
const BATCH = 25;

const EVENTS_SHOWN = 10;

export interface OwnerMailReport {
  sent: number;
  retry: number;
  dead: number;
  cancelled: number;
}

type Settings = ReturnType<typeof retrySettings>;

/** Why an owner gets a lead is in its mail's id (write-back.ts ownerMailId). */
const REASONS = { r: 'routed', m: 'manual', s: 'reassigned' } as const;
const alertReason = (id: string) => REASONS[id.charAt(3) as keyof typeof REASONS] ?? 'routed';

/** The outbox id of a mail of one sales write: one per write and kind, so a retried batch queues it once. */
export const ownerMailId = (kind: 'routed' | 'manual' | 'reassigned' | 'notice', rev: string) =>
  `mo_${kind === 'notice' ? 'n' : (Object.keys(REASONS) as (keyof typeof REASONS)[]).find((k) => REASONS[k] === kind)}_${rev}`;

async function deliver(env: Env, id: string, settings: Settings, now: number): Promise<keyof OwnerMailReport> {
  const db = env.DB;
  const job = await getOwnerMailRow(db, id);
  if (!job || job.status !== 'pending') return 'cancelled';
  const [lead, owner, site] = await Promise.all([getLead(db, job.siteId, job.leadId), getOwner(db, job.siteId, job.ownerId), getSite(db, job.siteId)]);
  // A withdrawn lead is nobody's business; an alert for a lead that moved on would send the owner to the wrong lead.
  const stale = !lead || !owner || !site || lead.status === 'withdrawn'
    || (job.kind === 'owner_alert' && lead.sales.ownerId !== owner.id);
  if (stale) {
    await markCancelled(db, job.id, now);
    return 'cancelled';
  }
  const attempts = job.attempts + 1;
  try {
    if (settings.unavailable) throw new MailError(settings.unavailable);
    const { settings: sales } = await getSalesSettings(db, job.siteId);
    const profile: OwnerAlertLead = {
      id: lead.id, email: lead.email, firstName: lead.firstName, company: lead.company, role: lead.role, companySize: lead.companySize,
      industry: lead.industry, country: null,
    };
    let mail;
    if (job.kind === 'owner_alert') {
      const [view, consents, timeline] = await Promise.all([
        scoreView(db, job.siteId, lead.id, now),
        ledgerOf(db, job.siteId, lead.id),
        timelineOf(db, job.siteId, lead.id, EVENTS_SHOWN),
      ]);
      const lines = view?.score === null || !view?.explanation ? [] : view.explanation.lines;
      mail = renderOwnerAlert({
        lang: owner.lang,
        siteName: site.name,
        ownerName: owner.name,
        lead: profile,
        score: view && view.score !== null && view.explanation
          ? { score: view.score, fit: view.fit!, engagement: view.engagement!, stage: view.stage!, temperature: view.temperature! }
          : null,
        why: [...lines].sort((a, b) => Math.abs(b.points) - Math.abs(a.points)).map((l) => ({ label: l.label ?? l.id, points: l.points, count: l.count })),
        events: (timeline.results as { kind: string; path: string; ts: number }[]).map((e) => ({ kind: e.kind, path: e.path, at: e.ts })),
        consents: consents.map((c) => ({ action: c.action, purpose: c.purpose, granted: c.granted, at: c.createdAt })),
        slaHours: sales.slaHours,
        leadUrl: new URL(`/v1/leads/${encodeURIComponent(lead.id)}`, settings.linkBase ?? job.linkBase).href,
        answerUrl: await answerUrl(settings.secret, settings.linkBase ?? job.linkBase,
          { site: job.siteId, lead: lead.id, owner: owner.id, assignedAt: lead.sales.assignedAt ?? 0 }),
        reason: alertReason(job.id),
      });
    } else {
      const current = lead.sales.ownerId ? await getOwner(db, job.siteId, lead.sales.ownerId) : null;
      mail = renderOwnerNotice({ lang: owner.lang, siteName: site.name, ownerName: owner.name, lead: profile, newOwnerName: current?.name ?? '–', slaHours: sales.slaHours });
    }
    const { id: providerId } = await settings.mailer.send({ to: owner.email, from: settings.from, ...mail, headers: {} });
    await markSent(db, job.id, providerId, attempts, now);
    return 'sent';
  } catch (err) {
    const permanent = err instanceof MailError && err.permanent;
    const next = permanent ? null : nextAttemptAt(attempts, now);
    console.warn('owner mail failed', job.id, `attempt ${attempts}`, err instanceof Error ? err.message : String(err));
    await markFailed(db, job.id, attempts, next, err instanceof Error ? err.message : String(err), now);
    return next === null ? 'dead' : 'retry';
  }
}


/** Sends due mails to sales people (after an assignment, and from the cron). */
export async function sendOwnerMails(env: Env, now: number, only?: readonly string[]): Promise<OwnerMailReport> {
  const report: OwnerMailReport = { sent: 0, retry: 0, dead: 0, cancelled: 0 };
  const ids = await claimDueMails(env.DB, now, now + SEND_LEASE_MS, BATCH, only, ['owner_alert', 'owner_notice']);
  if (!ids.length) return report;
  const settings = retrySettings(env);
  for (const id of ids) report[await deliver(env, id, settings, now)]++;
  console.log('owner mails', JSON.stringify(report));
  return report;
}
