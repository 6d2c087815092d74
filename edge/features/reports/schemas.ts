import * as v from 'valibot';
import { FUNNEL_GROUPS } from '../../core/funnel';
import { instantParam } from '../../core/schemas/instant';
import { hasNoControl } from '../../core/lead-text';
import { magnetId } from '../leads';

/** The lead filters of a report: the first magnet of a lead (its consent ledger) and its first-touch source (core/funnel sourceOf). */
const leadFilters = {
  magnet: v.optional(magnetId),
  source: v.optional(v.pipe(
    v.string('must be a string'),
    v.trim(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(253, 'must be at most 253 characters'),
    v.check(hasNoControl, 'must not contain control characters'),
    v.toLowerCase(),
  )),
};

/** The period of a report (ISO 8601 times or epoch milliseconds, both optional) and how to break it down. */
export const funnelQuery = v.object({
  from: v.optional(instantParam),
  to: v.optional(instantParam),
  by: v.optional(v.picklist(FUNNEL_GROUPS, `must be one of ${FUNNEL_GROUPS.join(', ')}`)),
  /** `false` leaves out the median times between steps: at scale, most of the report's cost. */
  medians: v.optional(v.pipe(v.picklist(['true', 'false'], 'must be true or false'), v.transform((x) => x === 'true')), 'true'),
  ...leadFilters,
});

/** GET /v1/reports/overview: the period and the lead filters. */
export const overviewQuery = v.object({
  from: v.optional(instantParam),
  to: v.optional(instantParam),
  ...leadFilters,
});
