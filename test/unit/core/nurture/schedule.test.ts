import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  addWait,
  dueAt,
  isTimeZone,
  localParts,
  nextInWindow,
  WEEKDAYS,
  type SendWindow,
  type Weekday,
} from '../../../../edge/core/nurture/schedule';

const at = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();
const BERLIN = 'Europe/Berlin';
const NY = 'America/New_York';
const MIN = 60_000;
const HOUR = 60 * MIN;

const OFFICE: SendWindow = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' };
const WEEKEND: SendWindow = { days: ['sat', 'sun'], from: '10:00', to: '14:00' };
const EVERY_DAY = (from: string, to: string): SendWindow => ({ days: WEEKDAYS, from, to });
const SUNDAY = (from: string, to: string): SendWindow => ({ days: ['sun'], from, to });

afterEach(() => vi.restoreAllMocks());

describe('isTimeZone', () => {
  it.each(['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'UTC', 'Etc/GMT+5'])('%s is a zone', (tz) => {
    expect(isTimeZone(tz)).toBe(true);
  });
  it.each(['Mars/Olympus', 'Europe/Berlinn', '', '+01:00', '-05:00', 'not a zone'])('%j is not', (tz) => {
    expect(isTimeZone(tz)).toBe(false);
  });
});

describe('localParts', () => {
  it('reads weekday, minutes after midnight and date in the zone', () => {
    // 2024-03-31 is a Sunday; Berlin jumps from 02:00 to 03:00 at 01:00Z.
    expect(localParts(at('2024-03-31T00:59:59Z'), BERLIN)).toEqual({ weekday: 'sun', minutes: 119, date: '2024-03-31' });
    expect(localParts(at('2024-03-31T01:00:00Z'), BERLIN)).toEqual({ weekday: 'sun', minutes: 180, date: '2024-03-31' });
    expect(localParts(at('2024-03-31T01:00:00Z'), NY)).toEqual({ weekday: 'sat', minutes: 21 * 60, date: '2024-03-30' });
    expect(localParts(at('2024-03-31T01:00:00Z'), 'UTC')).toEqual({ weekday: 'sun', minutes: 60, date: '2024-03-31' });
  });
  it('handles the half-hour offset of Asia/Kolkata across midnight', () => {
    expect(localParts(at('2024-01-01T18:29:59Z'), 'Asia/Kolkata')).toEqual({ weekday: 'mon', minutes: 23 * 60 + 59, date: '2024-01-01' });
    expect(localParts(at('2024-01-01T18:30:00Z'), 'Asia/Kolkata')).toEqual({ weekday: 'tue', minutes: 0, date: '2024-01-02' });
  });
  it('throws for an unknown zone', () => {
    expect(() => localParts(0, 'Mars/Olympus')).toThrow(RangeError);
  });
  it('creates one formatter per zone, however often it is asked', () => {
    const Real = Intl.DateTimeFormat;
    let made = 0;
    vi.spyOn(Intl, 'DateTimeFormat').mockImplementation(function (...args: ConstructorParameters<typeof Real>) {
      made++;
      return new Real(...args);
    } as unknown as typeof Real);
    for (let i = 0; i < 5; i++) expect(localParts(i * HOUR, 'Europe/Lisbon').date).toBe('1970-01-01');
    expect(made).toBeLessThanOrEqual(1);
  });
});

describe('nextInWindow: plain weekdays (Berlin, summer)', () => {
  it.each([
    ['inside stays', '2024-05-15T10:00:00+02:00', '2024-05-15T10:00:00+02:00'],
    ['the last millisecond is inside', '2024-05-15T16:59:59.999+02:00', '2024-05-15T16:59:59.999+02:00'],
    ['the start is inside', '2024-05-15T09:00:00+02:00', '2024-05-15T09:00:00+02:00'],
    ['before moves to the start', '2024-05-15T07:15:00+02:00', '2024-05-15T09:00:00+02:00'],
    ['seconds before the start', '2024-05-15T08:59:30.500+02:00', '2024-05-15T09:00:00+02:00'],
    ['the end is outside', '2024-05-15T17:00:00+02:00', '2024-05-16T09:00:00+02:00'],
    ['after moves to the next day', '2024-05-15T21:00:00+02:00', '2024-05-16T09:00:00+02:00'],
    ['Friday 17:30 → Monday 09:00', '2024-05-17T17:30:00+02:00', '2024-05-20T09:00:00+02:00'],
    ['Saturday → Monday', '2024-05-18T11:00:00+02:00', '2024-05-20T09:00:00+02:00'],
    ['Sunday before midnight → Monday', '2024-05-19T23:59:00+02:00', '2024-05-20T09:00:00+02:00'],
  ])('%s', (_, input, expected) => {
    expect(iso(nextInWindow(at(input), OFFICE, BERLIN))).toBe(iso(at(expected)));
  });
  it('needs few Intl calls for a weekend jump', () => {
    const spy = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    nextInWindow(at('2024-05-17T17:30:00+02:00'), OFFICE, BERLIN);
    expect(spy.mock.calls.length).toBeLessThanOrEqual(3);
  });
});

describe('nextInWindow: weekend-only and whole-day windows', () => {
  it.each([
    ['Friday → Saturday', '2024-05-17T12:00:00+02:00', '2024-05-18T10:00:00+02:00'],
    ['Saturday inside', '2024-05-18T13:59:00+02:00', '2024-05-18T13:59:00+02:00'],
    ['Saturday end → Sunday', '2024-05-18T14:00:00+02:00', '2024-05-19T10:00:00+02:00'],
    ['Sunday after → next Saturday', '2024-05-19T15:00:00+02:00', '2024-05-25T10:00:00+02:00'],
    ['Monday → Saturday', '2024-05-20T08:00:00+02:00', '2024-05-25T10:00:00+02:00'],
  ])('%s', (_, input, expected) => {
    expect(iso(nextInWindow(at(input), WEEKEND, BERLIN))).toBe(iso(at(expected)));
  });
  it('a whole day (00:00–24:00) starts at midnight and lasts to its end', () => {
    const sunday = SUNDAY('00:00', '24:00');
    expect(iso(nextInWindow(at('2024-05-18T23:59:59+02:00'), sunday, BERLIN))).toBe(iso(at('2024-05-19T00:00:00+02:00')));
    expect(iso(nextInWindow(at('2024-05-19T23:59:59+02:00'), sunday, BERLIN))).toBe(iso(at('2024-05-19T23:59:59+02:00')));
    expect(iso(nextInWindow(at('2024-05-20T00:00:00+02:00'), sunday, BERLIN))).toBe(iso(at('2024-05-26T00:00:00+02:00')));
  });
  it('UTC', () => {
    expect(iso(nextInWindow(at('2024-05-17T17:30:00Z'), OFFICE, 'UTC'))).toBe('2024-05-20T09:00:00.000Z');
    expect(iso(nextInWindow(at('2024-05-15T12:00:00Z'), OFFICE, 'UTC'))).toBe('2024-05-15T12:00:00.000Z');
  });
  it('Asia/Kolkata (+05:30)', () => {
    // Friday 17:15 IST → Monday 09:00 IST.
    expect(iso(nextInWindow(at('2024-01-05T11:45:00Z'), OFFICE, 'Asia/Kolkata'))).toBe('2024-01-08T03:30:00.000Z');
    // 08:59 IST → 09:00 IST the same day.
    expect(iso(nextInWindow(at('2024-01-08T03:29:00Z'), OFFICE, 'Asia/Kolkata'))).toBe('2024-01-08T03:30:00.000Z');
    // Saturday 00:00 IST is still Friday in UTC: the zone's weekday counts.
    expect(iso(nextInWindow(at('2024-01-05T18:30:00Z'), OFFICE, 'Asia/Kolkata'))).toBe('2024-01-08T03:30:00.000Z');
  });
});

describe('nextInWindow across DST', () => {
  it.each([
    // Berlin, spring forward: Sunday 2024-03-31 02:00 CET → 03:00 CEST at 01:00Z.
    ['Berlin: the day after a jump starts at 09:00 CEST', BERLIN, EVERY_DAY('09:00', '17:00'), '2024-03-30T18:00:00+01:00', '2024-03-31T09:00:00+02:00'],
    ['Berlin: a 02:30 start does not exist → 03:00 CEST', BERLIN, SUNDAY('02:30', '05:00'), '2024-03-30T12:00:00+01:00', '2024-03-31T03:00:00+02:00'],
    ['Berlin: from inside the night before the gap', BERLIN, SUNDAY('02:30', '05:00'), '2024-03-31T01:30:00+01:00', '2024-03-31T03:00:00+02:00'],
    ['Berlin: a window wholly in the gap waits a week', BERLIN, SUNDAY('02:00', '02:30'), '2024-03-30T12:00:00+01:00', '2024-04-07T02:00:00+02:00'],
    // Berlin, fall back: Sunday 2024-10-27 03:00 CEST → 02:00 CET at 01:00Z.
    ['Berlin: the day after fall-back starts at 09:00 CET', BERLIN, EVERY_DAY('09:00', '17:00'), '2024-10-26T18:00:00+02:00', '2024-10-27T09:00:00+01:00'],
    ['Berlin: a repeated start is taken the first time', BERLIN, SUNDAY('02:00', '02:30'), '2024-10-26T12:00:00+02:00', '2024-10-27T02:00:00+02:00'],
    ['Berlin: inside the first pass of a repeated hour', BERLIN, SUNDAY('02:00', '02:30'), '2024-10-27T02:15:00+02:00', '2024-10-27T02:15:00+02:00'],
    ['Berlin: after the first pass, the clock going back re-enters the window', BERLIN, SUNDAY('02:00', '02:30'), '2024-10-27T02:40:00+02:00', '2024-10-27T02:00:00+01:00'],
    ['Berlin: after the second pass, next week', BERLIN, SUNDAY('02:00', '02:30'), '2024-10-27T02:30:00+01:00', '2024-11-03T02:00:00+01:00'],
    // New York, spring forward: Sunday 2024-03-10 02:00 EST → 03:00 EDT at 07:00Z.
    ['New York: the day after a jump starts at 09:00 EDT', NY, EVERY_DAY('09:00', '17:00'), '2024-03-09T18:00:00-05:00', '2024-03-10T09:00:00-04:00'],
    ['New York: a 02:15 start does not exist → 03:00 EDT', NY, SUNDAY('02:15', '03:30'), '2024-03-09T12:00:00-05:00', '2024-03-10T03:00:00-04:00'],
    ['New York: Friday 17:30 EST → Monday 09:00 EDT', NY, OFFICE, '2024-03-08T17:30:00-05:00', '2024-03-11T09:00:00-04:00'],
    // New York, fall back: Sunday 2024-11-03 02:00 EDT → 01:00 EST at 06:00Z.
    ['New York: Friday 17:30 EDT → Monday 09:00 EST', NY, OFFICE, '2024-11-01T17:30:00-04:00', '2024-11-04T09:00:00-05:00'],
    ['New York: the clock going back re-enters the window', NY, SUNDAY('01:00', '01:30'), '2024-11-03T01:45:00-04:00', '2024-11-03T01:00:00-05:00'],
  ])('%s', (_, tz, window, input, expected) => {
    expect(iso(nextInWindow(at(input), window, tz))).toBe(iso(at(expected)));
  });
  it('keeps Intl calls few even when a hop crosses a transition', () => {
    const spy = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    nextInWindow(at('2024-10-27T02:40:00+02:00'), SUNDAY('02:00', '02:30'), BERLIN);
    nextInWindow(at('2024-03-30T12:00:00+01:00'), SUNDAY('02:30', '05:00'), BERLIN);
    expect(spy.mock.calls.length).toBeLessThanOrEqual(2 * 20);
  });
});

describe('nextInWindow refuses a malformed window', () => {
  it.each([
    ['no days', { days: [], from: '09:00', to: '17:00' }],
    ['from = to', { days: ['mon'], from: '09:00', to: '09:00' }],
    ['from after to', { days: ['mon'], from: '17:00', to: '09:00' }],
    ['from 24:00', { days: ['mon'], from: '24:00', to: '24:00' }],
    ['not HH:MM', { days: ['mon'], from: '9:00', to: '17:00' }],
    ['bad minute', { days: ['mon'], from: '09:60', to: '17:00' }],
    ['unknown day', { days: ['mo' as Weekday], from: '09:00', to: '17:00' }],
  ] as [string, SendWindow][])('%s', (_, window) => {
    expect(() => nextInWindow(0, window, 'UTC')).toThrow(Error);
  });
});

describe('addWait', () => {
  it.each([
    // Calendar days keep the local time across DST (23 h and 25 h elapsed).
    ['Berlin +1 day over spring forward', BERLIN, { days: 1 }, '2024-03-30T10:00:00+01:00', '2024-03-31T10:00:00+02:00'],
    ['Berlin +1 day over fall back', BERLIN, { days: 1 }, '2024-10-26T10:00:00+02:00', '2024-10-27T10:00:00+01:00'],
    ['Berlin +7 days over spring forward', BERLIN, { days: 7 }, '2024-03-28T10:00:00+01:00', '2024-04-04T10:00:00+02:00'],
    ['Berlin -1 day back over spring forward', BERLIN, { days: -1 }, '2024-03-31T10:00:00+02:00', '2024-03-30T10:00:00+01:00'],
    ['New York +1 day over spring forward', NY, { days: 1 }, '2024-03-09T10:00:00-05:00', '2024-03-10T10:00:00-04:00'],
    ['New York +1 day over fall back', NY, { days: 1 }, '2024-11-02T10:00:00-04:00', '2024-11-03T10:00:00-05:00'],
    // A day onto a skipped time moves forward by the gap; onto a repeated one, the first.
    ['Berlin +1 day onto 02:30 that does not exist', BERLIN, { days: 1 }, '2024-03-30T02:30:00+01:00', '2024-03-31T03:30:00+02:00'],
    ['Berlin +1 day onto 02:30 that happens twice', BERLIN, { days: 1 }, '2024-10-26T02:30:00+02:00', '2024-10-27T02:30:00+02:00'],
    // Hours and minutes are elapsed time.
    ['Berlin +6 hours over spring forward', BERLIN, { hours: 6 }, '2024-03-30T22:00:00+01:00', '2024-03-31T05:00:00+02:00'],
    ['Berlin +90 minutes over fall back', BERLIN, { minutes: 90 }, '2024-10-27T02:00:00+02:00', '2024-10-27T02:30:00+01:00'],
    ['Berlin 1 day then 2 hours', BERLIN, { days: 1, hours: 2 }, '2024-03-30T10:00:00+01:00', '2024-03-31T12:00:00+02:00'],
    ['UTC +1 day', 'UTC', { days: 1 }, '2024-03-30T10:00:00Z', '2024-03-31T10:00:00Z'],
    ['Kolkata +1 day keeps the local time', 'Asia/Kolkata', { days: 1, minutes: 30 }, '2024-01-05T23:45:00+05:30', '2024-01-07T00:15:00+05:30'],
    ['nothing to wait', BERLIN, {}, '2024-03-30T10:00:00+01:00', '2024-03-30T10:00:00+01:00'],
  ])('%s', (_, tz, wait, input, expected) => {
    expect(iso(addWait(at(input), wait, tz))).toBe(iso(at(expected)));
  });
  it('refuses a fraction of a day', () => {
    expect(() => addWait(0, { days: 0.5 }, 'UTC')).toThrow(Error);
  });
});

describe('dueAt', () => {
  it('waits, then moves into the window', () => {
    // Friday 15:00 + 1 day = Saturday 15:00 → Monday 09:00.
    expect(iso(dueAt(at('2024-05-17T15:00:00+02:00'), { days: 1, window: OFFICE }, BERLIN))).toBe(iso(at('2024-05-20T09:00:00+02:00')));
    expect(iso(dueAt(at('2024-05-17T15:00:00+02:00'), { days: 1 }, BERLIN))).toBe(iso(at('2024-05-18T15:00:00+02:00')));
    // Inside after the wait: unchanged.
    expect(iso(dueAt(at('2024-05-13T10:00:00+02:00'), { days: 1, hours: 2, window: OFFICE }, BERLIN))).toBe(iso(at('2024-05-14T12:00:00+02:00')));
    // Over spring forward: Saturday 08:00 CET + 1 day = Sunday 08:00 CEST, window from 09:00 CEST.
    expect(iso(dueAt(at('2024-03-30T08:00:00+01:00'), { days: 1, window: EVERY_DAY('09:00', '17:00') }, BERLIN))).toBe(iso(at('2024-03-31T09:00:00+02:00')));
  });
});

describe('nextInWindow: properties', () => {
  const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'UTC', 'Australia/Lord_Howe', 'America/Santiago', 'America/Sao_Paulo'];
  // Transitions with their zone: Berlin, New York, Lord Howe's half hour, Santiago's midnight.
  const TRANSITIONS = [
    [BERLIN, '2024-03-31T01:00Z', 'forward'],
    [BERLIN, '2024-10-27T01:00Z', 'back'],
    [NY, '2024-03-10T07:00Z', 'forward'],
    [NY, '2024-11-03T06:00Z', 'back'],
    ['Australia/Lord_Howe', '2024-04-06T15:00Z', 'back'],
    ['Australia/Lord_Howe', '2024-10-05T15:30Z', 'forward'],
    ['America/Santiago', '2024-04-07T03:00Z', 'back'],
    ['America/Santiago', '2024-09-08T04:00Z', 'forward'],
  ] as const;
  const near = (minutes: number) =>
    fc
      .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -minutes, max: minutes }), fc.integer({ min: 0, max: MIN - 1 }))
      .map(([[tz, t], m, ms]) => ({ tz, t: at(t) + m * MIN + ms }));
  const anywhere = fc.record({ tz: fc.constantFrom(...ZONES), t: fc.integer({ min: at('2000-01-01T00:00Z'), max: at('2040-01-01T00:00Z') }) });
  // Just before a fall-back: a window already passed may come round again.
  const beforeFallBack = fc
    .tuple(fc.constantFrom(...TRANSITIONS.filter(([, , kind]) => kind === 'back')), fc.integer({ min: 1, max: 90 }))
    .map(([[tz, t], m]) => ({ tz, t: at(t) - m * MIN }));
  const when = fc.oneof(near(4 * 24 * 60), near(3 * 60), beforeFallBack, anywhere);
  // Half the windows are short and at night, where the transitions are.
  const night = fc.oneof(fc.integer({ min: 0, max: 240 }), fc.integer({ min: 1320, max: 1439 }));
  const start = fc.oneof(fc.tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 1440 })), fc.tuple(night, fc.integer({ min: 1, max: 90 })));
  const window = fc
    .tuple(fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 7 }), start)
    .map(([days, [from, len]]): SendWindow => {
      const to = Math.min(from + len, 1440);
      const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      return { days, from: hhmm(from), to: hhmm(to) };
    });
  const minutesOf = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
  const inside = (t: number, w: SendWindow, tz: string) => {
    const p = localParts(t, tz);
    return w.days.includes(p.weekday) && p.minutes >= minutesOf(w.from) && p.minutes < minutesOf(w.to);
  };

  it('lands inside, not before the input, and skips no earlier moment inside', () => {
    fc.assert(
      fc.property(when, window, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }), ({ t, tz }, w, fractions) => {
        const r = nextInWindow(t, w, tz);
        expect(r).toBeGreaterThanOrEqual(t);
        expect(inside(r, w, tz)).toBe(true);
        expect(r - t).toBeLessThanOrEqual(8 * 24 * HOUR);
        if (r === t) return;
        // Just before the result, and minute boundaries sampled in between, are outside.
        expect(inside(r - 1, w, tz)).toBe(false);
        expect(inside(t, w, tz)).toBe(false);
        // Sampled across the whole span, and every 10 minutes (random phase) in the 3 h after the input and before
        // the result, where a clock going back or a gap would hide an earlier moment.
        const first = Math.ceil(t / MIN) * MIN;
        const last = Math.ceil(r / MIN) * MIN - MIN;
        const span = (last - first) / MIN;
        const phase = Math.floor(fractions[0]! * 10) * MIN;
        const samples = fractions.map((f) => first + Math.floor(span * f) * MIN);
        for (let k = 0; k < 18; k++) samples.push(first + phase + k * 10 * MIN, last - phase - k * 10 * MIN);
        for (const m of samples) if (m >= t && m < r) expect(inside(m, w, tz)).toBe(false);
      }),
      { numRuns: 1500 },
    );
  });
  it('is idempotent', () => {
    fc.assert(
      fc.property(when, window, ({ t, tz }, w) => {
        const r = nextInWindow(t, w, tz);
        expect(nextInWindow(r, w, tz)).toBe(r);
      }),
      { numRuns: 300 },
    );
  });
});
