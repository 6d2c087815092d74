import { Hono, type Context } from 'hono';
import { PROBLEM_TYPES } from '../../protocol';
import { confirmOptin, getLead, withdrawLead } from '../db/leads';
import type { AppEnv } from '../env';
import { evidence } from '../http/client';
import { readBytes } from '../http/bytes';
import { ProblemError, conflict, notFound } from '../http/problem';
import { randomToken } from '../lib/crypto';
import { hashOptinToken } from '../lib/optin-token';
import { checkWithdraw, signDownload } from '../lib/signing';
import { langOf } from '../pages/layout';
import { confirmPage, withdrawnPage, withdrawPage } from '../pages/optin';
import type { Page } from '../pages/layout';
import { onLeadChanged } from '../services/lead-scoring';
import { downloadTtlMs, signingKey } from '../services/settings';
import { siteId as siteIdSchema } from '../validation/collect';
import { tokenParam } from '../validation/leads';
import { validate } from '../validation/validate';

const FORM_BYTES = 4096;

/** Pages carry a token in their URL: never cached, never sent on as a referrer, never indexed. */
function sendPage(c: Context, page: Page, status = 200): Response {
  c.header('Content-Security-Policy', page.csp);
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Robots-Tag', 'noindex, nofollow');
  c.header('X-Content-Type-Options', 'nosniff');
  return c.html(page.html, status as 200);
}

/** Form fields of a POST (urlencoded or multipart), bounded. */
async function formFields(c: Context): Promise<URLSearchParams> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    return new URLSearchParams(new TextDecoder().decode(await readBytes(c.req.raw, FORM_BYTES)));
  }
  if (type === 'multipart/form-data') {
    const out = new URLSearchParams();
    for (const [k, v] of await c.req.formData()) if (typeof v === 'string') out.append(k, v);
    return out;
  }
  return new URLSearchParams();
}

const wantsJson = (c: Context) => (c.req.header('accept') ?? '').includes('application/json');

const gone = (detail: string) => new ProblemError(410, PROBLEM_TYPES.notFound, 'Link expired', detail);

/**
 * GET  /v1/optin/confirm?t=…  a page; it confirms nothing by itself.
 * POST /v1/optin/confirm      (form field t) confirms: 303 to the signed
 *                             download link, or JSON { next } for the script.
 */
export const optinRoutes = new Hono<AppEnv>()
  .get('/v1/optin/confirm', (c) => {
    const token = validate(tokenParam, c.req.query('t') ?? '', 'confirmation link');
    return sendPage(c, confirmPage(langOf(c.req.query('lang')), token, randomToken(16)));
  })
  .post('/v1/optin/confirm', async (c) => {
    const secret = signingKey(c.env);
    const form = await formFields(c);
    const token = validate(tokenParam, form.get('t') ?? '', 'confirmation code');
    const url = new URL(c.req.url);
    const now = Date.now();
    const result = await confirmOptin(c.env.DB, await hashOptinToken(token), {
      now,
      evidence: await evidence(c, secret),
      url: url.origin + url.pathname,
      path: url.pathname,
    });
    switch (result.outcome) {
      case 'unknown':
        throw notFound('This confirmation link is not valid.');
      case 'used':
        throw conflict('This confirmation link has already been used.');
      case 'expired':
        throw gone('This confirmation link has expired; request the download again.');
      case 'void':
        throw gone('This confirmation link is no longer valid: consent was withdrawn.');
    }
    await onLeadChanged(c.env.DB, result.siteId, result.leadId, { linkVisitor: true, now });
    const expires = Math.floor((now + downloadTtlMs(c.env)) / 1000);
    const grant = { site: result.siteId, magnet: result.magnetId, lead: result.leadId, expires };
    const next = new URL('/v1/download', url.origin);
    next.searchParams.set('s', grant.site);
    next.searchParams.set('m', grant.magnet);
    next.searchParams.set('l', grant.lead);
    next.searchParams.set('e', String(grant.expires));
    next.searchParams.set('sig', await signDownload(secret, grant));
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    if (wantsJson(c)) return c.json({ status: 'confirmed', next: next.href });
    return c.redirect(next.href, 303);
  })
  /**
   * GET  /v1/optin/withdraw?s&l&sig  a page that withdraws by script POST.
   * POST /v1/optin/withdraw?s&l&sig  withdraws: JSON for the script, a page
   *      for the button, and RFC 8058 one-click from mail clients.
   */
  .get('/v1/optin/withdraw', async (c) => {
    const { site, lead } = await withdrawTarget(c);
    const lang = langOf(c.req.query('lang'));
    const action = `/v1/optin/withdraw?${new URLSearchParams({ s: site, l: lead, sig: c.req.query('sig') ?? '', lang })}`;
    return sendPage(c, withdrawPage(lang, action, randomToken(16)));
  })
  .post('/v1/optin/withdraw', async (c) => {
    const secret = signingKey(c.env);
    const { site, lead, status } = await withdrawTarget(c);
    const url = new URL(c.req.url);
    const ok = await withdrawLead(c.env.DB, site, lead, {
      now: Date.now(),
      evidence: await evidence(c, secret),
      url: url.origin + url.pathname,
      path: url.pathname,
    });
    if (!ok) throw notFound('There is no such lead; there is nothing to withdraw.');
    // Scoring sees the withdrawal once; a repeated click processes nothing (issue 6).
    if (status !== 'withdrawn') await onLeadChanged(c.env.DB, site, lead);
    c.header('Cache-Control', 'no-store');
    if (wantsJson(c) || (await formFields(c)).get('List-Unsubscribe') === 'One-Click') return c.json({ status: 'withdrawn' });
    return sendPage(c, withdrawnPage(langOf(c.req.query('lang')), randomToken(16)));
  });

/** Site and lead of a withdraw link, after its signature checked out. */
async function withdrawTarget(c: Context<AppEnv>): Promise<{ site: string; lead: string; status: string }> {
  const secret = signingKey(c.env);
  const site = validate(siteIdSchema, c.req.query('s') ?? '', 'withdraw link (s)');
  const lead = c.req.query('l') ?? '';
  const sig = c.req.query('sig') ?? '';
  if (!/^ld_[A-Za-z0-9_-]{16}$/.test(lead) || !(await checkWithdraw(secret, site, lead, sig))) {
    throw new ProblemError(403, PROBLEM_TYPES.forbidden, 'Invalid link', 'This withdraw link is not valid (its signature does not match).');
  }
  const found = await getLead(c.env.DB, site, lead);
  if (!found) throw notFound('There is no such lead; there is nothing to withdraw.');
  return { site, lead, status: found.status };
}
