import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { openApiDocument } from '../openapi';

/** GET /v1/openapi.json: the OpenAPI 3.1 document, generated from the validators. */
export const openApiRoutes = new Hono<AppEnv>().get('/v1/openapi.json', (c) => {
  c.header('Cache-Control', 'public, max-age=300');
  c.header('Access-Control-Allow-Origin', '*');
  return c.json(openApiDocument());
});
