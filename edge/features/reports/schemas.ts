import * as v from 'valibot';
import { FUNNEL_GROUPS } from '../../core/funnel';
import { instantParam } from '../../core/schemas/instant';

/** The period of a report (ISO 8601 times or epoch milliseconds, both optional) and how to break it down. */
export const funnelQuery = v.object({
  from: v.optional(instantParam),
  to: v.optional(instantParam),
  by: v.optional(v.picklist(FUNNEL_GROUPS, `must be one of ${FUNNEL_GROUPS.join(', ')}`)),
});
