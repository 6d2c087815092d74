import * as v from 'valibot';
import { instantParam } from '../../core/schemas/instant';

/** The period of a report: ISO 8601 times or epoch milliseconds, both optional. */
export const funnelQuery = v.object({ from: v.optional(instantParam), to: v.optional(instantParam) });
