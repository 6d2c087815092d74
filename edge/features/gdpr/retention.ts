import { deidentifyOrphanEvents, deleteOrphanScores, eraseLead, type ErasureReason } from './erasure-store';
import {
  deleteErasedLedger, deleteExpiredTokens, deleteOldAnonymousEvents, markRun, sitesDue, staleLeads, type RetentionOverrides,
} from './retention-store';
import { erasedLeadRef, ledgerPseudonym } from '../../core/erasure-hash';

/**
 * Retention (PRIVACY.md), run by the Cron Trigger. Per site, with
 * the site's settings or these defaults:
 * - pending (never confirmed) leads: erased 30 days after their last
 *   submission (kept meanwhile under legitimate interest: to let the person
 *   confirm, and to show why a confirmation mail was sent);
 * - withdrawn leads: erased 30 days after the withdrawal (legitimate
 *   interest: handling follow-up questions, honouring the withdrawal);
 * - events of visitors who never became leads: deleted after 13 months;
 * - spent or expired opt-in tokens: deleted `pendingDays` after expiry;
 * - the pseudonymised ledger of erased leads: deleted 3 years after the
 *   erasure (the regular limitation period for claims, § 195 BGB).
 * A site may shorten the 30-day periods, never lengthen them.
 */
export const RETENTION_DEFAULTS = { pendingDays: 30, withdrawnDays: 30, eventMonths: 13, ledgerYears: 3 } as const;
export const RETENTION_LIMITS = {
  pendingDays: [1, 30],
  withdrawnDays: [1, 30],
  eventMonths: [1, 25],
  ledgerYears: [1, 10],
} as const satisfies Record<keyof RetentionOverrides, readonly [number, number]>;

export type RetentionSettings = { [K in keyof RetentionOverrides]: number };

export function effectiveRetention(o: Partial<RetentionOverrides>): RetentionSettings {
  return {
    pendingDays: o.pendingDays ?? RETENTION_DEFAULTS.pendingDays,
    withdrawnDays: o.withdrawnDays ?? RETENTION_DEFAULTS.withdrawnDays,
    eventMonths: o.eventMonths ?? RETENTION_DEFAULTS.eventMonths,
    ledgerYears: o.ledgerYears ?? RETENTION_DEFAULTS.ledgerYears,
  };
}

const DAY_MS = 86_400_000;

/** `now` minus whole calendar months or years (UTC). */
function monthsBefore(now: number, months: number): number {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.getTime();
}

/** The cut-off times of one site at `now`: anything older goes. */
export function cutoffs(s: RetentionSettings, now: number) {
  return {
    pending: now - s.pendingDays * DAY_MS,
    withdrawn: now - s.withdrawnDays * DAY_MS,
    events: monthsBefore(now, s.eventMonths),
    tokens: now - s.pendingDays * DAY_MS,
    ledger: monthsBefore(now, s.ledgerYears * 12),
  };
}

/** Per site and run: leads erased, events and rows deleted (one bounded batch each, events in a few). */
export const RETENTION_BATCH = { leads: 25, events: 500, eventBatches: 4, rows: 500, sites: 50 } as const;

export interface RetentionReport {
  sites: number;
  pendingErased: number;
  withdrawnErased: number;
  eventsDeleted: number;
  tokensDeleted: number;
  ledgerDeleted: number;
  orphansFixed: number;
  /** Some site had more to do than one run's share: the next run goes on. */
  more: boolean;
}

export async function runRetention(db: D1Database, now: number, opts: { secret: string | null; budgetMs?: number }): Promise<RetentionReport> {
  const deadline = Date.now() + (opts.budgetMs ?? 15_000);
  const report: RetentionReport = {
    sites: 0, pendingErased: 0, withdrawnErased: 0, eventsDeleted: 0, tokensDeleted: 0, ledgerDeleted: 0, orphansFixed: 0, more: false,
  };
  const B = RETENTION_BATCH;
  for (const site of await sitesDue(db, B.sites)) {
    if (Date.now() > deadline) {
      report.more = true;
      break;
    }
    const cut = cutoffs(effectiveRetention(site), now);
    const erase = async (status: 'pending' | 'withdrawn', before: number, reason: ErasureReason) => {
      const ids = await staleLeads(db, site.siteId, status, before, B.leads);
      if (ids.length === B.leads) report.more = true;
      let n = 0;
      for (const leadId of ids) {
        const result = await eraseLead(db, {
          siteId: site.siteId,
          leadId,
          pseudonym: (emailKey) => ledgerPseudonym(opts.secret, site.siteId, emailKey),
          leadRef: await erasedLeadRef(opts.secret, site.siteId, leadId),
          reason,
          now,
          onlyIfStatus: status,
        });
        if (result.outcome === 'erased') n++;
      }
      return n;
    };
    report.pendingErased += await erase('pending', cut.pending, 'retention_pending');
    report.withdrawnErased += await erase('withdrawn', cut.withdrawn, 'retention_withdrawn');
    for (let i = 0; i < B.eventBatches; i++) {
      const n = await deleteOldAnonymousEvents(db, site.siteId, cut.events, B.events);
      report.eventsDeleted += n;
      if (n < B.events) break;
      if (i === B.eventBatches - 1) report.more = true;
    }
    report.tokensDeleted += await deleteExpiredTokens(db, site.siteId, cut.tokens, B.rows);
    report.ledgerDeleted += await deleteErasedLedger(db, site.siteId, cut.ledger, B.rows);
    report.orphansFixed += await deidentifyOrphanEvents(db, site.siteId, Math.min(now, Date.now()) - 60 * 60 * 1000, B.rows);
    report.orphansFixed += await deleteOrphanScores(db, site.siteId, 100);
    await markRun(db, site.siteId, now);
    report.sites++;
  }
  return report;
}
