/**
 * Checks and normalisation for the free-text fields of a lead. Pure: no I/O.
 *
 * Rejection beats silent repair: a name with a line break or a tag in it is
 * either a mistake the visitor should see, or an attack (header injection,
 * stored XSS in some downstream CRM) that must leave no trace.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const MARKUP = /[<>]/;
/** Letters (any script), combining marks, spaces, apostrophes, hyphens, dots. */
const PERSON_NAME = /^[\p{L}\p{M}][\p{L}\p{M} '’.-]*$/u;

/** No control characters at all: CR and LF included, tabs too. */
export const hasNoControl = (s: string) => !CONTROL.test(s);
/** No angle brackets: HTML and script cannot be written without them. */
export const hasNoMarkup = (s: string) => !MARKUP.test(s);
/** A plausible given name: it is the one field a confirmation mail repeats. */
export const isPersonName = (s: string) => PERSON_NAME.test(s);

/** Unicode NFC, trimmed, inner runs of spaces collapsed to one. */
export function cleanText(s: string): string {
  return s.normalize('NFC').trim().replace(/ {2,}/g, ' ');
}
