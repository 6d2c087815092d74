/**
 * When a nurture step is due: waits (calendar days in the lead's zone, then
 * elapsed hours and minutes) and send windows (listed weekdays, a local time
 * range). Pure: the only time-zone source is Intl.DateTimeFormat, so it runs
 * the same in workerd and in Node.
 *
 * Internally a "wall" is the local date and time written as if it were UTC
 * (epoch ms); offset = wall - instant. tzdb transitions fall on whole
 * seconds, so the offset is constant within a second.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Listed weekdays, local time in [from, to); "HH:MM", from < to, "24:00" allowed as `to`. */
export interface SendWindow {
  days: readonly Weekday[];
  from: string;
  to: string;
}

export interface Wait {
  days?: number;
  hours?: number;
  minutes?: number;
}

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

// Creating a DateTimeFormat costs far more than formatting with one. Bounded:
// zone names are case-insensitive, so callers could make endless variants.
const formats = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATS = 500;

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    // Newer runtimes accept "+01:00" as a zone, older ones do not: refuse it everywhere.
    if (/^[+-]/.test(timeZone)) throw new RangeError(`not an IANA time zone: ${timeZone}`);
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formats.size >= MAX_FORMATS) formats.clear();
    formats.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz === '') return false;
  try {
    formatFor(tz);
    return true;
  } catch {
    return false;
  }
}

/** wall - instant at `instant`: one Intl call. */
function offsetAt(f: Intl.DateTimeFormat, instant: number): number {
  const p: Record<string, number> = {};
  for (const { type, value } of f.formatToParts(instant)) if (type !== 'literal') p[type] = Number(value);
  // Some ICU versions print midnight as 24 even with h23.
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!);
  return wall - Math.floor(instant / SEC) * SEC;
}

const dayStart = (wall: number) => Math.floor(wall / DAY) * DAY;
// 1970-01-01 was a Thursday (index 3).
const weekdayIndex = (wall: number) => (((Math.floor(wall / DAY) + 3) % 7) + 7) % 7;

export function localParts(instant: number, timeZone: string): { weekday: Weekday; minutes: number; date: string } {
  const wall = instant + offsetAt(formatFor(timeZone), instant);
  const d = dayStart(wall);
  return {
    weekday: WEEKDAYS[weekdayIndex(wall)]!,
    minutes: Math.floor((wall - d) / MIN),
    date: new Date(d).toISOString().slice(0, 10),
  };
}

function parseClock(text: string, allow24: boolean): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (m) return (Number(m[1]) * 60 + Number(m[2])) * MIN;
  if (allow24 && text === '24:00') return DAY;
  throw new Error(`send window: bad time ${JSON.stringify(text)}`);
}

interface Window {
  days: boolean[]; // by weekday index
  from: number; // ms after local midnight
  to: number;
}

function compile(window: SendWindow): Window {
  if (window.days.length === 0) throw new Error('send window: no days');
  const days = WEEKDAYS.map(() => false);
  for (const d of window.days) {
    const i = WEEKDAYS.indexOf(d);
    if (i < 0) throw new Error(`send window: bad day ${JSON.stringify(d)}`);
    days[i] = true;
  }
  const from = parseClock(window.from, false);
  const to = parseClock(window.to, true);
  if (from >= to) throw new Error('send window: from must be before to');
  return { days, from, to };
}

function insideWall(w: Window, wall: number): boolean {
  const t = wall - dayStart(wall);
  return w.days[weekdayIndex(wall)]! && t >= w.from && t < w.to;
}

/** The first window start (wall) after `wall`; within a week, as some day is listed. */
function nextStartWall(w: Window, wall: number): number {
  const d0 = dayStart(wall);
  for (let k = 0; ; k++) {
    const start = d0 + k * DAY + w.from;
    if (start > wall && w.days[weekdayIndex(start)]) return start;
  }
}

/**
 * The first whole-second instant in (lo, hi] whose offset is not `o`, and its
 * offset; offsetAt(lo) is `o`, offsetAt(hi) is `oHi`. Bisection: ~log2 of the
 * range in seconds, and callers keep the range short.
 */
function transition(f: Intl.DateTimeFormat, lo: number, hi: number, o: number, oHi: number): [number, number] {
  let l = Math.floor(lo / SEC) * SEC;
  let h = Math.floor(hi / SEC) * SEC;
  while (h - l > SEC) {
    const mid = l + Math.floor((h - l) / (2 * SEC)) * SEC;
    const om = offsetAt(f, mid);
    if (om === o) l = mid;
    else [h, oHi] = [mid, om];
  }
  return [h, oHi];
}

/**
 * The earliest instant ≥ `instant` inside the window in `timeZone`. Jumps from
 * window start to window start assuming the offset holds; only when the
 * offset differs at the landing point does it look for the transition, and
 * then only where it can matter (a spring-forward gap over the start, or a
 * fall-back that repeats wall times already passed). Assumes at most one
 * transition per hop (tzdb has none closer than weeks apart in modern times).
 */
export function nextInWindow(instant: number, window: SendWindow, timeZone: string): number {
  const w = compile(window);
  const f = formatFor(timeZone);
  let t = instant;
  let o = offsetAt(f, t);
  // Each turn returns or passes one transition; a week holds at most a couple.
  for (let turn = 0; turn < 8; turn++) {
    const wall = t + o;
    if (insideWall(w, wall)) return t;
    const start = nextStartWall(w, wall);
    const c = start - o;
    const oc = offsetAt(f, c);
    if (oc === o) return c;
    if (oc > o) {
      // Spring forward before c: the start read with the new offset, unless it falls in the gap.
      const c2 = start - oc;
      if (c2 > t && offsetAt(f, c2) === oc) return c2;
      [t, o] = transition(f, Math.max(c2, t), c, o, oc);
    } else {
      // Fall back before c: wall times repeat. Harmless unless the clock went back
      // to before where we started, i.e. the transition lies within the shift of t.
      const p = t + (o - oc);
      if (p < c) {
        const op = offsetAt(f, p);
        if (op === o) {
          [t, o] = [c, oc];
          continue;
        }
        [t, o] = transition(f, t, p, o, op);
      } else {
        [t, o] = transition(f, t, c, o, oc);
      }
    }
  }
  throw new Error('send window: not found within the turns allowed');
}

/** The instant a wall time names; a skipped one moves forward by the gap, a repeated one takes the first (as Temporal's "compatible"). */
function wallToInstant(f: Intl.DateTimeFormat, wall: number): number {
  const before = offsetAt(f, wall - DAY);
  const after = offsetAt(f, wall + DAY);
  if (before === after) return wall - before;
  const cb = wall - before;
  const ca = wall - after;
  const okB = offsetAt(f, cb) === before;
  const okA = offsetAt(f, ca) === after;
  if (okB && okA) return Math.min(cb, ca);
  if (okA) return ca;
  return cb; // valid, or in a gap: read with the offset before it
}

/** Days are calendar days in the zone (same local time), then hours and minutes are elapsed time. */
export function addWait(instant: number, wait: Wait, timeZone: string): number {
  const days = wait.days ?? 0;
  if (!Number.isInteger(days)) throw new Error('wait: days must be whole');
  let t = instant;
  if (days !== 0) {
    const f = formatFor(timeZone);
    t = wallToInstant(f, t + offsetAt(f, t) + days * DAY);
  }
  return t + (wait.hours ?? 0) * HOUR + (wait.minutes ?? 0) * MIN;
}

/** When a step waiting `wait` after `from` may be sent. */
export function dueAt(from: number, wait: Wait & { window?: SendWindow }, timeZone: string): number {
  const t = addWait(from, wait, timeZone);
  return wait.window ? nextInWindow(t, wait.window, timeZone) : t;
}
