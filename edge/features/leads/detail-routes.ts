import { Hono } from 'hono';
import { getLead, ledgerOf } from './store';
import { timelineOf } from './timeline-store';
import { requireApiKey, type KeyedEnv } from '../sites';
import { notFound } from '../../http/problem';
import { scoreView } from '../scoring';
import { likelihoodFor } from '../review';

/** Events shown in a lead's timeline (newest first). */
const TIMELINE = 200;

/**
 * GET /v1/leads/:id: everything sales needs about one lead: the profile, the
 * consents (the ledger), the score with its explanation, the stage history
 * and the event timeline. A key only ever reaches its own site's leads.
 */
export const leadDetailRoutes = new Hono<KeyedEnv>().get('/v1/leads/:id', requireApiKey('leads:read'), async (c) => {
  const siteId = c.get('apiKey').siteId;
  const id = c.req.param('id');
  const lead = await getLead(c.env.DB, siteId, id);
  if (!lead) throw notFound(`No lead "${id}".`);
  const now = Date.now();
  const [consents, score, timeline] = await Promise.all([
    ledgerOf(c.env.DB, siteId, id),
    scoreView(c.env.DB, siteId, id, now),
    timelineOf(c.env.DB, siteId, id, TIMELINE),
  ]);
  const likelihood = score && 'explanation' in score && score.explanation && typeof score.score === 'number'
    ? await likelihoodFor(c.env.DB, siteId, { status: score.status, score: score.score, modelVersion: score.modelVersion!, lines: score.explanation.lines })
    : undefined;
  c.header('Cache-Control', 'no-store');
  return c.json({
    lead,
    consents,
    score: score && { ...score, history: undefined },
    // Absent (not null, not zero) until enough sales outcomes calibrate it: docs/scoring-review.md.
    ...(likelihood ? { likelihood } : {}),
    stageHistory: score?.history ?? [],
    events: timeline.results.map((e) => ({ ...e, at: new Date(e.ts as number).toISOString() })),
  });
});
