import * as v from 'valibot';
import { instantParam, intParam } from '../../core/schemas/instant';

/** GET /v1/reports/scoring-review: the period of hand-offs (ISO 8601 or epoch ms) and the open-lead cut-off. */
export const reviewQuery = v.strictObject({
  from: v.optional(instantParam),
  to: v.optional(instantParam),
  openDays: v.optional(intParam(30, 730)),
}, 'is not a known parameter');

/** POST /v1/scoring-model/suggest: an optional JSON body. */
export const suggestBody = v.strictObject({
  openDays: v.optional(v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(30, 'must be at least 30'), v.maxValue(730, 'must be at most 730'))),
}, 'is not a known field');
