import * as v from 'valibot';

/** Sign-in: the marketing API key, once; the answer's cookie stands in for it from then on. */
export const signInBody = v.strictObject({
  key: v.pipe(v.string('must be a string'), v.nonEmpty('is required'), v.maxLength(200, 'must be at most 200 characters')),
});
