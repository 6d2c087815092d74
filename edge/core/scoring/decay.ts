/**
 * Decay by normalisation to a fixed reference time.
 *
 * Engagement halves every H days. Decaying stored scores row by row would
 * mean rewriting every lead every day, and a decayed score that changes with
 * the clock cannot sit in an index. Instead every contribution is stored as
 * if it had happened at the reference time T0:
 *
 *     p at time t   is stored as   p · 2^((t − T0) / H)          (normalised)
 *     engagement at time now   =   E_norm · 2^(−(now − T0) / H)
 *
 * where E_norm is the plain sum of the normalised contributions. Events
 * before `now` come out decayed by exactly 2^(−(now − t)/H), and every lead
 * of a site is scaled by the same factor at a given moment, so the order of
 * E_norm is the order of the current engagement: an index on E_norm stays
 * valid forever and nothing is rewritten when time passes.
 *
 * Numeric range. Normalised values grow by a factor 2 per half-life after
 * T0. Doubles reach 2^1024, and sums of points need headroom (a lead's total
 * raw points stay far below 2^63), so the exponent (t − T0)/H is kept within
 * ±MAX_EXPONENT = 960. That holds for 960 half-lives on each side of T0:
 *
 *     H = 7 days   (the minimum a model allows)  until 2044-05
 *     H = 30 days  (the default)                 until 2104-11
 *     H = 90 days                                until 2262
 *
 * (H = 1 day would overflow after 960 days, in 2028: hence the minimum of 7.)
 * Precision is not the limit: scaling by a power of two keeps the relative
 * precision of a double (~1e-16), and contributions too old to matter drop
 * below it relative to new ones, exactly as decay intends. Outside the range
 * the functions throw a RangeError instead of returning Infinity; the way
 * out is a new T0 and one UPDATE that multiplies every E_norm by
 * 2^(−(T0_new − T0)/H).
 */

/** The reference time: 2026-01-01T00:00:00Z. Never change it without rescaling every stored E_norm. */
export const T0 = Date.UTC(2026, 0, 1);
export const DAY_MS = 86_400_000;
/** Largest |(t − T0)/H| allowed; see the module comment. */
export const MAX_EXPONENT = 960;

/** Half-lives from T0 to `t`. */
export function halfLivesSinceT0(t: number, halfLifeDays: number): number {
  if (!Number.isFinite(t)) throw new RangeError(`time must be a finite number of epoch milliseconds, got ${t}`);
  if (!(halfLifeDays > 0) || !Number.isFinite(halfLifeDays)) throw new RangeError(`half-life must be a positive number of days, got ${halfLifeDays}`);
  const x = (t - T0) / (halfLifeDays * DAY_MS);
  if (Math.abs(x) > MAX_EXPONENT) {
    throw new RangeError(
      `time ${Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : t} is ${Math.abs(x).toFixed(0)} half-lives from T0; at most ${MAX_EXPONENT} are representable`,
    );
  }
  return x;
}

/** The factor a contribution at time `t` is stored with: 2^((t − T0)/H). */
export function growth(t: number, halfLifeDays: number): number {
  return 2 ** halfLivesSinceT0(t, halfLifeDays);
}

/** Raw points at time `t`, normalised to T0. */
export function normalise(points: number, t: number, halfLifeDays: number): number {
  return points * growth(t, halfLifeDays);
}

/** The factor that turns E_norm into the engagement at `now`: 2^(−(now − T0)/H). */
export function decayFactor(now: number, halfLifeDays: number): number {
  return 2 ** -halfLivesSinceT0(now, halfLifeDays);
}

/** The engagement at `now` of a normalised sum. */
export function decayed(eNorm: number, now: number, halfLifeDays: number): number {
  return eNorm * decayFactor(now, halfLifeDays);
}

/** The interval of times this half-life can represent. */
export function horizon(halfLifeDays: number): { from: number; to: number } {
  const span = MAX_EXPONENT * halfLifeDays * DAY_MS;
  return { from: T0 - span, to: T0 + span };
}

/** The UTC day of a time (days since 1970-01-01), for caps per day. */
export function utcDay(t: number): number {
  return Math.floor(t / DAY_MS);
}
