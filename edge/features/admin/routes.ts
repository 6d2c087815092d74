import { Hono } from 'hono';
import { requireAdminToken } from '../../platform/admin-guard';
import { createApiKey, listApiKeys, revokeApiKey, addOrigin, createSite, getSite, listSites, removeOrigin } from '../sites';
import { recentEvents } from '../ingest';
import type { AppEnv } from '../../platform/env';
import { readJson } from '../../http/body';
import { conflict, notFound } from '../../http/problem';
import { createKeyBody, createSiteBody, eventsQuery, origin as originSchema, originBody } from './schemas';
import { siteId as siteIdSchema } from '../../core/schemas/events';
import { validate } from '../../http/validate';
import { openRescoreJobs, runRescoring } from '../scoring';
import * as v from 'valibot';
import { afterResponse } from '../../platform/after-response';
import { deliverFreshWebhooks } from '../webhook-delivery';

const rescoreQuery = v.object({
  budget_ms: v.optional(v.pipe(v.string(), v.toNumber('must be a number'), v.integer('must be an integer'), v.minValue(100, 'must be at least 100'), v.maxValue(25_000, 'must be at most 25000')), '20000'),
});

const ADMIN_BODY = { maxBytes: 16 * 1024, mediaTypes: ['application/json'] } as const;


/** Loads the :site path parameter's site or answers 404. */
async function siteFrom(c: { env: AppEnv['Bindings']; req: { param(name: 'site'): string } }) {
  const id = validate(siteIdSchema, c.req.param('site'), 'site id');
  const site = await getSite(c.env.DB, id);
  if (!site) throw notFound(`No site with id "${id}".`);
  return site;
}

/** /admin: sites, origins, API keys and a read-only event tail. For the CLI. */
export const adminRoutes = new Hono<AppEnv>()
  .use('/admin/*', requireAdminToken)
  .get('/admin/sites', async (c) => c.json({ sites: await listSites(c.env.DB) }))
  .post('/admin/sites', async (c) => {
    const body = validate(createSiteBody, await readJson(c.req.raw, ADMIN_BODY));
    const created = await createSite(c.env.DB, { id: body.id, name: body.name ?? body.id, origins: body.origins }, Date.now());
    if (!created) throw conflict(`A site with id "${body.id}" exists already.`);
    return c.json({ site: await getSite(c.env.DB, body.id) }, 201);
  })
  .get('/admin/sites/:site', async (c) => c.json({ site: await siteFrom(c) }))
  .post('/admin/sites/:site/origins', async (c) => {
    const site = await siteFrom(c);
    const { origin } = validate(originBody, await readJson(c.req.raw, ADMIN_BODY));
    const added = await addOrigin(c.env.DB, site.id, origin, Date.now());
    return c.json({ site: await getSite(c.env.DB, site.id), added }, added ? 201 : 200);
  })
  .delete('/admin/sites/:site/origins', async (c) => {
    const site = await siteFrom(c);
    const origin = validate(originSchema, c.req.query('origin') ?? '', 'origin query parameter');
    if (!(await removeOrigin(c.env.DB, site.id, origin, Date.now()))) {
      throw notFound(`Site "${site.id}" does not list origin ${origin}.`);
    }
    return c.json({ site: await getSite(c.env.DB, site.id) });
  })
  .get('/admin/sites/:site/keys', async (c) => {
    const site = await siteFrom(c);
    return c.json({ keys: await listApiKeys(c.env.DB, site.id) });
  })
  .post('/admin/sites/:site/keys', async (c) => {
    const site = await siteFrom(c);
    const body = validate(createKeyBody, await readJson(c.req.raw, ADMIN_BODY));
    const { key, secret } = await createApiKey(c.env.DB, { siteId: site.id, name: body.name, scopes: body.scopes }, Date.now());
    c.header('Cache-Control', 'no-store');
    return c.json({ key, secret }, 201);
  })
  .delete('/admin/sites/:site/keys/:key', async (c) => {
    const site = await siteFrom(c);
    const keyId = c.req.param('key');
    if (!(await revokeApiKey(c.env.DB, site.id, keyId, Date.now()))) {
      throw notFound(`Site "${site.id}" has no live key "${keyId}".`);
    }
    return c.json({ revoked: keyId });
  })
  /** Runs open rescoring jobs now for up to budget_ms (the cron does the same every few minutes). */
  .post('/admin/rescore', async (c) => {
    const q = validate(rescoreQuery, c.req.query(), 'query');
    const { processed, enqueuedWebhooks } = await runRescoring(c.env.DB, { budgetMs: q.budget_ms });
    if (enqueuedWebhooks) afterResponse(c, 'webhook delivery', deliverFreshWebhooks);
    return c.json({ processed, open: await openRescoreJobs(c.env.DB, 100) });
  })
  .get('/admin/sites/:site/events', async (c) => {
    const site = await siteFrom(c);
    const q = validate(eventsQuery, c.req.query(), 'query');
    return c.json({ events: await recentEvents(c.env.DB, site.id, { limit: q.limit, since: q.since }) });
  });
