/**
 * RFC 9457 problem details: the one error shape of every 4xx and 5xx answer.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem types, as URNs so they need no hosted documentation. */
export const PROBLEM_TYPES = {
  validation: 'urn:lodestone:problem:validation',
  malformed: 'urn:lodestone:problem:malformed-body',
  unauthorized: 'urn:lodestone:problem:unauthorized',
  forbiddenOrigin: 'urn:lodestone:problem:forbidden-origin',
  forbidden: 'urn:lodestone:problem:forbidden',
  notFound: 'urn:lodestone:problem:not-found',
  unknownSite: 'urn:lodestone:problem:unknown-site',
  methodNotAllowed: 'urn:lodestone:problem:method-not-allowed',
  conflict: 'urn:lodestone:problem:conflict',
  gone: 'urn:lodestone:problem:gone',
  tooLarge: 'urn:lodestone:problem:payload-too-large',
  unsupportedMediaType: 'urn:lodestone:problem:unsupported-media-type',
  rateLimited: 'urn:lodestone:problem:rate-limited',
  notConfigured: 'urn:lodestone:problem:not-configured',
  notEnoughData: 'urn:lodestone:problem:not-enough-data',
  internal: 'urn:lodestone:problem:internal',
} as const;

export type ProblemType = (typeof PROBLEM_TYPES)[keyof typeof PROBLEM_TYPES];

/** One offending field of an invalid body. */
export interface FieldError {
  /** JSON Pointer (RFC 6901) to the field, e.g. `/events/3/kind`. */
  path: string;
  message: string;
}

export interface Problem {
  type: ProblemType;
  title: string;
  status: number;
  detail: string;
  /** JSON Pointer of the first offending field (validation errors only). */
  path?: string;
  /** Every offending field (validation errors only). */
  errors?: FieldError[];
}
