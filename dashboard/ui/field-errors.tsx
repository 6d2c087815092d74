import { ApiError } from '../api';

/**
 * The API's field errors of a refused write, by JSON Pointer (`/owners/0/email`),
 * for forms that show each message next to its field. A refusal without field
 * errors lands under '' (the form's own message).
 */
export type FieldErrors = Map<string, string>;

export function fieldErrors(err: unknown): FieldErrors {
  const out: FieldErrors = new Map();
  const problem = err instanceof ApiError ? err.problem : undefined;
  for (const e of problem?.errors ?? []) out.set(e.path, out.has(e.path) ? `${out.get(e.path)} ${e.message}` : e.message);
  if (!out.size) out.set('', err instanceof Error ? err.message : String(err));
  return out;
}

/** A stable element id for a pointer: what aria-describedby of the field names. */
export const errorId = (prefix: string, path: string) => `${prefix}${path.replace(/[^A-Za-z0-9_-]/g, '-')}-error`;

/** Props that tie a control to its error message (when there is one). */
export function invalidProps(errors: FieldErrors, prefix: string, path: string) {
  return errors.has(path) ? { 'aria-invalid': true as const, 'aria-describedby': errorId(prefix, path) } : {};
}

/** The message of one pointer, under its field. */
export function ErrorAt({ errors, prefix, path }: { errors: FieldErrors; prefix: string; path: string }) {
  const m = errors.get(path);
  return m ? <p class="field-error" id={errorId(prefix, path)}>{m}</p> : null;
}

/**
 * The summary a screen reader hears after a refused save: the form's own
 * message, or how many fields need a look (each message stays at its field).
 * Messages whose pointer no field of the form shows are listed here too.
 */
export function ErrorSummary({ errors, shown, words }: { errors: FieldErrors; shown: (path: string) => boolean; words: { fix: (n: number) => string } }) {
  if (!errors.size) return null;
  const loose = [...errors].filter(([p]) => !shown(p));
  const atFields = errors.size - loose.length;
  return (
    <div class="field-error" role="alert">
      {atFields > 0 && <p>{words.fix(atFields)}</p>}
      {loose.map(([p, m]) => <p key={p}>{p ? `${p}: ${m}` : m}</p>)}
    </div>
  );
}
