import { Hono } from 'hono';
import { eraseLead } from './erasure-store';
import { getLead, withdrawLead } from '../leads';
import { requireApiKey, type KeyedEnv } from '../sites';
import { conflict, notFound } from '../../http/problem';
import { erasedLeadRef, erasureSecret, ledgerPseudonym } from '../../core/erasure-hash';
import { exportLead } from './export';
import { onLeadChanged } from '../scoring';
import { afterResponse } from '../../platform/after-response';
import { deliverFreshWebhooks } from '../webhook-delivery';

/** Lead ids are short tokens; anything else cannot name a lead. */
const LEAD_ID = /^[A-Za-z0-9_-]{1,64}$/;

function leadIdParam(raw: string): string {
  if (!LEAD_ID.test(raw)) throw notFound(`No lead "${raw.slice(0, 64)}".`);
  return raw;
}

/**
 * GDPR rights over the marketing API (PRIVACY.md):
 * - GET    /v1/leads/:id/export    everything held about the person (leads:read);
 * - DELETE /v1/leads/:id           erasure (leads:write), idempotent;
 * - POST   /v1/leads/:id/withdraw  withdrawal recorded by the site owner (leads:write),
 *                                  the same as the person's own withdraw link.
 * A lead of another site is "not found", like a lead that never existed.
 */
export const gdprRoutes = new Hono<KeyedEnv>()
  .get('/v1/leads/:id/export', requireApiKey('leads:read'), async (c) => {
    const siteId = c.get('apiKey').siteId;
    const leadId = leadIdParam(c.req.param('id'));
    const body = await exportLead(c.env.DB, siteId, leadId, Date.now());
    if (!body) throw notFound(`No lead "${leadId}".`);
    c.header('Cache-Control', 'no-store');
    c.header('Content-Disposition', `attachment; filename="lodestone-export-${leadId}.json"`);
    c.header('X-Content-Type-Options', 'nosniff');
    return c.json(body);
  })
  .delete('/v1/leads/:id', requireApiKey('leads:write'), async (c) => {
    const siteId = c.get('apiKey').siteId;
    const leadId = leadIdParam(c.req.param('id'));
    const secret = erasureSecret(c.env.SIGNING_KEY);
    const result = await eraseLead(c.env.DB, {
      siteId,
      leadId,
      pseudonym: (emailKey) => ledgerPseudonym(secret, siteId, emailKey),
      leadRef: await erasedLeadRef(secret, siteId, leadId),
      reason: 'request',
      now: Date.now(),
    });
    c.header('Cache-Control', 'no-store');
    switch (result.outcome) {
      case 'unknown':
        throw notFound(`No lead "${leadId}".`);
      case 'changed':
        throw conflict('The lead kept changing while being erased; nothing was erased. Retry the request.');
      case 'already':
        return c.json({ status: 'already_erased', erasedAt: result.erasedAt });
      case 'erased':
        return c.json({ status: 'erased', erasedAt: result.erasedAt });
    }
  })
  .post('/v1/leads/:id/withdraw', requireApiKey('leads:write'), async (c) => {
    const siteId = c.get('apiKey').siteId;
    const leadId = leadIdParam(c.req.param('id'));
    const url = new URL(c.req.url);
    const now = Date.now();
    const before = await getLead(c.env.DB, siteId, leadId);
    if (!before) throw notFound(`No lead "${leadId}".`);
    // The site owner records a withdrawal it received (mail, phone): no evidence of the person's device.
    const ok = await withdrawLead(c.env.DB, siteId, leadId, {
      now,
      evidence: { ipHash: null, userAgent: null, country: null },
      url: `${url.origin}/v1/leads/:id/withdraw`,
      path: '/v1/leads/:id/withdraw',
    });
    if (!ok) throw notFound(`No lead "${leadId}".`);
    // Scoring sees the withdrawal once (stage → withdrawn); a repeated withdrawal processes nothing.
    if (before.status !== 'withdrawn' && (await onLeadChanged(c.env.DB, siteId, leadId, { now })).enqueuedWebhooks) {
      afterResponse(c, 'webhook delivery', deliverFreshWebhooks); // lead.withdrawn
    }
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'withdrawn' });
  });
