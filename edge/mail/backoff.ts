/**
 * Retry schedule of the mail outbox. Pure: no I/O.
 *
 * A confirmation mail is only useful while its link is young, so retries are
 * front-loaded (a provider hiccup is usually over within minutes) and give up
 * after about a day: the visitor has long since submitted again or left.
 */
export const RETRY_DELAYS_MS = [
  60_000, // 1 min
  5 * 60_000,
  15 * 60_000,
  60 * 60_000, // 1 h
  3 * 60 * 60_000,
  8 * 60 * 60_000,
  12 * 60 * 60_000,
] as const;

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
