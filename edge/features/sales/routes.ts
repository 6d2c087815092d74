import { Hono, type Context } from 'hono';
import { keyActor, requireApiKey, type KeyedEnv } from '../sites';
import { readJson, readUpload } from '../../http/body';
import { validate } from '../../http/validate';
import { mailLinkBase } from '../../platform/request';
import { wasErased } from '../gdpr';
import { leadPatchBody, ownersBody, salesSettingsBody } from './schemas';
import { listOwners, replaceOwners } from './owners-store';
import { getSalesSettings, putSalesSettings } from './settings-store';
import { updateLead, type WriteContext } from './write-back';
import { bulkUpdate, parseUpdateRows } from './bulk-update';
import { followUp } from './follow-up';
import { waitingLeads } from './store';

const JSON_BODY = { maxBytes: 64 * 1024, mediaTypes: ['application/json'] } as const;


/** The context of a write: the key's site, who writes (for the history), when. */
function writer(c: Context<KeyedEnv>): WriteContext {
  const key = c.get('apiKey');
  return {
    siteId: key.siteId, actor: keyActor(c), now: Date.now(), linkBase: mailLinkBase(c.env),
    erased: (leadId) => wasErased(c.env.DB, c.env.SIGNING_KEY, key.siteId, leadId),
  };
}

/**
 * The sales API (docs/sales.md): the team and its routing settings
 * (config:write to change, leads:read to read), and the write-back of what
 * sales did with a lead (leads:write). Everything is scoped to the key's site.
 */
export const salesRoutes = new Hono<KeyedEnv>()
  .get('/v1/owners', requireApiKey('leads:read', 'config:write'), async (c) =>
    c.json({ owners: await listOwners(c.env.DB, c.get('apiKey').siteId) }))
  .put('/v1/owners', requireApiKey('config:write'), async (c) => {
    const siteId = c.get('apiKey').siteId;
    const body = validate(ownersBody, await readJson(c.req.raw, { maxBytes: 256 * 1024, mediaTypes: ['application/json'] }));
    await replaceOwners(c.env.DB, siteId, body.owners, Date.now());
    return c.json({ owners: await listOwners(c.env.DB, siteId) });
  })
  .get('/v1/sales/settings', requireApiKey('leads:read', 'config:write'), async (c) =>
    c.json(await getSalesSettings(c.env.DB, c.get('apiKey').siteId)))
  .put('/v1/sales/settings', requireApiKey('config:write'), async (c) => {
    const siteId = c.get('apiKey').siteId;
    const body = validate(salesSettingsBody, await readJson(c.req.raw, JSON_BODY));
    await putSalesSettings(c.env.DB, siteId, body, Date.now());
    return c.json(await getSalesSettings(c.env.DB, siteId));
  })
  // Leads waiting for their owner's answer, most urgent first; overdue ones missed the deadline (the cron moves them on).
  .get('/v1/sales/waiting', requireApiKey('leads:read'), async (c) => {
    const now = Date.now();
    const { leads, more } = await waitingLeads(c.env.DB, c.get('apiKey').siteId, now, 200);
    c.header('Cache-Control', 'no-store');
    return c.json({ at: new Date(now).toISOString(), leads, overdue: leads.filter((l) => l.overdue).length, more });
  })
  // Before /v1/leads/:id, so "updates" is never taken for a lead id.
  .post('/v1/leads/updates', requireApiKey('leads:write'), async (c) => {
    const { text, format } = await readUpload(c.req.raw);
    const ctx = writer(c);
    const { report, followUp: f } = await bulkUpdate(c.env.DB, parseUpdateRows(text, format), ctx);
    followUp(c, f);
    const count = (r: string) => report.filter((x) => x.result === r).length;
    c.header('Cache-Control', 'no-store');
    return c.json({ updated: count('updated'), unchanged: count('unchanged'), refused: count('refused'), rows: report });
  })
  .patch('/v1/leads/:id', requireApiKey('leads:write'), async (c) => {
    const body = validate(leadPatchBody, await readJson(c.req.raw, JSON_BODY));
    const out = await updateLead(c.env.DB, c.req.param('id'), body, writer(c));
    followUp(c, out.followUp);
    c.header('Cache-Control', 'no-store');
    return c.json({ lead: out.leadId, result: out.result, sales: out.sales });
  });
