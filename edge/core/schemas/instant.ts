import * as v from 'valibot';

/**
 * Times and counters from the outside, checked in one place. A number a
 * parameter may hold is not always one the code can use: `new Date(t)`
 * throws beyond ±8.64e15 ms, decay beyond its representable range, and
 * numbers past 2^53 are no longer exact. Every time or counter a request
 * carries is checked against these bounds before it reaches the code.
 */

/** The largest epoch millisecond a JS Date holds (100,000,000 days after 1970). */
export const MAX_DATE_MS = 8.64e15;

/** An epoch-ms time the API accepts: an integer from 1970 to the end of JS dates. */
export const isEpochMs = (n: number): boolean => Number.isSafeInteger(n) && n >= 0 && n <= MAX_DATE_MS;

const INSTANT = 'must be an ISO 8601 date/time or epoch milliseconds (1970 to 275760)';

/** A query parameter naming a moment: ISO 8601 or epoch milliseconds, within the range of JS dates. */
export const instantParam = v.pipe(
  v.string(INSTANT),
  v.transform((s) => (/^\d{1,20}$/.test(s) ? Number(s) : Date.parse(s))),
  v.check(isEpochMs, INSTANT),
);

/** A whole-number query parameter within [min, max] (max at most 2^53 − 1). */
export const intParam = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  v.pipe(
    v.string(),
    v.regex(/^\d{1,16}$/, 'must be a whole number'),
    v.toNumber(),
    v.safeInteger('must be a whole number below 2^53'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
