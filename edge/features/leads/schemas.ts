import * as v from 'valibot';
import { CLIENT_ID_PATTERN, COMPANY_SIZES, LANGS, LEAD_LIMITS, LIMITS, SITE_ID_PATTERN } from '../../../protocol';
import { normaliseEmail } from '../../core/email-address';
import { cleanText, hasNoControl, hasNoMarkup, isPersonName } from '../../core/lead-text';
import { isHttpUrl, siteId } from '../../core/schemas/events';
import { envelopeBody, objectBody } from '../../core/schemas/object';
import { instantParam } from '../../core/schemas/instant';
import { STAGES } from '../../core/scoring';
import { SALES_STATUSES } from '../../core/sales';

/**
 * Validators for POST /v1/leads. Messages name the rule that failed, since
 * the widget shows them next to the field and a developer reads them in the
 * problem's `errors`.
 */

export const magnetId = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.maxLength(LIMITS.magnetIdMaxLength, `must be at most ${LIMITS.magnetIdMaxLength} characters`),
  v.regex(SITE_ID_PATTERN, 'must be a lowercase slug (a-z, 0-9, -)'),
);

/** A free-text field: no control characters (CR/LF!), no markup, bounded, cleaned; empty means absent. */
const text = (max: number) =>
  v.optional(
    v.pipe(
      v.string('must be a string'),
      v.check(hasNoControl, 'must not contain line breaks or other control characters'),
      v.check(hasNoMarkup, 'must not contain < or > (HTML is not allowed)'),
      v.maxLength(max, `must be at most ${max} characters`),
      v.transform(cleanText),
      v.transform((s) => s || undefined),
    ),
  );

const firstName = v.pipe(
  text(LEAD_LIMITS.firstNameMaxLength),
  v.check((s) => s === undefined || isPersonName(s), 'must be a name: letters, spaces, apostrophes, hyphens and dots'),
);

/** The address, normalised: `{ email, key }`. */
const email = v.pipe(
  v.optional(v.string('must be a string'), ''),
  v.maxLength(LEAD_LIMITS.emailMaxLength, `must be at most ${LEAD_LIMITS.emailMaxLength} characters`),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    if (!dataset.value.trim()) {
      addIssue({ message: 'is required' });
      return NEVER;
    }
    const result = normaliseEmail(dataset.value);
    if (!result.ok) {
      addIssue({ message: result.reason });
      return NEVER;
    }
    return { email: result.email, key: result.key };
  }),
);

const CONSENT_REQUIRED = 'is required: the consent checkbox must be ticked';

export const leadEnvelope = envelopeBody({ site: siteId, magnet: magnetId });

/** The address and the profile fields, as a form and an import row both carry them. */
export const leadProfileEntries = {
  email,
  firstName,
  company: text(LEAD_LIMITS.textMaxLength),
  role: text(LEAD_LIMITS.textMaxLength),
  companySize: v.optional(v.picklist(COMPANY_SIZES, `must be one of ${COMPANY_SIZES.join(', ')}`)),
  industry: text(LEAD_LIMITS.textMaxLength),
};

export const leadSubmission = objectBody({
  site: siteId,
  magnet: magnetId,
  ...leadProfileEntries,
  // A missing checkbox is the same as an unticked one: refused with one message.
  consent: v.optional(v.custom<true>((x) => x === true, CONSENT_REQUIRED), false as unknown as true),
  consentVersion: v.pipe(
    v.string('must be a string'),
    v.minLength(1, 'must not be empty'),
    v.maxLength(LEAD_LIMITS.consentVersionMaxLength, `must be at most ${LEAD_LIMITS.consentVersionMaxLength} characters`),
  ),
  marketing: v.optional(v.boolean('must be true or false')),
  url: v.pipe(
    v.string('must be a string'),
    v.maxLength(LIMITS.urlMaxLength, `must be at most ${LIMITS.urlMaxLength} characters`),
    v.check(isHttpUrl, 'must be an absolute http(s) URL'),
  ),
  lang: v.picklist(LANGS, `must be one of ${LANGS.join(', ')}`),
  vid: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.minLength(LIMITS.idMinLength, `must be at least ${LIMITS.idMinLength} characters`),
      v.maxLength(LIMITS.idMaxLength, `must be at most ${LIMITS.idMaxLength} characters`),
      v.regex(CLIENT_ID_PATTERN, 'must contain only A-Z, a-z, 0-9, _ and -'),
    ),
  ),
  hp: v.optional(v.pipe(v.string('must be a string'), v.maxLength(1000, 'must be at most 1000 characters'))),
  elapsedMs: v.pipe(v.number('must be a number'), v.safeInteger('must be an integer'), v.minValue(0, 'must not be negative')),
  turnstile: v.optional(v.pipe(v.string('must be a string'), v.maxLength(2048, 'must be at most 2048 characters'))),
});

export type ValidSubmission = v.InferOutput<typeof leadSubmission>;

/** Query of the confirm POST and page. */
export const tokenParam = v.pipe(
  v.string('is required'),
  v.regex(/^[A-Za-z0-9_-]{43}$/, 'must be the 43-character code from the confirmation link'),
);

const num = (msg: string) => v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.toNumber(msg), v.finite(msg));

/** The query of GET /v1/leads: filters, sort, page and format. */
export const listQuery = v.object({
  sort: v.optional(v.picklist(['score', 'updated', 'likelihood'], 'must be "score", "updated" or "likelihood"'), 'score'),
  stage: v.optional(v.pipe(v.string(), v.transform((s) => s.split(',').map((x) => x.trim())),
    v.array(v.picklist(STAGES, `must be one or more of ${STAGES.join(', ')}`)))),
  temperature: v.optional(v.picklist(['cold', 'warm', 'hot'], 'must be cold, warm or hot')),
  min_score: v.optional(num('must be a number')),
  max_score: v.optional(num('must be a number')),
  owner: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be an owner id'))),
  // The sales status after the hand-off; `status` of a lead is its consent status (pending, confirmed, withdrawn).
  sales_status: v.optional(v.picklist(SALES_STATUSES, `must be one of ${SALES_STATUSES.join(', ')}`)),
  country: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE'), v.toUpperCase())),
  industry: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(60, 'must be at most 60 characters'))),
  updated_since: v.optional(instantParam),
  magnet: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a magnet id'))),
  q: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(100, 'must be at most 100 characters'))),
  segment: v.optional(v.pipe(v.string(), v.maxLength(64, 'must be at most 64 characters'), v.regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a segment id'))),
  limit: v.optional(v.pipe(v.string(), v.toNumber('must be a number'), v.integer('must be an integer'), v.minValue(1, 'must be at least 1'),
    v.maxValue(1000, 'must be at most 1000')), '100'),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(500, 'is not a cursor of this API'))),
  format: v.optional(v.picklist(['json', 'ndjson', 'csv'], 'must be json, ndjson or csv')),
  dialect: v.optional(v.picklist(['rfc4180', 'excel'], 'must be rfc4180 or excel'), 'rfc4180'),
});
