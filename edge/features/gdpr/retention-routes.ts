import { Hono } from 'hono';
import { getRetention, putRetention } from './retention-store';
import { getSite } from '../sites';
import type { AppEnv } from '../../platform/env';
import { requireAdminToken } from '../../platform/admin-guard';
import { readJson } from '../../http/body';
import { notFound } from '../../http/problem';
import { erasureSecret } from '../../core/erasure-hash';
import { effectiveRetention, RETENTION_DEFAULTS, RETENTION_LIMITS, runRetention } from './retention';
import { siteId as siteIdSchema } from '../../core/schemas/events';
import { retentionBody, retentionRunQuery } from './retention-schemas';
import { validate } from '../../http/validate';

const BODY = { maxBytes: 4096, mediaTypes: ['application/json'] } as const;

async function retentionView(db: D1Database, siteId: string) {
  const { overrides, updatedAt, lastRunAt } = await getRetention(db, siteId);
  return { site: siteId, retention: effectiveRetention(overrides), overrides, defaults: RETENTION_DEFAULTS, limits: RETENTION_LIMITS, updatedAt, lastRunAt };
}

async function siteParam(db: D1Database, raw: string): Promise<string> {
  const id = validate(siteIdSchema, raw, 'site id');
  if (!(await getSite(db, id))) throw notFound(`No site with id "${id}".`);
  return id;
}

/**
 * Retention settings per site (admin token), and a manual run of what the
 * cron does every few minutes:
 * - GET  /admin/sites/:site/retention  effective settings, overrides, defaults, limits;
 * - PUT  /admin/sites/:site/retention  { pendingDays?, withdrawnDays?, eventMonths?, ledgerYears? } (null: default);
 * - POST /admin/retention/run?budget_ms=N
 */
export const retentionRoutes = new Hono<AppEnv>()
  .use('/admin/sites/:site/retention', requireAdminToken)
  .use('/admin/retention/*', requireAdminToken)
  .get('/admin/sites/:site/retention', async (c) => c.json(await retentionView(c.env.DB, await siteParam(c.env.DB, c.req.param('site')))))
  .put('/admin/sites/:site/retention', async (c) => {
    const site = await siteParam(c.env.DB, c.req.param('site'));
    const patch = validate(retentionBody, await readJson(c.req.raw, BODY));
    await putRetention(c.env.DB, site, patch, Date.now());
    return c.json(await retentionView(c.env.DB, site));
  })
  .post('/admin/retention/run', async (c) => {
    const q = validate(retentionRunQuery, c.req.query(), 'query');
    const report = await runRetention(c.env.DB, Date.now(), { secret: erasureSecret(c.env.SIGNING_KEY), budgetMs: q.budget_ms });
    return c.json({ report });
  });
