// Over 300 lines on purpose: a sequence document's schema and its cross-field checks read best as one document.
import * as v from 'valibot';
import { LANGS, LEAD_FIELDS, LIMITS, SITE_ID_PATTERN, type FieldError, type Lang } from '../../../protocol';
import { InvalidInput } from '../errors';
import { fieldErrors } from '../schemas/object';
import { SCORING_EVENT_KINDS } from '../scoring/model';
import { checkTemplate } from './template';
import { isTimeZone, WEEKDAYS } from './schedule';

/**
 * A nurture sequence: what makes a lead enter it, the steps it walks (wait,
 * send a mail, branch, exit) and the mails' templates. A versioned JSON
 * document like the scoring model, for the same reasons: marketing reads,
 * diffs and PUTs it, and a typo must be an error with its JSON pointer, not
 * a mail that silently never goes out.
 *
 * Why the graph checks: a cycle of steps without a wait would mail a lead in
 * a loop within one cron run; a step that names a missing step would strand
 * leads. Both are refused at save, never discovered at send time.
 */

export const SEQUENCE_LIMITS = {
  steps: 50,
  templates: 20,
  idMaxLength: 64,
  nameMaxLength: 100,
  listItems: 30,
  /** Nesting of all/any/not in one condition. */
  conditionDepth: 4,
  waitDaysMax: 365,
  reentryDaysMax: 3650,
  inactiveDaysMax: 365,
  subjectMaxLength: 150,
  bodyMaxLength: 20_000,
} as const;

/** What a lead's stage may be when a sequence starts or a branch asks: the scoring stages and the sales statuses that send a lead back to marketing. */
export const TRIGGER_STAGES = ['confirmed', 'mql', 'sql', 'recycled', 'rejected', 'lost'] as const;
export const CONDITION_STAGES = ['confirmed', 'mql', 'sql'] as const;
export const TEMPERATURES = ['cold', 'warm', 'hot'] as const;
/** Profile fields a branch may test (company size as the form's bucket). */
export const CONDITION_FIELDS = [...LEAD_FIELDS, 'country'] as const;

const isPlainObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const plainObject = v.custom<Record<string, unknown>>(isPlainObject, 'must be a JSON object');
const strict = <const E extends v.ObjectEntries>(entries: E) => v.strictObject(entries, 'is not a known field');
const obj = <const E extends v.ObjectEntries>(entries: E) => v.pipe(plainObject, strict(entries));

const slug = v.pipe(
  v.string('must be a string'),
  v.maxLength(SEQUENCE_LIMITS.idMaxLength, `must be at most ${SEQUENCE_LIMITS.idMaxLength} characters`),
  v.regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a slug: lowercase letters, digits, - and _, starting with a letter or digit'),
);

const text = (max: number) =>
  v.pipe(
    v.string('must be a string'),
    v.trim(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(max, `must be at most ${max} characters`),
    // eslint-disable-next-line no-control-regex
    v.check((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters'),
  );

const list = <const S extends v.GenericSchema>(item: S, what: string) =>
  v.pipe(
    v.array(item, 'must be an array'),
    v.minLength(1, 'must not be empty'),
    v.maxLength(SEQUENCE_LIMITS.listItems, `must hold at most ${SEQUENCE_LIMITS.listItems} ${what}`),
  );

const integerIn = (min: number, max: number) =>
  v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`));

const magnetId = v.pipe(
  v.string('must be a string'),
  v.maxLength(LIMITS.magnetIdMaxLength, `must be at most ${LIMITS.magnetIdMaxLength} characters`),
  v.regex(SITE_ID_PATTERN, 'must be a magnet id (a lowercase slug)'),
);

const clock = v.pipe(v.string('must be a string'), v.regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a local time HH:MM, such as 09:00'));

const windowSchema = v.pipe(
  obj({ days: list(v.picklist(WEEKDAYS, `must be one of ${WEEKDAYS.join(', ')}`), 'days'), from: clock, to: clock }),
  v.forward(v.partialCheck([['from'], ['to']], (w) => w.from < w.to, 'must be later than from (a window lies within one day)'), ['to']),
);

// ── triggers ────────────────────────────────────────────────────────────

const triggerSchema = v.pipe(
  plainObject,
  v.variant(
    'on',
    [
      /** Confirmed the double opt-in with marketing consent given. */
      strict({ on: v.literal('confirmed') }),
      /** Downloaded the given magnet (after confirming). */
      strict({ on: v.literal('download'), magnet: magnetId }),
      /** Entered a stage, or sales sent the lead back (recycled, rejected, lost). */
      strict({ on: v.literal('stage'), stage: v.picklist(TRIGGER_STAGES, `must be one of ${TRIGGER_STAGES.join(', ')}`) }),
      /** No engagement event for this many days. */
      strict({ on: v.literal('inactive'), days: integerIn(1, SEQUENCE_LIMITS.inactiveDaysMax) }),
      /** Cooled off: its temperature dropped from warm or hot to cold as its engagement decayed. */
      strict({ on: v.literal('cold') }),
    ],
    'must be one of confirmed, download, stage, inactive, cold',
  ),
);

// ── conditions (branch steps) ───────────────────────────────────────────

export type Condition =
  | { type: 'event'; kinds?: string[]; magnets?: string[]; paths?: string[]; withinDays?: number }
  | { type: 'score'; min?: number; max?: number }
  | { type: 'stage'; in: (typeof CONDITION_STAGES)[number][] }
  | { type: 'temperature'; in: (typeof TEMPERATURES)[number][] }
  | { type: 'field'; field: (typeof CONDITION_FIELDS)[number]; in?: string[]; present?: boolean }
  | { type: 'all' | 'any'; of: Condition[] }
  | { type: 'not'; of: Condition };

const score = v.pipe(v.number('must be a number'), v.finite('must be a finite number'), v.minValue(-1e9, 'must be at least -1000000000'), v.maxValue(1e9, 'must be at most 1000000000'));

const conditionSchema: v.GenericSchema<unknown, Condition> = v.lazy(() =>
  v.pipe(
    plainObject,
    v.variant(
      'type',
      [
        v.pipe(
          strict({
            type: v.literal('event'),
            kinds: v.optional(list(v.picklist(SCORING_EVENT_KINDS, `must be one of ${SCORING_EVENT_KINDS.join(', ')}`), 'kinds')),
            magnets: v.optional(list(magnetId, 'magnets')),
            paths: v.optional(list(v.pipe(text(200), v.regex(/^\//, 'must be a path starting with /')), 'paths')),
            /** Within this many days; left out: since the lead entered the sequence. */
            withinDays: v.optional(integerIn(1, SEQUENCE_LIMITS.waitDaysMax)),
          }),
          v.check((c) => c.kinds !== undefined || c.magnets !== undefined || c.paths !== undefined, 'must name at least one of kinds, magnets, paths'),
        ),
        v.pipe(
          strict({ type: v.literal('score'), min: v.optional(score), max: v.optional(score) }),
          v.check((c) => c.min !== undefined || c.max !== undefined, 'must set min, max or both'),
        ),
        strict({ type: v.literal('stage'), in: list(v.picklist(CONDITION_STAGES, `must be one of ${CONDITION_STAGES.join(', ')}`), 'stages') }),
        strict({ type: v.literal('temperature'), in: list(v.picklist(TEMPERATURES, `must be one of ${TEMPERATURES.join(', ')}`), 'temperatures') }),
        v.pipe(
          strict({
            type: v.literal('field'),
            field: v.picklist(CONDITION_FIELDS, `must be one of ${CONDITION_FIELDS.join(', ')}`),
            in: v.optional(list(text(100), 'values')),
            present: v.optional(v.boolean('must be true or false')),
          }),
          v.check((c) => (c.in === undefined) !== (c.present === undefined), 'must set exactly one of in, present'),
        ),
        strict({ type: v.picklist(['all', 'any']), of: list(conditionSchema, 'conditions') }),
        strict({ type: v.literal('not'), of: conditionSchema }),
      ],
      'must be one of event, score, stage, temperature, field, all, any, not',
    ),
  ),
) as v.GenericSchema<unknown, Condition>;

// ── steps ───────────────────────────────────────────────────────────────

const next = v.optional(slug);

const stepSchemaWith = (condition: v.GenericSchema<unknown, Condition>) => v.pipe(
  plainObject,
  v.variant(
    'type',
    [
      v.pipe(
        strict({
          id: slug,
          type: v.literal('wait'),
          days: v.optional(integerIn(0, SEQUENCE_LIMITS.waitDaysMax)),
          hours: v.optional(integerIn(0, 24 * SEQUENCE_LIMITS.waitDaysMax)),
          /** Then on to the next moment inside this window, in the site's time zone. */
          window: v.optional(windowSchema),
          next,
        }),
        v.check((s) => s.days !== undefined || s.hours !== undefined || s.window !== undefined, 'must set days, hours or a window'),
      ),
      strict({ id: slug, type: v.literal('send'), template: slug, next }),
      strict({ id: slug, type: v.literal('branch'), if: condition, then: slug, else: slug }),
      strict({ id: slug, type: v.literal('exit') }),
    ],
    'must be one of wait, send, branch, exit',
  ),
);

const templateLang = obj({
  subject: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(SEQUENCE_LIMITS.subjectMaxLength, `must be at most ${SEQUENCE_LIMITS.subjectMaxLength} characters`)),
  body: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(SEQUENCE_LIMITS.bodyMaxLength, `must be at most ${SEQUENCE_LIMITS.bodyMaxLength} characters`)),
});

const templateSchema = v.pipe(
  obj({ en: v.optional(templateLang), de: v.optional(templateLang) }),
  v.check((t) => t.en !== undefined || t.de !== undefined, 'must have at least one of en, de'),
);

const reentrySchema = v.union(
  [
    v.literal('never'),
    obj({ afterDays: integerIn(1, SEQUENCE_LIMITS.reentryDaysMax) }),
  ],
  'must be "never" or { "afterDays": N }',
);

const sequenceSchemaWith = (condition: v.GenericSchema<unknown, Condition>) => v.pipe(
  plainObject,
  strict({
    /** Set by the server from the URL; a client value must match it. */
    id: v.optional(slug),
    /** Set by the server on save. */
    version: v.optional(v.pipe(v.number('must be a number'), v.safeInteger('must be an integer'), v.minValue(1, 'must be at least 1'))),
    name: text(SEQUENCE_LIMITS.nameMaxLength),
    /** A paused sequence enrols nobody and sends nothing; leads in it wait where they are. */
    status: v.optional(v.picklist(['active', 'paused'], 'must be active or paused'), 'active'),
    trigger: triggerSchema,
    /** Whether a lead that left may enter again, and after how long. A lead is in a sequence at most once at a time. */
    reentry: v.optional(reentrySchema, 'never'),
    steps: v.pipe(
      v.array(stepSchemaWith(condition), 'must be an array'),
      v.minLength(1, 'must hold at least one step'),
      v.maxLength(SEQUENCE_LIMITS.steps, `must hold at most ${SEQUENCE_LIMITS.steps} steps`),
    ),
    templates: v.pipe(
      v.record(slug, templateSchema, 'must be an object of templates by id'),
      v.check((t) => Object.keys(t).length <= SEQUENCE_LIMITS.templates, `must hold at most ${SEQUENCE_LIMITS.templates} templates`),
    ),
  }),
);

export const sequenceSchema = sequenceSchemaWith(conditionSchema);
/**
 * The same document for the API reference: a branch's condition (recursive
 * through all, any and not) is shown as an object, described in docs/nurture.md.
 */
export const sequenceDocSchema = sequenceSchemaWith(plainObject as unknown as v.GenericSchema<unknown, Condition>);

export type Sequence = v.InferOutput<typeof sequenceSchema>;
export type SequenceInput = v.InferInput<typeof sequenceSchema>;
export type Step = Sequence['steps'][number];
export type Trigger = Sequence['trigger'];
export type Template = Sequence['templates'][string];

const pointer = (...keys: (string | number)[]) => '/' + keys.map((k) => String(k).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** The step after `step` when it does not branch: its `next`, else the following one, else the end (null). */
export function nextStepId(seq: Pick<Sequence, 'steps'>, index: number): string | null {
  const step = seq.steps[index]!;
  if ('next' in step && step.next) return step.next;
  return seq.steps[index + 1]?.id ?? null;
}

function conditionDepth(c: Condition): number {
  if (c.type === 'all' || c.type === 'any') return 1 + Math.max(...c.of.map(conditionDepth));
  if (c.type === 'not') return 1 + conditionDepth(c.of);
  return 1;
}

function conditionMagnets(c: Condition, path: (string | number)[], out: { path: string; magnet: string }[]): void {
  if (c.type === 'event') c.magnets?.forEach((m, i) => out.push({ path: pointer(...path, 'magnets', i), magnet: m }));
  else if (c.type === 'all' || c.type === 'any') c.of.forEach((x, i) => conditionMagnets(x, [...path, 'of', i], out));
  else if (c.type === 'not') conditionMagnets(c.of, [...path, 'of'], out);
}

/** Every magnet a sequence names, with its pointer: the caller checks them against the site's magnets. */
export function magnetsOf(seq: Sequence): { path: string; magnet: string }[] {
  const out: { path: string; magnet: string }[] = [];
  if (seq.trigger.on === 'download') out.push({ path: '/trigger/magnet', magnet: seq.trigger.magnet });
  seq.steps.forEach((s, i) => { if (s.type === 'branch') conditionMagnets(s.if, ['steps', i, 'if'], out); });
  return out;
}

/** The checks across fields: ids, references, cycles without a wait, templates. */
function graphErrors(seq: Sequence): FieldError[] {
  const errors: FieldError[] = [];
  const index = new Map<string, number>();
  seq.steps.forEach((s, i) => {
    if (index.has(s.id)) errors.push({ path: pointer('steps', i, 'id'), message: `must be unique in the sequence ("${s.id}" is used twice)` });
    else index.set(s.id, i);
  });
  const ref = (id: string, ...path: (string | number)[]) => {
    if (!index.has(id)) errors.push({ path: pointer(...path), message: `must name a step of this sequence ("${id}" is none)` });
  };
  const used = new Set<string>();
  seq.steps.forEach((s, i) => {
    if ('next' in s && s.next) ref(s.next, 'steps', i, 'next');
    if (s.type === 'branch') {
      ref(s.then, 'steps', i, 'then');
      ref(s.else, 'steps', i, 'else');
      if (conditionDepth(s.if) > SEQUENCE_LIMITS.conditionDepth) {
        errors.push({ path: pointer('steps', i, 'if'), message: `must nest all, any and not at most ${SEQUENCE_LIMITS.conditionDepth} deep` });
      }
    }
    if (s.type === 'send') {
      used.add(s.template);
      if (!seq.templates[s.template]) errors.push({ path: pointer('steps', i, 'template'), message: `must name a template of this sequence ("${s.template}" is none)` });
    }
  });
  if (errors.length) return errors;

  // A cycle is fine only when a wait breaks it: find a cycle in the graph of the steps that are not waits.
  const successors = (i: number): number[] => {
    const s = seq.steps[i]!;
    if (s.type === 'exit') return [];
    if (s.type === 'branch') return [index.get(s.then)!, index.get(s.else)!];
    const n = nextStepId(seq, i);
    return n === null ? [] : [index.get(n)!];
  };
  const state = new Array<0 | 1 | 2>(seq.steps.length).fill(0);
  // Only a wait that lasts breaks a cycle: a zero-length or window-only wait can be due at once, again and again.
  const lasts = (s: Step) => s.type === 'wait' && ((s.days ?? 0) > 0 || (s.hours ?? 0) > 0);
  const visit = (i: number, trail: number[]): number[] | null => {
    if (lasts(seq.steps[i]!)) return null;
    if (state[i] === 2) return null;
    if (state[i] === 1) return [...trail.slice(trail.indexOf(i)), i];
    state[i] = 1;
    for (const j of successors(i)) {
      const cycle = visit(j, [...trail, i]);
      if (cycle) return cycle;
    }
    state[i] = 2;
    return null;
  };
  for (let i = 0; i < seq.steps.length; i++) {
    const cycle = visit(i, []);
    if (cycle) {
      errors.push({
        path: pointer('steps', cycle[0]!),
        message: `is in a cycle of steps without a wait (${cycle.map((k) => seq.steps[k]!.id).join(' → ')}): add a wait of at least an hour to it`,
      });
      break;
    }
  }

  for (const [id, t] of Object.entries(seq.templates)) {
    for (const lang of LANGS) {
      const copy = t[lang];
      if (!copy) continue;
      for (const problem of checkTemplate(copy.subject, 'subject')) errors.push({ path: pointer('templates', id, lang, 'subject'), message: problem });
      for (const problem of checkTemplate(copy.body, 'body')) errors.push({ path: pointer('templates', id, lang, 'body'), message: problem });
    }
    if (!used.has(id)) errors.push({ path: pointer('templates', id), message: 'is not used by any send step' });
  }
  return errors;
}

/**
 * Parses a sequence (defaults filled in) or throws `InvalidInput` naming
 * every offending field by JSON pointer. `magnets` are the site's magnet
 * ids: a sequence that names another is refused.
 */
export function parseSequence(input: unknown, ctx: { id: string; magnets: ReadonlySet<string> }): Sequence {
  const result = v.safeParse(sequenceSchema, input, { abortEarly: false });
  if (!result.success) {
    const errors = fieldErrors(result.issues);
    throw new InvalidInput(`The sequence is invalid: ${errors[0]!.path} ${errors[0]!.message}.`, errors);
  }
  const seq = result.output;
  const errors = graphErrors(seq);
  if (seq.id !== undefined && seq.id !== ctx.id) errors.unshift({ path: '/id', message: `must be the id in the URL ("${ctx.id}") or left out` });
  for (const m of magnetsOf(seq)) {
    if (!ctx.magnets.has(m.magnet)) errors.push({ path: m.path, message: `must name a magnet of this site ("${m.magnet}" is none)` });
  }
  if (errors.length) throw new InvalidInput(`The sequence is invalid: ${errors[0]!.path} ${errors[0]!.message}.`, errors);
  return { ...seq, id: ctx.id };
}

/** The copy of a template in the lead's language, else in the other one. */
export function templateFor(t: Template, lang: Lang): { lang: Lang; subject: string; body: string } {
  const copy = t[lang] ?? t[lang === 'en' ? 'de' : 'en']!;
  return { lang: t[lang] ? lang : lang === 'en' ? 'de' : 'en', ...copy };
}

// ── site settings ───────────────────────────────────────────────────────

export const DEFAULT_NURTURE_SETTINGS = { minGapHours: 72, sendsPerMinute: 60, timeZone: 'Europe/Berlin' } as const;

export const nurtureSettingsSchema = v.pipe(
  plainObject,
  strict({
    /** At most one nurture mail per lead within this many hours, across all sequences. */
    minGapHours: v.optional(integerIn(1, 24 * 90)),
    /** Nurture mails per minute for the whole site (the sending reputation of its domain). */
    sendsPerMinute: v.optional(integerIn(1, 10_000)),
    /** Where send windows are read (IANA, e.g. Europe/Berlin). */
    timeZone: v.optional(v.pipe(v.string('must be a string'), v.check(isTimeZone, 'must be an IANA time zone such as Europe/Berlin'))),
  }),
);

export interface NurtureSettings {
  minGapHours: number;
  sendsPerMinute: number;
  timeZone: string;
}
