// Over 300 lines on purpose: the scoring model's whole schema and its cross-field checks read best as one document.
import * as v from 'valibot';
import { BANT } from '../sales/qualification';
import { COMPANY_SIZES, EVENT_KINDS, LIMITS, SERVER_EVENT_KINDS, SITE_ID_PATTERN } from '../../../protocol';
import { parseWith } from '../schemas/object';
import { toAsciiDomain } from './match';

/**
 * The scoring model of a site: a small, versioned JSON document.
 *
 * Why a document and not code: marketing and sales agree on the rules and
 * re-evaluate them every few months (docs/domain.md, "The sales feedback loop"), so the rules must be data a
 * site owner can read, diff and PUT. Why strict: an unknown key is almost
 * always a typo ("capPerday"), and a silently ignored cap would inflate scores
 * for months; so every unknown key is an error with its JSON pointer.
 * Why small (the limits below): "too many criteria make scoring worse", and
 * the ingest path evaluates every engagement rule for every event.
 *
 * A model is immutable once parsed: compiled matchers are cached per model
 * object (see compile.ts), so never mutate one in place.
 */

/** Limits that keep a model small and the hot path cheap. */
export const MODEL_LIMITS = {
  fitRules: 50,
  engagementRules: 50,
  idMaxLength: 64,
  labelMaxLength: 100,
  /** Entries of one list in a rule (keywords, countries, domains, kinds, paths, magnets, names). */
  listItems: 30,
  keywordMaxLength: 60,
  pathMaxLength: 200,
  /** |points| of one rule. */
  points: 100_000,
  /** capPerDay and capTotal, in raw points. */
  cap: 10_000_000,
  /** |threshold|. */
  threshold: 1_000_000_000,
  /**
   * Shortest half-life. The normalised scores grow by 2^(days since T0 / H)
   * and must stay finite: with H = 7 days that lasts until 2044 (see
   * decay.ts). Nobody scores B2B interest that fades within days.
   */
  halfLifeDaysMin: 7,
  halfLifeDaysMax: 3650,
  cooldownDaysMax: 365,
  freeMailDomains: 200,
} as const;

/** Every event kind a rule may name: the collector's kinds plus those only the edge writes. */
export const SCORING_EVENT_KINDS = [...EVENT_KINDS, ...SERVER_EVENT_KINDS] as const;
export type ScoringEventKind = (typeof SCORING_EVENT_KINDS)[number];

/** Employee range of each company size bucket (`1000+` is open-ended). */
export const SIZE_BUCKETS: ReadonlyMap<string, readonly [number, number]> = new Map(
  COMPANY_SIZES.map((s) => {
    const [lo, hi] = s.split(/[-+]/);
    return [s, [Number(lo), hi ? Number(hi) : Number.POSITIVE_INFINITY]] as const;
  }),
);
const SIZE_LOWER = [...SIZE_BUCKETS.values()].map(([lo]) => lo);
const SIZE_UPPER = [...SIZE_BUCKETS.values()].map(([, hi]) => hi).filter(Number.isFinite);

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const plainObject = v.custom<Record<string, unknown>>(isPlainObject, 'must be a JSON object');

/** An object that names unknown keys (typos) instead of dropping them. */
const strict = <const E extends v.ObjectEntries>(entries: E) => v.strictObject(entries, 'is not a known field');

const list = <const S extends v.GenericSchema>(item: S, what: string) =>
  v.pipe(
    v.array(item, 'must be an array'),
    v.minLength(1, 'must not be empty'),
    v.maxLength(MODEL_LIMITS.listItems, `must hold at most ${MODEL_LIMITS.listItems} ${what}`),
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

const ruleId = v.pipe(
  v.string('must be a string'),
  v.maxLength(MODEL_LIMITS.idMaxLength, `must be at most ${MODEL_LIMITS.idMaxLength} characters`),
  v.regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a slug: lowercase letters, digits, - and _, starting with a letter or digit'),
);

/** A whole number in [min, max]; `below` explains a value under min. */
const integerIn = (min: number, max: number, below = `must be at least ${min}`) =>
  v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(min, below), v.maxValue(max, `must be at most ${max}`));

const points = integerIn(-MODEL_LIMITS.points, MODEL_LIMITS.points);

const cap = v.optional(integerIn(1, MODEL_LIMITS.cap, 'must be at least 1 (leave it out for no cap)'));

const threshold = v.pipe(
  v.number('must be a number'),
  v.finite('must be a finite number'),
  v.minValue(-MODEL_LIMITS.threshold, `must be at least -${MODEL_LIMITS.threshold}`),
  v.maxValue(MODEL_LIMITS.threshold, `must be at most ${MODEL_LIMITS.threshold}`),
);

const domain = v.pipe(
  v.string('must be a string'),
  v.check((s) => toAsciiDomain(s) !== null, 'must be a domain such as example.com'),
  v.transform((s) => toAsciiDomain(s)!),
);

const keyword = v.pipe(
  text(MODEL_LIMITS.keywordMaxLength),
  v.check((s) => /[\p{L}\p{N}]/u.test(s), 'must contain a letter or digit'),
);

const base = { id: ruleId, label: v.optional(text(MODEL_LIMITS.labelMaxLength)), points };

const sizeBound = (bounds: number[], which: string) =>
  v.optional(
    v.pipe(
      v.number('must be a number'),
      v.check((n) => bounds.includes(n), `must be a bucket's ${which} bound: ${bounds.join(', ')}`),
    ),
  );

/** Builds an issue at `key` of the checked object (for cross-field checks of a variant). */
const at = (input: Record<string, unknown>, key: string): [v.ObjectPathItem] => [
  { type: 'object', origin: 'value', input, key, value: input[key] },
];

const fitRuleSchema = v.pipe(
  plainObject,
  v.variant(
    'field',
    [
      strict({ ...base, field: v.literal('companySize'), min: sizeBound(SIZE_LOWER, 'lower'), max: sizeBound(SIZE_UPPER, 'upper') }),
      strict({ ...base, field: v.picklist(['industry', 'role', 'company']), keywords: list(keyword, 'keywords') }),
      strict({
        ...base,
        field: v.literal('country'),
        countries: list(
          v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE'), v.toUpperCase()),
          'countries',
        ),
      }),
      strict({ ...base, field: v.literal('emailType'), is: v.picklist(['freemail', 'business'], 'must be freemail or business') }),
      strict({ ...base, field: v.literal('emailDomain'), domains: list(domain, 'domains') }),
      // What sales learned (qualification written back): any of the field's values.
      ...(Object.keys(BANT) as (keyof typeof BANT)[]).map((name) =>
        strict({ ...base, field: v.literal(name), values: list(v.picklist(BANT[name], `must be one of ${BANT[name].join(', ')}`), 'values') })),
    ],
    'must be one of companySize, industry, role, company, country, emailType, emailDomain, budget, authority, need, timeline',
  ),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed || dataset.value.field !== 'companySize') return;
    const r = dataset.value;
    if (r.min === undefined && r.max === undefined) {
      addIssue({ message: 'must set min, max or both', path: at(r, 'min') });
    } else if (r.min !== undefined && r.max !== undefined && r.min > r.max) {
      addIssue({ message: 'must be at least min', path: at(r, 'max') });
    }
  }),
);

const engagementRuleSchema = v.pipe(
  plainObject,
  strict({
    ...base,
    kinds: v.optional(list(v.picklist(SCORING_EVENT_KINDS, `must be one of ${SCORING_EVENT_KINDS.join(', ')}`), 'kinds')),
    paths: v.optional(
      list(
        v.pipe(
          text(MODEL_LIMITS.pathMaxLength),
          v.regex(/^[/*]/, 'must start with / or * (a path pattern such as /preise or **/pricing/**)'),
          v.check((s) => !/\s/.test(s), 'must not contain spaces'),
        ),
        'patterns',
      ),
    ),
    magnets: v.optional(
      list(
        v.pipe(
          v.string('must be a string'),
          v.maxLength(LIMITS.magnetIdMaxLength, `must be at most ${LIMITS.magnetIdMaxLength} characters`),
          v.regex(SITE_ID_PATTERN, 'must be a magnet id (a lowercase slug)'),
        ),
        'magnets',
      ),
    ),
    names: v.optional(list(text(LIMITS.nameMaxLength), 'names')),
    capPerDay: cap,
    capTotal: cap,
  }),
  v.check(
    (r) => r.kinds !== undefined || r.paths !== undefined || r.magnets !== undefined || r.names !== undefined,
    'must match on at least one of kinds, paths, magnets, names',
  ),
);

const thresholdsSchema = v.pipe(
  plainObject,
  strict({
    mql: threshold,
    sql: threshold,
    sqlMinFit: v.optional(threshold),
    mqlMinEngagement: v.optional(threshold),
    sqlMinEngagement: v.optional(threshold),
  }),
  v.forward(
    v.partialCheck([['mql'], ['sql']], (t) => t.sql >= t.mql, 'must be at least mql (SQL comes after MQL)'),
    ['sql'],
  ),
);

const temperatureSchema = v.pipe(
  plainObject,
  strict({
    basis: v.optional(v.picklist(['engagement', 'score'], 'must be engagement or score'), 'engagement'),
    warm: threshold,
    hot: threshold,
  }),
  v.forward(v.partialCheck([['warm'], ['hot']], (t) => t.hot >= t.warm, 'must be at least warm'), ['hot']),
);

const uniqueIds = (model: { fit: { id: string }[]; engagement: { id: string }[] }, addIssue: (info: v.RawCheckIssueInfo<unknown>) => void) => {
  const seen = new Set<string>();
  for (const group of ['fit', 'engagement'] as const) {
    model[group].forEach((rule, i) => {
      if (seen.has(rule.id)) {
        const arr = model[group];
        addIssue({
          message: `must be unique in the model ("${rule.id}" is used twice; explanations refer to rules by id)`,
          path: [
            { type: 'object', origin: 'value', input: model as Record<string, unknown>, key: group, value: arr },
            { type: 'array', origin: 'value', input: arr, key: i, value: rule },
            { type: 'object', origin: 'value', input: rule as Record<string, unknown>, key: 'id', value: rule.id },
          ],
        });
      }
      seen.add(rule.id);
    });
  }
};

/** The scoring model as PUT /v1/scoring-model accepts it. */
export const scoringModelSchema = v.pipe(
  plainObject,
  strict({
    /** Set by the server on save (one more than the stored one); a client value is a hint only. */
    version: v.optional(
      v.pipe(v.number('must be a number'), v.safeInteger('must be an integer'), v.minValue(1, 'must be at least 1')),
      1,
    ),
    name: v.optional(text(MODEL_LIMITS.labelMaxLength)),
    halfLifeDays: v.optional(
      v.pipe(
        v.number('must be a number'),
        v.finite('must be a finite number'),
        v.minValue(MODEL_LIMITS.halfLifeDaysMin, `must be at least ${MODEL_LIMITS.halfLifeDaysMin} (shorter half-lives overflow the normalised scores within years)`),
        v.maxValue(MODEL_LIMITS.halfLifeDaysMax, `must be at most ${MODEL_LIMITS.halfLifeDaysMax}`),
      ),
      30,
    ),
    stageCooldownDays: v.optional(
      v.pipe(
        v.number('must be a number'),
        v.finite('must be a finite number'),
        v.minValue(0, 'must not be negative'),
        v.maxValue(MODEL_LIMITS.cooldownDaysMax, `must be at most ${MODEL_LIMITS.cooldownDaysMax}`),
      ),
      7,
    ),
    thresholds: thresholdsSchema,
    temperature: temperatureSchema,
    freeMailDomains: v.optional(
      v.pipe(
        v.array(domain, 'must be an array'),
        v.maxLength(MODEL_LIMITS.freeMailDomains, `must hold at most ${MODEL_LIMITS.freeMailDomains} domains`),
      ),
    ),
    fit: v.pipe(
      v.array(fitRuleSchema, 'must be an array'),
      v.maxLength(MODEL_LIMITS.fitRules, `must hold at most ${MODEL_LIMITS.fitRules} rules (too many criteria make scoring worse)`),
    ),
    engagement: v.pipe(
      v.array(engagementRuleSchema, 'must be an array'),
      v.maxLength(
        MODEL_LIMITS.engagementRules,
        `must hold at most ${MODEL_LIMITS.engagementRules} rules (too many criteria make scoring worse)`,
      ),
    ),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (dataset.typed) uniqueIds(dataset.value, addIssue);
  }),
);

export type ScoringModel = v.InferOutput<typeof scoringModelSchema>;
/** What a client may send: defaults (version, halfLifeDays, stageCooldownDays, basis) may be left out. */
export type ScoringModelInput = v.InferInput<typeof scoringModelSchema>;
export type FitRule = ScoringModel['fit'][number];
export type EngagementRule = ScoringModel['engagement'][number];
export type Thresholds = ScoringModel['thresholds'];

/**
 * Parses and normalises a model (domains to lowercase ASCII, countries to
 * upper case, defaults filled in) or throws `InvalidInput` whose
 * `errors` name every offending field by JSON pointer, e.g.
 * `/engagement/3/capPerDay must be an integer`.
 */
export function parseModel(input: unknown): ScoringModel {
  return parseWith(scoringModelSchema, input, 'scoring model');
}

const deepFreeze = <T>(x: T): T => {
  if (x && typeof x === 'object') {
    for (const value of Object.values(x)) deepFreeze(value);
    Object.freeze(x);
  }
  return x;
};

/**
 * The demo model, in the classic weighting scheme (docs/domain.md, "Scoring: fit and engagement"):
 *
 * - classification (who the company is) in thousands: company size in the
 *   ideal customer profile 3,000, a fitting industry 2,000, enterprise 2,000,
 *   a small company 1,000; a competitor's address −5,000 (never a lead);
 * - qualification (who the person is) in hundreds: decision maker 500,
 *   DACH country 300, business address 200, free-mail address −300;
 * - behaviour in one or two digits: pageview 1, pricing page 10, contact
 *   page 10, download 15, form submit 20, confirmed opt-in 30, careers pages −10.
 *
 * A fully qualified ICP lead has fit 4,000 (3,000 + 500 + 300 + 200), or 6,000
 * when the form asked for the industry and it fits. A sign-up brings about 65
 * behaviour points (form_submit 20 + optin_confirmed 30 + magnet download 15),
 * which halve every 30 days.
 *
 * Thresholds, read in the same scheme (and why):
 * - MQL at 3,000 with at least 20 live behaviour points: the lead is in an
 *   ICP class (or close to it through qualification) and has recently done
 *   something; a sign-up alone keeps a lead above 20 for about 50 days, then
 *   it drops back unless it returns. Without the behaviour floor, behaviour
 *   could never matter: in this scheme 20 points cannot move a 3,000 fit.
 * - SQL at 4,000 with fit at least 3,500 and at least 60 live behaviour
 *   points: the fully qualified ICP lead (4,000) showing buying behaviour on
 *   top of the sign-up (a pricing or contact visit or two). The fit floor
 *   keeps a weaker profile from being pushed over by a burst of page views.
 *   SQL leads that go quiet fall back to MQL within days (60 decays fast
 *   from 70–90), which is the point: sales gets leads that are active now.
 * - Temperature on behaviour alone (fit would make every ICP lead "hot"):
 *   warm from 20, hot from 60, the same floors as MQL and SQL.
 * - Cool-down 7 days: a lead re-enters MQL or SQL, and fires again, at most
 *   once a week.
 * - Caps: repeated pageviews and pricing/contact visits count at most a few
 *   times a day, a confirmed opt-in once, careers pages at most −30 in total.
 */
export const DEFAULT_MODEL: ScoringModel = deepFreeze({
  version: 1,
  name: 'Lodestone demo (classic scheme)',
  halfLifeDays: 30,
  stageCooldownDays: 7,
  thresholds: { mql: 3000, sql: 4000, sqlMinFit: 3500, mqlMinEngagement: 20, sqlMinEngagement: 60 },
  temperature: { basis: 'engagement', warm: 20, hot: 60 },
  fit: [
    { id: 'size-icp', label: 'Company size 50–999 (ideal customer profile)', field: 'companySize', min: 50, max: 999, points: 3000 },
    { id: 'size-enterprise', label: 'Enterprise (1000+)', field: 'companySize', min: 1000, points: 2000 },
    { id: 'size-small', label: 'Small company (10–49)', field: 'companySize', min: 10, max: 49, points: 1000 },
    {
      id: 'industry-fit',
      label: 'Industry fits',
      field: 'industry',
      keywords: ['software', 'saas', 'it', 'e-commerce', 'ecommerce', 'internet', 'digital*', 'marketing', 'agentur', 'agency', '*technologie', 'technology', 'informationstechnik'],
      points: 2000,
    },
    {
      id: 'role-decision-maker',
      label: 'Decision maker',
      field: 'role',
      keywords: [
        'ceo', 'cto', 'cmo', 'cio', 'coo', 'cfo', 'founder', 'co founder', 'gründer*', 'inhaber*', 'owner', 'geschäftsführ*',
        'managing director', 'vorstand', 'head of', 'director', 'direktor*', 'vp', 'vice president', '*leiter', '*leiterin',
      ],
      points: 500,
    },
    { id: 'country-dach', label: 'Germany, Austria, Switzerland', field: 'country', countries: ['DE', 'AT', 'CH'], points: 300 },
    { id: 'email-business', label: 'Business e-mail address', field: 'emailType', is: 'business', points: 200 },
    { id: 'email-freemail', label: 'Free-mail address', field: 'emailType', is: 'freemail', points: -300 },
    {
      id: 'competitor',
      label: 'Competitor',
      field: 'emailDomain',
      domains: ['hubspot.com', 'marketo.com', 'mautic.org', 'activecampaign.com'],
      points: -5000,
    },
  ],
  engagement: [
    { id: 'pageview', label: 'Page view', kinds: ['pageview'], points: 1, capPerDay: 10 },
    {
      // The snippet sends pricing_view next to the pageview of a pricing page
      // (its data-pricing list; by default /pricing, /prices, /plans, /preise,
      // /preis, /preisliste, /tarife, also as hash routes), so the model
      // follows the snippet's classification instead of repeating the list:
      // a pricing visit is pageview 1 + pricing_view 10.
      id: 'pricing-view',
      label: 'Pricing page',
      kinds: ['pricing_view'],
      points: 10,
      capPerDay: 20,
    },
    {
      id: 'contact-page',
      label: 'Contact or demo page',
      kinds: ['pageview'],
      paths: ['**/kontakt/**', '**/contact/**', '**/demo/**', '**/termin/**', '**/beratung/**'],
      points: 10,
      capPerDay: 20,
    },
    { id: 'download', label: 'Download', kinds: ['download', 'magnet_download'], points: 15, capPerDay: 30 },
    { id: 'form-submit', label: 'Form submitted', kinds: ['form_submit'], points: 20, capPerDay: 40 },
    { id: 'optin-confirmed', label: 'Double opt-in confirmed', kinds: ['optin_confirmed'], points: 30, capTotal: 30 },
    {
      id: 'careers-page',
      label: 'Careers pages (job seeker, not buyer)',
      kinds: ['pageview'],
      paths: ['**/karriere/**', '**/jobs/**', '**/careers/**', '**/stellenangebote/**'],
      points: -10,
      capTotal: 30,
    },
  ],
});
