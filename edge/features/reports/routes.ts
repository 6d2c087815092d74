import { Hono } from 'hono';
import { behaviourCounts, cohortLeads, type CohortLead } from './funnel-store';
import { requireApiKey, type KeyedEnv } from '../sites';
import { invalid } from '../../http/problem';
import { funnelQuery } from './schemas';
import { validate } from '../../http/validate';
import { chain, groupLeads, leadSteps, revenue, sourceOf, type FunnelGroup } from '../../core/funnel';

const DAY = 86_400_000;

const GROUP_KEY: Record<FunnelGroup, (l: CohortLead) => string | null> = {
  source: (l) => sourceOf(l.firstUtm, l.firstReferrer),
  magnet: (l) => l.magnet,
  country: (l) => l.country,
  industry: (l) => l.industry?.trim().toLowerCase() || null,
  owner: (l) => l.owner,
};

/**
 * GET /v1/reports/funnel?from&to&by: visitors → pricing visitors → form views
 * → leads → confirmed → MQL → SQL → accepted → opportunity → won, with the
 * conversion, drop-off and median time between consecutive steps and the
 * revenue won per currency: where leads are lost, and what the won ones
 * brought. `by` breaks the lead steps down by first-touch source, magnet,
 * country, industry or owner. Defaults to the last 30 days.
 */
export const reportRoutes = new Hono<KeyedEnv>().get('/v1/reports/funnel', requireApiKey('leads:read'), async (c) => {
  const q = validate(funnelQuery, c.req.query(), 'query');
  const to = q.to ?? Date.now();
  const from = q.from ?? to - 30 * DAY;
  if (from >= to) throw invalid('"from" must be before "to".', [{ path: '/from', message: 'must be before to' }]);
  if (to - from > 400 * DAY) throw invalid('The period is longer than 400 days.', [{ path: '/from', message: 'must be at most 400 days before to' }]);
  const siteId = c.get('apiKey').siteId;
  const started = performance.now();
  const [b, cohort] = await Promise.all([behaviourCounts(c.env.DB, siteId, from, to), cohortLeads(c.env.DB, siteId, from, to, { source: q.by === 'source', magnet: q.by === 'magnet' })]);
  // The report's own time in the Worker, for the benchmark (npm run bench:loop).
  c.header('Server-Timing', `funnel;dur=${(performance.now() - started).toFixed(1)}`);
  const steps = chain([
    ['visitors', b.visitors, null], ['pricing_visitors', b.pricingVisitors, null], ['form_viewers', b.formViewers, null], ...leadSteps(cohort),
  ]);
  return c.json({
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    steps,
    revenue: revenue(cohort),
    anonymousPageviews: b.anonymousPageviews,
    ...(q.by
      ? { by: q.by, groups: groupLeads(cohort, GROUP_KEY[q.by]).map((g) => ({ value: g.value, steps: chain(leadSteps(g.leads)), revenue: revenue(g.leads) })) }
      : {}),
  });
});
