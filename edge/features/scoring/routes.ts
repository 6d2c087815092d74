import { Hono } from 'hono';
import { getStoredModel, rescoreStatus, saveModel } from './store';
import { getSite, requireApiKey, type KeyedEnv } from '../sites';
import { readJson } from '../../http/body';
import { notFound } from '../../http/problem';
import { DEFAULT_MODEL, parseModel } from '../../core/scoring';
import { modelAt } from './lead-scoring';
import { runRescoring } from './maintenance';
import { scoreView } from './score-view';
import { cleanJson } from '../../core/text';
import { validate } from '../../http/validate';
import { afterResponse } from '../../platform/after-response';
import { deliverFreshWebhooks } from '../webhook-delivery';

const MODEL_BODY = { maxBytes: 64 * 1024, mediaTypes: ['application/json'] } as const;

/**
 * Scoring API (marketing API keys): the site's model, and a lead's score
 * with its explanation and stage history.
 */
export const scoringRoutes = new Hono<KeyedEnv>()
  .get('/v1/scoring-model', requireApiKey('leads:read', 'config:write'), async (c) => {
    const siteId = c.get('apiKey').siteId;
    const site = (await getSite(c.env.DB, siteId))!;
    const stored = site.scoringModelVersion > DEFAULT_MODEL.version ? await getStoredModel(c.env.DB, siteId, site.scoringModelVersion) : null;
    return c.json({
      version: site.scoringModelVersion,
      builtIn: stored === null,
      model: await modelAt(c.env.DB, siteId, site.scoringModelVersion),
      savedAt: stored?.createdAt ?? null,
      rescoring: await rescoreStatus(c.env.DB, siteId, site.scoringModelVersion),
    });
  })
  /**
   * Saves a new model version (validated first; an invalid model changes
   * nothing) and starts rescoring every lead in the background. Ingestion
   * goes on; leads not yet rescored keep their old score until their turn.
   */
  .put('/v1/scoring-model', requireApiKey('config:write'), async (c) => {
    const siteId = c.get('apiKey').siteId;
    const model = parseModel(validate(cleanJson, await readJson(c.req.raw, MODEL_BODY)));
    const site = (await getSite(c.env.DB, siteId))!;
    const version = site.scoringModelVersion + 1;
    const now = Date.now();
    await saveModel(c.env.DB, siteId, version, JSON.stringify({ ...model, version }), now);
    afterResponse(c, 'rescoring', async (env) => {
      // Stage changes the new model causes go out when this background run is done with them.
      if ((await runRescoring(env.DB, { budgetMs: 25_000 })).enqueuedWebhooks) await deliverFreshWebhooks(env);
    });
    return c.json({ version, model: { ...model, version }, rescoring: await rescoreStatus(c.env.DB, siteId, version) }, 200);
  })
  .get('/v1/leads/:id/score', requireApiKey('leads:read'), async (c) => {
    const leadId = c.req.param('id');
    const view = await scoreView(c.env.DB, c.get('apiKey').siteId, leadId, Date.now());
    if (!view) throw notFound(`No lead "${leadId}".`);
    return c.json(view);
  });
