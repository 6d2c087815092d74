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

/**
 * A write the domain refuses as things stand, though the input is well
 * formed: it conflicts with the current state (a forbidden transition, an id
 * taken), the thing is gone (erased or withdrawn), it names something that
 * does not exist, or too little data exists yet to answer it honestly (a
 * statistic over five leads). `extensions` go into the answer as they are (e.g. the
 * allowed transitions), so a client can act on them.
 */
export class Refused extends Error {
  constructor(
    readonly kind: 'conflict' | 'gone' | 'not_found' | 'not_enough_data',
    readonly detail: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
    this.name = 'Refused';
  }
}
