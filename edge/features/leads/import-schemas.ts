import * as v from 'valibot';
import { LANGS, LEAD_LIMITS } from '../../../protocol';
import { hasNoControl, hasNoMarkup } from '../../core/lead-text';
import { strictObjectBody } from '../../core/schemas/object';
import { isEpochMs } from '../../core/schemas/instant';
import { leadProfileEntries, magnetId } from './schemas';

/**
 * Validators of the lead import (POST /v1/leads/import): one row per person
 * met at a fair, a webinar or an event, with the legal basis it is kept on.
 */

export const LEGAL_BASES = ['consent', 'legitimate_interest'] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

export const IMPORT_LIMITS = { sourceMaxLength: 200, consentTextMinLength: 10 } as const;

const plain = (max: number) =>
  v.pipe(v.string('must be a string'), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(max, `must be at most ${max} characters`),
    v.check(hasNoMarkup, 'must be plain text (no < or >)'));

const DATE = 'must be an ISO 8601 date/time or epoch milliseconds';

const importRowEntries = {
  ...leadProfileEntries,
  lang: v.optional(v.picklist(LANGS, `must be one of ${LANGS.join(', ')}`)),
  basis: v.picklist(LEGAL_BASES, 'must be consent or legitimate_interest'),
  /** The words the person agreed to (paper form, registration page), as they read them. */
  consentText: v.optional(v.pipe(plain(LEAD_LIMITS.consentTextMaxLength),
    v.minLength(IMPORT_LIMITS.consentTextMinLength, `must be at least ${IMPORT_LIMITS.consentTextMinLength} characters`))),
  /** When the person gave it. */
  consentAt: v.optional(v.pipe(
    v.union([v.string(), v.number()], DATE),
    v.transform((x) => (typeof x === 'number' ? x : Date.parse(x))),
    v.check(isEpochMs, `${DATE} (1970 to 275760)`),
  )),
  /** Where: "Hannover Messe 2026, booth B12, paper form", a webinar's registration page. */
  source: v.optional(v.pipe(plain(IMPORT_LIMITS.sourceMaxLength), v.check(hasNoControl, 'must be one line without control characters'))),
};

/**
 * One import row. Consent needs its evidence (text, date, place); a row
 * kept on legitimate interest must not pretend to carry a consent.
 */
export const importRow = v.pipe(
  strictObjectBody(importRowEntries, { lineBreaks: ['consentText'] }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const row = dataset.value;
    const need = (key: 'consentText' | 'consentAt' | 'source', message: string) =>
      addIssue({ message, path: [{ type: 'object', origin: 'value', input: row, key, value: row[key] }] });
    if (row.basis === 'consent') {
      if (row.consentText === undefined) need('consentText', 'is required with basis consent: the words the person agreed to');
      if (row.consentAt === undefined) need('consentAt', 'is required with basis consent: when the person agreed');
      if (row.source === undefined) need('source', 'is required with basis consent: where the person agreed (e.g. the fair and booth)');
    } else {
      if (row.consentText !== undefined) need('consentText', 'must not be given with basis legitimate_interest (that is no consent)');
      if (row.consentAt !== undefined) need('consentAt', 'must not be given with basis legitimate_interest (that is no consent)');
    }
  }),
);

export type ImportRow = v.InferOutput<typeof importRow>;

const flag = v.optional(v.pipe(v.picklist(['true', 'false', '1', '0'], 'must be true or false'), v.transform((s) => s === 'true' || s === '1')), 'false');

/** The query of POST /v1/leads/import. */
export const importQuery = v.pipe(
  v.object({
    sendOptin: flag,
    /** The magnet whose double opt-in mail goes out (and whose file the person gets once confirmed). */
    magnet: v.optional(magnetId),
  }),
  v.check((q) => !q.sendOptin || q.magnet !== undefined, 'sendOptin needs magnet: the opt-in mail is that magnet\'s mail'),
);
