import { Hono } from 'hono';
import { requireApiKey, type KeyedEnv } from '../sites';
import { readJson } from '../../http/body';
import { conflict, notFound } from '../../http/problem';
import { validate } from '../../http/validate';
import { MAX_SEGMENTS, segmentBody, segmentIdParam } from './schemas';
import { deleteSegment, getSegment, listSegments, saveSegment, type Segment } from './store';

const SEGMENT_BODY = { maxBytes: 4 * 1024, mediaTypes: ['application/json'] } as const;

const present = (s: Segment) => ({
  id: s.id, name: s.name, filter: s.filter, createdAt: new Date(s.createdAt).toISOString(), updatedAt: new Date(s.updatedAt).toISOString(),
});

/**
 * Saved segments: named filters of the lead list. `GET /v1/leads?segment=ID`
 * lists (and exports, with format=csv or ndjson) the leads a segment selects.
 */
export const segmentRoutes = new Hono<KeyedEnv>()
  .get('/v1/segments', requireApiKey('leads:read'), async (c) => {
    return c.json({ segments: (await listSegments(c.env.DB, c.get('apiKey').siteId)).map(present) });
  })
  .get('/v1/segments/:id', requireApiKey('leads:read'), async (c) => {
    const id = validate(segmentIdParam, c.req.param('id'), 'segment id');
    const s = await getSegment(c.env.DB, c.get('apiKey').siteId, id);
    if (!s) throw notFound(`No segment "${id}" on this site.`);
    return c.json(present(s));
  })
  .put('/v1/segments/:id', requireApiKey('leads:write', 'config:write'), async (c) => {
    const id = validate(segmentIdParam, c.req.param('id'), 'segment id');
    const body = validate(segmentBody, await readJson(c.req.raw, SEGMENT_BODY));
    const siteId = c.get('apiKey').siteId;
    const result = await saveSegment(c.env.DB, siteId, { id, ...body }, MAX_SEGMENTS, Date.now());
    if (result === 'full') throw conflict(`A site has at most ${MAX_SEGMENTS} segments; delete one first.`);
    return c.json(present((await getSegment(c.env.DB, siteId, id))!), result === 'created' ? 201 : 200);
  })
  .delete('/v1/segments/:id', requireApiKey('leads:write', 'config:write'), async (c) => {
    const id = validate(segmentIdParam, c.req.param('id'), 'segment id');
    if (!(await deleteSegment(c.env.DB, c.get('apiKey').siteId, id))) throw notFound(`No segment "${id}" on this site.`);
    return c.json({ deleted: id });
  });
