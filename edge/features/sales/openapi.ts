import type * as v from 'valibot';
import { leadPatchBody, ownersBody, salesSettingsBody } from './schemas';

/**
 * The sales operations, in the shape of the OPERATIONS table of the API
 * document (features/docs/openapi.ts), with their bodies' validators.
 */
export const SALES_SCHEMAS: Record<string, v.GenericSchema> = {
  Owners: ownersBody as unknown as v.GenericSchema,
  SalesSettings: salesSettingsBody as unknown as v.GenericSchema,
  LeadUpdate: leadPatchBody as unknown as v.GenericSchema,
};

interface SalesOperation {
  method: 'get' | 'put' | 'post' | 'patch';
  path: string;
  summary: string;
  auth: 'apiKey';
  scopes: string[];
  tag: string;
  body?: { schema: string; types?: string[] };
  ok: { status: number; description: string };
  errors: number[];
}

const TAG = 'Sales';

export const SALES_TAG = { name: TAG, description: 'The team and its routing, and the write-back of what sales did with a lead (docs/sales.md).' };

export const SALES_OPERATIONS: SalesOperation[] = [
  { method: 'get', path: '/v1/owners', summary: "The site's sales people with territory, weight and assignment count", auth: 'apiKey', scopes: ['leads:read', 'config:write'], tag: TAG, ok: { status: 200, description: '{owners}' }, errors: [401, 403] },
  { method: 'put', path: '/v1/owners', summary: 'Sets the whole team; owners left out become inactive (never deleted: leads name them)', auth: 'apiKey', scopes: ['config:write'], tag: TAG, body: { schema: 'Owners' }, ok: { status: 200, description: '{owners}' }, errors: [400, 401, 403, 413, 415] },
  { method: 'get', path: '/v1/sales/settings', summary: 'Hand-off stage, the owner\'s deadline in hours, rejection and loss reasons (with which are defaults)', auth: 'apiKey', scopes: ['leads:read', 'config:write'], tag: TAG, ok: { status: 200, description: '{settings, overrides}' }, errors: [401, 403] },
  { method: 'put', path: '/v1/sales/settings', summary: 'Changes sales settings (fields left out keep their value, null resets to the default)', auth: 'apiKey', scopes: ['config:write'], tag: TAG, body: { schema: 'SalesSettings' }, ok: { status: 200, description: '{settings, overrides}' }, errors: [400, 401, 403, 413, 415] },
  { method: 'get', path: '/v1/sales/waiting', summary: "Leads waiting for their owner's answer (status open, at most 200), most urgent first, with the deadline; overdue: the deadline passed", auth: 'apiKey', scopes: ['leads:read'], tag: TAG, ok: { status: 200, description: '{at, leads, overdue, more}' }, errors: [401, 403] },
  { method: 'patch', path: '/v1/leads/{id}', summary: 'Writes back status (accepted, rejected, recycled, opportunity, won, lost), reason, value, currency, closedAt, owner, crmId and BANT; a forbidden transition is 409 with the allowed ones', auth: 'apiKey', scopes: ['leads:write'], tag: TAG, body: { schema: 'LeadUpdate' }, ok: { status: 200, description: '{lead, result: "updated" | "unchanged", sales}' }, errors: [400, 401, 403, 404, 409, 410, 413, 415] },
  { method: 'post', path: '/v1/leads/updates', summary: 'Many write-backs at once (JSON array, NDJSON or CSV; rows keyed by id, email or crmId) with a per-row report; idempotent', auth: 'apiKey', scopes: ['leads:write'], tag: TAG, body: { schema: 'LeadUpdate', types: ['application/json', 'application/x-ndjson', 'text/csv'] }, ok: { status: 200, description: '{updated, unchanged, refused, rows: [{line, key, lead, result, status, reason}]}' }, errors: [400, 401, 403, 413, 415] },
];
