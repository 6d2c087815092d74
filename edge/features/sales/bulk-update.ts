import * as v from 'valibot';
import { Refused, InvalidInput } from '../../core/errors';
import { parseRows, type BulkFormat, type RawRow } from '../../core/bulk-rows';
import { fieldErrors } from '../../core/schemas/object';
import { cleanJson } from '../../core/text';
import { normaliseEmail } from '../../core/email-address';
import { leadUpdateEntries, type LeadUpdate } from './schemas';
import { listOwners, type Owner } from './owners-store';
import { getSalesSettings } from './settings-store';
import { salesRowsBy, type SalesRow } from './store';
import { updateLead, type WriteContext, type WriteOutcome } from './write-back';

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

const STATUS: Record<Refused['kind'], number> = { conflict: 409, gone: 410, not_found: 404 };

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
  const followUp = { webhooks: false, ownerMails: false };
  const done = new Set<string>();
  const report: RowReport[] = [];
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
    try {
      // A lead named twice in one file: the second row sees the first one's result.
      const out = await updateLead(db, known.id, c.update, ctx, { settings, owners: ownerMap, ...(done.has(known.id) ? {} : { row: known }) });
      done.add(known.id);
      followUp.webhooks ||= out.followUp.webhooks;
      followUp.ownerMails ||= out.followUp.ownerMails;
      report.push({ line: c.line, key: shown, lead: known.id, result: out.result });
    } catch (err) {
      if (err instanceof Refused) report.push({ line: c.line, key: shown, lead: known.id, result: 'refused', status: STATUS[err.kind], reason: err.detail });
      else if (err instanceof InvalidInput) report.push({ line: c.line, key: shown, lead: known.id, result: 'refused', status: 400, reason: err.detail });
      else throw err;
    }
  }
  return { report, followUp };
}
