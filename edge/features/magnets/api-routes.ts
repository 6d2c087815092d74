import { Hono } from 'hono';
import { magnetId as magnetIdSchema } from '../leads';
import { requireApiKey, type KeyedEnv } from '../sites';
import { readJson } from '../../http/body';
import { validate } from '../../http/validate';
import { consentTextsOf, listMagnets } from './store';
import { magnetApiBody } from './schemas';
import { saveMagnet } from './save-magnet';

const BODY = { maxBytes: 32 * 1024, mediaTypes: ['application/json'] } as const;

/**
 * Lead magnets over the marketing API, for the key's site (the dashboard):
 * GET /v1/magnets lists them with their config, current consent texts and
 * every consent text version ever recorded (`consentTexts`, newest first
 * per purpose); PUT /v1/magnets/:magnet creates (201) or replaces (200) a
 * magnet's config through the same use case as the admin route
 * (save-magnet.ts): a changed consent text needs a new version, a
 * different text under a recorded version is a 409. Files stay admin-only.
 */
export const magnetApiRoutes = new Hono<KeyedEnv>()
  .get('/v1/magnets', requireApiKey('leads:read', 'config:write'), async (c) => {
    const siteId = c.get('apiKey').siteId;
    const [magnets, texts] = await Promise.all([listMagnets(c.env.DB, siteId), consentTextsOf(c.env.DB, siteId)]);
    c.header('Cache-Control', 'no-store');
    return c.json({ magnets: magnets.map((m) => ({ ...m, consentTexts: texts.get(m.id) ?? [] })) });
  })
  .put('/v1/magnets/:magnet', requireApiKey('config:write'), async (c) => {
    const id = validate(magnetIdSchema, c.req.param('magnet'), 'magnet id');
    const body = validate(magnetApiBody, await readJson(c.req.raw, BODY));
    const { magnet, created } = await saveMagnet(c.env.DB, c.get('apiKey').siteId, id, body, Date.now());
    return c.json({ magnet }, created ? 201 : 200);
  });
