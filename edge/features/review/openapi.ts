import type * as v from 'valibot';
import { reviewQuery, suggestBody } from './schemas';

/**
 * The scoring review's operations, in the shape of the OPERATIONS table of
 * the API document (features/docs/openapi.ts), with their bodies'
 * validators. The preview's body is the ScoringModel the document already
 * has (the draft is validated like PUT /v1/scoring-model).
 */
export const REVIEW_SCHEMAS: Record<string, v.GenericSchema> = {
  SuggestOptions: suggestBody as unknown as v.GenericSchema,
};

interface ReviewOperation {
  method: 'get' | 'post';
  path: string;
  summary: string;
  auth: 'apiKey';
  scopes: string[];
  tag: string;
  /** `optional`: the route also takes no body at all. */
  body?: { schema: string; types?: string[]; optional?: boolean };
  query?: v.GenericSchema;
  /** Words for this operation's query parameters (they mean something else on the funnel). */
  notes?: Record<string, string>;
  ok: { status: number; description: string; also?: number[] };
  errors: number[];
}

const TAG = 'Scoring review';

export const REVIEW_TAG = {
  name: TAG,
  description: 'How the current model’s scores at hand-off compare with what sales won, a model learned from those outcomes, and what a draft would change. Nothing here changes the model (docs/scoring-review.md).',
};

export const REVIEW_OPERATIONS: ReviewOperation[] = [
  {
    method: 'get', path: '/v1/reports/scoring-review',
    summary: 'The scoring review of the hand-offs in [from, to): outcomes, win rate by score band with Wilson intervals, AUC with its interval, calibration (Platt curve, ECE, Brier), what high scorers who did not buy and low scorers who bought share (Fisher p, Benjamini–Hochberg q), each rule with and without, segments. 202 with Retry-After while the outcome facts are computed; 422 below 30 outcomes with 10 won and 10 not won',
    auth: 'apiKey', scopes: ['leads:read'], tag: TAG, query: reviewQuery as unknown as v.GenericSchema,
    notes: {
      from: 'ISO 8601 time or epoch milliseconds: the first hand-off counted (default 365 days before to; at most three years before to)',
      to: 'ISO 8601 time or epoch milliseconds: hand-offs before this moment (default now)',
      openDays: 'a lead handed off longer ago than this without a win counts as not won; younger open leads are left out (default 180)',
    },
    ok: { status: 200, description: 'the review', also: [202] }, errors: [400, 401, 403, 422],
  },
  {
    method: 'post', path: '/v1/scoring-model/suggest',
    summary: 'A model learned from the sales outcomes (regularised logistic regression, every 1,000 points double the odds), fitted on the older three quarters and checked on the newest quarter against the current model; each rule change with its reason. Never applied: save it with PUT /v1/scoring-model. 202 with Retry-After while the outcome facts are computed; 422 below 80 outcomes with 20 won and 20 not won',
    auth: 'apiKey', scopes: ['leads:read', 'config:write'], tag: TAG, body: { schema: 'SuggestOptions', optional: true },
    ok: { status: 200, description: '{model, scale, training, holdout, changes, thresholds, currentVersion, applied: false}', also: [202] }, errors: [400, 401, 403, 413, 415, 422],
  },
  {
    method: 'post', path: '/v1/scoring-model/preview',
    summary: 'What a draft model would change before it is saved: every lead scored from scratch with the current model and the draft, stage and temperature changes (by the stage each qualifies for, cool-downs aside), the AUC of both on the sales outcomes at their hand-off, the leads that move most in rank and why. Saves nothing',
    auth: 'apiKey', scopes: ['leads:read', 'config:write'], tag: TAG, body: { schema: 'ScoringModel' },
    ok: { status: 200, description: '{at, currentVersion, leads, stages, temperatures, outcomes, movers}' }, errors: [400, 401, 403, 413, 415],
  },
];
