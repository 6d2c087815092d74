// @ts-check
/** The CLI's two kinds of failure; the entry point turns them into exit codes 2 and 1. */

/** The command line is wrong: nothing was sent (exit code 2). */
export class UsageError extends Error {}

/** The API refused or could not be reached (exit code 1). */
export class ApiError extends Error {
  /** @param {string} message @param {number} [status] the HTTP status, when the server answered */
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/** The server did not answer at all (as opposed to answering with an error). */
export class Unreachable extends ApiError {}

/** @param {unknown} err */
export const isUsageError = (err) => err instanceof UsageError;
