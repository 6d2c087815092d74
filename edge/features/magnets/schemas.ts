import * as v from 'valibot';
import { LANGS, LEAD_FIELDS, LEAD_LIMITS } from '../../../protocol';
import { hasNoControl, hasNoMarkup } from '../../core/lead-text';
import { objectBody, strictObjectBody } from '../../core/schemas/object';

/** Validators for the magnet admin API. */

const plain = (min: number, max: number) =>
  v.pipe(
    v.string('must be a string'),
    v.trim(),
    v.minLength(min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`),
    v.maxLength(max, `must be at most ${max} characters`),
    v.check(hasNoMarkup, 'must be plain text (no < or >)'),
  );

/** A one-line plain text (title, versions). */
const line = (min: number, max: number) => v.pipe(plain(min, max), v.check(hasNoControl, 'must be one line without control characters'));

const version = v.pipe(
  line(1, LEAD_LIMITS.consentVersionMaxLength),
  v.regex(/^[A-Za-z0-9._-]+$/, 'must use only A-Z, a-z, 0-9, ".", "_" and "-" (e.g. 2026-11-01)'),
);

/** Consent texts may have line breaks (paragraphs), nothing else invisible. */
// eslint-disable-next-line no-control-regex
const noOddControls = (s: string) => !/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(s);

const consentText = objectBody({
  text: v.pipe(plain(10, LEAD_LIMITS.consentTextMaxLength), v.check(noOddControls, 'must not contain control characters other than line breaks')),
  version,
}, { lineBreaks: ['text'] });

const httpUrl = v.pipe(
  v.string('must be a string'),
  v.maxLength(2048, 'must be at most 2048 characters'),
  v.check((s) => {
    try {
      return ['http:', 'https:'].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL'),
);

const field = objectBody({
  name: v.picklist(LEAD_FIELDS, `must be one of ${LEAD_FIELDS.join(', ')}`),
  required: v.optional(v.boolean('must be true or false'), false),
});

const magnetEntries = {
    title: line(1, 200),
    description: v.optional(v.pipe(plain(0, 1000), v.check(noOddControls, 'must not contain control characters other than line breaks')), ''),
    lang: v.picklist(LANGS, `must be one of ${LANGS.join(', ')}`),
    fields: v.optional(
      v.pipe(
        v.array(field, 'must be an array'),
        v.maxLength(LEAD_FIELDS.length, `must hold at most ${LEAD_FIELDS.length} fields`),
        v.check((fs) => new Set(fs.map((f) => f.name)).size === fs.length, 'must not name a field twice'),
      ),
      [],
    ),
    consent: consentText,
    privacyUrl: httpUrl,
    marketing: v.optional(v.nullable(consentText), null),
    coupled: v.optional(v.boolean('must be true or false'), false),
    turnstile: v.optional(v.boolean('must be true or false'), false),
};

// Coupling means one checkbox for both purposes: a second one would contradict it.
const COUPLED_TWICE = 'must be omitted when coupled is true: the consent text itself must state the marketing purpose';
const notCoupledTwice = (m: { coupled: boolean; marketing: unknown }) => !(m.coupled && m.marketing);

/** PUT /admin/sites/:site/magnets/:magnet: a magnet's config (fields it does not know are dropped). */
export const magnetBody = v.pipe(
  objectBody(magnetEntries, { lineBreaks: ['description', 'text'] }),
  v.forward(v.check((m) => notCoupledTwice(m), COUPLED_TWICE), ['marketing']),
);

/** PUT /v1/magnets/:magnet (marketing API): the same config, but a field it does not know is an error, so a write never half-happens. */
export const magnetApiBody = v.pipe(
  strictObjectBody(magnetEntries, { lineBreaks: ['description', 'text'] }),
  v.forward(v.check((m) => notCoupledTwice(m), COUPLED_TWICE), ['marketing']),
);

export type ValidMagnetBody = v.InferOutput<typeof magnetBody>;

/** Files a magnet may deliver: documents and images, never anything a browser would run. */
export const FILE_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  epub: 'application/epub+zip',
  zip: 'application/zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  txt: 'text/plain',
  csv: 'text/csv',
};

export const fileName = v.pipe(
  v.string('is required'),
  v.maxLength(100, 'must be at most 100 characters'),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\.[A-Za-z0-9]+$/, 'must be a file name such as whitepaper.pdf (A-Z, a-z, 0-9, ".", "_", "-")'),
  v.check((n) => (n.split('.').pop() ?? '').toLowerCase() in FILE_TYPES, `must end in one of .${Object.keys(FILE_TYPES).join(', .')}`),
);

export const leadsQuery = v.object({
  status: v.optional(v.picklist(['pending', 'confirmed', 'withdrawn'], 'must be pending, confirmed or withdrawn')),
  email: v.optional(v.pipe(v.string(), v.maxLength(254, 'must be at most 254 characters'))),
  limit: v.optional(v.pipe(v.string(), v.toNumber('must be a number'), v.integer('must be an integer'), v.minValue(1, 'must be at least 1'), v.maxValue(500, 'must be at most 500')), '50'),
});
