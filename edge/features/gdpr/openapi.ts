import type * as v from 'valibot';
import { retentionBody, retentionRunQuery } from './retention-schemas';

/**
 * The GDPR and retention operations, in the shape of the
 * OPERATIONS table of edge/openapi.ts, for it to spread in together with
 * GDPR_SCHEMAS (the retention body, generated from its validator).
 */
export const GDPR_SCHEMAS: Record<string, v.GenericSchema> = {
  RetentionSettings: retentionBody as unknown as v.GenericSchema,
};

/** Same shape as `Operation` in edge/openapi.ts. */
interface GdprOperation {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  auth: 'none' | 'apiKey' | 'admin';
  scopes?: string[];
  body?: { schema: string; types?: string[] };
  query?: v.GenericSchema;
  ok: { status: number; description: string; type?: string };
  errors: number[];
}

export const GDPR_OPERATIONS: GdprOperation[] = [
  { method: 'get', path: '/v1/leads/{id}/export', summary: 'GDPR export (Art. 15/20): everything held about the person, as a JSON attachment', auth: 'apiKey', scopes: ['leads:read'], ok: { status: 200, description: 'export document (lodestone.gdpr-export/v1)' }, errors: [401, 403, 404] },
  { method: 'delete', path: '/v1/leads/{id}', summary: 'GDPR erasure (Art. 17): personal data deleted, events de-identified, consent ledger pseudonymised; idempotent', auth: 'apiKey', scopes: ['leads:write'], ok: { status: 200, description: '{status: "erased" | "already_erased", erasedAt}' }, errors: [401, 403, 404, 409] },
  { method: 'post', path: '/v1/leads/{id}/withdraw', summary: 'Records a withdrawal of consent: no more mails, scoring, hand-offs or tracking linkage', auth: 'apiKey', scopes: ['leads:write'], ok: { status: 200, description: '{status: "withdrawn"}' }, errors: [401, 403, 404] },
  { method: 'get', path: '/admin/sites/{site}/retention', summary: "A site's retention periods, overrides, defaults and limits", auth: 'admin', ok: { status: 200, description: '{site, retention, overrides, defaults, limits}' }, errors: [400, 401, 404] },
  { method: 'put', path: '/admin/sites/{site}/retention', summary: 'Changes retention periods (fields left out keep their value, null resets to the default)', auth: 'admin', body: { schema: 'RetentionSettings' }, ok: { status: 200, description: '{site, retention, overrides, defaults, limits}' }, errors: [400, 401, 404, 413, 415] },
  { method: 'post', path: '/admin/retention/run', summary: 'Runs the retention work now (the cron runs it every 5 minutes)', auth: 'admin', query: retentionRunQuery as unknown as v.GenericSchema, ok: { status: 200, description: '{report}' }, errors: [400, 401] },
];
