import { Hono, type Context } from 'hono';
import {
  deleteEndpoint, getEndpoint, getMessage, insertEndpoint, listEndpoints, listMessages, MAX_ENDPOINTS_PER_SITE, newEndpointId,
  replayMessage, updateEndpoint, type WebhookEndpoint,
} from './store';
import { requireApiKey, type KeyedEnv } from '../sites';
import { readJson } from '../../http/body';
import { conflict, invalid, notFound } from '../../http/problem';
import { generateSecret } from '../../core/webhooks/signature';
import { targetPolicy } from '../../core/webhooks/url';
import { deliverDue } from '../webhook-delivery';
import { createEndpointBody, deliveriesQuery, ENDPOINT_ID, MESSAGE_ID, updateEndpointBody } from './schemas';
import { validate } from '../../http/validate';
import { afterResponse } from '../../platform/after-response';
import { getSegment } from '../segments';

const BODY = { maxBytes: 8 * 1024, mediaTypes: ['application/json'] } as const;

/** The :id of an endpoint of the key's site, or 404 (a malformed id is simply not found). */
async function endpointFrom(c: Context<KeyedEnv>): Promise<WebhookEndpoint> {
  const id = c.req.param('id') ?? '';
  const endpoint = ENDPOINT_ID.test(id) ? await getEndpoint(c.env.DB, c.get('apiKey').siteId, id) : null;
  if (!endpoint) throw notFound(`No webhook endpoint "${id}".`);
  return endpoint;
}

/** A segment an endpoint names must be one of the key's site: another site's or an unknown one is refused, nothing stored. */
async function checkSegment(db: D1Database, siteId: string, segment: string | null | undefined): Promise<void> {
  if (segment && !(await getSegment(db, siteId, segment))) {
    throw invalid(`No segment "${segment}" on this site.`, [{ path: '/segment', message: 'must be a saved segment of this site' }]);
  }
}

const messageId = (c: Context<KeyedEnv>): string => {
  const id = c.req.param('id') ?? '';
  if (!MESSAGE_ID.test(id)) throw notFound(`No webhook delivery "${id}".`);
  return id;
};

/**
 * Webhooks API (marketing API keys; docs/webhooks.md). Managing endpoints
 * and replaying needs config:write; reading deliveries (they carry lead
 * data) needs leads:read; the endpoint list either. Everything is scoped to
 * the key's site. The signing secret is returned once, at creation.
 */
export const webhookRoutes = new Hono<KeyedEnv>()
  .post('/v1/webhooks', requireApiKey('config:write'), async (c) => {
    const siteId = c.get('apiKey').siteId;
    const body = validate(createEndpointBody(targetPolicy(c.env)), await readJson(c.req.raw, BODY));
    await checkSegment(c.env.DB, siteId, body.segment);
    const now = Date.now();
    const endpoint: WebhookEndpoint = {
      id: newEndpointId(), siteId, url: body.url, description: body.description ?? null, events: body.events, enabled: body.enabled,
      segment: body.segment ?? null, createdAt: now, updatedAt: now,
    };
    const secret = generateSecret();
    if (!(await insertEndpoint(c.env.DB, endpoint, secret))) {
      throw conflict(`A site can have at most ${MAX_ENDPOINTS_PER_SITE} webhook endpoints; delete one first.`);
    }
    c.header('Cache-Control', 'no-store');
    return c.json({ endpoint, secret }, 201);
  })
  .get('/v1/webhooks', requireApiKey('config:write', 'leads:read'), async (c) =>
    c.json({ endpoints: await listEndpoints(c.env.DB, c.get('apiKey').siteId) }))
  // Deliveries before /:id, so "deliveries" is never taken for an endpoint id.
  .get('/v1/webhooks/deliveries', requireApiKey('leads:read'), async (c) => {
    const q = validate(deliveriesQuery, c.req.query(), 'query');
    const deliveries = await listMessages(c.env.DB, c.get('apiKey').siteId, {
      status: q.status, endpointId: q.endpoint, leadId: q.lead, before: q.cursor, limit: q.limit,
    });
    const next = deliveries.length === q.limit ? String(deliveries.at(-1)!.seq) : null;
    return c.json({ deliveries, next });
  })
  .get('/v1/webhooks/deliveries/:id', requireApiKey('leads:read'), async (c) => {
    const id = messageId(c);
    const found = await getMessage(c.env.DB, c.get('apiKey').siteId, id);
    if (!found) throw notFound(`No webhook delivery "${id}".`);
    return c.json({ delivery: found.message, payload: found.payload, attempts: found.attempts });
  })
  /**
   * Replays a message (a dead letter, or any other): due now, with a fresh
   * 72 h retry window, the same webhook-id and the same payload; the attempt
   * starts right after the answer.
   */
  .post('/v1/webhooks/deliveries/:id/replay', requireApiKey('config:write'), async (c) => {
    const id = messageId(c);
    const siteId = c.get('apiKey').siteId;
    const result = await replayMessage(c.env.DB, siteId, id, Date.now());
    if (result === 'missing') throw notFound(`No webhook delivery "${id}".`);
    if (result === 'busy') throw conflict('An attempt of this delivery is in flight; try again in a moment.');
    const found = await getMessage(c.env.DB, siteId, id);
    afterResponse(c, 'webhook replay', (env) => deliverDue(env.DB, { via: 'replay', ids: [id], budgetMs: 15_000 }));
    return c.json({ delivery: found!.message }, 202);
  })
  .get('/v1/webhooks/:id', requireApiKey('config:write', 'leads:read'), async (c) => c.json({ endpoint: await endpointFrom(c) }))
  .patch('/v1/webhooks/:id', requireApiKey('config:write'), async (c) => {
    const endpoint = await endpointFrom(c);
    const body = validate(updateEndpointBody(targetPolicy(c.env)), await readJson(c.req.raw, BODY));
    await checkSegment(c.env.DB, endpoint.siteId, body.segment);
    const updated = await updateEndpoint(c.env.DB, endpoint.siteId, endpoint.id, body, Date.now());
    if (!updated) throw notFound(`No webhook endpoint "${endpoint.id}".`);
    return c.json({ endpoint: updated });
  })
  .delete('/v1/webhooks/:id', requireApiKey('config:write'), async (c) => {
    const endpoint = await endpointFrom(c);
    await deleteEndpoint(c.env.DB, endpoint.siteId, endpoint.id);
    return c.json({ deleted: endpoint.id });
  });
