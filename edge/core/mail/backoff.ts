/**
 * Retry schedule of the mail outbox. Pure: no I/O.
 *
 * Retries are front-loaded (a provider hiccup is usually over within
 * minutes) but last more than 72 h (87 h without jitter): an expired mail API
 * key or a missing binding over a weekend must not lose the mail. Each wait
 * is at least 1.2 times the one before, so jitter never reorders them.
 */
const H = 60 * 60_000;
export const RETRY_DELAYS_MS = [
  60_000, // 1 min
  5 * 60_000,
  15 * 60_000,
  H,
  2 * H,
  4 * H,
  8 * H,
  12 * H,
  16 * H,
  20 * H,
  24 * H,
] as const;

/** The shortest time from the first failed attempt to `dead` (no jitter). */
export const MIN_RETRY_SPAN_MS = RETRY_DELAYS_MS.reduce((a, b) => a + b, 0);

/** How many failed attempts a mail may have before it is given up ("dead"). */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/**
 * When to try again after `attempts` failed attempts (1 = the first failed),
 * or null when the mail is to be given up. A small jitter spreads retries of
 * mails that failed together (one provider outage) over the window.
 */
export function nextAttemptAt(attempts: number, now: number, random: () => number = Math.random): number | null {
  if (attempts >= MAX_ATTEMPTS) return null;
  const base = RETRY_DELAYS_MS[Math.max(0, attempts - 1)]!;
  return now + Math.round(base * (1 + 0.2 * random()));
}

/**
 * A send attempt that neither finished nor failed (the isolate died) leaves
 * its row leased until this long has passed; then the cron retries it.
 */
export const SEND_LEASE_MS = 2 * 60_000;
