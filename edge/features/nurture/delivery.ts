import type { Env } from '../../platform/env';
import { SEND_LEASE_MS, nextAttemptAt } from '../../core/mail/backoff';
import { renderNurtureMail } from '../../core/mail/nurture-mail';
import { MailError } from '../../core/mail/types';
import { templateFor, type Sequence } from '../../core/nurture/sequence';
import { signClick } from '../../core/signing';
import { claimDueMails, markCancelled, markFailed, markSent, retrySettings, unsubscribeUrl } from '../mail';
import { getNurtureMailRow, magnetTitleFor } from './delivery-store';
import { leadsForNurture } from './enrollments-store';
import { sequenceVersion } from './sequences-store';

/**
 * Sending nurture mails from the durable outbox: planned by the cron (one
 * row per step and lead), sent right after in the same run and retried with
 * the confirmation mail's backoff. Consent is checked again here, right
 * before the mail goes out: a lead that unsubscribed, withdrew or bounced
 * between planning and sending gets nothing.
 */

/** Mails per call; the rest wait for the next run. */
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
    : await unsubscribeUrl(p.secret, p.base, { siteId: p.siteId, leadId: p.leadId, lang: copy.lang });
  const input = { lang: copy.lang, siteName: p.siteName, subject: copy.subject, body: copy.body, vars, unsubscribeUrl: unsubscribe };
  // The links are known only after parsing: a first pass lists them, the second uses their signed forms.
  const plain = renderNurtureMail({ ...input, link: (u) => u });
  if (mode === 'preview') return plain;
  const { links } = plain;
  const signed = await Promise.all(links.map((u, i) => clickUrl(p.secret, p.base, p.mailId, i, u, p.now)));
  return renderNurtureMail({ ...input, link: (_u, i) => signed[i]! });
}

async function deliver(env: Env, id: string, settings: Settings, now: number): Promise<keyof NurtureMailReport> {
  const db = env.DB;
  const job = await getNurtureMailRow(db, id);
  if (!job || job.status !== 'pending') return 'cancelled';
  const lead = (await leadsForNurture(db, job.siteId, [job.leadId])).get(job.leadId);
  const mailable = lead && lead.status === 'confirmed' && lead.marketing === 1 && lead.basis !== 'legitimate_interest' && !lead.mailSuppressed;
  const seq = mailable && job.enrollmentState !== 'exited' ? await sequenceVersion(db, job.siteId, job.sequenceId, job.version) : null;
  if (!lead || !mailable || !seq) {
    await markCancelled(db, job.id, now);
    return 'cancelled';
  }
  const attempts = job.attempts + 1;
  try {
    if (settings.unavailable) throw new MailError(settings.unavailable);
    const mail = await renderStepMail(seq, job.stepId, {
      lang: lead.lang === 'de' ? 'de' : 'en', siteName: job.siteName, firstName: lead.profile.firstName ?? null, company: lead.profile.company ?? null,
      magnetTitle: await magnetTitleFor(db, job.siteId, job.leadId, seq.trigger.on === 'download' ? seq.trigger.magnet : null), secret: settings.secret, base: settings.linkBase ?? job.linkBase,
      mailId: job.id, siteId: job.siteId, leadId: job.leadId, now,
    });
    if (!mail) throw new MailError(`step ${job.stepId} of sequence ${job.sequenceId} v${job.version} sends no mail`, true);
    const { id: providerId } = await settings.mailer.send({ to: lead.email, from: settings.from, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers });
    await markSent(db, job.id, providerId, attempts, now);
    return 'sent';
  } catch (err) {
    const permanent = err instanceof MailError && err.permanent;
    const next = permanent ? null : nextAttemptAt(attempts, now);
    const message = err instanceof Error ? err.message : String(err);
    console.warn('nurture mail failed', job.id, `attempt ${attempts}`, message);
    await markFailed(db, job.id, attempts, next, message, now);
    return next === null ? 'dead' : 'retry';
  }
}

/** Sends due nurture mails (those just planned, and retries). */
export async function sendNurtureMails(env: Env, now: number, only?: readonly string[], limit = BATCH): Promise<NurtureMailReport> {
  const report: NurtureMailReport = { sent: 0, retry: 0, dead: 0, cancelled: 0 };
  const ids = await claimDueMails(env.DB, now, now + SEND_LEASE_MS, limit, only, ['nurture']);
  if (!ids.length) return report;
  const settings = retrySettings(env);
  for (const id of ids) report[await deliver(env, id, settings, now)]++;
  console.log('nurture mails', JSON.stringify(report));
  return report;
}
