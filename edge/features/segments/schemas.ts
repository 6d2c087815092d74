import * as v from 'valibot';
import { cleanTextEverywhere } from '../../core/text';
import { STAGES } from '../../core/scoring';
import { SALES_STATUSES } from '../../core/sales';

/** A segment id in a path: a slug. */
export const segmentIdParam = v.pipe(
  v.string('must be a string'),
  v.maxLength(64, 'must be at most 64 characters'),
  v.regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a slug: lowercase letters, digits, - and _'),
);


/**
 * What a segment selects: the lead list's filters, saved. The period is
 * relative (`updatedWithinDays`), so a saved "active this month" stays
 * that; every field left out selects everything.
 */
export const segmentFilter = v.strictObject({
  stage: v.optional(v.pipe(v.array(v.picklist(STAGES, `must be one of ${STAGES.join(', ')}`), 'must be an array of stages'),
    v.minLength(1, 'must name at least one stage'), v.maxLength(STAGES.length, `must hold at most ${STAGES.length} stages`))),
  temperature: v.optional(v.picklist(['cold', 'warm', 'hot'], 'must be cold, warm or hot')),
  minScore: v.optional(v.pipe(v.number('must be a number'), v.finite('must be a finite number'), v.minValue(-1e9, 'must be at least -1e9'), v.maxValue(1e9, 'must be at most 1e9'))),
  updatedWithinDays: v.optional(v.pipe(v.number('must be a number'), v.integer('must be a whole number of days'), v.minValue(1, 'must be at least 1'), v.maxValue(3650, 'must be at most 3650'))),
  magnet: v.optional(v.pipe(v.string('must be a string'), v.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a magnet id'))),
  q: v.optional(v.pipe(v.string('must be a string'), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(100, 'must be at most 100 characters'))),
  maxScore: v.optional(v.pipe(v.number('must be a number'), v.finite('must be a finite number'), v.minValue(-1e9, 'must be at least -1e9'), v.maxValue(1e9, 'must be at most 1e9'))),
  owner: v.optional(v.pipe(v.string('must be a string'), v.regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be an owner id'))),
  salesStatus: v.optional(v.picklist(SALES_STATUSES, `must be one of ${SALES_STATUSES.join(', ')}`)),
  country: v.optional(v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE'), v.toUpperCase())),
  industry: v.optional(v.pipe(v.string('must be a string'), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(60, 'must be at most 60 characters'))),
}, 'is not a filter of the lead list (stage, temperature, minScore, maxScore, updatedWithinDays, magnet, q, owner, salesStatus, country, industry)');

export type SegmentFilter = v.InferOutput<typeof segmentFilter>;

/** PUT /v1/segments/{id}: a name and a filter; strings free of control characters. */
export const segmentBody = v.pipe(
  v.strictObject({
    name: v.pipe(v.string('must be a string'), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(80, 'must be at most 80 characters')),
    filter: segmentFilter,
  }, 'is not a field of a segment (name, filter)'),
  cleanTextEverywhere(),
);

/** Segments per site: a list people pick from, not a store of queries. */
export const MAX_SEGMENTS = 100;
