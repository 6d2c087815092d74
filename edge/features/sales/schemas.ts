import * as v from 'valibot';
import { BANT, SALES_LIMITS, WRITABLE_STATUSES, isCurrency } from '../../core/sales';
import { normaliseEmail } from '../../core/email-address';
import { isEpochMs } from '../../core/schemas/instant';
import { strictObjectBody } from '../../core/schemas/object';

/** Validators of the sales API (routes.ts): owners, sales settings, lead write-back. */

export const OWNER_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;
export const MAX_OWNERS = 200;

const slug = (what: string, max = 40) =>
  v.pipe(v.string('must be a string'), v.maxLength(max, `must be at most ${max} characters`),
    v.regex(/^[a-z0-9][a-z0-9_-]*$/, `must be a ${what}: lowercase letters, digits, - and _`));

const text = (max: number) => v.pipe(v.string('must be a string'), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(max, `must be at most ${max} characters`));

const email = v.pipe(
  v.string('must be a string'),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const r = normaliseEmail(dataset.value);
    if (!r.ok) {
      addIssue({ message: r.reason });
      return NEVER;
    }
    return r.email;
  }),
);

const sizeBound = v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(0, 'must be at least 0'), v.maxValue(10_000_000, 'must be at most 10000000'));

const territory = v.pipe(
  v.strictObject({
    countries: v.optional(v.pipe(v.array(v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE'), v.toUpperCase()), 'must be an array'), v.maxLength(250, 'must have at most 250 entries'))),
    industries: v.optional(v.pipe(v.array(text(60), 'must be an array'), v.maxLength(50, 'must have at most 50 entries'))),
    sizeMin: v.optional(sizeBound),
    sizeMax: v.optional(sizeBound),
  }, 'is not a known field'),
  v.check((t) => t.sizeMin === undefined || t.sizeMax === undefined || t.sizeMin <= t.sizeMax, 'sizeMin must not be above sizeMax'),
);

const owner = v.strictObject({
  id: v.pipe(v.string('must be a string'), v.regex(OWNER_ID, 'must be a slug of at most 40 characters: lowercase letters, digits, - and _')),
  name: text(100),
  email,
  lang: v.optional(v.picklist(['en', 'de'], 'must be en or de'), 'en'),
  active: v.optional(v.boolean('must be true or false'), true),
  fallback: v.optional(v.boolean('must be true or false'), false),
  weight: v.optional(v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(1, 'must be at least 1'), v.maxValue(1000, 'must be at most 1000')), 1),
  territory: v.optional(v.nullable(territory), null),
}, 'is not a known field');

export type OwnerInput = v.InferOutput<typeof owner>;

/** PUT /v1/owners: the whole team. Owners left out are kept inactive (leads and history name them). */
export const ownersBody = v.pipe(
  strictObjectBody({ owners: v.pipe(v.array(owner, 'must be an array of owners'), v.maxLength(MAX_OWNERS, `must have at most ${MAX_OWNERS} owners`)) }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const seen = new Set<string>();
    dataset.value.owners.forEach((o, i) => {
      if (seen.has(o.id)) addIssue({ message: `repeats the id "${o.id}"`, path: [{ type: 'object', origin: 'value', input: dataset.value, key: 'owners', value: dataset.value.owners }, { type: 'array', origin: 'value', input: dataset.value.owners, key: i, value: o }] });
      seen.add(o.id);
    });
  }),
);

const reasons = v.pipe(
  v.array(slug('reason', SALES_LIMITS.reasonLength), 'must be an array of reasons'),
  v.minLength(1, 'must name at least one reason'),
  v.maxLength(SALES_LIMITS.reasons, `must have at most ${SALES_LIMITS.reasons} reasons`),
  v.transform((list) => [...new Set(list)]),
);

/** PUT /v1/sales/settings: fields left out keep their value, null resets to the default. */
export const salesSettingsBody = strictObjectBody({
  handoffStage: v.optional(v.nullable(v.picklist(['mql', 'sql'], 'must be mql or sql'))),
  slaHours: v.optional(v.nullable(v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(1, 'must be at least 1'),
    v.maxValue(SALES_LIMITS.slaHoursMax, `must be at most ${SALES_LIMITS.slaHoursMax}`)))),
  rejectReasons: v.optional(v.nullable(reasons)),
  lostReasons: v.optional(v.nullable(reasons)),
});

/** Largest deal value: far beyond any B2B deal, far below where doubles lose cents. */
export const MAX_DEAL_VALUE = 1e12;

const bant = <K extends keyof typeof BANT>(k: K) => v.optional(v.nullable(v.picklist(BANT[k], `must be one of ${BANT[k].join(', ')}`)));

/** The fields one write-back may carry (PATCH body, one row of a bulk update). */
export const leadUpdateEntries = {
  status: v.optional(v.picklist(WRITABLE_STATUSES, `must be one of ${WRITABLE_STATUSES.join(', ')} (open comes from an assignment: set owner)`)),
  reason: v.optional(v.nullable(slug('reason', SALES_LIMITS.reasonLength))),
  value: v.optional(v.nullable(v.pipe(v.number('must be a number'), v.finite('must be a finite number'), v.minValue(0, 'must not be negative'),
    v.maxValue(MAX_DEAL_VALUE, `must be at most ${MAX_DEAL_VALUE}`), v.check((n) => Math.round(n * 100) === n * 100, 'must have at most two decimals')))),
  currency: v.optional(v.nullable(v.pipe(v.string('must be a string'), v.toUpperCase(), v.check(isCurrency, 'must be an ISO 4217 currency code such as EUR')))),
  closedAt: v.optional(v.nullable(v.pipe(
    v.union([v.string(), v.number()], 'must be an ISO 8601 date/time or epoch milliseconds'),
    v.transform((x) => (typeof x === 'number' ? x : Date.parse(x))),
    v.check(isEpochMs, 'must be an ISO 8601 date/time or epoch milliseconds (1970 to 275760)'),
  ))),
  owner: v.optional(v.nullable(v.pipe(v.string('must be a string'), v.regex(OWNER_ID, 'must be an owner id')))),
  crmId: v.optional(v.nullable(v.pipe(v.string('must be a string'), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(100, 'must be at most 100 characters')))),
  budget: bant('budget'),
  authority: bant('authority'),
  need: bant('need'),
  timeline: bant('timeline'),
};

export const leadPatchBody = v.pipe(
  strictObjectBody(leadUpdateEntries),
  v.check((b) => Object.keys(b).length > 0, 'must set at least one field'),
);

export type LeadUpdate = v.InferOutput<typeof leadPatchBody>;
