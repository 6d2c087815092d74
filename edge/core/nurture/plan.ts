import type { Condition, NurtureSettings, Sequence } from './sequence';
import { nextStepId } from './sequence';
import { dueAt, nextInWindow, type SendWindow } from './schedule';

/**
 * Where a lead in a sequence goes next: the one decision of the nurture
 * cron, pure so it can be tested without D1. The caller reads the facts,
 * runs `planMove` and writes its answer in one batch guarded by the
 * enrolment's revision, so two overlapping runs cannot both act on it.
 *
 * Consent is checked here at every move, not only at entry: a lead that
 * withdrew, unsubscribed or bounced since leaves at its next move, and the
 * sender checks the same again right before a mail goes out.
 */

export type ExitReason =
  | 'handoff' // reached the hand-off stage, or sales works it (an owner)
  | 'withdrawn' // withdrew all consent
  | 'unsubscribed' // withdrew marketing consent (the unsubscribe link)
  | 'bounced'
  | 'complained'
  | 'not_mailable' // lost the basis for mail (e.g. no longer confirmed)
  | 'exit_step' // an exit step of the sequence
  | 'sequence_changed'; // its step is gone from the current version

export interface LeadFacts {
  status: 'pending' | 'confirmed' | 'withdrawn';
  marketing: boolean;
  /** Imported without consent: never mailed. */
  legitimateInterest: boolean;
  suppressed: 'bounce' | 'complaint' | null;
  /** An owner works the lead (open, accepted, opportunity, won). */
  withSales: boolean;
  /** The lead reached the hand-off stage since it entered (even if it has cooled down again since). */
  handedOff: boolean;
  stage: string | null;
  handoffStage: 'mql' | 'sql';
  score: number | null;
  temperature: 'cold' | 'warm' | 'hot' | null;
  profile: Record<string, string | null>;
  lastNurtureAt: number | null;
}

export interface EnrollmentPosition {
  stepId: string;
  /** When the lead reached this step (a wait counts from here). */
  stepAt: number;
  enteredAt: number;
}

/** Where the enrolment rests after this move. */
export type Rest =
  | { kind: 'at'; step: string; stepAt: number; dueAt: number }
  | { kind: 'completed'; step: string }
  | { kind: 'exited'; step: string; reason: ExitReason };

export type Move =
  | { kind: 'send'; step: string; template: string; rest: Rest }
  | { kind: 'rest'; rest: Rest; deferred?: 'cap' | 'window' };

/** Answers an event condition: did the lead do it since `since`? */
export type EventProbe = (c: Extract<Condition, { type: 'event' }>, since: number) => Promise<boolean>;

const RANK: Record<string, number> = { pending: 0, confirmed: 1, mql: 2, sql: 3 };

/** Why this lead must leave every sequence now, or null. */
export function exitReasonOf(lead: LeadFacts): ExitReason | null {
  if (lead.status === 'withdrawn') return 'withdrawn';
  if (lead.suppressed === 'bounce') return 'bounced';
  if (lead.suppressed === 'complaint') return 'complained';
  if (lead.status !== 'confirmed' || lead.legitimateInterest) return 'not_mailable';
  if (!lead.marketing) return 'unsubscribed';
  if (lead.withSales || lead.handedOff || (lead.stage !== null && (RANK[lead.stage] ?? -1) >= RANK[lead.handoffStage]!)) return 'handoff';
  return null;
}

export async function evaluate(c: Condition, lead: LeadFacts, at: { now: number; enteredAt: number }, probe: EventProbe): Promise<boolean> {
  switch (c.type) {
    case 'event':
      return probe(c, c.withinDays !== undefined ? at.now - c.withinDays * 86_400_000 : at.enteredAt);
    case 'score':
      return lead.score !== null && (c.min === undefined || lead.score >= c.min) && (c.max === undefined || lead.score <= c.max);
    case 'stage':
      return lead.stage !== null && (c.in as string[]).includes(lead.stage);
    case 'temperature':
      return lead.temperature !== null && (c.in as string[]).includes(lead.temperature);
    case 'field': {
      const value = lead.profile[c.field]?.trim() || null;
      if (c.present !== undefined) return (value !== null) === c.present;
      return value !== null && c.in!.some((x) => x.toLocaleLowerCase('de') === value.toLocaleLowerCase('de'));
    }
    case 'all':
      for (const x of c.of) if (!(await evaluate(x, lead, at, probe))) return false;
      return true;
    case 'any':
      for (const x of c.of) if (await evaluate(x, lead, at, probe)) return true;
      return false;
    case 'not':
      return !(await evaluate(c.of, lead, at, probe));
  }
}

/**
 * The send window a send step is governed by when a walk starts at it (a
 * mail held back earlier): the window of a wait that leads straight to it.
 */
function windowLeadingTo(seq: Sequence, stepId: string): SendWindow | undefined {
  for (let i = 0; i < seq.steps.length; i++) {
    const s = seq.steps[i]!;
    if (s.type === 'wait' && s.window && nextStepId(seq, i) === stepId) return s.window;
  }
  return undefined;
}

/**
 * The next move of an enrolment that is due. At most one mail per move:
 * after a send the walk goes on to the next wait (whose clock starts now),
 * and a second send step in a row rests until the frequency cap allows it.
 * A send after a wait with a window goes out inside that window only: when
 * the cap holds it back, or the run comes after the window closed, it
 * rests until the window's next opening at which the cap allows it.
 */
export async function planMove(
  seq: Sequence,
  pos: EnrollmentPosition,
  lead: LeadFacts,
  ctx: { now: number; settings: NurtureSettings; probe: EventProbe },
): Promise<Move> {
  const { now } = ctx;
  const index = new Map(seq.steps.map((s, i) => [s.id, i] as const));
  const exit = exitReasonOf(lead);
  if (exit) return { kind: 'rest', rest: { kind: 'exited', step: pos.stepId, reason: exit } };
  let i = index.get(pos.stepId);
  if (i === undefined) return { kind: 'rest', rest: { kind: 'exited', step: pos.stepId, reason: 'sequence_changed' } };

  let send: { step: string; template: string } | null = null;
  let arrivedAt = pos.stepAt;
  // The window of the wait the walk came through last (or, resting at a send step, the one leading to it).
  let window = seq.steps[i]!.type === 'send' ? windowLeadingTo(seq, pos.stepId) : undefined;
  const done = (rest: Rest): Move => (send ? { kind: 'send', ...send, rest } : { kind: 'rest', rest });
  // Validation refuses cycles without a wait, so a walk ends within one pass over the steps (plus one wait).
  for (let guard = 0; guard <= seq.steps.length + 1; guard++) {
    const step: Sequence['steps'][number] = seq.steps[i]!;
    if (step.type === 'exit') return done({ kind: 'exited', step: step.id, reason: 'exit_step' });
    if (step.type === 'wait') {
      const due = dueAt(arrivedAt, { days: step.days, hours: step.hours, window: step.window }, ctx.settings.timeZone);
      if (due > now) return done({ kind: 'at', step: step.id, stepAt: arrivedAt, dueAt: due });
      arrivedAt = due;
      window = step.window;
    } else if (step.type === 'send') {
      if (send) return done({ kind: 'at', step: step.id, stepAt: now, dueAt: now });
      const allowedAt = lead.lastNurtureAt === null ? now : Math.max(now, lead.lastNurtureAt + ctx.settings.minGapHours * 3_600_000);
      const sendAt = window ? nextInWindow(allowedAt, window, ctx.settings.timeZone) : allowedAt;
      if (sendAt > now) {
        return { kind: 'rest', rest: { kind: 'at', step: step.id, stepAt: arrivedAt, dueAt: sendAt }, deferred: allowedAt > now ? 'cap' : 'window' };
      }
      send = { step: step.id, template: step.template };
      arrivedAt = now;
      window = undefined;
    } else {
      const yes = await evaluate(step.if, lead, { now, enteredAt: pos.enteredAt }, ctx.probe);
      i = index.get(yes ? step.then : step.else)!;
      continue;
    }
    const next = nextStepId(seq, i);
    if (next === null) return done({ kind: 'completed', step: step.id });
    i = index.get(next)!;
  }
  throw new Error(`sequence ${seq.id}: the walk from ${pos.stepId} did not end`);
}
