import type * as v from 'valibot';
import { nurtureSettingsSchema, sequenceDocSchema } from '../../core/nurture/sequence';
import { mailEventBody, previewQuery } from './schemas';

/**
 * The nurture operations, in the shape of the OPERATIONS table of the API
 * document (features/docs/openapi.ts), with their bodies' validators.
 */
export const NURTURE_SCHEMAS: Record<string, v.GenericSchema> = {
  Sequence: sequenceDocSchema as unknown as v.GenericSchema,
  NurtureSettings: nurtureSettingsSchema as unknown as v.GenericSchema,
  MailEvent: mailEventBody as unknown as v.GenericSchema,
};

const TAG = 'Nurture';

export const NURTURE_TAG = {
  name: TAG,
  description: 'Sequences of condition-based mails for leads with confirmed marketing consent, their numbers, the links in their mails and the provider’s bounce reports (docs/nurture.md).',
};

interface NurtureOperation {
  method: 'get' | 'put' | 'post';
  path: string;
  summary: string;
  auth: 'apiKey' | 'none';
  scopes?: string[];
  tag: string;
  body?: { schema: string; types?: string[] };
  query?: v.GenericSchema;
  ok: { status: number; description: string; also?: number[]; type?: string };
  errors: number[];
}

export const NURTURE_OPERATIONS: NurtureOperation[] = [
  { method: 'get', path: '/v1/sequences', summary: "The site's sequences: id, name, status, version, trigger, number of steps", auth: 'apiKey', scopes: ['leads:read', 'config:write'], tag: TAG, ok: { status: 200, description: '{sequences}' }, errors: [401, 403] },
  { method: 'get', path: '/v1/sequences/{id}', summary: 'One sequence document, current version', auth: 'apiKey', scopes: ['leads:read', 'config:write'], tag: TAG, ok: { status: 200, description: '{id, version, savedAt, sequence}' }, errors: [400, 401, 403, 404] },
  { method: 'put', path: '/v1/sequences/{id}', summary: 'Saves a sequence as a new version, validated first (JSON pointers for every error; a cycle of steps without a wait, an unknown template variable or magnet are refused); a new or changed trigger reads from now on', auth: 'apiKey', scopes: ['config:write'], tag: TAG, body: { schema: 'Sequence' }, ok: { status: 200, description: '{id, version, savedAt, sequence}: 201 for a new sequence', also: [201] }, errors: [400, 401, 403, 409, 413, 415] },
  { method: 'get', path: '/v1/sequences/{id}/stats', summary: 'Entered, active, completed, exited by reason, reached MQL/SQL after entering; per step: sent, clicked, pending, failed, unsubscribed, exited, waiting', auth: 'apiKey', scopes: ['leads:read'], tag: TAG, ok: { status: 200, description: '{entered, leads, active, completed, exited, reached, steps}' }, errors: [400, 401, 403, 404] },
  { method: 'get', path: '/v1/sequences/{id}/steps/{step}/preview', summary: "A send step's mail as a lead would get it (links to their targets, an inert unsubscribe link: records nothing); outbox=1 also puts it into the local dev outbox", auth: 'apiKey', scopes: ['leads:read', 'config:write'], tag: TAG, query: previewQuery as unknown as v.GenericSchema, ok: { status: 200, description: '{subject, text, html, links, lang, outbox}' }, errors: [400, 401, 403, 404, 422] },
  { method: 'get', path: '/v1/nurture-settings', summary: 'Frequency cap (hours between two nurture mails to one lead, across sequences), send rate per minute, time zone of send windows', auth: 'apiKey', scopes: ['leads:read', 'config:write'], tag: TAG, ok: { status: 200, description: '{minGapHours, sendsPerMinute, timeZone, defaults, updatedAt}' }, errors: [401, 403] },
  { method: 'put', path: '/v1/nurture-settings', summary: 'Replaces the nurture settings; a field left out is the default', auth: 'apiKey', scopes: ['config:write'], tag: TAG, body: { schema: 'NurtureSettings' }, ok: { status: 200, description: '{minGapHours, sendsPerMinute, timeZone, defaults, updatedAt}' }, errors: [400, 401, 403, 413, 415] },
  { method: 'get', path: '/v1/m/c', summary: 'A link in a nurture mail: redirects to its signed target; a valid, unexpired click is recorded once as a mail_click event of the lead; a changed target is refused (no open redirect)', auth: 'none', tag: TAG, ok: { status: 302, description: 'redirect to the target' }, errors: [400, 503] },
  { method: 'get', path: '/v1/optin/unsubscribe', summary: 'Unsubscribe page (signed link in every nurture mail); opening it changes nothing', auth: 'none', tag: TAG, ok: { status: 200, description: 'HTML page', type: 'text/html' }, errors: [400, 403, 404] },
  { method: 'post', path: '/v1/optin/unsubscribe', summary: 'Withdraws the marketing consent (RFC 8058 one-click capable): every sequence stops at once, the ledger records it, the download consent stays', auth: 'none', tag: TAG, ok: { status: 200, description: '{status: "unsubscribed"} for scripts and one-click, an HTML page for the button' }, errors: [400, 403, 404, 413, 415] },
  { method: 'post', path: '/v1/mail/events', summary: "The mail provider's bounce and complaint reports, signed with Standard Webhooks (MAIL_EVENTS_SECRET; svix-* headers accepted): the address is suppressed and leaves every sequence", auth: 'none', tag: TAG, body: { schema: 'MailEvent' }, ok: { status: 200, description: '{kind, leads, suppressed}' }, errors: [400, 401, 413, 415, 503] },
];
