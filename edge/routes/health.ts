import { Hono } from 'hono';
import type { AppEnv } from '../env';

/** GET /healthz: the Worker runs and D1 answers. */
export const healthRoutes = new Hono<AppEnv>().get('/healthz', async (c) => {
  const started = Date.now();
  await c.env.DB.prepare('SELECT 1').first();
  c.header('Cache-Control', 'no-store');
  return c.json({ status: 'ok', db: 'ok', dbMs: Date.now() - started });
});
