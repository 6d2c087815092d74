import { toJsonSchema, type JsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { EVENT_KINDS, LIMITS, PROBLEM_TYPES } from '../protocol';
import { scoringModelSchema } from './scoring/model';
import { collectBatch } from './validation/collect';
import { createKeyBody, createSiteBody, originBody } from './validation/admin';
import { leadSubmission } from './validation/leads';
import { magnetBody } from './validation/magnets';
import { listQuery } from './routes/lead-list';
import { funnelQuery } from './routes/reports';
import { GDPR_OPERATIONS, GDPR_SCHEMAS } from './gdpr-openapi';
import { createEndpointBody, deliveriesQuery, updateEndpointBody } from './validation/webhooks';

/**
 * The OpenAPI 3.1 document of the API, served at /v1/openapi.json.
 *
 * Request schemas are generated from the very valibot validators the routes
 * use, so the document cannot drift from what the edge accepts; the
 * operations table below is checked by a test against the routes the app
 * really registers.
 */

type Auth = 'none' | 'apiKey' | 'admin';
interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  auth: Auth;
  scopes?: string[];
  body?: { schema: string; types?: string[] };
  query?: v.GenericSchema;
  ok: { status: number; description: string; type?: string };
  errors: number[];
}

/**
 * Converts a validator to JSON Schema. Our bodies start with a root check
 * (`pipe(custom(isPlainObject), object(…), …)`) that JSON Schema cannot
 * express; it is dropped here so the object's fields are documented.
 */
function convert(schema: v.GenericSchema): JsonSchema {
  const pipe = (schema as { pipe?: readonly { kind: string; type: string }[] }).pipe;
  if (pipe && pipe[0]?.type === 'custom' && pipe[1]?.kind === 'schema') {
    const [, inner, ...rest] = pipe as unknown as [v.GenericSchema, v.GenericSchema, ...v.PipeItem<unknown, unknown, v.BaseIssue<unknown>>[]];
    return convert((v.pipe as unknown as (...items: unknown[]) => v.GenericSchema)(inner, ...rest));
  }
  return toJsonSchema(schema, { typeMode: 'input', errorMode: 'ignore' });
}

const strip = ({ $schema: _drop, ...rest }: JsonSchema & { $schema?: string }) => rest;

const SCHEMAS: Record<string, v.GenericSchema> = {
  CollectBatch: collectBatch as unknown as v.GenericSchema,
  LeadSubmission: leadSubmission as unknown as v.GenericSchema,
  ScoringModel: scoringModelSchema as unknown as v.GenericSchema,
  MagnetConfig: magnetBody as unknown as v.GenericSchema,
  CreateSite: createSiteBody as unknown as v.GenericSchema,
  Origin: originBody as unknown as v.GenericSchema,
  CreateApiKey: createKeyBody as unknown as v.GenericSchema,
  ...GDPR_SCHEMAS,
  WebhookEndpoint: createEndpointBody('public') as unknown as v.GenericSchema,
  WebhookEndpointUpdate: updateEndpointBody('public') as unknown as v.GenericSchema,
};

const P = (...statuses: number[]) => statuses;

export const OPERATIONS: Operation[] = [
  { method: 'get', path: '/healthz', summary: 'Liveness: the Worker runs and D1 answers', auth: 'none', ok: { status: 200, description: 'ok' }, errors: P(500) },
  { method: 'post', path: '/v1/collect', summary: `A batch of up to ${LIMITS.batchEvents} events (${EVENT_KINDS.join(', ')}), ${LIMITS.batchBytes} bytes at most; idempotent per event id`, auth: 'none', body: { schema: 'CollectBatch', types: ['text/plain', 'application/json'] }, ok: { status: 202, description: '{accepted, duplicates}' }, errors: P(400, 403, 404, 413, 415, 429) },
  { method: 'get', path: '/v1/magnets/{site}/{magnet}', summary: "A lead magnet's public configuration, for the widget", auth: 'none', ok: { status: 200, description: 'magnet' }, errors: P(403, 404, 503) },
  { method: 'post', path: '/v1/leads', summary: 'A lead-magnet form submission: stores a pending lead and sends the confirmation mail', auth: 'none', body: { schema: 'LeadSubmission', types: ['text/plain', 'application/json'] }, ok: { status: 202, description: '{status: "check_inbox"} (also for known addresses)' }, errors: P(400, 403, 404, 409, 413, 415, 429, 503) },
  { method: 'get', path: '/v1/optin/confirm', summary: 'Confirmation page (never confirms by itself: mail scanners follow links)', auth: 'none', ok: { status: 200, description: 'HTML page', type: 'text/html' }, errors: P(400, 404, 409, 410) },
  { method: 'post', path: '/v1/optin/confirm', summary: 'Confirms a double opt-in and redirects to the signed download', auth: 'none', ok: { status: 303, description: 'redirect to the download' }, errors: P(400, 404, 409, 410, 413, 415) },
  { method: 'get', path: '/v1/optin/withdraw', summary: 'Withdrawal page (signed link from every mail)', auth: 'none', ok: { status: 200, description: 'HTML page', type: 'text/html' }, errors: P(403, 404) },
  { method: 'post', path: '/v1/optin/withdraw', summary: 'Withdraws consent (RFC 8058 one-click capable)', auth: 'none', ok: { status: 200, description: 'withdrawn' }, errors: P(400, 403, 404, 413, 415) },
  { method: 'get', path: '/v1/download', summary: 'The gated file, through a signed link that expires', auth: 'none', ok: { status: 200, description: 'the file', type: 'application/octet-stream' }, errors: P(403, 404, 410) },
  { method: 'get', path: '/v1/leads', summary: 'Leads by current score or update time; filters; keyset cursor; JSON, NDJSON or CSV', auth: 'apiKey', scopes: ['leads:read'], query: listQuery as unknown as v.GenericSchema, ok: { status: 200, description: '{at, leads, next}' }, errors: P(400, 401, 403) },
  { method: 'get', path: '/v1/leads/{id}', summary: 'One lead: profile, consents, score with explanation, stage history, events', auth: 'apiKey', scopes: ['leads:read'], ok: { status: 200, description: 'lead' }, errors: P(401, 403, 404) },
  { method: 'get', path: '/v1/leads/{id}/score', summary: "A lead's score, explanation by rule and stage history", auth: 'apiKey', scopes: ['leads:read'], ok: { status: 200, description: 'score' }, errors: P(401, 403, 404) },
  { method: 'get', path: '/v1/scoring-model', summary: "The site's scoring model and rescoring progress", auth: 'apiKey', scopes: ['leads:read', 'config:write'], ok: { status: 200, description: '{version, model, rescoring}' }, errors: P(401, 403) },
  { method: 'put', path: '/v1/scoring-model', summary: 'Saves a new model version; every lead is rescored in the background', auth: 'apiKey', scopes: ['config:write'], body: { schema: 'ScoringModel' }, ok: { status: 200, description: '{version, model, rescoring}' }, errors: P(400, 401, 403, 413, 415) },
  { method: 'get', path: '/v1/reports/funnel', summary: 'Visitors → pricing visitors → form views → leads → confirmed → MQL → SQL, with conversions', auth: 'apiKey', scopes: ['leads:read'], query: funnelQuery as unknown as v.GenericSchema, ok: { status: 200, description: '{from, to, steps}' }, errors: P(400, 401, 403) },
  { method: 'get', path: '/v1/openapi.json', summary: 'This document', auth: 'none', ok: { status: 200, description: 'OpenAPI 3.1' }, errors: P() },
  { method: 'get', path: '/admin/sites', summary: 'Sites with their origins', auth: 'admin', ok: { status: 200, description: '{sites}' }, errors: P(401, 503) },
  { method: 'post', path: '/admin/sites', summary: 'Creates a site', auth: 'admin', body: { schema: 'CreateSite' }, ok: { status: 201, description: '{site}' }, errors: P(400, 401, 409, 415) },
  { method: 'get', path: '/admin/sites/{site}', summary: 'One site', auth: 'admin', ok: { status: 200, description: '{site}' }, errors: P(401, 404) },
  { method: 'post', path: '/admin/sites/{site}/origins', summary: 'Allows a browser origin', auth: 'admin', body: { schema: 'Origin' }, ok: { status: 201, description: '{site, added}' }, errors: P(400, 401, 404) },
  { method: 'delete', path: '/admin/sites/{site}/origins', summary: 'Stops allowing an origin (?origin=)', auth: 'admin', ok: { status: 200, description: '{site}' }, errors: P(400, 401, 404) },
  { method: 'get', path: '/admin/sites/{site}/keys', summary: 'Marketing API keys (never the secrets)', auth: 'admin', ok: { status: 200, description: '{keys}' }, errors: P(401, 404) },
  { method: 'post', path: '/admin/sites/{site}/keys', summary: 'Creates a key; the secret is shown once', auth: 'admin', body: { schema: 'CreateApiKey' }, ok: { status: 201, description: '{key, secret}' }, errors: P(400, 401, 404) },
  { method: 'delete', path: '/admin/sites/{site}/keys/{key}', summary: 'Revokes a key', auth: 'admin', ok: { status: 200, description: '{revoked}' }, errors: P(401, 404) },
  { method: 'get', path: '/admin/sites/{site}/events', summary: 'Newest events (tail)', auth: 'admin', ok: { status: 200, description: '{events}' }, errors: P(400, 401, 404) },
  { method: 'post', path: '/admin/rescore', summary: 'Runs open rescoring jobs now', auth: 'admin', ok: { status: 200, description: '{processed, open}' }, errors: P(400, 401) },
  { method: 'get', path: '/admin/sites/{site}/magnets', summary: 'Lead magnets of a site', auth: 'admin', ok: { status: 200, description: '{magnets}' }, errors: P(401, 404) },
  { method: 'get', path: '/admin/sites/{site}/magnets/{magnet}', summary: 'One lead magnet', auth: 'admin', ok: { status: 200, description: '{magnet}' }, errors: P(401, 404) },
  { method: 'put', path: '/admin/sites/{site}/magnets/{magnet}', summary: 'Creates or updates a lead magnet', auth: 'admin', body: { schema: 'MagnetConfig' }, ok: { status: 200, description: '{magnet}' }, errors: P(400, 401, 404, 409) },
  { method: 'delete', path: '/admin/sites/{site}/magnets/{magnet}', summary: 'Deletes a lead magnet', auth: 'admin', ok: { status: 200, description: 'deleted' }, errors: P(401, 404) },
  { method: 'put', path: '/admin/sites/{site}/magnets/{magnet}/file', summary: "Uploads the magnet's file (?name=), at most 10 MiB", auth: 'admin', body: { schema: 'File', types: ['application/octet-stream'] }, ok: { status: 200, description: '{magnet}' }, errors: P(400, 401, 404, 413) },
  { method: 'get', path: '/admin/sites/{site}/leads', summary: 'Leads of a site (admin view)', auth: 'admin', ok: { status: 200, description: '{leads}' }, errors: P(400, 401, 404) },
  { method: 'get', path: '/admin/sites/{site}/leads/{lead}', summary: 'One lead with its consent ledger (admin view)', auth: 'admin', ok: { status: 200, description: '{lead, ledger}' }, errors: P(401, 404) },
  ...GDPR_OPERATIONS,
  { method: 'post', path: '/v1/webhooks', summary: 'Adds a webhook endpoint (Standard Webhooks signing); the secret is shown once', auth: 'apiKey', scopes: ['config:write'], body: { schema: 'WebhookEndpoint' }, ok: { status: 201, description: '{endpoint, secret}' }, errors: P(400, 401, 403, 413, 415) },
  { method: 'get', path: '/v1/webhooks', summary: 'Webhook endpoints (never the secrets)', auth: 'apiKey', scopes: ['config:write', 'leads:read'], ok: { status: 200, description: '{endpoints}' }, errors: P(401, 403) },
  { method: 'get', path: '/v1/webhooks/{id}', summary: 'One webhook endpoint', auth: 'apiKey', scopes: ['config:write', 'leads:read'], ok: { status: 200, description: '{endpoint}' }, errors: P(401, 403, 404) },
  { method: 'patch', path: '/v1/webhooks/{id}', summary: 'Changes URL, events, description or enabled', auth: 'apiKey', scopes: ['config:write'], body: { schema: 'WebhookEndpointUpdate' }, ok: { status: 200, description: '{endpoint}' }, errors: P(400, 401, 403, 404, 413, 415) },
  { method: 'delete', path: '/v1/webhooks/{id}', summary: 'Removes an endpoint', auth: 'apiKey', scopes: ['config:write'], ok: { status: 200, description: 'removed' }, errors: P(401, 403, 404) },
  { method: 'get', path: '/v1/webhooks/deliveries', summary: 'Webhook messages and their state (dead letters with status=dead)', auth: 'apiKey', scopes: ['leads:read'], query: deliveriesQuery as unknown as v.GenericSchema, ok: { status: 200, description: '{deliveries, next}' }, errors: P(400, 401, 403) },
  { method: 'get', path: '/v1/webhooks/deliveries/{id}', summary: 'One message: payload and delivery log', auth: 'apiKey', scopes: ['leads:read'], ok: { status: 200, description: '{delivery, attempts}' }, errors: P(401, 403, 404) },
  { method: 'post', path: '/v1/webhooks/deliveries/{id}/replay', summary: 'Sends a message again (dead letters included), same id and bytes', auth: 'apiKey', scopes: ['config:write'], ok: { status: 200, description: '{delivery}' }, errors: P(401, 403, 404, 409) },
];

const TITLES: Record<number, string> = {
  400: 'Malformed or invalid (see `path` and `errors`)', 401: 'Missing or wrong credentials', 403: 'Forbidden origin or insufficient scope',
  404: 'Unknown site or resource', 409: 'Conflict', 410: 'Gone (expired or withdrawn)', 413: 'Too large', 415: 'Unsupported media type',
  429: 'Rate limited (Retry-After)', 500: 'Unexpected error', 503: 'Not configured',
};

/** Query parameters from a valibot object schema (every value is a string on the wire). */
function parametersOf(op: Operation) {
  const params: object[] = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (op.query) {
    const schema = convert(op.query) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, s] of Object.entries(schema.properties ?? {})) {
      params.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: strip(s as JsonSchema & { $schema?: string }) });
    }
  }
  return params;
}

let cached: object | null = null;

export function openApiDocument(): object {
  if (cached) return cached;
  const paths: Record<string, Record<string, object>> = {};
  for (const op of OPERATIONS) {
    const responses: Record<string, object> = {
      [op.ok.status]: { description: op.ok.description, content: { [op.ok.type ?? 'application/json']: {} } },
    };
    for (const status of op.errors) {
      responses[status] = { description: TITLES[status] ?? 'Error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
    }
    (paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      operationId: `${op.method}${op.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
      ...(op.auth === 'none' ? { security: [] } : { security: [{ [op.auth === 'admin' ? 'adminToken' : 'apiKey']: op.scopes ?? [] }] }),
      parameters: parametersOf(op),
      ...(op.body
        ? { requestBody: { required: true, content: Object.fromEntries((op.body.types ?? ['application/json']).map((t) => [t, { schema: { $ref: `#/components/schemas/${op.body!.schema}` } }])) } }
        : {}),
      responses,
    };
  }
  cached = {
    openapi: '3.1.0',
    info: { title: 'Lodestone API', version: '0.1.0', description: 'Consent-aware lead capture and lead scoring at the edge. Every error is RFC 9457 problem+json.' },
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Marketing API key (lsk_…), scopes leads:read, leads:write, config:write' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN secret' },
      },
      schemas: {
        ...Object.fromEntries(Object.entries(SCHEMAS).map(([name, schema]) => [name, strip(convert(schema) as JsonSchema & { $schema?: string })])),
        File: { type: 'string', contentMediaType: 'application/octet-stream' },
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string', enum: Object.values(PROBLEM_TYPES) },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            path: { type: 'string', description: 'JSON Pointer to the first offending field' },
            errors: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
  };
  return cached;
}
