import { Hono } from 'hono';
import { behaviourCounts, cohortFunnel, cohortLeads, type CohortLead } from './funnel-store';
import { requireApiKey, type KeyedEnv } from '../sites';
import { magnetKnown } from '../magnets';
import { notFound } from '../../http/problem';
import { funnelQuery, overviewQuery } from './schemas';
import { validate } from '../../http/validate';
import { chain, groupLeads, leadSteps, leadStepsOf, revenue, roundedRevenue, sourceOf, type FunnelGroup } from '../../core/funnel';
import { periodOf } from './period';
import { overviewOf } from './overview';

const GROUP_KEY: Record<FunnelGroup, (l: CohortLead) => string | null> = {
  source: (l) => sourceOf(l.firstUtm, l.firstReferrer),
  magnet: (l) => l.magnet,
  country: (l) => l.country,
  industry: (l) => l.industry?.trim().toLowerCase() || null,
  owner: (l) => l.owner,
};

/** A magnet filter must name a magnet the site has or had: a typo is a 404, not an empty report. */
async function checkMagnet(db: D1Database, siteId: string, magnet: string | undefined): Promise<void> {
  if (magnet !== undefined && !(await magnetKnown(db, siteId, magnet))) throw notFound(`No lead magnet "${magnet}" on this site.`);
}

/**
 * GET /v1/reports/funnel?from&to&by&magnet&source&medians: visitors → pricing visitors → form views
 * → leads → confirmed → MQL → SQL → accepted → opportunity → won, with the
 * conversion, drop-off and median time between consecutive steps and the
 * revenue won per currency: where leads are lost, and what the won ones
 * brought. `by` breaks the lead steps down by first-touch source, magnet,
 * country, industry or owner; `magnet` and `source` keep only the leads
 * of that first magnet or first-touch source (the lead steps only: the
 * visitor steps stay site-wide). Defaults to the last 30 days. Without
 * `by` and `source` the lead steps are counted in SQL (cohortFunnel); a
 * breakdown or a source filter needs each lead's row (cohortLeads).
 * `medians=false` leaves every medianMs null: the overview, which draws
 * counts only, asks so, as the medians are most of the cost at scale.
 *
 * GET /v1/reports/overview?from&to&magnet&source: new leads and stage
 * changes per day, the score distribution and temperatures (overview.ts).
 */
export const reportRoutes = new Hono<KeyedEnv>()
  .get('/v1/reports/funnel', requireApiKey('leads:read'), async (c) => {
    const q = validate(funnelQuery, c.req.query(), 'query');
    const { from, to } = periodOf(q);
    const siteId = c.get('apiKey').siteId;
    await checkMagnet(c.env.DB, siteId, q.magnet);
    const started = performance.now();
    const perLead = q.by !== undefined || q.source !== undefined;
    const [b, all, counted] = await Promise.all([
      behaviourCounts(c.env.DB, siteId, from, to, Date.now()),
      perLead
        ? cohortLeads(c.env.DB, siteId, from, to, { source: q.by === 'source' || q.source !== undefined, magnet: q.by === 'magnet' }, q.magnet ?? null)
        : null,
      perLead ? null : cohortFunnel(c.env.DB, siteId, from, to, q.magnet ?? null, q.medians),
    ]);
    const cohort = all && (q.source === undefined ? all : all.filter((l) => sourceOf(l.firstUtm, l.firstReferrer) === q.source));
    // The report's own time in the Worker, for the benchmark (npm run bench:loop).
    c.header('Server-Timing', `funnel;dur=${(performance.now() - started).toFixed(1)}`);
    const lead = (leads: CohortLead[]) => leadSteps(leads).map(([s, n, ms]) => [s, n, q.medians ? ms : null] as const);
    const steps = chain([
      ['visitors', b.visitors, null], ['pricing_visitors', b.pricingVisitors, null], ['form_viewers', b.formViewers, null],
      ...(cohort ? lead(cohort) : leadStepsOf(counted!)),
    ]);
    return c.json({
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      steps,
      revenue: cohort ? revenue(cohort) : roundedRevenue(counted!.revenue),
      anonymousPageviews: b.anonymousPageviews,
      ...(q.by && cohort
        ? { by: q.by, groups: groupLeads(cohort, GROUP_KEY[q.by]).map((g) => ({ value: g.value, steps: chain(lead(g.leads)), revenue: revenue(g.leads) })) }
        : {}),
    });
  })
  .get('/v1/reports/overview', requireApiKey('leads:read'), async (c) => {
    const q = validate(overviewQuery, c.req.query(), 'query');
    const { from, to } = periodOf(q);
    const siteId = c.get('apiKey').siteId;
    await checkMagnet(c.env.DB, siteId, q.magnet);
    const started = performance.now();
    const body = await overviewOf(c.env.DB, siteId, { from, to, magnet: q.magnet ?? null, source: q.source ?? null }, Date.now());
    c.header('Server-Timing', `overview;dur=${(performance.now() - started).toFixed(1)}`);
    c.header('Cache-Control', 'no-store');
    return c.json(body);
  });
