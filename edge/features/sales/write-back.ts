import { allowedNext, canMove, directionOf, type SalesSettings, type SalesStatus } from '../../core/sales';
import { InvalidInput, Refused } from '../../core/errors';
import { randomToken } from '../../core/crypto';
import { currentScoreOf, getLeadScore, getLeadScores, refreshLead, salesHistoryStatement, type SalesHistoryEntry } from '../scoring';
import { enqueueSalesWebhookStatements, type StageChange } from '../webhooks';
import { ownerMailStatement } from '../mail';
import { toLeadSales, type LeadSales } from '../leads';
import { getOwner, countAssignmentStatement, type Owner } from './owners-store';
import { getSalesSettings } from './settings-store';
import { crmIdTaken, salesRowOf, salesWriteStatement, salesWriteWon, SALES_FIELDS, type SalesFields, type SalesRow } from './store';
import type { LeadUpdate } from './schemas';
import { ownerMailId } from './owner-mail';

/**
 * What sales writes back about a lead: status (through the lifecycle's
 * table), reason, deal value, owner, CRM id and qualification. One use case
 * for the PATCH, the bulk update and the CLI, so all three refuse and record
 * alike. A write that changes nothing is reported `unchanged` and stores
 * nothing: sending the same file twice is harmless.
 */

/** Who writes, as the stage history records it: "key:<name>", "cli:<name>", "import", "routing", "sla". */
export type Actor = string;

export interface WriteContext {
  siteId: string;
  actor: Actor;
  now: number;
  /** Origin of links in the owner's mail. */
  linkBase: string;
  /** When a lead id was erased (a lead that existed is gone, not unknown). */
  erased?: (leadId: string) => Promise<number | null>;
}

export interface WriteOutcome {
  result: 'updated' | 'unchanged';
  leadId: string;
  sales: LeadSales;
  /** Webhook messages or owner mails now wait: deliver after the answer. */
  followUp: { webhooks: boolean; ownerMails: boolean };
}

const BANT_FIELDS = ['budget', 'authority', 'need', 'timeline'] as const;

type Score = { score: number; fit: number; engagement: number; modelVersion: number };

/** The score of the moment, for the history row of a sales change. */
export async function scoreNow(db: D1Database, siteId: string, leadId: string, now: number) {
  const row = await getLeadScore(db, siteId, leadId);
  return toScore(row && (await currentScoreOf(db, siteId, row, now)));
}

const toScore = (c: Awaited<ReturnType<typeof currentScoreOf>>) =>
  c ? { score: c.score, fit: c.fit, engagement: c.engagement, modelVersion: c.modelVersion } : { score: 0, fit: 0, engagement: 0, modelVersion: 0 };

/** `scoreNow` for many leads: one read per 500. */
export async function scoresNow(db: D1Database, siteId: string, leadIds: readonly string[], now: number): Promise<Map<string, Score>> {
  const out = new Map<string, Score>();
  const ids = [...new Set(leadIds)];
  for (let i = 0; i < ids.length; i += 500) {
    for (const row of await getLeadScores(db, siteId, ids.slice(i, i + 500))) out.set(row.leadId, toScore(await currentScoreOf(db, siteId, row, now)));
  }
  return out;
}

const fieldsOf = (r: SalesRow): SalesFields => Object.fromEntries(SALES_FIELDS.map((f) => [f, r[f]])) as SalesFields;
const same = (a: SalesFields, b: SalesFields) => SALES_FIELDS.every((f) => a[f] === b[f]);
/** Whether a write-back would leave the lead's sales fields as they are. */
export const sameSales = (next: SalesFields, row: SalesRow) => same(next, fieldsOf(row));
const invalid = (path: string, message: string) => new InvalidInput(`The body is invalid: ${path} ${message}.`, [{ path, message }]);

/**
 * The lead's sales fields after `u`, checked against the lifecycle and the
 * site's lists. Pure given its inputs; throws InvalidInput or Refused.
 */
export function applyUpdate(row: SalesRow, u: LeadUpdate, s: SalesSettings, owner: Owner | null | undefined, now: number): SalesFields {
  const next = fieldsOf(row);
  const from = row.sales_status;

  // The owner first: an assignment opens a lead that sales did not have.
  if (u.owner !== undefined && u.owner !== row.owner_id) {
    if (u.owner === null) {
      next.owner_id = null;
      next.assigned_at = null;
      next.sla_due_at = null;
      if (from === 'open') next.sales_status = null;
    } else {
      if (!owner) throw new Refused('not_found', `No owner "${u.owner}" in this site's team (GET /v1/owners).`);
      if (!owner.active) throw new Refused('conflict', `Owner "${owner.id}" is inactive; activate them with PUT /v1/owners first.`);
      next.owner_id = owner.id;
      next.assigned_at = now;
      if (from === null || from === 'recycled' || from === 'open') {
        next.sales_status = 'open';
        next.sla_due_at = now + s.slaHours * 3_600_000;
      }
    }
  }

  const to = u.status;
  if (to !== undefined && to !== from) {
    if (!canMove(from, to)) {
      throw new Refused('conflict', `A lead ${from ? `in status ${from}` : 'sales has not had'} cannot become ${to}; it can become ${allowedNext(from).join(', ') || 'nothing else'}.`,
        { from, to, allowed: allowedNext(from) });
    }
    next.sales_status = to;
    next.sla_due_at = null;
    if (to === 'recycled') {
      // Back to marketing: nobody owns it, and only new engagement counts.
      next.owner_id = null;
      next.assigned_at = null;
      next.engagement_since = now;
    }
    if (to !== 'rejected' && to !== 'lost' && to !== 'recycled') next.sales_reason = null;
  }

  const status = next.sales_status;
  if (u.reason !== undefined) {
    if (u.reason !== null && status !== 'rejected' && status !== 'lost' && status !== 'recycled') {
      throw invalid('/reason', 'goes only with status rejected, lost or recycled');
    }
    next.sales_reason = u.reason;
  }
  const list = status === 'rejected' ? s.rejectReasons : status === 'lost' ? s.lostReasons : null;
  if (list && to === status && !next.sales_reason) throw invalid('/reason', `is required for ${status}: one of ${list.join(', ')}`);
  if (list && next.sales_reason !== null && !list.includes(next.sales_reason)) {
    throw invalid('/reason', `must be one of this site's ${status} reasons: ${list.join(', ')}`);
  }

  if (u.value !== undefined) next.deal_value = u.value;
  if (u.currency !== undefined) next.deal_currency = u.currency;
  if (u.closedAt !== undefined) next.closed_at = u.closedAt;
  if (next.deal_value !== null && next.deal_currency === null) throw invalid('/currency', 'is required with a value');
  if (status === 'won') {
    if (next.deal_value === null) throw invalid('/value', 'is required for won (the deal value)');
    if (to === 'won' && next.closed_at === null) next.closed_at = now;
  }
  if (u.crmId !== undefined) next.crm_id = u.crmId;
  if (u.budget !== undefined) next.budget = u.budget;
  if (u.authority !== undefined) next.authority = u.authority;
  if (u.need !== undefined) next.need = u.need;
  if (u.timeline !== undefined) next.timeline = u.timeline;
  return next;
}

/** What a sales write changed, as history rows and webhook events. */
function changesOf(row: SalesRow, next: SalesFields, at: number, score: Awaited<ReturnType<typeof scoreNow>>, actor: Actor) {
  const out: { type: 'lead.assigned' | 'lead.status_changed'; entry: SalesHistoryEntry }[] = [];
  const from = row.sales_status ?? row.stage ?? row.status;
  const entry = (to: SalesStatus, detail: Record<string, unknown>): SalesHistoryEntry => ({
    from, to, direction: directionOf(to), at, ...score, by: actor, detail,
  });
  if (next.owner_id !== null && next.owner_id !== row.owner_id) {
    out.push({ type: 'lead.assigned', entry: entry(next.sales_status ?? 'open', { owner: next.owner_id, previousOwner: row.owner_id }) });
  }
  if (next.sales_status !== null && next.sales_status !== row.sales_status && !(out.length && next.sales_status === 'open')) {
    const detail: Record<string, unknown> = {};
    if (next.sales_reason) detail.reason = next.sales_reason;
    if (next.sales_status === 'won') Object.assign(detail, { value: next.deal_value, currency: next.deal_currency, closedAt: next.closed_at });
    if (next.owner_id) detail.owner = next.owner_id;
    out.push({ type: 'lead.status_changed', entry: entry(next.sales_status, detail) });
  }
  return out;
}

type CommitContext = WriteContext & { alert?: { reason: 'routed' | 'manual' | 'reassigned'; owner: Owner }; noticeTo?: Owner };

/** The statements of one sales write and what it leaves to follow up; `statements[0]` is the guarded lead write. */
export interface SalesWritePlan {
  /** The revision the lead carries once the write stood (a later write in the same batch expects it). */
  rev: string;
  statements: D1PreparedStatement[];
  changes: number;
  ownerMails: boolean;
  /** The score must be brought up to date once the write stood (recycled, or BANT changed). */
  rescore: boolean;
}

/**
 * The statements of writing `next`: the lead, its history rows, webhook
 * messages, the owner's count and alert mail, all guarded by one fresh
 * revision, so they take effect only together. `owner` is the new owner
 * when one is assigned (null: unknown to the site).
 */
export function salesWritePlan(db: D1Database, row: SalesRow, next: SalesFields, ctx: CommitContext, score: Score, owner: Owner | null): SalesWritePlan {
  const rev = randomToken(12);
  const guard = salesWriteWon(ctx.siteId, row.id, rev);
  const changes = changesOf(row, next, ctx.now, score, ctx.actor);
  const statements: D1PreparedStatement[] = [
    salesWriteStatement(db, { siteId: ctx.siteId, leadId: row.id, expectedRev: row.sales_rev, rev, now: ctx.now, fields: next }),
  ];
  for (const c of changes) {
    statements.push(salesHistoryStatement(db, ctx.siteId, row.id, c.entry, guard));
    const change: StageChange = { ...c.entry, by: undefined, detail: undefined };
    statements.push(...enqueueSalesWebhookStatements(db, ctx.siteId, row.id, c.type, change, guard));
  }
  let ownerMails = false;
  if (next.owner_id !== null && next.owner_id !== row.owner_id) {
    statements.push(countAssignmentStatement(db, ctx.siteId, next.owner_id, guard));
    if (owner) {
      statements.push(ownerMailStatement(db, { id: ownerMailId(ctx.alert?.reason ?? 'manual', rev), kind: 'owner_alert', siteId: ctx.siteId, leadId: row.id, ownerId: owner.id, lang: owner.lang,
        linkBase: ctx.linkBase, now: ctx.now }, guard));
      ownerMails = true;
    }
  }
  if (ctx.noticeTo) {
    statements.push(ownerMailStatement(db, { id: ownerMailId('notice', rev), kind: 'owner_notice', siteId: ctx.siteId, leadId: row.id, ownerId: ctx.noticeTo.id,
      lang: ctx.noticeTo.lang, linkBase: ctx.linkBase, now: ctx.now }, guard));
    ownerMails = true;
  }
  // A recycled lead goes back to confirmed (its engagement starts again), and what sales
  // learned (BANT) may match fit rules: either way the score is brought up to date at once.
  const rescore = next.engagement_since !== row.engagement_since || BANT_FIELDS.some((f) => next[f] !== row[f]);
  return { rev, statements, changes: changes.length, ownerMails, rescore };
}

const crmTaken = (crmId: string | null) => new Refused('conflict', `Another lead of this site has the CRM id "${crmId}".`);
/** The CRM id was taken between the check and the write. */
const isCrmIdClash = (err: unknown) => /UNIQUE constraint failed: leads\.site_id, leads\.crm_id/.test(String(err));

/** Writes `next` in one batch (salesWritePlan). False when another write came first (nothing of this one took effect). */
export async function commitSalesWrite(
  db: D1Database,
  row: SalesRow,
  next: SalesFields,
  ctx: CommitContext,
): Promise<{ won: boolean; followUp: WriteOutcome['followUp'] }> {
  const score = await scoreNow(db, ctx.siteId, row.id, ctx.now);
  const assigned = next.owner_id !== null && next.owner_id !== row.owner_id;
  const owner = assigned ? (ctx.alert?.owner ?? (await getOwner(db, ctx.siteId, next.owner_id!))) : null;
  const plan = salesWritePlan(db, row, next, ctx, score, owner);
  let write: D1Result | undefined;
  try {
    [write] = await db.batch(plan.statements);
  } catch (err) {
    if (isCrmIdClash(err)) throw crmTaken(next.crm_id);
    throw err;
  }
  if (write!.meta.changes !== 1) return { won: false, followUp: { webhooks: false, ownerMails: false } };
  let webhooks = plan.changes > 0;
  if (plan.rescore && (await refreshLead(db, ctx.siteId, row.id, ctx.now)).enqueuedWebhooks) webhooks = true;
  return { won: true, followUp: { webhooks, ownerMails: plan.ownerMails } };
}

/** What a bulk update has read already for many rows at once. */
export interface Known {
  row?: SalesRow | null;
  settings?: SalesSettings;
  owners?: ReadonlyMap<string, Owner>;
}

/** Tries a write a few times when another one keeps coming first, then gives up with a 409. */
const ATTEMPTS = 4;

/**
 * One lead's write-back. Throws Refused (unknown, withdrawn, forbidden
 * transition, CRM id taken) or InvalidInput (a reason or value missing).
 */
export async function updateLead(db: D1Database, leadId: string, u: LeadUpdate, ctx: WriteContext, known: Known = {}): Promise<WriteOutcome> {
  const settings = known.settings ?? (await getSalesSettings(db, ctx.siteId)).settings;
  const owner = u.owner ? (known.owners ? known.owners.get(u.owner) ?? null : await getOwner(db, ctx.siteId, u.owner)) : undefined;
  let row = known.row !== undefined ? known.row : await salesRowOf(db, ctx.siteId, leadId);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (!row) {
      if (await ctx.erased?.(leadId)) throw new Refused('gone', `Lead "${leadId}" was erased; nothing is kept to change.`);
      throw new Refused('not_found', `No lead "${leadId}".`);
    }
    if (row.status === 'withdrawn') throw new Refused('gone', `Lead "${leadId}" withdrew consent: it is no one's to work on, and nothing was changed.`);
    const next = applyUpdate(row, u, settings, owner, ctx.now);
    if (same(next, fieldsOf(row))) return { result: 'unchanged', leadId: row.id, sales: toLeadSales(row), followUp: { webhooks: false, ownerMails: false } };
    if (next.crm_id !== null && next.crm_id !== row.crm_id && (await crmIdTaken(db, ctx.siteId, next.crm_id, row.id))) {
      throw crmTaken(next.crm_id);
    }
    const alert = next.owner_id && next.owner_id !== row.owner_id && owner ? { reason: 'manual' as const, owner } : undefined;
    const { won, followUp } = await commitSalesWrite(db, row, next, { ...ctx, alert });
    if (won) return { result: 'updated', leadId: row.id, sales: toLeadSales({ ...row, ...next }), followUp };
    row = await salesRowOf(db, ctx.siteId, leadId);
  }
  throw new Refused('conflict', `Lead "${leadId}" kept changing while this update was written; send it again.`);
}
