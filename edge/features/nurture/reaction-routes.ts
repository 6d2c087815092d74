import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../../platform/env';
import { PROBLEM_TYPES } from '../../../protocol';
import { ProblemError, notConfigured, unauthorized } from '../../http/problem';
import { readText } from '../../http/body';
import { validate } from '../../http/validate';
import { layout } from '../../http/page-layout';
import { sendPage, wantsPage } from '../../http/page-response';
import { pageLang } from '../../http/page-layout';
import { randomToken } from '../../core/crypto';
import { escapeHtml } from '../../core/mail/escape';
import { normaliseEmail } from '../../core/email-address';
import { checkClick, checkClickTarget } from '../../core/signing';
import { MAX_LINK_LENGTH } from '../../core/nurture/template';
import { checkSignature } from '../../core/webhooks/signature';
import { country } from '../../platform/request';
import { afterResponse } from '../../platform/after-response';
import { signingKey } from '../mail';
import { onLeadChanged } from '../scoring';
import { deliverFreshWebhooks } from '../webhook-delivery';
import { leadsOfMail, recordClick, suppress } from './reactions-store';
import { mailEventBody } from './schemas';

const clickQuery = v.object({
  m: v.pipe(v.string(), v.regex(/^mn_[a-f0-9]{32}$/, 'must be a mail id')),
  i: v.pipe(v.string(), v.regex(/^\d{1,3}$/, 'must be a link number'), v.transform(Number)),
  e: v.pipe(v.string(), v.regex(/^\d{1,12}$/, 'must be epoch seconds'), v.transform(Number)),
  u: v.pipe(v.string(), v.maxLength(MAX_LINK_LENGTH, `must be at most ${MAX_LINK_LENGTH} characters`), v.regex(/^https?:\/\//i, 'must be an http(s) URL')),
  us: v.string(),
  s: v.string(),
});

const DAMAGED = {
  en: { title: 'This link does not work', text: 'The link is incomplete or has been changed. Please open it again from the e-mail.' },
  de: { title: 'Dieser Link funktioniert nicht', text: 'Der Link ist unvollständig oder wurde verändert. Bitte öffnen Sie ihn erneut aus der E-Mail.' },
} as const;

/** Bounce and complaint reports are small; a provider's batch of them is not accepted as one. */
const EVENT_BODY = { maxBytes: 64 * 1024, mediaTypes: ['application/json'] } as const;

/**
 * What comes back from nurture mails: clicks on their links (a redirect
 * that records a `mail_click` event of the lead) and the mail provider's
 * bounce and complaint reports.
 */
export const nurtureReactionRoutes = new Hono<AppEnv>()
  /**
   * GET /v1/m/c: the target's signature decides whether to redirect (a
   * changed target is refused: no open redirect); the click's signature and
   * age decide whether the click is recorded. A damaged or expired click
   * still reaches its target, it just counts for nothing.
   */
  .get('/v1/m/c', async (c) => {
    const secret = signingKey(c.env);
    const raw = c.req.query();
    const parsed = v.safeParse(clickQuery, raw);
    const target = typeof raw.u === 'string' ? raw.u : '';
    const targetOk = parsed.success
      ? await checkClickTarget(secret, parsed.output.u, parsed.output.us)
      : typeof raw.us === 'string' && /^https?:\/\//i.test(target) && target.length <= MAX_LINK_LENGTH && (await checkClickTarget(secret, target, raw.us));
    if (!targetOk) {
      const problem = new ProblemError(400, PROBLEM_TYPES.validation, 'Invalid link', 'This link is incomplete or has been changed.');
      if (!wantsPage(c)) throw problem;
      const lang = pageLang(c.req.query('lang'), null, c.req.header('accept-language'));
      const copy = DAMAGED[lang];
      return sendPage(c, layout({ lang, title: copy.title, body: `<h1>${escapeHtml(copy.title)}</h1>\n<p>${escapeHtml(copy.text)}</p>`, nonce: randomToken(16) }), 400);
    }
    if (parsed.success) {
      const q = parsed.output;
      const now = Date.now();
      const check = await checkClick(secret, { mail: q.m, link: q.i, target: q.u, expires: q.e }, q.s, now);
      if (check === 'ok') {
        const url = new URL(c.req.url);
        const clicked = await recordClick(c.env.DB, { mailId: q.m, link: q.i, target: q.u, url: url.origin + url.pathname, now, country: country(c) });
        // The click is scored now, so an engagement rule on mail_click moves the lead at once.
        if (clicked && (await onLeadChanged(c.env.DB, clicked.siteId, clicked.leadId, { now })).enqueuedWebhooks) {
          afterResponse(c, 'webhook delivery', deliverFreshWebhooks);
        }
      }
    }
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    return c.redirect(target, 302);
  })
  /**
   * POST /v1/mail/events: the mail provider's bounce and complaint reports,
   * signed with Standard Webhooks (MAIL_EVENTS_SECRET). The address is
   * suppressed for nurture mail and leaves every sequence; a bad signature
   * or a replayed old message changes nothing (401).
   */
  .post('/v1/mail/events', async (c) => {
    const secret = c.env.MAIL_EVENTS_SECRET ?? '';
    if (!secret) throw notConfigured('Set the MAIL_EVENTS_SECRET secret (the provider\'s webhook signing secret, whsec_…) to accept bounce reports.');
    const body = await readText(c.req.raw, EVENT_BODY);
    const h = (name: string) => c.req.header(`webhook-${name}`) ?? c.req.header(`svix-${name}`) ?? null;
    let check;
    try {
      check = await checkSignature(secret, { id: h('id'), timestamp: h('timestamp'), signature: h('signature') }, body, Date.now());
    } catch {
      throw notConfigured('MAIL_EVENTS_SECRET is not a valid signing secret (whsec_ followed by base64).');
    }
    if (check === 'missing') throw unauthorized('Send the webhook-id, webhook-timestamp and webhook-signature headers (Standard Webhooks).');
    if (check === 'bad-signature') throw unauthorized('The webhook signature does not match.');
    if (check === 'stale') throw unauthorized('The webhook timestamp is more than 5 minutes away from now: a replayed or delayed message.');
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (e) {
      throw new ProblemError(400, PROBLEM_TYPES.malformed, 'Malformed body', `The body is not valid JSON: ${(e as Error).message}`);
    }
    const report = validate(mailEventBody, json);
    const kind = report.type === 'bounce' || report.type === 'email.bounced' ? 'bounce' : 'complaint';
    const address = report.email ?? report.data?.to?.[0];
    const providerId = report.messageId ?? report.data?.email_id;
    const normal = address ? normaliseEmail(address) : null;
    const emailKey = normal?.ok ? normal.key : null;
    const leads = await leadsOfMail(c.env.DB, providerId ?? null, emailKey);
    const now = Date.now();
    let suppressed = 0;
    for (const t of leads) if (await suppress(c.env.DB, t, kind, now)) suppressed++;
    return c.json({ kind, leads: leads.length, suppressed });
  });
