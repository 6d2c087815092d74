import type * as v from 'valibot';
import { parseWith } from '../core/schemas/object';
import { asProblem } from './problem';

/**
 * Parses `input` with `schema` or throws a 400 problem naming every offending
 * field. Routes call this once; they never see unvalidated data.
 */
export function validate<const S extends v.GenericSchema>(schema: S, input: unknown, what = 'body'): v.InferOutput<S> {
  try {
    return parseWith(schema, input, what);
  } catch (err) {
    throw asProblem(err) ?? err;
  }
}
