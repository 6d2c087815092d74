import { describe, expect, it } from 'vitest';
import { evaluate, exitReasonOf, planMove, type EnrollmentPosition, type EventProbe, type LeadFacts } from '../../../../edge/core/nurture/plan';
import { parseSequence, type Condition, type NurtureSettings, type Sequence } from '../../../../edge/core/nurture/sequence';
import { threeMails } from '../../../fixtures/sequences';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A Monday, 10:00 in Berlin (winter time, weeks from a DST change). */
const NOW = Date.parse('2025-03-10T09:00:00Z');
const SETTINGS: NurtureSettings = { minGapHours: 72, sendsPerMinute: 60, timeZone: 'Europe/Berlin' };

const parse = (doc: unknown): Sequence => parseSequence(doc, { id: 'seq', magnets: new Set(['whitepaper']) });

/** A parsed sequence of `steps`, with one template per send step. */
function sequence(steps: Record<string, unknown>[]): Sequence {
  const templates: Record<string, unknown> = {};
  for (const s of steps) if (s.type === 'send') templates[s.template as string] = { en: { subject: `Mail ${String(s.template)}`, body: 'Hello' } };
  return parse(threeMails({ steps, templates }));
}

function lead(over: Partial<LeadFacts> = {}): LeadFacts {
  return {
    status: 'confirmed',
    marketing: true,
    legitimateInterest: false,
    suppressed: null,
    withSales: false,
    handedOff: false,
    stage: 'confirmed',
    handoffStage: 'sql',
    score: 20,
    temperature: 'warm',
    profile: { firstName: 'Jane', company: 'Acme', role: null, companySize: '11-50', industry: '  ', country: 'DE' },
    lastNurtureAt: null,
    ...over,
  };
}

const at = (stepId: string, stepAt = NOW, enteredAt = NOW): EnrollmentPosition => ({ stepId, stepAt, enteredAt });

/** A probe that answers `answer` and records what it was asked. */
function probe(answer = false) {
  const calls: { c: Condition; since: number }[] = [];
  const fn: EventProbe = async (c, since) => (calls.push({ c, since }), answer);
  return { fn, calls };
}

const plan = (seq: Sequence, pos: EnrollmentPosition, facts = lead(), p: EventProbe = probe().fn, now = NOW) =>
  planMove(seq, pos, facts, { now, settings: SETTINGS, probe: p });

describe('planMove: sends and waits', () => {
  const seq = parse(threeMails());

  it('sends the first step and rests at the following wait, due the wait after now', async () => {
    expect(await plan(seq, at('welcome'))).toEqual({
      kind: 'send', step: 'welcome', template: 'welcome', rest: { kind: 'at', step: 'wait-1', stepAt: NOW, dueAt: NOW + 2 * DAY },
    });
  });

  it('rests at a wait that is not due yet, keeping when the lead reached it', async () => {
    const stepAt = NOW - 2 * DAY + 1;
    expect(await plan(seq, at('wait-1', stepAt), lead({ lastNurtureAt: stepAt }))).toEqual({
      kind: 'rest', rest: { kind: 'at', step: 'wait-1', stepAt, dueAt: stepAt + 2 * DAY },
    });
  });

  it('walks on from a due wait to the next send, and rests at the wait after it', async () => {
    // Due at NOW; the welcome mail went out three days ago, so the 72 h cap allows the next one.
    const stepAt = NOW - 2 * DAY;
    expect(await plan(seq, at('wait-1', stepAt), lead({ lastNurtureAt: NOW - 72 * HOUR }))).toEqual({
      kind: 'send', step: 'case-study', template: 'case', rest: { kind: 'at', step: 'wait-2', stepAt: NOW, dueAt: NOW + 2 * DAY },
    });
  });

  it('completes after the last step', async () => {
    expect(await plan(seq, at('wait-2', NOW - 3 * DAY), lead({ lastNurtureAt: NOW - 3 * DAY }))).toEqual({
      kind: 'send', step: 'offer', template: 'offer', rest: { kind: 'completed', step: 'offer' },
    });
    const ending = sequence([{ id: 'a', type: 'send', template: 'a' }, { id: 'w', type: 'wait', hours: 5 }]);
    expect(await plan(ending, at('w', NOW - 5 * HOUR))).toEqual({ kind: 'rest', rest: { kind: 'completed', step: 'w' } });
  });

  it('follows next instead of the following step', async () => {
    const s = sequence([
      { id: 'a', type: 'send', template: 'a', next: 'w2' },
      { id: 'w1', type: 'wait', days: 1 },
      { id: 'w2', type: 'wait', hours: 6 },
    ]);
    expect((await plan(s, at('a'))).rest).toEqual({ kind: 'at', step: 'w2', stepAt: NOW, dueAt: NOW + 6 * HOUR });
  });

  it('sends one mail per move: a second send in a row rests at now', async () => {
    const s = sequence([{ id: 'a', type: 'send', template: 'a' }, { id: 'b', type: 'send', template: 'b' }]);
    expect(await plan(s, at('a'))).toEqual({ kind: 'send', step: 'a', template: 'a', rest: { kind: 'at', step: 'b', stepAt: NOW, dueAt: NOW } });
  });

  it('reads a wait’s window in the site’s time zone', async () => {
    const s = sequence([
      { id: 'a', type: 'send', template: 'a' },
      { id: 'w', type: 'wait', days: 1, window: { days: ['fri'], from: '09:00', to: '12:00' } },
    ]);
    // Tuesday 10:00 in Berlin, then the next Friday 09:00 in Berlin (08:00 UTC).
    expect((await plan(s, at('a'))).rest).toEqual({ kind: 'at', step: 'w', stepAt: NOW, dueAt: Date.parse('2025-03-14T08:00:00Z') });
  });
});

describe('planMove: the frequency cap', () => {
  const seq = parse(threeMails());

  it('defers a send within the gap at the send step, due lastNurtureAt + the gap', async () => {
    const last = NOW - 24 * HOUR;
    expect(await plan(seq, at('wait-1', NOW - 3 * DAY), lead({ lastNurtureAt: last }))).toEqual({
      kind: 'rest', deferred: 'cap', rest: { kind: 'at', step: 'case-study', stepAt: NOW - DAY, dueAt: last + 72 * HOUR },
    });
    expect(await plan(seq, at('welcome'), lead({ lastNurtureAt: last }))).toEqual({
      kind: 'rest', deferred: 'cap', rest: { kind: 'at', step: 'welcome', stepAt: NOW, dueAt: last + 72 * HOUR },
    });
  });

  it('sends once the gap has passed, to the millisecond', async () => {
    expect((await plan(seq, at('welcome'), lead({ lastNurtureAt: NOW - 72 * HOUR }))).kind).toBe('send');
    expect(await plan(seq, at('welcome'), lead({ lastNurtureAt: NOW - 72 * HOUR + 1 }))).toMatchObject({ kind: 'rest', deferred: 'cap', rest: { dueAt: NOW + 1 } });
  });
});

describe('planMove: a send keeps the window of the wait before it', () => {
  // Tue–Thu 09:00–12:00 in Berlin (UTC+1 in March).
  const window = { days: ['tue', 'wed', 'thu'], from: '09:00', to: '12:00' };
  const seq = sequence([
    { id: 'a', type: 'send', template: 'a' },
    { id: 'w', type: 'wait', days: 1, window },
    { id: 'b', type: 'send', template: 'b' },
    { id: 'w2', type: 'wait', days: 1 },
  ]);
  const tue0930 = Date.parse('2025-03-11T08:30:00Z');
  const thu1100 = Date.parse('2025-03-13T10:00:00Z');
  const fri1000 = Date.parse('2025-03-14T09:00:00Z');
  const nextTue0900 = Date.parse('2025-03-18T08:00:00Z');

  it('a mail the cap holds back goes out at the window’s first opening after the cap, not at the cap itself', async () => {
    // The cap allows the mail on Thursday 12:30, after the window closed: next Tuesday 09:00.
    const capEnds = Date.parse('2025-03-13T11:30:00Z');
    const facts = lead({ lastNurtureAt: capEnds - 72 * HOUR });
    // Monday 10:00 + 1 day is Tuesday 10:00, inside the window; the run is at 11:00.
    const tue1100 = Date.parse('2025-03-11T10:00:00Z');
    expect(await plan(seq, at('w', NOW), facts, probe().fn, tue1100)).toEqual({
      kind: 'rest', deferred: 'cap', rest: { kind: 'at', step: 'b', stepAt: NOW + DAY, dueAt: nextTue0900 },
    });
    // A cap that ends inside the window is kept to the millisecond.
    const inside = Date.parse('2025-03-12T09:15:00Z');
    expect((await plan(seq, at('w', NOW), lead({ lastNurtureAt: inside - 72 * HOUR }), probe().fn, tue1100)).rest)
      .toMatchObject({ step: 'b', dueAt: inside });
  });

  it('resting at the send step, the window still holds when the run comes late', async () => {
    const facts = lead({ lastNurtureAt: NOW - 10 * DAY });
    expect(await plan(seq, at('b', tue0930), facts, probe().fn, thu1100)).toMatchObject({ kind: 'send', step: 'b' });
    expect(await plan(seq, at('b', tue0930), facts, probe().fn, fri1000)).toEqual({
      kind: 'rest', deferred: 'window', rest: { kind: 'at', step: 'b', stepAt: tue0930, dueAt: nextTue0900 },
    });
  });

  it('a wait that came due inside the window but is read after it closed rests until the next opening', async () => {
    // Due Thursday 11:58 (Wednesday 11:58 + 1 day); the run after it is at 12:00.
    const stepAt = Date.parse('2025-03-12T10:58:00Z');
    const run = Date.parse('2025-03-13T11:00:00Z');
    expect(await plan(seq, at('w', stepAt), lead(), probe().fn, run)).toEqual({
      kind: 'rest', deferred: 'window', rest: { kind: 'at', step: 'b', stepAt: Date.parse('2025-03-13T10:58:00Z'), dueAt: nextTue0900 },
    });
  });

  it('a send without a window before it is not held to one', async () => {
    const plain = sequence([{ id: 'a', type: 'send', template: 'a' }, { id: 'w', type: 'wait', days: 1 }, { id: 'b', type: 'send', template: 'b' }]);
    expect(await plan(plain, at('b', tue0930), lead(), probe().fn, fri1000)).toMatchObject({ kind: 'send', step: 'b' });
  });
});

describe('planMove: branches', () => {
  const cond: Condition = { type: 'event', magnets: ['whitepaper'] };
  const seq = sequence([
    { id: 'b', type: 'branch', if: cond, then: 'yes', else: 'no' },
    { id: 'yes', type: 'send', template: 'yes', next: 'end' },
    { id: 'no', type: 'send', template: 'no', next: 'end' },
    { id: 'end', type: 'exit' },
  ]);

  it('follows then when the condition holds and else when it does not', async () => {
    expect(await plan(seq, at('b'), lead(), probe(true).fn)).toEqual({
      kind: 'send', step: 'yes', template: 'yes', rest: { kind: 'exited', step: 'end', reason: 'exit_step' },
    });
    expect(await plan(seq, at('b'), lead(), probe(false).fn)).toEqual({
      kind: 'send', step: 'no', template: 'no', rest: { kind: 'exited', step: 'end', reason: 'exit_step' },
    });
  });

  it('asks an event condition since the lead entered, or within its days', async () => {
    const p = probe(true);
    await plan(seq, at('b', NOW, NOW - 10 * DAY), lead(), p.fn);
    expect(p.calls).toEqual([{ c: cond, since: NOW - 10 * DAY }]);

    const within = sequence([
      { id: 'b', type: 'branch', if: { type: 'event', kinds: ['pricing_view'], withinDays: 3 }, then: 'x', else: 'x' },
      { id: 'x', type: 'exit' },
    ]);
    const q = probe(true);
    await plan(within, at('b', NOW, NOW - 10 * DAY), lead(), q.fn);
    expect(q.calls.map((c) => c.since)).toEqual([NOW - 3 * DAY]);
  });

  it('exits at an exit step with no mail', async () => {
    const s = sequence([{ id: 'x', type: 'exit' }]);
    expect(await plan(s, at('x'))).toEqual({ kind: 'rest', rest: { kind: 'exited', step: 'x', reason: 'exit_step' } });
  });
});

describe('planMove: leaving', () => {
  const seq = parse(threeMails());

  it('exits with sequence_changed when the step is gone', async () => {
    expect(await plan(seq, at('removed'))).toEqual({ kind: 'rest', rest: { kind: 'exited', step: 'removed', reason: 'sequence_changed' } });
  });

  it('exits, before anything else, when the lead must leave', async () => {
    expect(await plan(seq, at('removed'), lead({ marketing: false }))).toEqual({
      kind: 'rest', rest: { kind: 'exited', step: 'removed', reason: 'unsubscribed' },
    });
    const p = probe(true);
    const branch = sequence([{ id: 'b', type: 'branch', if: { type: 'event', kinds: ['download'] }, then: 'x', else: 'x' }, { id: 'x', type: 'exit' }]);
    expect(await plan(branch, at('b'), lead({ status: 'withdrawn' }), p.fn)).toEqual({
      kind: 'rest', rest: { kind: 'exited', step: 'b', reason: 'withdrawn' },
    });
    expect(p.calls).toEqual([]);
  });
});

describe('exitReasonOf', () => {
  it('is null for a confirmed lead with marketing consent below the hand-off stage', () => {
    expect(exitReasonOf(lead())).toBeNull();
    expect(exitReasonOf(lead({ stage: null }))).toBeNull();
    expect(exitReasonOf(lead({ stage: 'mql' }))).toBeNull();
    expect(exitReasonOf(lead({ stage: 'recycled' }))).toBeNull();
  });

  it('answers in priority order: withdrawn, bounced, complained, not_mailable, unsubscribed, handoff', () => {
    const all: Partial<LeadFacts> = { status: 'withdrawn', suppressed: 'bounce', legitimateInterest: true, marketing: false, withSales: true, handedOff: true, stage: 'sql' };
    expect(exitReasonOf(lead(all))).toBe('withdrawn');
    expect(exitReasonOf(lead({ ...all, status: 'confirmed' }))).toBe('bounced');
    expect(exitReasonOf(lead({ ...all, status: 'confirmed', suppressed: 'complaint' }))).toBe('complained');
    expect(exitReasonOf(lead({ ...all, status: 'confirmed', suppressed: null }))).toBe('not_mailable');
    expect(exitReasonOf(lead({ ...all, status: 'confirmed', suppressed: null, legitimateInterest: false }))).toBe('unsubscribed');
    expect(exitReasonOf(lead({ ...all, status: 'confirmed', suppressed: null, legitimateInterest: false, marketing: true }))).toBe('handoff');
  });

  it('is not_mailable for a lead that is not confirmed, or imported on legitimate interest', () => {
    expect(exitReasonOf(lead({ status: 'pending' }))).toBe('not_mailable');
    expect(exitReasonOf(lead({ legitimateInterest: true }))).toBe('not_mailable');
    expect(exitReasonOf(lead({ status: 'pending', marketing: false }))).toBe('not_mailable');
  });

  it('is handoff when sales works the lead, it was handed off, or it reached the hand-off stage', () => {
    expect(exitReasonOf(lead({ withSales: true }))).toBe('handoff');
    expect(exitReasonOf(lead({ handedOff: true, stage: 'confirmed' }))).toBe('handoff');
    expect(exitReasonOf(lead({ stage: 'sql' }))).toBe('handoff');
    expect(exitReasonOf(lead({ stage: 'mql', handoffStage: 'mql' }))).toBe('handoff');
    expect(exitReasonOf(lead({ stage: 'sql', handoffStage: 'mql' }))).toBe('handoff');
    expect(exitReasonOf(lead({ stage: 'confirmed', handoffStage: 'mql' }))).toBeNull();
  });
});

describe('evaluate', () => {
  const times = { now: NOW, enteredAt: NOW - 5 * DAY };
  const ev = (c: Condition, facts = lead(), p: EventProbe = probe().fn) => evaluate(c, facts, times, p);

  it('score: within min and max, inclusive; no score is false', async () => {
    expect(await ev({ type: 'score', min: 20 })).toBe(true);
    expect(await ev({ type: 'score', min: 21 })).toBe(false);
    expect(await ev({ type: 'score', max: 20 })).toBe(true);
    expect(await ev({ type: 'score', min: 0, max: 19 })).toBe(false);
    expect(await ev({ type: 'score', max: 100 }, lead({ score: null }))).toBe(false);
  });

  it('stage and temperature: one of the listed; none is false', async () => {
    expect(await ev({ type: 'stage', in: ['confirmed', 'mql'] })).toBe(true);
    expect(await ev({ type: 'stage', in: ['mql'] })).toBe(false);
    expect(await ev({ type: 'stage', in: ['confirmed'] }, lead({ stage: null }))).toBe(false);
    expect(await ev({ type: 'temperature', in: ['warm', 'hot'] })).toBe(true);
    expect(await ev({ type: 'temperature', in: ['hot'] })).toBe(false);
    expect(await ev({ type: 'temperature', in: ['cold'] }, lead({ temperature: null }))).toBe(false);
  });

  it('field in: case-insensitive, trimmed, missing or blank never matches', async () => {
    expect(await ev({ type: 'field', field: 'company', in: ['ACME'] })).toBe(true);
    expect(await ev({ type: 'field', field: 'company', in: ['other', 'acme'] })).toBe(true);
    expect(await ev({ type: 'field', field: 'company', in: ['Acme Inc'] })).toBe(false);
    expect(await ev({ type: 'field', field: 'country', in: ['de'] })).toBe(true);
    expect(await ev({ type: 'field', field: 'company', in: ['Müller'] }, lead({ profile: { company: ' MÜLLER ' } }))).toBe(true);
    expect(await ev({ type: 'field', field: 'industry', in: ['  '] })).toBe(false);
    expect(await ev({ type: 'field', field: 'role', in: ['cto'] })).toBe(false);
  });

  it('field present: a non-blank value', async () => {
    expect(await ev({ type: 'field', field: 'company', present: true })).toBe(true);
    expect(await ev({ type: 'field', field: 'company', present: false })).toBe(false);
    for (const field of ['role', 'industry', 'firstName'] as const) {
      const facts = lead({ profile: { role: null, industry: ' \t' } });
      expect(await ev({ type: 'field', field, present: true }, facts)).toBe(false);
      expect(await ev({ type: 'field', field, present: false }, facts)).toBe(true);
    }
  });

  it('event: asks the probe since enteredAt, or now − withinDays', async () => {
    const p = probe(true);
    expect(await ev({ type: 'event', kinds: ['download'] }, lead(), p.fn)).toBe(true);
    expect(await ev({ type: 'event', paths: ['/pricing'], withinDays: 2 }, lead(), p.fn)).toBe(true);
    expect(p.calls.map((c) => c.since)).toEqual([NOW - 5 * DAY, NOW - 2 * DAY]);
    expect(await ev({ type: 'event', kinds: ['download'] }, lead(), probe(false).fn)).toBe(false);
  });

  it('all, any and not combine, and stop at the first answer', async () => {
    const yes: Condition = { type: 'score', min: 0 };
    const no: Condition = { type: 'score', min: 1000 };
    const asked: Condition = { type: 'event', kinds: ['download'] };
    expect(await ev({ type: 'all', of: [yes, yes] })).toBe(true);
    expect(await ev({ type: 'all', of: [yes, no] })).toBe(false);
    expect(await ev({ type: 'any', of: [no, yes] })).toBe(true);
    expect(await ev({ type: 'any', of: [no, no] })).toBe(false);
    expect(await ev({ type: 'not', of: no })).toBe(true);
    expect(await ev({ type: 'not', of: { type: 'any', of: [no, yes] } })).toBe(false);

    const p = probe(true);
    expect(await ev({ type: 'all', of: [no, asked] }, lead(), p.fn)).toBe(false);
    expect(await ev({ type: 'any', of: [yes, asked] }, lead(), p.fn)).toBe(true);
    expect(p.calls).toEqual([]);
  });
});
