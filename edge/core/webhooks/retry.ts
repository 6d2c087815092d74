/**
 * Retry policy of webhook deliveries. Pure: no I/O.
 *
 * - 2xx: delivered.
 * - 408 and 429: retried; a Retry-After answer (seconds or HTTP date) sets
 *   the next attempt exactly.
 * - any other 4xx: dead at once (the receiver refused this message; sending
 *   it again cannot help). 3xx too: redirects are not followed, so that a
 *   receiver cannot point deliveries somewhere else.
 * - 5xx, timeouts and network errors: retried (Retry-After honoured when sent).
 *
 * Retries back off exponentially with jitter, 1 min · 2^(n−1) capped at 12 h,
 * for up to 72 h after the message was created (or replayed); the last
 * attempt is made at the end of that window, and a message that still fails
 * then is dead. The cron runs every 5 minutes, so short delays are rounded up
 * to its next run.
 */

export const RETRY_WINDOW_MS = 72 * 60 * 60_000;
export const RETRY_BASE_MS = 60_000;
export const RETRY_CAP_MS = 12 * 60 * 60_000;
/** ±20 % jitter spreads the retries of messages that failed together. */
export const RETRY_JITTER = 0.2;

export type AttemptOutcome = 'delivered' | 'retry' | 'dead';

/** What an HTTP status (null: no answer at all) means for the message. */
export function classifyStatus(status: number | null): AttemptOutcome {
  if (status === null) return 'retry';
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429) return 'retry';
  if (status >= 500) return 'retry';
  return 'dead'; // other 4xx, 3xx (not followed), 1xx
}

/** The backoff delay after `failed` failed attempts (1 = the first); `random` in [0, 1). */
export function backoffDelayMs(failed: number, random: number): number {
  const exp = Math.min(Math.max(failed, 1) - 1, 30);
  const base = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** exp);
  return Math.round(base * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random));
}

/**
 * Retry-After as a delay in ms from `now`: delta-seconds ("120") or an HTTP
 * date ("Wed, 21 Oct 2026 07:28:00 GMT"). A date in the past is 0. Null when
 * absent or unreadable (then the backoff applies).
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : null;
  }
  // HTTP dates only: a weekday and "GMT" (IMF-fixdate, RFC 850, asctime); not arbitrary text.
  if (!/^[A-Za-z]{3}/.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/**
 * When to try again after a failed attempt, or null when the message is
 * dead: the window is over, or the receiver asked (Retry-After) for a time
 * beyond it.
 */
export function nextAttemptAt(opts: {
  failed: number;
  now: number;
  windowStart: number;
  retryAfterMs: number | null;
  random: number;
}): number | null {
  const deadline = opts.windowStart + RETRY_WINDOW_MS;
  if (opts.now >= deadline) return null;
  if (opts.retryAfterMs !== null) {
    const at = opts.now + opts.retryAfterMs;
    return at > deadline ? null : at;
  }
  return Math.min(opts.now + backoffDelayMs(opts.failed, opts.random), deadline);
}

/** The whole schedule without jitter (random = 0.5), for documentation and tests. */
export function retrySchedule(windowStart = 0): number[] {
  const times = [windowStart];
  for (let failed = 1; ; failed++) {
    const next = nextAttemptAt({ failed, now: times.at(-1)!, windowStart, retryAfterMs: null, random: 0.5 });
    if (next === null) return times;
    times.push(next);
  }
}
