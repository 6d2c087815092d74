import * as v from 'valibot';
import { Refused, InvalidInput } from '../../core/errors';
import { parseRows, type BulkFormat, type RawRow } from '../../core/bulk-rows';
import { fieldErrors } from '../../core/schemas/object';
import { cleanJson } from '../../core/text';
import { normaliseEmail } from '../../core/email-address';
import { leadUpdateEntries } from './schemas';
import { listOwners, type Owner } from './owners-store';
import { getSalesSettings } from './settings-store';
import { salesRowsBy, type SalesRow } from './store';
import { applyUpdate, salesWritePlan, sameSales, scoresNow, updateLead, type SalesWritePlan, type WriteContext, type WriteOutcome } from './write-back';
import { refreshLeads } from '../scoring';
import type { LeadUpdate } from './schemas';

/**
 * Many write-backs at once (a CRM sync, a nightly export): a JSON array,
 * NDJSON or CSV, each row keyed by `id`, `email` or `crmId`. Every row is
 * judged on its own: the report says per row updated, unchanged or refused
 * (with why); a refused row changes nothing, the others are written. The
 * same file twice is all `unchanged` the second time.
 */

export interface RowReport {
  line: number;
  key: { id: string } | { email: string } | { crmId: string } | null;
  lead?: string;
  result: 'updated' | 'unchanged' | 'refused';
  /** For a refused row: the HTTP status the single PATCH would have answered, and why. */
  status?: number;
  reason?: string;
}

const keyEntries = {
  id: v.optional(v.pipe(v.string('must be a string'), v.maxLength(64, 'must be at most 64 characters'))),
  email: v.optional(v.pipe(v.string('must be a string'), v.maxLength(254, 'must be at most 254 characters'))),
};
const rowSchema = v.pipe(cleanJson, v.strictObject({ ...keyEntries, ...leadUpdateEntries }, 'is not a known field'));

/** The rows of an upload; `value` is the one number a CSV cell may hold. */
export const parseUpdateRows = (text: string, format: BulkFormat): RawRow[] => parseRows(text, format, { numeric: ['value'] });

type Checked = { line: number; key: NonNullable<RowReport['key']>; update: LeadUpdate };

function check(row: RawRow): Checked | RowReport {
  const refused = (reason: string, key: RowReport['key'] = null): RowReport => ({ line: row.line, key, result: 'refused', status: 400, reason });
  if (row.error) return refused(`line ${row.line} ${row.error}`);
  const r = v.safeParse(rowSchema, row.input, { abortEarly: false });
  if (!r.success) {
    const e = fieldErrors(r.issues)[0]!;
    return refused(`${e.path} ${e.message}`);
  }
  const { id, email, ...rest } = r.output;
  if (id !== undefined) return { line: row.line, key: { id }, update: rest };
  if (email !== undefined) {
    const e = normaliseEmail(email);
    if (!e.ok) return refused(`/email ${e.reason}`);
    return { line: row.line, key: { email: e.key }, update: rest };
  }
  if (rest.crmId) {
    const { crmId, ...update } = rest;
    return { line: row.line, key: { crmId }, update };
  }
  return refused('names no lead: give id, email or crmId');
}

const STATUS: Record<Refused['kind'], number> = { conflict: 409, gone: 410, not_found: 404, not_enough_data: 422 };

/** Rows written per D1 batch: each row's statements stay guarded by its own revision, the round trips are shared. */
const WRITE_PAGE = 50;

const refusal = (err: unknown): Pick<RowReport, 'status' | 'reason'> | null =>
  err instanceof Refused ? { status: STATUS[err.kind], reason: err.detail } : err instanceof InvalidInput ? { status: 400, reason: err.detail } : null;

export async function bulkUpdate(db: D1Database, rows: RawRow[], ctx: WriteContext): Promise<{ report: RowReport[]; followUp: WriteOutcome['followUp'] }> {
  const checked = rows.map(check);
  const valid = checked.filter((c): c is Checked => 'update' in c);
  // Every lead, the settings and the team read once, not per row.
  const [byId, byEmail, byCrm, { settings }, owners] = await Promise.all([
    salesRowsBy(db, ctx.siteId, 'id', valid.flatMap((c) => ('id' in c.key ? [c.key.id] : []))),
    salesRowsBy(db, ctx.siteId, 'email_key', valid.flatMap((c) => ('email' in c.key ? [c.key.email] : []))),
    salesRowsBy(db, ctx.siteId, 'crm_id', valid.flatMap((c) => ('crmId' in c.key ? [c.key.crmId] : []))),
    getSalesSettings(db, ctx.siteId),
    listOwners(db, ctx.siteId),
  ]);
  const index = (list: SalesRow[], key: (r: SalesRow) => string | null) => new Map(list.map((r) => [key(r) ?? '', r]));
  const found = { id: index(byId, (r) => r.id), email: index(byEmail, (r) => r.email_key), crmId: index(byCrm, (r) => r.crm_id) };
  const ownerMap = new Map<string, Owner>(owners.map((o) => [o.id, o]));
  const scores = await scoresNow(db, ctx.siteId, [...byId, ...byEmail, ...byCrm].map((r) => r.id), ctx.now);
  const followUp = { webhooks: false, ownerMails: false };
  const report: RowReport[] = [];
  /** A lead as this file left it so far: a later row of the same lead builds on it. */
  const state = new Map<string, SalesRow>();
  const rescore = new Set<string>();
  let page: { at: number; leadId: string; update: LeadUpdate; plan: SalesWritePlan }[] = [];

  /** The old way, one row at a time: for a row that lost a race, or whose write may clash (a CRM id). */
  const alone = async (at: number, leadId: string, update: LeadUpdate) => {
    try {
      const out = await updateLead(db, leadId, update, ctx, { settings, owners: ownerMap });
      followUp.webhooks ||= out.followUp.webhooks;
      followUp.ownerMails ||= out.followUp.ownerMails;
      Object.assign(report[at]!, { result: out.result });
    } catch (err) {
      const r = refusal(err);
      if (!r) throw err;
      Object.assign(report[at]!, { result: 'refused', ...r });
    } finally {
      state.delete(leadId);
    }
  };

  const flush = async () => {
    if (!page.length) return;
    const items = page;
    page = [];
    const results = await db.batch(items.flatMap((p) => p.plan.statements));
    let offset = 0;
    for (const p of items) {
      if (results[offset]!.meta.changes === 1) {
        followUp.webhooks ||= p.plan.changes > 0;
        followUp.ownerMails ||= p.plan.ownerMails;
        if (p.plan.rescore) rescore.add(p.leadId);
      } else {
        await alone(p.at, p.leadId, p.update);
      }
      offset += p.plan.statements.length;
    }
  };

  for (const c of checked) {
    if (!('update' in c)) {
      report.push(c);
      continue;
    }
    const [kind, value] = Object.entries(c.key)[0] as ['id' | 'email' | 'crmId', string];
    const known = found[kind].get(value);
    const shown = kind === 'email' ? { email: value } : c.key;
    if (!known) {
      const erased = kind === 'id' && (await ctx.erased?.(value));
      report.push({ line: c.line, key: shown, result: 'refused', ...(erased ? { status: 410, reason: 'the lead was erased' } : { status: 404, reason: 'no such lead in this site' }) });
      continue;
    }
    const at = report.push({ line: c.line, key: shown, lead: known.id, result: 'updated' }) - 1;
    const row = state.get(known.id) ?? known;
    try {
      if (row.status === 'withdrawn') throw new Refused('gone', `Lead "${row.id}" withdrew consent: it is no one's to work on, and nothing was changed.`);
      const owner = c.update.owner ? ownerMap.get(c.update.owner) ?? null : undefined;
      const next = applyUpdate(row, c.update, settings, owner, ctx.now);
      if (sameSales(next, row)) {
        report[at]!.result = 'unchanged';
        continue;
      }
      if (next.crm_id !== row.crm_id) {
        // A CRM id may clash with another lead's, and a clash would undo the whole batch: this row goes alone.
        await flush();
        await alone(at, known.id, c.update);
        continue;
      }
      const alert = next.owner_id && next.owner_id !== row.owner_id && owner ? { reason: 'manual' as const, owner } : undefined;
      const plan = salesWritePlan(db, row, next, { ...ctx, alert }, scores.get(row.id) ?? { score: 0, fit: 0, engagement: 0, modelVersion: 0 },
        next.owner_id && next.owner_id !== row.owner_id ? ownerMap.get(next.owner_id) ?? null : null);
      page.push({ at, leadId: row.id, update: c.update, plan });
      state.set(row.id, { ...row, ...next, sales_rev: plan.rev });
      if (page.length >= WRITE_PAGE) await flush();
    } catch (err) {
      const r = refusal(err);
      if (!r) throw err;
      Object.assign(report[at]!, { result: 'refused', ...r });
    }
  }
  await flush();
  // Recycled leads and new BANT answers: their scores.
  if ((await refreshLeads(db, ctx.siteId, [...rescore], ctx.now)).enqueuedWebhooks) followUp.webhooks = true;
  return { report, followUp };
}
