import type { FieldError } from '../../protocol';

/**
 * Input that breaks a domain rule, field by field. Pure code throws this,
 * never an HTTP error: the HTTP layer maps it to a 400 problem in one place
 * (`asProblem` in http/problem.ts), and other callers (the cron, the CLI's
 * tests) read the same fields.
 */
export class InvalidInput extends Error {
  constructor(
    /** One sentence naming the first offending field. */
    readonly detail: string,
    /** Every offending field, as a JSON Pointer and a message. */
    readonly errors: readonly FieldError[],
  ) {
    super(detail);
    this.name = 'InvalidInput';
  }

  /** The pointer of the first offending field: what a form highlights first. */
  get path(): string | undefined {
    return this.errors[0]?.path;
  }

  toJSON(): { detail: string; path?: string; errors: readonly FieldError[] } {
    return { detail: this.detail, path: this.path, errors: this.errors };
  }
}
