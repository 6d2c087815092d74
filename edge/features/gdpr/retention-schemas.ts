import * as v from 'valibot';
import { RETENTION_LIMITS } from './retention';
import { objectBody } from '../../core/schemas/object';

/** One retention setting: an integer within its bounds, or null for the default. */
const setting = ([min, max]: readonly [number, number]) =>
  v.optional(v.nullable(v.pipe(
    v.number('must be a number or null'),
    v.integer('must be an integer'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  )));

/** PUT /admin/sites/:site/retention: fields left out keep their value, null resets to the default. */
export const retentionBody = v.pipe(
  objectBody({
    pendingDays: setting(RETENTION_LIMITS.pendingDays),
    withdrawnDays: setting(RETENTION_LIMITS.withdrawnDays),
    eventMonths: setting(RETENTION_LIMITS.eventMonths),
    ledgerYears: setting(RETENTION_LIMITS.ledgerYears),
  }),
);

export const retentionRunQuery = v.object({
  budget_ms: v.optional(v.pipe(v.string(), v.toNumber('must be a number'), v.integer('must be an integer'), v.minValue(100, 'must be at least 100'), v.maxValue(25_000, 'must be at most 25000')), '15000'),
});
