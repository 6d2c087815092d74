import * as v from 'valibot';
import type { Lang } from '../../../protocol';
import type { RawRow } from '../../core/bulk-rows';
import { sha256Hex } from '../../core/crypto';
import { SEND_LEASE_MS } from '../../core/mail/backoff';
import { newOptinToken } from '../../core/optin-token';
import { fieldErrors } from '../../core/schemas/object';
import type { Magnet } from '../magnets';
import { importRow, type ImportRow } from './import-schemas';
import { consentKey, importStatements, importedLeadStates, type ImportedLeadState, type ImportWrite } from './import-store';
import { newLeadId, newOutboxId } from './store';

/**
 * The lead import: people met at a fair, a webinar or an event, each row
 * with its legal basis (docs/sales.md, "Import").
 *
 * - `consent`: the consent was given elsewhere and is documented (its words,
 *   when, where). It goes on record in the consent ledger (method import,
 *   with who imported it) and the lead is confirmed on it, with marketing
 *   consent. With `sendOptin`, the lead stays pending instead and gets the
 *   double opt-in mail of the named magnet; only the person's click confirms.
 * - `legitimate_interest`: no consent. The lead is kept pending, is never
 *   mailed (not even with `sendOptin`: asking for consent by mail is itself
 *   advertising), and retention erases it after at most 30 days unless the
 *   person confirms through a form.
 *
 * An address already known merges into its lead, never a second one: a
 * confirmed lead keeps what the person confirmed and gains only fields it
 * lacks; a withdrawn one is refused (only the person can sign up again).
 * Every row is judged on its own: a malformed row is refused with its line
 * and stores nothing, the good rows are stored (each whole or not at all). The same
 * file twice is all `unchanged` the second time.
 */

/** A consent dated further ahead than this is a typo, not a clock difference. */
const FUTURE_SLACK_MS = 86_400_000;

export interface ImportContext {
  siteId: string;
  /** Who imports, for the ledger: e.g. "key:crm-sync", "cli:alice". */
  actor: string;
  now: number;
  /** Send the double opt-in mail of `magnet` to rows with consent. */
  sendOptin: boolean;
  magnet: Magnet | null;
  linkBase: string;
  tokenTtlMs: number;
}

export type OptinNote = 'queued' | 'already_confirmed' | 'already_sent' | 'never_for_legitimate_interest';

export interface ImportRowReport {
  line: number;
  email?: string;
  lead?: string;
  result: 'created' | 'merged' | 'unchanged' | 'refused';
  /** For a refused row: the HTTP status a single import would have answered, and why. */
  status?: number;
  reason?: string;
  /** With sendOptin: whether this row's opt-in mail went out, or why not. */
  optin?: OptinNote;
}

export interface ImportOutcome {
  report: ImportRowReport[];
  /** Opt-in mails to deliver now: the outbox row and its token (known only here). */
  mails: { outboxId: string; token: string }[];
  /** Leads the import created or changed: scoring looks at them next. */
  changed: string[];
}

type Checked = { line: number; row: ImportRow; consent: { text: string; hash: string; version: string; givenAt: number; source: string } | null };

const PROFILE_KEYS = ['firstName', 'company', 'role', 'companySize', 'industry'] as const;

async function check(raw: RawRow, now: number): Promise<Checked | ImportRowReport> {
  const refused = (reason: string): ImportRowReport => ({ line: raw.line, result: 'refused', status: 400, reason });
  if (raw.error) return refused(`line ${raw.line} ${raw.error}`);
  const r = v.safeParse(importRow, raw.input, { abortEarly: false });
  if (!r.success) {
    const e = fieldErrors(r.issues)[0]!;
    return refused(`line ${raw.line}: ${e.path} ${e.message}`);
  }
  const row = r.output;
  if (row.basis !== 'consent') return { line: raw.line, row, consent: null };
  if (row.consentAt! > now + FUTURE_SLACK_MS) return { ...refused(`line ${raw.line}: /consentAt must not be in the future`), email: row.email.email };
  const hash = await sha256Hex(row.consentText!);
  return { line: raw.line, row, consent: { text: row.consentText!, hash, version: `import-${hash.slice(0, 16)}`, givenAt: row.consentAt!, source: row.source! } };
}

/** What the row makes of the lead (or of a new one), and the write that does it; null when nothing changes. */
function plan(c: Checked, cur: ImportedLeadState | null, ctx: ImportContext): { write: ImportWrite | null; optin?: OptinNote } {
  const { row, consent } = c;
  const confirmed = cur?.status === 'confirmed';
  const profile = {} as ImportedLeadState['profile'];
  for (const k of PROFILE_KEYS) {
    const given = (row[k] as string | undefined) ?? null;
    // A confirmed lead keeps what the person confirmed; the import fills only the gaps.
    profile[k] = !cur ? given : confirmed ? (cur.profile[k] ?? given) : (given ?? cur.profile[k]);
  }
  const status = consent && !ctx.sendOptin ? 'confirmed' : (cur?.status ?? 'pending');
  const record = consent !== null && !cur?.consents.has(consentKey(consent.hash, consent.givenAt, consent.source));
  const next: ImportWrite['next'] = {
    id: cur?.id ?? newLeadId(),
    status,
    email: cur && confirmed ? cur.email : row.email.email,
    lang: (cur && confirmed ? cur.lang : (row.lang ?? cur?.lang ?? ctx.magnet?.lang ?? 'en')) as Lang,
    marketing: consent !== null || (cur?.marketing ?? false),
    basis: !cur ? row.basis : cur.basis === 'legitimate_interest' && consent ? 'consent' : cur.basis,
    origin: cur ? cur.origin : (row.source ?? null),
    profile,
    updatedAt: ctx.now,
    confirmedAt: cur?.confirmedAt ?? (status === 'confirmed' ? ctx.now : null),
  };
  let optin: OptinNote | undefined;
  if (ctx.sendOptin) {
    optin = !consent ? 'never_for_legitimate_interest' : status === 'confirmed' ? 'already_confirmed' : record ? 'queued' : 'already_sent';
  }
  const same = cur && !record && status === cur.status && next.email === cur.email && next.lang === cur.lang
    && next.marketing === cur.marketing && next.basis === cur.basis && PROFILE_KEYS.every((k) => profile[k] === cur.profile[k]);
  if (same) return { write: null, optin };
  return {
    optin,
    write: {
      siteId: ctx.siteId, emailKey: row.email.key, before: cur ? { status: cur.status, updatedAt: cur.updatedAt } : null, next,
      now: ctx.now, actor: ctx.actor,
      consent: consent ? { ...consent, record, confirms: status === 'confirmed' && !confirmed } : null,
      mail: null,
    },
  };
}

/** Rows written per D1 batch: each row's statements stay guarded on their own, the round trips are shared. */
const WRITE_PAGE = 50;

export async function importLeads(db: D1Database, rows: readonly RawRow[], ctx: ImportContext): Promise<ImportOutcome> {
  const checked = await Promise.all(rows.map((r) => check(r, ctx.now)));
  const valid = checked.filter((c): c is Checked => 'row' in c);
  const states = await importedLeadStates(db, ctx.siteId, valid.map((c) => c.row.email.key));
  const report: ImportRowReport[] = [];
  const mails: ImportOutcome['mails'] = [];
  const changed = new Set<string>();
  let page: { at: number; write: ImportWrite; token: string | null; created: boolean }[] = [];

  const flush = async () => {
    if (!page.length) return;
    const statements = page.map((p) => importStatements(db, p.write));
    const results = await db.batch(statements.flat());
    let offset = 0;
    for (const [i, p] of page.entries()) {
      const r = report[p.at]!;
      if (results[offset]!.meta.changes === 1) {
        if (p.write.mail && p.token) mails.push({ outboxId: p.write.mail.outboxId, token: p.token });
        changed.add(p.write.next.id);
        Object.assign(r, { lead: p.write.next.id, result: p.created ? 'created' : 'merged' });
      } else {
        // Lost a race with another write of this lead: nothing of this row was stored.
        Object.assign(r, { result: 'refused', status: 409, reason: 'the lead changed while the file was imported; import this row again' });
        delete r.optin;
      }
      offset += statements[i]!.length;
    }
    page = [];
  };

  for (const c of checked) {
    if (!('row' in c)) {
      report.push(c);
      continue;
    }
    const email = c.row.email.email;
    const cur = states.get(c.row.email.key) ?? null;
    if (cur?.status === 'withdrawn') {
      report.push({ line: c.line, email, lead: cur.id, result: 'refused', status: 409,
        reason: 'the person withdrew consent; an import cannot undo that (only a new sign-up of their own can)' });
      continue;
    }
    const { write, optin } = plan(c, cur, ctx);
    const shown: ImportRowReport = { line: c.line, email, result: 'unchanged', ...(optin ? { optin } : {}) };
    if (!write) {
      report.push({ ...shown, lead: cur!.id });
      continue;
    }
    let token: string | null = null;
    if (optin === 'queued' && ctx.magnet) {
      const t = await newOptinToken();
      token = t.token;
      write.mail = {
        tokenHash: t.hash, expiresAt: ctx.now + ctx.tokenTtlMs, outboxId: newOutboxId(), magnetId: ctx.magnet.id,
        consentVersion: ctx.magnet.consent.version, coupled: ctx.magnet.coupled, linkBase: ctx.linkBase, leaseUntil: ctx.now + SEND_LEASE_MS,
      };
    }
    // The result is known once the page is written; later rows of the same address build on this one.
    page.push({ at: report.push(shown) - 1, write, token, created: !cur });
    const consents = new Set(cur?.consents ?? []);
    if (write.consent) consents.add(consentKey(write.consent.hash, write.consent.givenAt, write.consent.source));
    states.set(c.row.email.key, { ...write.next, withdrawnAt: null, consents });
    if (page.length >= WRITE_PAGE) await flush();
  }
  await flush();
  return { report, mails, changed: [...changed] };
}
