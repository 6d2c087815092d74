import { Hono, type Context } from 'hono';
import { suggestModel } from '../../core/review/suggest';
import { parseModel } from '../../core/scoring';
import { cleanJson } from '../../core/text';
import { readJson } from '../../http/body';
import { invalid } from '../../http/problem';
import { validate } from '../../http/validate';
import { modelAt } from '../scoring';
import { getSite, requireApiKey, type KeyedEnv } from '../sites';
import { previewDraft } from './preview';
import { OPEN_DAYS } from './constants';
import { refreshOutcomeFacts } from './refresh';
import { DEFAULT_PERIOD_DAYS, defaultReview, reviewOf } from './review-snapshot';
import { reviewQuery, suggestBody } from './schemas';
import { factRows } from './store';

const DAY = 86_400_000;
/** What a request may spend bringing the facts up to date; the cron does the rest. */
const REQUEST_BUDGET_MS = 3_000;
const MODEL_BODY = { maxBytes: 64 * 1024, mediaTypes: ['application/json'] } as const;
const SUGGEST_BODY = { maxBytes: 1024, mediaTypes: ['application/json'] } as const;

/**
 * Facts up to date for the current model, or a 202 answer saying how far
 * the computation is (the cron continues it; ask again).
 */
async function upToDate(c: Context<KeyedEnv>, now: number) {
  const siteId = c.get('apiKey').siteId;
  const r = await refreshOutcomeFacts(c.env.DB, siteId, now, REQUEST_BUDGET_MS);
  if (r.complete) return { siteId, modelVersion: r.modelVersion };
  c.header('Retry-After', '30');
  return { siteId, modelVersion: r.modelVersion, pending: c.json({ status: 'computing', computed: r.computed, detail: 'The outcome facts are still being computed; ask again in 30 seconds.' }, 202) };
}

/**
 * The scoring review (docs/scoring-review.md): how the current model's
 * scores at hand-off compare with what sales won, what it should learn, and
 * what a draft would change. Nothing here changes the model.
 */
export const reviewRoutes = new Hono<KeyedEnv>()
  .get('/v1/reports/scoring-review', requireApiKey('leads:read'), async (c) => {
    const q = validate(reviewQuery, c.req.query(), 'query');
    const now = Date.now();
    const to = q.to ?? now;
    const from = q.from ?? to - DEFAULT_PERIOD_DAYS * DAY;
    if (from >= to) throw invalid('"from" must be before "to".', [{ path: '/from', message: 'must be before to' }]);
    if (to - from > 3 * 366 * DAY) throw invalid('The period is longer than three years.', [{ path: '/from', message: 'must be at most three years before to' }]);
    if (from > now) throw invalid('The period lies in the future.', [{ path: '/from', message: 'must not be in the future' }]);
    const started = performance.now();
    const f = await upToDate(c, now);
    if (f.pending) return f.pending;
    c.header('Cache-Control', 'no-store');
    if (q.from === undefined && q.to === undefined && (q.openDays ?? OPEN_DAYS) === OPEN_DAYS) {
      // The default report: its snapshot, at most an hour old (its computedAt says when).
      const report = await defaultReview(c.env.DB, f.siteId, f.modelVersion, now);
      c.header('Server-Timing', `review;dur=${(performance.now() - started).toFixed(1)}`);
      return c.body(report, 200, { 'Content-Type': 'application/json' });
    }
    const review = await reviewOf(c.env.DB, f.siteId, f.modelVersion, { from, to, openDays: q.openDays ?? OPEN_DAYS }, now);
    c.header('Server-Timing', `review;dur=${(performance.now() - started).toFixed(1)}`);
    return c.json(review);
  })
  .post('/v1/scoring-model/suggest', requireApiKey('leads:read', 'config:write'), async (c) => {
    const raw = c.req.header('content-length') === '0' || !c.req.raw.body ? {} : await readJson(c.req.raw, SUGGEST_BODY);
    const body = validate(suggestBody, validate(cleanJson, raw));
    const now = Date.now();
    const started = performance.now();
    const f = await upToDate(c, now);
    if (f.pending) return f.pending;
    const current = await modelAt(c.env.DB, f.siteId, f.modelVersion);
    const suggestion = suggestModel(current, await factRows(c.env.DB, f.siteId, f.modelVersion), { now, openDays: body.openDays ?? OPEN_DAYS });
    c.header('Server-Timing', `suggest;dur=${(performance.now() - started).toFixed(1)}`);
    return c.json({ ...suggestion, currentVersion: current.version, applied: false });
  })
  .post('/v1/scoring-model/preview', requireApiKey('leads:read', 'config:write'), async (c) => {
    const draft = parseModel(validate(cleanJson, await readJson(c.req.raw, MODEL_BODY)));
    const siteId = c.get('apiKey').siteId;
    const site = (await getSite(c.env.DB, siteId))!;
    const current = await modelAt(c.env.DB, siteId, site.scoringModelVersion);
    const started = performance.now();
    const now = Date.now();
    // The outcomes the draft is judged on: as up to date as this request's budget allows.
    const facts = await refreshOutcomeFacts(c.env.DB, siteId, now, REQUEST_BUDGET_MS);
    const preview = await previewDraft(c.env.DB, siteId, current, { ...draft, version: current.version + 1 }, now);
    preview.outcomes = { ...preview.outcomes, complete: facts.complete };
    c.header('Server-Timing', `preview;dur=${(performance.now() - started).toFixed(1)}`);
    return c.json(preview);
  });
