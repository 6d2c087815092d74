import { Hono } from 'hono';
import type { AppEnv } from '../../platform/env';
import { DASHBOARD_CSP, DASHBOARD_HTML } from './page';

/**
 * GET /app: the dashboard page. Its views live in the URL's hash, so this
 * one page answers every dashboard link; its scripts and styles are assets
 * under /app/. Not cached: a new deploy's scripts are picked up at once.
 */
export const dashboardPageRoutes = new Hono<AppEnv>().get('/app', (c) => {
  c.header('Content-Security-Policy', DASHBOARD_CSP);
  c.header('Cache-Control', 'no-cache');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'no-referrer');
  return c.html(DASHBOARD_HTML);
});
