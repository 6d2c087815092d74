import { Hono } from 'hono';
import { LIMITS, type CollectResult } from '../../../protocol';
import { batchAudience, recordEvents } from './collect';
import { allowOrigin } from '../sites';
import type { AppEnv } from '../../platform/env';
import { readJson } from '../../http/body';
import { forbiddenOrigin, unknownSite } from '../../http/problem';
import { limitClient } from '../../platform/rate-limit';
import { toEventRow } from '../../core/event-row';
import { batchEnvelope, collectBatch } from '../../core/schemas/events';
import { validate } from '../../http/validate';
import { afterResponse } from '../../platform/after-response';
import { deliverFreshWebhooks } from '../webhook-delivery';
import { handOffNow } from '../sales';

/** text/plain lets sendBeacon post without a CORS preflight. */
const MEDIA_TYPES = ['text/plain', 'application/json'] as const;

/**
 * POST /v1/collect: a batch of events from the snippet or the widget.
 *
 * Order matters: cheap checks first (type, size, JSON), then the site and its
 * origin, and only for an allowed origin the full event validation. Nothing is
 * written unless every check passed, and then all rows in one D1 batch,
 * together with the incremental score updates of the leads they belong to.
 */
export const collectRoutes = new Hono<AppEnv>().post('/v1/collect', async (c) => {
  const body = await readJson(c.req.raw, { maxBytes: LIMITS.batchBytes, mediaTypes: MEDIA_TYPES });
  const { site: siteId } = validate(batchEnvelope, body);

  const db = c.env.DB;
  const { site, leads } = await batchAudience(db, siteId, body, c.env.SCORING !== 'off');
  if (!site) throw unknownSite(siteId);
  const origin = c.req.header('origin') ?? '';
  if (!site.origins.includes(origin)) throw forbiddenOrigin(origin);
  allowOrigin(c, origin);

  await limitClient(c, site.id);

  const batch = validate(collectBatch, body);
  const receivedAt = Date.now();
  const country = (c.req.raw.cf?.country as string | undefined) ?? null;
  const rows = batch.events.map((e) => toEventRow(e, { siteId: site.id, receivedAt, country }));
  const { accepted, duplicates, enqueuedWebhooks } = await recordEvents(db, site, leads, rows, receivedAt);
  // A stage change goes to sales right after this answer, not at the next cron: its webhooks, and an owner at the hand-off.
  if (enqueuedWebhooks) {
    afterResponse(c, 'webhook delivery', deliverFreshWebhooks);
    afterResponse(c, 'hand-off', (env) => handOffNow(env, site.id));
  }
  return c.json<CollectResult>({ accepted, duplicates }, 202);
});
