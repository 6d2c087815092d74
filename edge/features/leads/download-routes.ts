import { Hono } from 'hono';
import { PROBLEM_TYPES } from '../../../protocol';
import { getLead } from './store';
import { streamMagnetFile, getMagnet } from '../magnets';
import { serverEventStatements } from './server-events-store';
import type { AppEnv } from '../../platform/env';
import { country } from '../../platform/request';
import { ProblemError, notFound } from '../../http/problem';
import { checkDownload } from '../../core/signing';
import { onLeadChanged } from '../scoring';
import { signingKey } from '../mail';
import { getSite } from '../sites';
import { orErrorPage, siteRef, withPage } from './link-pages';
import { siteId as siteIdSchema } from '../../core/schemas/events';
import { magnetId as magnetIdSchema } from './schemas';
import { validate } from '../../http/validate';
import { afterResponse } from '../../platform/after-response';
import { deliverFreshWebhooks } from '../webhook-delivery';

const forbidden = (detail: string) => new ProblemError(403, PROBLEM_TYPES.forbidden, 'Invalid download link', detail);
const gone = (detail: string) => new ProblemError(410, PROBLEM_TYPES.notFound, 'Download link expired', detail);
const fileGone = () => withPage(notFound('This file is no longer available.'), 'fileGone');

/** RFC 6266 filename: an ASCII fallback plus the exact name, percent-encoded. */
const disposition = (name: string) => `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;

/**
 * GET /v1/download?s&m&l&e&sig: the gated file. The link is an HMAC over
 * site, magnet, lead and expiry, made at confirmation: valid for 24 h by
 * default, for that lead only. Each GET records a magnet_download event.
 * A browser opening a broken or expired link gets an HTML page instead of problem+json.
 */
export const downloadRoutes = new Hono<AppEnv>().get('/v1/download', (c) => orErrorPage(c, async ({ site: setSite, leadLang }) => {
  const secret = signingKey(c.env);
  const q = c.req.query();
  const site = validate(siteIdSchema, q.s ?? '', 'download link (s)');
  const magnetId = validate(magnetIdSchema, q.m ?? '', 'download link (m)');
  const lead = q.l ?? '';
  const expires = Number(q.e);
  if (!/^ld_[A-Za-z0-9_-]{16}$/.test(lead) || !Number.isSafeInteger(expires)) throw forbidden('This download link is not valid.');
  const check = await checkDownload(secret, { site, magnet: magnetId, lead, expires }, q.sig ?? '', Date.now());
  if (check === 'bad-signature') throw forbidden('This download link is not valid (its signature does not match).');
  const [magnet, person, owner] = await Promise.all([getMagnet(c.env.DB, site, magnetId), getLead(c.env.DB, site, lead), getSite(c.env.DB, site)]);
  // Signed by us: the site and lead are real, so the error page may name them.
  if (owner) setSite(siteRef(owner.name, owner.origins));
  if (person) leadLang(person.lang);
  if (check === 'expired') throw withPage(gone('This download link has expired; request the file again to get a new one.'), 'downloadExpired');
  if (!magnet?.file) throw fileGone();
  if (!person || person.status === 'withdrawn') throw withPage(gone('This download link is no longer valid: consent was withdrawn.'), 'withdrawn');

  if (c.req.method === 'GET') {
    const url = new URL(c.req.url);
    const now = Date.now();
    await c.env.DB.batch(serverEventStatements(
      c.env.DB,
      { siteId: site, kind: 'magnet_download', visitorId: person.visitorId, url: url.origin + url.pathname, path: url.pathname,
        magnetId, target: magnet.file.name, now, country: country(c) },
      { sql: '?', params: [lead] },
    ));
    if ((await onLeadChanged(c.env.DB, site, lead, { now })).enqueuedWebhooks) afterResponse(c, 'webhook delivery', deliverFreshWebhooks);
  }
  const { file } = magnet;
  return new Response(streamMagnetFile(c.env.DB, site, magnetId, file.chunks), {
    headers: {
      'Content-Type': file.type,
      'Content-Length': String(file.size),
      'Content-Disposition': disposition(file.name),
      'Cache-Control': 'private, no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "sandbox; default-src 'none'",
      ETag: `"${file.sha256}"`,
    },
  });
}));
