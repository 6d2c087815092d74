import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs, classifyStatus, nextAttemptAt, parseRetryAfter, retrySchedule, RETRY_CAP_MS, RETRY_WINDOW_MS,
} from '../../../edge/core/webhooks/retry';

const MIN = 60_000;
const H = 60 * MIN;

describe('which answers are retried', () => {
  it('2xx delivers; 408, 429, 5xx and no answer retry; other 4xx and 3xx are final', () => {
    for (const s of [200, 201, 202, 204, 299]) expect(classifyStatus(s)).toBe('delivered');
    for (const s of [408, 429, 500, 502, 503, 504, 599]) expect(classifyStatus(s)).toBe('retry');
    expect(classifyStatus(null)).toBe('retry');
    for (const s of [400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 451, 301, 302, 307, 308, 100]) expect(classifyStatus(s)).toBe('dead');
  });
});

describe('backoff', () => {
  it('doubles from 1 minute up to a 12 h cap, with ±20 % jitter', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, 0.5))).toEqual([MIN, 2 * MIN, 4 * MIN, 8 * MIN, 16 * MIN]);
    expect(backoffDelayMs(11, 0.5)).toBe(RETRY_CAP_MS);
    expect(backoffDelayMs(40, 0.5)).toBe(RETRY_CAP_MS);
    expect(backoffDelayMs(1, 0)).toBe(0.8 * MIN);
    expect(backoffDelayMs(1, 0.999999)).toBeCloseTo(1.2 * MIN, -1);
    expect(backoffDelayMs(11, 0)).toBe(0.8 * RETRY_CAP_MS);
  });

  it('the schedule spans exactly 72 h: increasing gaps, last attempt at the window end', () => {
    const times = retrySchedule(0);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(times.at(-1)).toBe(RETRY_WINDOW_MS);
    expect(gaps.slice(0, 10)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((m) => m * MIN));
    for (const g of gaps) expect(g).toBeLessThanOrEqual(RETRY_CAP_MS);
    expect(times.length).toBe(16); // first try + 15 retries
    // After the attempt at the window's end, nothing more.
    expect(nextAttemptAt({ failed: times.length, now: RETRY_WINDOW_MS, windowStart: 0, retryAfterMs: null, random: 0.5 })).toBeNull();
  });

  it('a replay restarts the window', () => {
    const replayedAt = 100 * H;
    expect(nextAttemptAt({ failed: 20, now: replayedAt, windowStart: replayedAt, retryAfterMs: null, random: 0.5 })).toBe(replayedAt + RETRY_CAP_MS);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');

  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 7 ', now)).toBe(7000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:05:00 GMT', now)).toBe(5 * MIN); // IMF-fixdate
    expect(parseRetryAfter('Sunday, 22-Nov-26 10:00:30 GMT', now)).toBe(30_000); // RFC 850
    expect(parseRetryAfter('Sun Nov 22 10:01:00 2026', now)).not.toBeNull(); // asctime (local time zone of the parser)
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0); // in the past
  });

  it('ignores what it cannot read', () => {
    for (const bad of [null, undefined, '', '  ', '-5', '1.5', 'soon', '2026-11-22T10:05:00Z', '10 minutes', '12abc']) {
      expect(parseRetryAfter(bad, now)).toBeNull();
    }
  });

  it('sets the next attempt exactly, unless it lies beyond the window', () => {
    expect(nextAttemptAt({ failed: 1, now, windowStart: now, retryAfterMs: 2000, random: 0.5 })).toBe(now + 2000);
    expect(nextAttemptAt({ failed: 1, now, windowStart: now, retryAfterMs: 5 * H, random: 0.5 })).toBe(now + 5 * H);
    expect(nextAttemptAt({ failed: 1, now, windowStart: now - 70 * H, retryAfterMs: 3 * H, random: 0.5 })).toBeNull();
  });
});
