import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../platform/env';
import { openApiDocument } from './openapi';
import { apiReferencePage, styleHash, type ApiDocument } from './api-reference-page';

/** The deployment's public origin: PUBLIC_URL when it is a URL, the request's origin otherwise. */
export function publicOrigin(c: Context<AppEnv>): string {
  const configured = c.env.PUBLIC_URL?.trim();
  if (configured) {
    try {
      const url = new URL(configured);
      if (url.protocol === 'https:' || url.protocol === 'http:') return url.origin;
    } catch { /* not a URL: fall back */ }
  }
  return new URL(c.req.url).origin;
}

/**
 * GET /v1/openapi.json: the OpenAPI 3.1 document, generated from the validators.
 * GET /docs: the same document as a browsable page, rendered here.
 */
export const openApiRoutes = new Hono<AppEnv>()
  .get('/v1/openapi.json', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    c.header('Access-Control-Allow-Origin', '*');
    return c.json(openApiDocument(publicOrigin(c)));
  })
  .get('/docs', async (c) => {
    const page = apiReferencePage(openApiDocument(publicOrigin(c)) as ApiDocument, await styleHash());
    c.header('Content-Security-Policy', page.csp);
    c.header('Cache-Control', 'public, max-age=300');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(page.html);
  });
