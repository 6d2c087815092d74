import { Hono, type Context } from 'hono';
import { PROBLEM_TYPES } from '../../../protocol';
import { confirmOptin, getLead, withdrawLead, withdrawMarketing } from './store';
import { getSite } from '../sites';
import type { AppEnv } from '../../platform/env';
import { readForm } from '../../http/body';
import { evidence } from '../../platform/request';
import { ProblemError, conflict, notFound } from '../../http/problem';
import { randomToken } from '../../core/crypto';
import { hashOptinToken } from '../../core/optin-token';
import { readOptinToken } from './optin-token-store';
import { checkUnsubscribe, checkWithdraw, signDownload } from '../../core/signing';
import { pageLang } from '../../http/page-layout';
import { confirmedPage, confirmPage, unsubscribedPage, unsubscribePage, withdrawnPage, withdrawPage, type SiteRef } from './optin-pages';
import { orErrorPage, siteRef, withPage } from './link-pages';
import { sendPage, wantsJson, wantsPage } from '../../http/page-response';
import { onLeadChanged } from '../scoring';
import { downloadTtlMs, signingKey } from '../mail';
import { siteId as siteIdSchema } from '../../core/schemas/events';
import { tokenParam } from './schemas';
import { validate } from '../../http/validate';
import { afterResponse } from '../../platform/after-response';
import { deliverFreshWebhooks } from '../webhook-delivery';

const FORM_BYTES = 4096;

const gone = (detail: string) => new ProblemError(410, PROBLEM_TYPES.notFound, 'Link expired', detail);
const used = () => conflict('This confirmation link has already been used.');
const expired = () => gone('This confirmation link has expired; request the download again.');
const voided = () => withPage(gone('This confirmation link is no longer valid: consent was withdrawn.'), 'withdrawn');
const unknownToken = () => notFound('This confirmation link is not valid.');
/** Why a confirmation token cannot confirm, as the problem both the page and the POST answer. */
const refusalOf = { unknown: unknownToken, void: voided, used, expired } as const;

/** The signed download link of a confirmation made at `confirmedAt`: the same link each time it is made. */
async function downloadLink(c: Context<AppEnv>, confirmedAt: number, grant: { site: string; magnet: string; lead: string }): Promise<string> {
  const expires = Math.floor((confirmedAt + downloadTtlMs(c.env)) / 1000);
  const next = new URL('/v1/download', new URL(c.req.url).origin);
  next.searchParams.set('s', grant.site);
  next.searchParams.set('m', grant.magnet);
  next.searchParams.set('l', grant.lead);
  next.searchParams.set('e', String(expires));
  next.searchParams.set('sig', await signDownload(signingKey(c.env), { ...grant, expires }));
  return next.href;
}

/**
 * GET  /v1/optin/confirm?t=…  a page; it confirms nothing by itself. Once
 *                             confirmed, and while the download link made
 *                             then is valid, the success state with that link.
 * POST /v1/optin/confirm      (form field t) confirms: JSON { next } for the
 *                             script, the success page (which starts the
 *                             download) for the no-script form, else 303 to
 *                             the signed download link.
 */
export const optinRoutes = new Hono<AppEnv>()
  .get('/v1/optin/confirm', (c) =>
    orErrorPage(c, async ({ lang, site, leadLang }) => {
      const token = validate(tokenParam, c.req.query('t') ?? '', 'confirmation link');
      const found = await readOptinToken(c.env.DB, await hashOptinToken(token), Date.now(), downloadTtlMs(c.env));
      if (found.state === 'unknown') throw unknownToken();
      const ref = siteRef(found.siteName, found.origins, found.pageUrl);
      site(ref);
      leadLang(found.lang);
      const l = lang();
      if (found.state === 'void' || found.state === 'used' || found.state === 'expired') throw refusalOf[found.state]();
      if (found.state === 'confirmed') {
        const link = await downloadLink(c, found.usedAt!, { site: found.siteId, magnet: found.magnetId, lead: found.leadId });
        return sendPage(c, confirmedPage(l, link, randomToken(16), ref));
      }
      return sendPage(c, confirmPage(l, token, randomToken(16), ref));
    }))
  .post('/v1/optin/confirm', (c) =>
    orErrorPage(c, async () => {
      const secret = signingKey(c.env);
      const form = await readForm(c.req.raw, { maxBytes: FORM_BYTES });
      const token = validate(tokenParam, form.get('t') ?? '', 'confirmation code');
      const url = new URL(c.req.url);
      const now = Date.now();
      const result = await confirmOptin(c.env.DB, await hashOptinToken(token), {
        now,
        evidence: await evidence(c, secret),
        url: url.origin + url.pathname,
        path: url.pathname,
      });
      if (result.outcome !== 'confirmed') throw refusalOf[result.outcome]();
      const scored = await onLeadChanged(c.env.DB, result.siteId, result.leadId, { linkVisitor: true, now });
      if (scored.enqueuedWebhooks) afterResponse(c, 'webhook delivery', deliverFreshWebhooks); // lead.confirmed
      const next = await downloadLink(c, now, { site: result.siteId, magnet: result.magnetId, lead: result.leadId });
      c.header('Cache-Control', 'no-store');
      c.header('Referrer-Policy', 'no-referrer');
      if (wantsJson(c)) return c.json({ status: 'confirmed', next });
      if (wantsPage(c)) {
        // The no-script form: show the success state, and start the download from it.
        const owner = await getSite(c.env.DB, result.siteId);
        const page = confirmedPage(pageLang(form.get('lang') ?? undefined, result.lang, c.req.header('accept-language')), next, randomToken(16),
          owner ? siteRef(owner.name, owner.origins) : null, true);
        return sendPage(c, page);
      }
      return c.redirect(next, 303);
    }))
  /**
   * GET  /v1/optin/withdraw?s&l&sig  a page whose button withdraws (POST).
   * POST /v1/optin/withdraw?s&l&sig  withdraws: JSON for the script, a page
   *      for the button, and RFC 8058 one-click from mail clients.
   */
  .get('/v1/optin/withdraw', (c) =>
    orErrorPage(c, async ({ lang, site, leadLang }) => {
      const target = await withdrawTarget(c, leadLang);
      site(target.site);
      const query = { s: target.siteId, l: target.leadId, sig: c.req.query('sig') ?? '', lang: lang() };
      return sendPage(c, withdrawPage(lang(), `/v1/optin/withdraw?${new URLSearchParams(query)}`, randomToken(16), target.site));
    }))
  .post('/v1/optin/withdraw', (c) =>
    orErrorPage(c, async ({ lang, site, leadLang }) => {
      const secret = signingKey(c.env);
      // The body is read (and may be refused) before anything changes.
      const form = await readForm(c.req.raw, { maxBytes: FORM_BYTES });
      const target = await withdrawTarget(c, leadLang);
      site(target.site);
      const url = new URL(c.req.url);
      const ok = await withdrawLead(c.env.DB, target.siteId, target.leadId, {
        now: Date.now(),
        evidence: await evidence(c, secret),
        url: url.origin + url.pathname,
        path: url.pathname,
      });
      if (!ok) throw withPage(notFound('There is no such lead; there is nothing to withdraw.'), 'nothingToWithdraw');
      // Scoring sees the withdrawal once; a repeated click processes nothing.
      if (target.status !== 'withdrawn' && (await onLeadChanged(c.env.DB, target.siteId, target.leadId)).enqueuedWebhooks) {
        afterResponse(c, 'webhook delivery', deliverFreshWebhooks); // lead.withdrawn
      }
      c.header('Cache-Control', 'no-store');
      if (wantsJson(c) || form.get('List-Unsubscribe') === 'One-Click') return c.json({ status: 'withdrawn' });
      return sendPage(c, withdrawnPage(lang(), randomToken(16), target.site));
    }))
  /**
   * GET  /v1/optin/unsubscribe?s&l&sig  a page whose button unsubscribes (POST); already unsubscribed: says so.
   * POST /v1/optin/unsubscribe?s&l&sig  withdraws the marketing consent (nurture mails' link and RFC 8058
   *      one-click): every sequence stops at once, the download consent stays.
   */
  .get('/v1/optin/unsubscribe', (c) =>
    orErrorPage(c, async ({ lang, site, leadLang }) => {
      const target = await signedTarget(c, leadLang, 'unsubscribe');
      site(target.site);
      if (!target.marketing) return sendPage(c, unsubscribedPage(lang(), randomToken(16), target.site));
      const query = { s: target.siteId, l: target.leadId, sig: c.req.query('sig') ?? '', lang: lang() };
      return sendPage(c, unsubscribePage(lang(), `/v1/optin/unsubscribe?${new URLSearchParams(query)}`, randomToken(16), target.site));
    }))
  .post('/v1/optin/unsubscribe', (c) =>
    orErrorPage(c, async ({ lang, site, leadLang }) => {
      const secret = signingKey(c.env);
      const form = await readForm(c.req.raw, { maxBytes: FORM_BYTES });
      const target = await signedTarget(c, leadLang, 'unsubscribe');
      site(target.site);
      const url = new URL(c.req.url);
      const changed = await withdrawMarketing(c.env.DB, target.siteId, target.leadId, {
        now: Date.now(), evidence: await evidence(c, secret), pageUrl: url.origin + url.pathname,
      });
      if (changed === null) throw withPage(notFound('There is no such lead; there is nothing to unsubscribe.'), 'nothingToWithdraw');
      c.header('Cache-Control', 'no-store');
      if (wantsJson(c) || form.get('List-Unsubscribe') === 'One-Click') return c.json({ status: 'unsubscribed' });
      return sendPage(c, unsubscribedPage(lang(), randomToken(16), target.site));
    }));

/** Site and lead of a withdraw link, after its signature checked out. */
const withdrawTarget = (c: Context<AppEnv>, leadLang: (l: string | null) => void) => signedTarget(c, leadLang, 'withdraw');

/** Site and lead of a signed withdraw or unsubscribe link (s, l, sig), after its signature checked out. */
async function signedTarget(
  c: Context<AppEnv>,
  leadLang: (l: string | null) => void,
  kind: 'withdraw' | 'unsubscribe',
): Promise<{ siteId: string; leadId: string; status: string; marketing: boolean; site: SiteRef | null }> {
  const secret = signingKey(c.env);
  const siteId = validate(siteIdSchema, c.req.query('s') ?? '', `${kind} link (s)`);
  const leadId = c.req.query('l') ?? '';
  const sig = c.req.query('sig') ?? '';
  const check = kind === 'withdraw' ? checkWithdraw : checkUnsubscribe;
  if (!/^ld_[A-Za-z0-9_-]{16}$/.test(leadId) || !(await check(secret, siteId, leadId, sig))) {
    throw new ProblemError(403, PROBLEM_TYPES.forbidden, 'Invalid link', `This ${kind} link is not valid (its signature does not match).`);
  }
  const [found, site] = await Promise.all([getLead(c.env.DB, siteId, leadId), getSite(c.env.DB, siteId)]);
  if (!found) throw withPage(notFound(`There is no such lead; there is nothing to ${kind}.`), 'nothingToWithdraw');
  leadLang(found.lang);
  return { siteId, leadId, status: found.status, marketing: found.marketing, site: site ? siteRef(site.name, site.origins) : null };
}
