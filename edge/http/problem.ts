import type { Context } from 'hono';
import { InvalidInput, Refused } from '../core/errors';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, type FieldError, type Problem, type ProblemType } from '../../protocol';

/**
 * An error that becomes an RFC 9457 problem answer. Thrown anywhere in a
 * request; `app.onError` turns it into the one error shape of the API.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly type: ProblemType,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
    /** RFC 9457 extension members, e.g. the transitions a refused one could have been. */
    readonly extensions?: Readonly<Record<string, unknown>>,
  ) {
    super(detail);
  }

  toJSON(): Problem {
    const body: Problem = { ...this.extensions, type: this.type, title: this.title, status: this.status, detail: this.detail };
    if (this.errors?.length) {
      body.path = this.errors[0]!.path;
      body.errors = this.errors;
    }
    return body;
  }
}

export const invalid = (detail: string, errors: readonly FieldError[]) =>
  new ProblemError(400, PROBLEM_TYPES.validation, 'Invalid request', detail, [...errors]);
export const malformed = (detail: string) =>
  new ProblemError(400, PROBLEM_TYPES.malformed, 'Malformed request body', detail);
export const unauthorized = (detail: string) =>
  new ProblemError(401, PROBLEM_TYPES.unauthorized, 'Unauthorized', detail, undefined, { 'WWW-Authenticate': 'Bearer' });
export const forbiddenOrigin = (origin: string) =>
  new ProblemError(403, PROBLEM_TYPES.forbiddenOrigin, 'Forbidden origin', origin ? `Origin ${origin} is not allowed for this site.` : 'An Origin header is required.');
export const notFound = (detail: string) => new ProblemError(404, PROBLEM_TYPES.notFound, 'Not found', detail);
export const unknownSite = (site: string) =>
  new ProblemError(404, PROBLEM_TYPES.unknownSite, 'Unknown site', `No site with id "${site}".`);
export const methodNotAllowed = (method: string, path: string, allowed: readonly string[]) =>
  new ProblemError(405, PROBLEM_TYPES.methodNotAllowed, 'Method not allowed', `${path} does not answer ${method}; it answers ${allowed.join(', ')}.`,
    undefined, { Allow: allowed.join(', ') });
export const conflict = (detail: string) => new ProblemError(409, PROBLEM_TYPES.conflict, 'Conflict', detail);
export const tooLarge = (limit: number) =>
  new ProblemError(413, PROBLEM_TYPES.tooLarge, 'Payload too large', `The body exceeds ${limit} bytes.`);
export const unsupportedMediaType = (got: string, allowed: readonly string[]) =>
  new ProblemError(415, PROBLEM_TYPES.unsupportedMediaType, 'Unsupported media type',
    `Content-Type ${got ? `"${got}"` : '(none)'} is not accepted; use ${allowed.join(' or ')}.`);
export const rateLimited = (retryAfterSeconds: number) =>
  new ProblemError(429, PROBLEM_TYPES.rateLimited, 'Too many requests', `Slow down; retry after ${retryAfterSeconds} s.`,
    undefined, { 'Retry-After': String(retryAfterSeconds) });
export const notConfigured = (detail: string) =>
  new ProblemError(503, PROBLEM_TYPES.notConfigured, 'Not configured', detail);
export const internal = () =>
  new ProblemError(500, PROBLEM_TYPES.internal, 'Internal error', 'The request could not be processed. It is safe to retry.');

const REFUSALS: Record<Refused['kind'], [number, ProblemType, string]> = {
  conflict: [409, PROBLEM_TYPES.conflict, 'Conflict'],
  gone: [410, PROBLEM_TYPES.gone, 'Gone'],
  not_found: [404, PROBLEM_TYPES.notFound, 'Not found'],
  not_enough_data: [422, PROBLEM_TYPES.notEnoughData, 'Not enough data'],
};

/**
 * The one place a domain error becomes a problem: `InvalidInput` from pure
 * code is a 400 naming its fields, `Refused` a 409, 410 or 404 with its
 * extension members. Anything else is not the caller's fault.
 */
export function asProblem(err: unknown): ProblemError | null {
  if (err instanceof ProblemError) return err;
  if (err instanceof InvalidInput) return invalid(err.detail, err.errors);
  if (err instanceof Refused) {
    const [status, type, title] = REFUSALS[err.kind];
    return new ProblemError(status, type, title, err.detail, undefined, undefined, err.extensions);
  }
  return null;
}

/** Writes a problem answer. Never includes stack traces or internals. */
export function problemResponse(c: Context, err: ProblemError): Response {
  const res = c.body(JSON.stringify(err), err.status as 400, { 'Content-Type': PROBLEM_CONTENT_TYPE });
  for (const [k, v] of Object.entries(err.headers ?? {})) res.headers.set(k, v);
  return res;
}
