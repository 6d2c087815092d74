import type { Env } from '../../platform/env';
import { SEND_LEASE_MS, nextAttemptAt } from '../../core/mail/backoff';
import { renderNurtureMail } from '../../core/mail/nurture-mail';
import { MailError } from '../../core/mail/types';
import { templateFor, type Sequence } from '../../core/nurture/sequence';
import { signClick } from '../../core/signing';
import { claimDueMails, markCancelledStatement, markFailedStatement, markSentStatement, retrySettings, unsubscribeUrl } from '../mail';
import { getNurtureMailRows, lastMagnetTitles, titleOfMagnet, type NurtureMailRow } from './delivery-store';
import { leadsForNurture, type LeadNurtureRow } from './enrollments-store';
import { sequenceVersion } from './sequences-store';

/**
 * Sending nurture mails from the durable outbox: planned by the cron (one
 * row per step and lead), sent right after in the same run and retried with
 * the confirmation mail's backoff. Consent is checked again here, right
 * before the mail goes out: a lead that unsubscribed, withdrew or bounced
 * between planning and sending gets nothing.
 */

/** Mails claimed per call; the cron calls again while its budget lasts. */
const BATCH = 50;

/** How long a click on a link in a nurture mail is counted (the link itself keeps working). */
export const CLICK_TTL_DAYS = 90;

export interface NurtureMailReport {
  sent: number;
  retry: number;
  dead: number;
  cancelled: number;
}

type Settings = ReturnType<typeof retrySettings>;

/** The click link of one URL of one mail: /v1/m/c with the target's and the click's signatures. */
export async function clickUrl(secret: string, base: string, mail: string, link: number, target: string, now: number): Promise<string> {
  const expires = Math.floor(now / 1000) + CLICK_TTL_DAYS * 86_400;
  const sig = await signClick(secret, { mail, link, target, expires });
  const url = new URL('/v1/m/c', base);
  url.searchParams.set('m', mail);
  url.searchParams.set('i', String(link));
  url.searchParams.set('e', String(expires));
  url.searchParams.set('u', target);
  url.searchParams.set('us', sig.target);
  url.searchParams.set('s', sig.click);
  return url.href;
}

/**
 * Renders one step's mail for a lead. Used by delivery and by the preview,
 * so what marketing previews is what the lead gets.
 */
export async function renderStepMail(
  seq: Sequence,
  stepId: string,
  p: { lang: 'en' | 'de'; siteName: string; firstName: string | null; company: string | null; magnetTitle: string | null; secret: string; base: string; mailId: string; siteId: string; leadId: string; now: number },
  mode: 'send' | 'preview' = 'send',
) {
  const step = seq.steps.find((s) => s.id === stepId);
  if (!step || step.type !== 'send') return null;
  const copy = templateFor(seq.templates[step.template]!, p.lang);
  const vars = { firstName: p.firstName, company: p.company, magnetTitle: p.magnetTitle, siteName: p.siteName };
  // A preview links to the targets themselves and to no working unsubscribe link: clicking around in it records and withdraws nothing.
  const unsubscribe = mode === 'preview'
    ? new URL(`/v1/optin/unsubscribe?preview=${encodeURIComponent(p.leadId)}`, p.base).href
    : await unsubscribeUrl(p.secret, p.base, { siteId: p.siteId, leadId: p.leadId, lang: p.lang }); // the page speaks the lead's language, also under a fallback mail
  const input = { lang: copy.lang, siteName: p.siteName, subject: copy.subject, body: copy.body, vars, unsubscribeUrl: unsubscribe };
  // The links are known only after parsing: a first pass lists them, the second uses their signed forms.
  const plain = renderNurtureMail({ ...input, link: (u) => u });
  if (mode === 'preview') return plain;
  const { links } = plain;
  const signed = await Promise.all(links.map((u, i) => clickUrl(p.secret, p.base, p.mailId, i, u, p.now)));
  return renderNurtureMail({ ...input, link: (_u, i) => signed[i]! });
}

/** Mails sent at once: a Worker keeps at most six connections open, and a mail API answers in tens to hundreds of ms. */
const CONCURRENCY = 6;

/** What one send needs, read for the whole batch before any mail goes out. */
interface Prepared {
  job: NurtureMailRow;
  lead: LeadNurtureRow;
  seq: Sequence;
  magnetTitle: string | null;
}

/**
 * Reads what a batch of claimed mails needs in a few queries (the rows, then
 * per site its leads and magnet titles, per sequence version its document)
 * and cancels, in one batch, those whose lead may no longer be mailed.
 */
async function prepare(db: D1Database, ids: readonly string[], now: number): Promise<{ ready: Prepared[]; cancelled: number }> {
  const jobs = (await getNurtureMailRows(db, ids)).filter((j) => j.status === 'pending');
  const bySite = new Map<string, NurtureMailRow[]>();
  for (const j of jobs) bySite.set(j.siteId, [...(bySite.get(j.siteId) ?? []), j]);
  const sequences = new Map<string, Promise<Sequence | null>>();
  const fallbacks = new Map<string, Promise<string | null>>();
  const ready: Prepared[] = [];
  const cancel: D1PreparedStatement[] = [];
  for (const [siteId, list] of bySite) {
    const leadIds = list.map((j) => j.leadId);
    const [leads, titles] = await Promise.all([leadsForNurture(db, siteId, leadIds), lastMagnetTitles(db, siteId, leadIds)]);
    for (const job of list) {
      const lead = leads.get(job.leadId);
      const mailable = lead && lead.status === 'confirmed' && lead.marketing === 1 && lead.basis !== 'legitimate_interest' && !lead.mailSuppressed;
      const key = `${siteId}\u0000${job.sequenceId}\u0000${job.version}`;
      if (mailable && job.enrollmentState !== 'exited' && !sequences.has(key)) sequences.set(key, sequenceVersion(db, siteId, job.sequenceId, job.version));
      const seq = mailable && job.enrollmentState !== 'exited' ? await sequences.get(key)! : null;
      if (!lead || !seq) {
        cancel.push(markCancelledStatement(db, job.id, now));
        continue;
      }
      let magnetTitle = titles.get(job.leadId) ?? null;
      if (magnetTitle === null && seq.trigger.on === 'download') {
        const fk = `${siteId}\u0000${seq.trigger.magnet}`;
        if (!fallbacks.has(fk)) fallbacks.set(fk, titleOfMagnet(db, siteId, seq.trigger.magnet));
        magnetTitle = await fallbacks.get(fk)!;
      }
      ready.push({ job, lead, seq, magnetTitle });
    }
  }
  if (cancel.length) await db.batch(cancel);
  return { ready, cancelled: cancel.length + (ids.length - jobs.length) };
}

/** Renders and sends one mail; the outcome is a statement for the caller's batch. */
async function deliver(db: D1Database, p: Prepared, settings: Settings, now: number): Promise<{ outcome: keyof NurtureMailReport; write: D1PreparedStatement }> {
  const { job, lead, seq } = p;
  const attempts = job.attempts + 1;
  try {
    if (settings.unavailable) throw new MailError(settings.unavailable);
    const mail = await renderStepMail(seq, job.stepId, {
      lang: lead.lang === 'de' ? 'de' : 'en', siteName: job.siteName, firstName: lead.profile.firstName ?? null, company: lead.profile.company ?? null,
      magnetTitle: p.magnetTitle, secret: settings.secret, base: settings.linkBase ?? job.linkBase, mailId: job.id, siteId: job.siteId, leadId: job.leadId, now,
    });
    if (!mail) throw new MailError(`step ${job.stepId} of sequence ${job.sequenceId} v${job.version} sends no mail`, true);
    const { id: providerId } = await settings.mailer.send({
      to: lead.email, from: settings.from, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers, idempotencyKey: job.id,
    });
    return { outcome: 'sent', write: markSentStatement(db, job.id, providerId, attempts, now) };
  } catch (err) {
    const permanent = err instanceof MailError && err.permanent;
    const next = permanent ? null : nextAttemptAt(attempts, now);
    const message = err instanceof Error ? err.message : String(err);
    console.warn('nurture mail failed', job.id, `attempt ${attempts}`, message);
    return { outcome: next === null ? 'dead' : 'retry', write: markFailedStatement(db, job.id, attempts, next, message, now) };
  }
}

/**
 * Sends due nurture mails (those just planned, and retries), a few at a
 * time; each group's outcomes are written in one batch as soon as the group
 * is done, so a run that stops loses at most one group's record (those
 * mails are sent again after the lease, never lost).
 */
export async function sendNurtureMails(env: Env, now: number, only?: readonly string[], limit = BATCH): Promise<NurtureMailReport> {
  const report: NurtureMailReport = { sent: 0, retry: 0, dead: 0, cancelled: 0 };
  const db = env.DB;
  const ids = await claimDueMails(db, now, now + SEND_LEASE_MS, limit, only, ['nurture']);
  if (!ids.length) return report;
  const settings = retrySettings(env);
  const { ready, cancelled } = await prepare(db, ids, now);
  report.cancelled += cancelled;
  for (let i = 0; i < ready.length; i += CONCURRENCY) {
    const done = await Promise.all(ready.slice(i, i + CONCURRENCY).map((p) => deliver(db, p, settings, now)));
    await db.batch(done.map((d) => d.write));
    for (const d of done) report[d.outcome]++;
  }
  console.log('nurture mails', JSON.stringify(report));
  return report;
}
