import { LEAD_FIELDS, LEAD_LIMITS, PROBLEM_TYPES, type FieldError, type LeadField } from '../../../protocol';
import type { Magnet } from '../magnets';
import { findLeadByEmail, newLeadId, newOutboxId, recentMailState, recordSubmission, type LeadProfile } from './store';
import type { Evidence } from '../../core/evidence';
import { ProblemError, conflict, invalid } from '../../http/problem';
import { cleanUrl } from '../../core/event-row';
import { newOptinToken } from '../../core/optin-token';
import { SEND_LEASE_MS } from '../../core/mail/backoff';
import type { ValidSubmission } from './schemas';

/**
 * The rules of a lead submission beyond its shape: the magnet's own fields
 * and consent version, the bot checks and the resend throttle. Then one batch
 * stores it all.
 */

/** A second mail for the same magnet is sent at most this often… */
export const RESEND_INTERVAL_MS = 5 * 60_000;
/** …and at most this many per address and day, across magnets. */
export const MAX_MAILS_PER_DAY = 5;

export type SubmitOutcome =
  /** Looks like a bot (honeypot): answered like a success, nothing stored. */
  | { stored: false }
  /** Stored; `mail` when a confirmation mail is to go out now. */
  | { stored: true; leadId: string; mail: { outboxId: string; token: string } | null };

export interface SubmitContext {
  magnet: Magnet;
  evidence: Evidence;
  linkBase: string;
  tokenTtlMs: number;
  now: number;
  /** Turnstile check, when the magnet uses it; resolves to "passed". */
  turnstile?: (token: string) => Promise<boolean>;
}

/** Field rules of this magnet: required ones present, others not sent at all. */
export function checkFields(body: ValidSubmission, magnet: Magnet): FieldError[] {
  const errors: FieldError[] = [];
  const configured = new Map(magnet.fields.map((f) => [f.name, f.required]));
  for (const name of LEAD_FIELDS) {
    const present = body[name] !== undefined;
    if (present && !configured.has(name)) errors.push({ path: `/${name}`, message: 'is not a field of this form' });
    if (!present && configured.get(name)) errors.push({ path: `/${name}`, message: 'is required' });
  }
  if (body.marketing === true && !magnet.marketing && !magnet.coupled) {
    errors.push({ path: '/marketing', message: 'this form has no marketing checkbox' });
  }
  return errors;
}

export async function submitLead(db: D1Database, body: ValidSubmission, ctx: SubmitContext): Promise<SubmitOutcome> {
  const { magnet, now } = ctx;
  const fieldErrors = checkFields(body, magnet);
  if (fieldErrors.length) throw invalid(`The body is invalid: ${fieldErrors[0]!.path} ${fieldErrors[0]!.message}.`, fieldErrors);
  if (body.consentVersion !== magnet.consent.version) {
    throw conflict(`The consent text has changed (version ${magnet.consent.version}, the form showed ${body.consentVersion}); reload the page and submit again.`);
  }
  // Honeypot: people never see the field. Answer as if all went well so bots learn nothing.
  if (body.hp) return { stored: false };
  if (body.elapsedMs < LEAD_LIMITS.minFillMs) {
    throw invalid('The form was sent faster than a person can fill it in; please submit it again.', [
      { path: '/elapsedMs', message: `must be at least ${LEAD_LIMITS.minFillMs} ms: the form was sent too fast` },
    ]);
  }
  if (ctx.turnstile) {
    if (!body.turnstile) throw invalid('The anti-bot check is missing.', [{ path: '/turnstile', message: 'is required for this form' }]);
    if (!(await ctx.turnstile(body.turnstile))) {
      throw new ProblemError(403, PROBLEM_TYPES.forbidden, 'Anti-bot check failed', 'The anti-bot check failed; please try again.');
    }
  }

  const existing = await findLeadByEmail(db, magnet.siteId, body.email.key);
  let sendMail = true;
  if (existing) {
    const recent = await recentMailState(db, magnet.siteId, existing.id, magnet.id, { magnet: now - RESEND_INTERVAL_MS, day: now - 86_400_000 });
    sendMail = recent.sameMagnet === 0 && recent.lastDay < MAX_MAILS_PER_DAY;
  }

  const profile: LeadProfile = {};
  for (const name of LEAD_FIELDS) if (body[name] !== undefined) profile[name as LeadField] = body[name];
  const page = cleanUrl(body.url);
  const marketingGranted = magnet.coupled ? true : body.marketing === true;
  const marketingRef = magnet.coupled ? magnet.consent : magnet.marketing;
  const token = sendMail ? await newOptinToken() : null;
  const outboxId = newOutboxId();
  const leadId = await recordSubmission(
    db,
    {
      siteId: magnet.siteId,
      magnetId: magnet.id,
      email: body.email.email,
      emailKey: body.email.key,
      profile,
      visitorId: body.vid ?? null,
      lang: body.lang,
      consent: magnet.consent,
      marketing: marketingRef ? { version: marketingRef.version, hash: marketingRef.hash, granted: marketingGranted } : null,
      coupled: magnet.coupled,
      pageUrl: page.url,
      pagePath: page.path,
      evidence: ctx.evidence,
      now,
      mail: token
        ? { tokenHash: token.hash, expiresAt: now + ctx.tokenTtlMs, outboxId, linkBase: ctx.linkBase, leaseUntil: now + SEND_LEASE_MS }
        : null,
    },
    existing?.id ?? newLeadId(),
  );
  return { stored: true, leadId, mail: token ? { outboxId, token: token.token } : null };
}
