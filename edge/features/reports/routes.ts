import { Hono } from 'hono';
import * as v from 'valibot';
import { funnelCounts, funnelReport } from './funnel-store';
import { requireApiKey, type KeyedEnv } from '../sites';
import { invalid } from '../../http/problem';
import { funnelQuery } from './schemas';
import { validate } from '../../http/validate';

const DAY = 86_400_000;

/**
 * GET /v1/reports/funnel?from&to: visitors → pricing visitors → form views →
 * leads → confirmed → MQL → SQL, with the conversion between consecutive
 * steps: where leads are lost. Defaults to the last 30 days.
 */
export const reportRoutes = new Hono<KeyedEnv>().get('/v1/reports/funnel', requireApiKey('leads:read'), async (c) => {
  const q = validate(funnelQuery, c.req.query(), 'query');
  const to = q.to ?? Date.now();
  const from = q.from ?? to - 30 * DAY;
  if (from >= to) throw invalid('"from" must be before "to".', [{ path: '/from', message: 'must be before to' }]);
  if (to - from > 400 * DAY) throw invalid('The period is longer than 400 days.', [{ path: '/from', message: 'must be at most 400 days before to' }]);
  const counts = await funnelCounts(c.env.DB, c.get('apiKey').siteId, from, to);
  return c.json({
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    steps: funnelReport(counts),
    anonymousPageviews: counts.anonymousPageviews,
  });
});
