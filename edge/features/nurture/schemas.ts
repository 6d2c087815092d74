import * as v from 'valibot';
import { cleanTextEverywhere } from '../../core/text';
import { nurtureSettingsSchema } from '../../core/nurture/sequence';

/** A sequence or step id in a path: the slug the document uses. */
export const sequenceIdParam = v.pipe(
  v.string('must be a string'),
  v.maxLength(64, 'must be at most 64 characters'),
  v.regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a slug: lowercase letters, digits, - and _'),
);

/** PUT /v1/sequences/{id}: any JSON whose strings are clean; template bodies ("body") may hold line feeds. */
export const sequenceBody = v.pipe(v.unknown(), cleanTextEverywhere(['body']));

/** GET …/steps/{step}/preview: whose data fills the variables, which language, and whether the preview goes to the dev outbox. */
export const previewQuery = v.strictObject({
  lead: v.optional(v.pipe(v.string('must be a string'), v.regex(/^ld_[A-Za-z0-9_-]{16}$/, 'must be a lead id (ld_…)'))),
  lang: v.optional(v.picklist(['en', 'de'], 'must be en or de')),
  outbox: v.optional(v.picklist(['1', 'true'], 'must be 1 or true')),
}, 'is not a known parameter');

/** PUT /v1/nurture-settings: the whole settings; a field left out is the default. */
export const settingsBody = v.pipe(v.unknown(), cleanTextEverywhere(), nurtureSettingsSchema);

/**
 * A provider's bounce or complaint report: Resend's event shape (type
 * email.bounced / email.complained, data.to, data.email_id), or Lodestone's
 * own minimal one (type bounce / complaint, email, messageId).
 */
export const mailEventBody = v.object({
  type: v.picklist(['email.bounced', 'email.complained', 'bounce', 'complaint'], 'must be bounce, complaint, email.bounced or email.complained'),
  email: v.optional(v.pipe(v.string('must be a string'), v.maxLength(320, 'must be at most 320 characters'))),
  messageId: v.optional(v.pipe(v.string('must be a string'), v.maxLength(200, 'must be at most 200 characters'))),
  data: v.optional(v.object({
    email_id: v.optional(v.pipe(v.string('must be a string'), v.maxLength(200, 'must be at most 200 characters'))),
    to: v.optional(v.array(v.pipe(v.string('must be a string'), v.maxLength(320, 'must be at most 320 characters')), 'must be an array')),
  })),
});
