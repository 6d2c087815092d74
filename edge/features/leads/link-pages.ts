// Answering a link a person opened (confirm, withdraw, download): a page for a
// browser, problem+json for an API client. Shared by the opt-in and download routes.
import type { Context } from 'hono';
import type { Lang } from '../../../protocol';
import { ProblemError } from '../../http/problem';
import { randomToken } from '../../core/crypto';
import { pageLang } from '../../http/page-layout';
import { sendPage, wantsPage } from '../../http/page-response';
import { linkErrorPage, type LinkError, type SiteRef } from './optin-pages';

/** Which error page a problem shows, where the status alone does not say it. */
const pageErrors = new WeakMap<ProblemError, LinkError>();
export function withPage(problem: ProblemError, error: LinkError): ProblemError {
  pageErrors.set(problem, error);
  return problem;
}

const BY_STATUS: Record<number, LinkError> = { 400: 'invalid', 403: 'invalid', 404: 'invalid', 409: 'confirmUsed', 410: 'confirmExpired' };

/**
 * Runs a handler; a problem it throws becomes an HTML page (same status) for
 * a browser, in the language of the link, the lead or the browser.
 */
export async function orErrorPage(
  c: Context,
  handler: (ctx: { lang: (lead?: string | null) => Lang; site: (s: SiteRef | null) => void; leadLang: (l: string | null) => void }) => Promise<Response>,
): Promise<Response> {
  let site: SiteRef | null = null;
  let leadLang: string | null = null;
  const lang = (lead?: string | null) => pageLang(c.req.query('lang'), lead ?? leadLang, c.req.header('accept-language'));
  try {
    return await handler({ lang, site: (s) => (site = s), leadLang: (l) => (leadLang = l) });
  } catch (err) {
    if (!(err instanceof ProblemError) || !wantsPage(c)) throw err;
    const error = pageErrors.get(err) ?? BY_STATUS[err.status] ?? 'failed';
    for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v);
    return sendPage(c, linkErrorPage(lang(), error, randomToken(16), site), err.status);
  }
}

/** Name and link of a site; the link goes to the page's own origin when the site allows it. */
export function siteRef(name: string | null, origins: string[], pageUrl?: string | null): SiteRef | null {
  if (!name) return null;
  let origin: string | null = null;
  try {
    if (pageUrl) origin = new URL(pageUrl).origin;
  } catch {
    origin = null;
  }
  const url = origin && origins.includes(origin) ? origin : (origins[0] ?? null);
  return { name, url: url ? `${url}/` : null };
}
