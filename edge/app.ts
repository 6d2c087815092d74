import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { TrieRouter } from 'hono/router/trie-router';
import { PROBLEM_TYPES } from '../protocol';
import type { AppEnv } from './platform/env';
import { browserCors } from './features/sites';
import { asProblem, internal, methodNotAllowed, notFound, ProblemError, problemResponse } from './http/problem';
import { landingPage, styleHash } from './features/docs';
import { adminRoutes } from './features/admin/routes';
import { adminMagnetRoutes } from './features/magnets/routes';
import { magnetApiRoutes } from './features/magnets/api-routes';
import { collectRoutes } from './features/ingest/routes';
import { devOutboxRoutes } from './features/mail/dev-outbox-routes';
import { downloadRoutes } from './features/leads/download-routes';
import { healthRoutes } from './features/health/routes';
import { leadRoutes } from './features/leads/submit-routes';
import { optinRoutes } from './features/leads/optin-routes';
import { leadDetailRoutes } from './features/leads/detail-routes';
import { reportRoutes } from './features/reports/routes';
import { openApiRoutes } from './features/docs/routes';
import { leadListRoutes } from './features/leads/list-routes';
import { scoringRoutes } from './features/scoring/routes';
import { webhookRoutes } from './features/webhooks/routes';
import { gdprRoutes } from './features/gdpr/routes';
import { retentionRoutes } from './features/gdpr/retention-routes';
import { salesRoutes } from './features/sales/routes';
import { importRoutes } from './features/leads/import-routes';
import { answerRoutes } from './features/sales/answer-routes';
import { reviewRoutes } from './features/review/routes';
import { nurtureRoutes } from './features/nurture/routes';
import { nurtureReactionRoutes } from './features/nurture/reaction-routes';
import { sessionRoutes } from './features/dashboard/session-routes';
import { dashboardPageRoutes } from './features/dashboard/page-routes';
import { segmentRoutes } from './features/segments/routes';

/** Browser-facing endpoints posted to by the snippet and the widget. */
const BROWSER_POSTS = new Set(['/v1/collect', '/v1/leads']);

/**
 * Lets the page read a problem answer to its POST, whatever its origin: the
 * answer holds no data, and a client that can see "403"/"404"/"413" drops a
 * hopeless batch instead of retrying it forever as if the network had failed.
 * Nothing is stored either way; preflights from unknown origins stay refused.
 */
function readableByPage(c: Context, res: Response): Response {
  const origin = c.req.header('origin');
  if (origin && c.req.method === 'POST' && BROWSER_POSTS.has(c.req.path) && !res.headers.has('access-control-allow-origin')) {
    res.headers.set('Access-Control-Allow-Origin', origin);
    res.headers.append('Vary', 'Origin');
  }
  return res;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The methods the app's own routes answer on a path (middleware, registered
 * for every method, does not count). Built once from the route table, so a
 * new route is covered without a list to keep in step; GET implies HEAD.
 */
function methodsOf(routes: readonly { method: string; path: string }[]): (path: string) => string[] {
  let router: TrieRouter<string> | null = null;
  return (path) => {
    if (!router) {
      router = new TrieRouter<string>();
      for (const r of routes) if ((METHODS as readonly string[]).includes(r.method)) router.add(r.method, r.path, r.method);
    }
    const found = new Set<string>();
    for (const m of METHODS) if (router.match(m, path)[0].length) found.add(m);
    if (found.has('GET')) found.add('HEAD');
    return METHODS.filter((m) => found.has(m));
  };
}

/** Builds the API: routes are thin; every error leaves as problem+json. */
export function createApp() {
  const app = new Hono<AppEnv>();
  app.use('/v1/*', browserCors());
  app.route('/', healthRoutes);
  app.route('/', collectRoutes);
  app.route('/', adminRoutes);
  // Lead capture: widget API, double opt-in, gated download, magnet admin, dev outbox.
  app.route('/', leadRoutes);
  app.route('/', optinRoutes);
  app.route('/', scoringRoutes);
  // Before the lead detail: POST /v1/leads/updates and PATCH /v1/leads/:id are the write-back.
  app.route('/', salesRoutes);
  app.route('/', importRoutes);
  app.route('/', answerRoutes);
  app.route('/', reviewRoutes);
  app.route('/', nurtureRoutes);
  app.route('/', nurtureReactionRoutes);
  app.route('/', segmentRoutes);
  app.route('/', leadListRoutes);
  app.route('/', leadDetailRoutes);
  app.route('/', reportRoutes);
  app.route('/', magnetApiRoutes);
  app.route('/', openApiRoutes);
  app.route('/', webhookRoutes);
  // GDPR: export, erasure, withdrawal over the API; retention settings.
  app.route('/', gdprRoutes);
  app.route('/', retentionRoutes);
  app.route('/', downloadRoutes);
  app.route('/', adminMagnetRoutes);
  app.route('/', devOutboxRoutes);
  app.route('/', sessionRoutes);
  app.route('/', dashboardPageRoutes);

  const allowedOn = methodsOf(app.routes);
  app.notFound(async (c) => {
    // Static files (snippet, widget, examples) when no API route matched.
    if (c.env.ASSETS && (c.req.method === 'GET' || c.req.method === 'HEAD')) {
      const res = await c.env.ASSETS.fetch(c.req.raw);
      if (res.status !== 404) return res;
    }
    // A deployment has no index in its assets (local dev serves the demo there): say what this is.
    if ((c.req.method === 'GET' || c.req.method === 'HEAD') && c.req.path === '/') {
      const page = landingPage(await styleHash());
      c.header('Content-Security-Policy', page.csp);
      c.header('Cache-Control', 'public, max-age=300');
      c.header('X-Content-Type-Options', 'nosniff');
      return c.html(page.html);
    }
    // A known path asked with another method: 405 with the methods it has, not "no such resource".
    const pathname = new URL(c.req.url).pathname;
    const allowed = allowedOn(pathname);
    if (allowed.length && !allowed.includes(c.req.method)) return problemResponse(c, methodNotAllowed(c.req.method, pathname, allowed));
    return problemResponse(c, notFound(`No resource at ${c.req.method} ${pathname}.`));
  });

  app.onError((err, c) => {
    const problem = asProblem(err);
    if (problem) return readableByPage(c, problemResponse(c, problem));
    if (err instanceof HTTPException && err.status < 500) {
      return problemResponse(c, new ProblemError(err.status, PROBLEM_TYPES.malformed, 'Bad request', err.message || 'Bad request.'));
    }
    console.error('unhandled error', c.req.method, c.req.path, err);
    return problemResponse(c, internal());
  });
  return app;
}
