import { chooseOwner, routable } from '../../core/sales';
import { listOwners } from './owners-store';
import { getSalesSettings } from './settings-store';
import { dueForRouting, overdueAssignments, salesRowOf } from './store';
import { commitSalesWrite } from './write-back';

/**
 * Routing at hand-off and the owner's deadline. Each assignment is one
 * guarded write (write-back.ts commitSalesWrite), so a lead is assigned once
 * per hand-off even when the cron and a request, or two crons, get to it at
 * the same time: the second write finds the lead changed and does nothing.
 */

export interface RoutingReport {
  assigned: number;
  /** Leads waiting at the hand-off with no owner able to take them. */
  unroutable: number;
  reassigned: number;
  ownerMails: boolean;
  webhooks: boolean;
}

const empty = (): RoutingReport => ({ assigned: 0, unroutable: 0, reassigned: 0, ownerMails: false, webhooks: false });

/** Assigns one lead at hand-off, if it is still due. */
async function routeOne(db: D1Database, siteId: string, leadId: string, now: number, linkBase: string, report: RoutingReport): Promise<void> {
  const row = await salesRowOf(db, siteId, leadId);
  if (!row || row.status !== 'confirmed' || !routable({ salesStatus: row.sales_status, ownerId: row.owner_id })) return;
  const { settings } = await getSalesSettings(db, siteId);
  const owner = chooseOwner(await listOwners(db, siteId), { country: row.country, industry: row.industry, companySize: row.company_size });
  if (!owner) {
    report.unroutable++;
    return;
  }
  const next = {
    sales_status: 'open' as const, sales_reason: null, owner_id: owner.id, assigned_at: now, sla_due_at: now + settings.slaHours * 3_600_000,
    deal_value: row.deal_value, deal_currency: row.deal_currency, closed_at: row.closed_at, crm_id: row.crm_id, budget: row.budget,
    authority: row.authority, need: row.need, timeline: row.timeline, engagement_since: row.engagement_since,
  };
  const { won, followUp } = await commitSalesWrite(db, row, next, { siteId, actor: 'routing', now, linkBase, alert: { reason: 'routed', owner } });
  if (!won) return;
  report.assigned++;
  report.ownerMails ||= followUp.ownerMails;
  report.webhooks ||= followUp.webhooks;
}

/** Leads at the hand-off stage that nobody owns get an owner (one site, or all). */
export async function routeHandoffs(db: D1Database, now: number, linkBase: string, opts: { limit?: number; siteId?: string } = {}): Promise<RoutingReport> {
  const report = empty();
  for (const { siteId, leadId } of await dueForRouting(db, opts.limit ?? 100, opts.siteId)) {
    await routeOne(db, siteId, leadId, now, linkBase, report);
  }
  return report;
}

/**
 * Open assignments past their deadline go to the next owner (never back to
 * the one who let it lapse); both are told. With nobody else to take it the
 * lead stays and its deadline moves on by one period, so it is not retried
 * every few minutes.
 */
export async function reassignOverdue(db: D1Database, now: number, linkBase: string, limit = 50): Promise<RoutingReport> {
  const report = empty();
  for (const { siteId, leadId } of await overdueAssignments(db, now, limit)) {
    const row = await salesRowOf(db, siteId, leadId);
    if (!row || row.sales_status !== 'open' || row.sla_due_at === null || row.sla_due_at > now || !row.owner_id) continue;
    const { settings } = await getSalesSettings(db, siteId);
    const owners = await listOwners(db, siteId);
    const previous = owners.find((o) => o.id === row.owner_id);
    const owner = chooseOwner(owners, { country: row.country, industry: row.industry, companySize: row.company_size }, new Set([row.owner_id]));
    const period = settings.slaHours * 3_600_000;
    const base = {
      sales_status: 'open' as const, sales_reason: null, deal_value: row.deal_value, deal_currency: row.deal_currency, closed_at: row.closed_at,
      crm_id: row.crm_id, budget: row.budget, authority: row.authority, need: row.need, timeline: row.timeline, engagement_since: row.engagement_since,
    };
    if (!owner) {
      await commitSalesWrite(db, row, { ...base, owner_id: row.owner_id, assigned_at: row.assigned_at, sla_due_at: now + period }, { siteId, actor: 'sla', now, linkBase });
      report.unroutable++;
      continue;
    }
    const { won, followUp } = await commitSalesWrite(db, row, { ...base, owner_id: owner.id, assigned_at: now, sla_due_at: now + period },
      { siteId, actor: 'sla', now, linkBase, alert: { reason: 'reassigned', owner }, ...(previous ? { noticeTo: previous } : {}) });
    if (!won) continue;
    report.reassigned++;
    report.ownerMails ||= followUp.ownerMails;
    report.webhooks ||= followUp.webhooks;
  }
  return report;
}
