import * as v from 'valibot';
import type { FieldError } from '../../../protocol';
import { InvalidInput } from '../errors';
import { cleanTextEverywhere } from '../text';

/** Converts valibot's issue path into a JSON Pointer (RFC 6901). */
export function toPointer(issue: v.BaseIssue<unknown>): string {
  const keys = issue.path?.map((item) => String(item.key)) ?? [];
  return '/' + keys.map((k) => k.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/** Collects every issue as a field error, deepest (most specific) first per path. */
export function fieldErrors(issues: readonly v.BaseIssue<unknown>[]): FieldError[] {
  return issues.map((issue) => ({ path: toPointer(issue), message: issue.message }));
}

/**
 * Parses `input` with `schema` or throws `InvalidInput` naming every
 * offending field (routes use http/validate.ts, which answers it as a 400).
 */
export function parseWith<const S extends v.GenericSchema>(schema: S, input: unknown, what = 'body'): v.InferOutput<S> {
  const result = v.safeParse(schema, input, { abortEarly: false });
  if (result.success) return result.output;
  const errors = fieldErrors(result.issues);
  throw new InvalidInput(`The ${what} is invalid: ${errors[0]!.path} ${errors[0]!.message}.`, errors);
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * A JSON object body: arrays and primitives fail at the root ("/"), not at a
 * missing field. Every string in it passes the one text check
 * (core/text.ts) before the fields are validated; `lineBreaks` names
 * the keys whose texts may hold line feeds.
 */
export function objectBody<const E extends v.ObjectEntries>(entries: E, opts: { lineBreaks?: readonly string[] } = {}) {
  // The root check and the text check as one root schema: the OpenAPI document drops it and documents the object.
  const root = v.pipe(v.custom<Record<string, unknown>>(isPlainObject, 'must be a JSON object'), cleanTextEverywhere<Record<string, unknown>>(opts.lineBreaks));
  return v.pipe(root, v.object(entries));
}

/** Like objectBody, but a field it does not know is an error, not dropped: a write must not half-happen. */
export function strictObjectBody<const E extends v.ObjectEntries>(entries: E, opts: { lineBreaks?: readonly string[] } = {}) {
  const root = v.pipe(v.custom<Record<string, unknown>>(isPlainObject, 'must be a JSON object'), cleanTextEverywhere<Record<string, unknown>>(opts.lineBreaks));
  return v.pipe(root, v.strictObject(entries, 'is not a known field'));
}

/**
 * Just the fields that find the site of a body, before the origin is known:
 * the rest of the body (and its text check) is validated by the full schema
 * afterwards, so a page of another origin learns nothing about its content.
 */
export function envelopeBody<const E extends v.ObjectEntries>(entries: E) {
  return v.pipe(v.custom<Record<string, unknown>>(isPlainObject, 'must be a JSON object'), v.object(entries));
}
