// Over 300 lines on purpose: the route table of the OpenAPI document is one list, kept whole so no route is missed.
import { toJsonSchema, type JsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { EVENT_KINDS, LIMITS, PROBLEM_TYPES } from '../../../protocol';
import { scoringModelSchema } from '../../core/scoring/model';
import { collectBatch } from '../../core/schemas/events';
import { importQuery, importRow, listQuery, leadSubmission } from '../leads';
import { funnelQuery, overviewQuery } from '../reports';
import { createKeyBody, createSiteBody, eventsQuery, mailRetryBody, originBody } from '../admin';
import { leadsQuery, magnetApiBody, magnetBody } from '../magnets';
import { GDPR_OPERATIONS, GDPR_SCHEMAS } from '../gdpr';
import { SALES_OPERATIONS, SALES_SCHEMAS, SALES_TAG } from '../sales';
import { REVIEW_OPERATIONS, REVIEW_SCHEMAS, REVIEW_TAG } from '../review';
import { NURTURE_OPERATIONS, NURTURE_SCHEMAS, NURTURE_TAG } from '../nurture';
import { DASHBOARD_OPERATIONS, DASHBOARD_SCHEMAS, DASHBOARD_TAG } from '../dashboard';
import { SEGMENT_OPERATIONS, SEGMENT_SCHEMAS } from '../segments';
import { createEndpointBody, deliveriesQuery, updateEndpointBody } from '../webhooks';

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
  /** `optional`: the route also takes no body at all. */
  body?: { schema: string; types?: string[]; optional?: boolean };
  query?: v.GenericSchema;
  /** Words for this operation's query parameters, before the shared PARAM_NOTES. */
  notes?: Record<string, string>;
  ok: { status: number; description: string; type?: string; also?: number[] };
  errors: number[];
  /** Section of the reference; derived from the path when absent (see tagOf). */
  tag?: string;
}

type Node = { kind?: string; type?: string; pipe?: Node[]; [key: string]: unknown };

/** The items of a pipe, with pipes nested at its root (`pipe(pipe(a, x), y)`) spliced in. */
function flatPipe(node: Node): Node[] | null {
  if (!node.pipe) return null;
  const [head, ...rest] = node.pipe;
  return [...(head && head !== node && head.pipe ? flatPipe(head)! : [head!]), ...rest];
}

/**
 * The shape of a validator as JSON Schema can say it. Our objects start with
 * a root check (`pipe(custom(isPlainObject), textCheck, object(…), …)`, at any depth)
 * that JSON Schema cannot express and that would hide the fields; it is
 * dropped here, so every object's fields are documented. Only for the
 * document: these copies never validate anything.
 */
function docShape(node: Node): Node {
  const flat = flatPipe(node);
  if (flat) {
    let [root, ...items] = flat as [Node, ...Node[]];
    // The root check and the checks piped onto it (the text check) come before the object itself.
    const first = items.findIndex((x) => x.kind === 'schema');
    if (root.type === 'custom' && first >= 0) [root, ...items] = items.slice(first) as [Node, ...Node[]];
    const shaped = docShape(root);
    return items.length ? { ...shaped, pipe: [shaped, ...items] } : shaped;
  }
  const map = (o: Record<string, Node>) => Object.fromEntries(Object.entries(o).map(([k, x]) => [k, docShape(x)]));
  const out: Node = { ...node };
  if (node.entries && typeof node.entries === 'object') out.entries = map(node.entries as Record<string, Node>);
  for (const key of ['item', 'wrapped', 'rest', 'value'] as const) {
    if (node[key] && typeof node[key] === 'object') out[key] = docShape(node[key] as Node);
  }
  if (Array.isArray(node.options)) out.options = (node.options as Node[]).map((x) => (x && typeof x === 'object' && 'kind' in x ? docShape(x) : x));
  if (Array.isArray(node.items)) out.items = (node.items as Node[]).map(docShape);
  return out;
}

/** A validator as JSON Schema (input side: what a client sends). */
function convert(schema: v.GenericSchema): JsonSchema {
  return toJsonSchema(docShape(schema as unknown as Node) as unknown as v.GenericSchema, { typeMode: 'input', errorMode: 'ignore' });
}

const strip = ({ $schema: _drop, ...rest }: JsonSchema & { $schema?: string }) => rest;

const SCHEMAS: Record<string, v.GenericSchema> = {
  CollectBatch: collectBatch as unknown as v.GenericSchema,
  LeadSubmission: leadSubmission as unknown as v.GenericSchema,
  ScoringModel: scoringModelSchema as unknown as v.GenericSchema,
  MagnetConfig: magnetBody as unknown as v.GenericSchema,
  MagnetSettings: magnetApiBody as unknown as v.GenericSchema,
  CreateSite: createSiteBody as unknown as v.GenericSchema,
  Origin: originBody as unknown as v.GenericSchema,
  CreateApiKey: createKeyBody as unknown as v.GenericSchema,
  MailRetry: mailRetryBody as unknown as v.GenericSchema,
  ...GDPR_SCHEMAS,
  ...SALES_SCHEMAS,
  ...REVIEW_SCHEMAS,
  ...NURTURE_SCHEMAS,
  ...DASHBOARD_SCHEMAS,
  ...SEGMENT_SCHEMAS,
  LeadImportRow: importRow as unknown as v.GenericSchema,
  WebhookEndpoint: createEndpointBody('public') as unknown as v.GenericSchema,
  WebhookEndpointUpdate: updateEndpointBody('public') as unknown as v.GenericSchema,
};

const P = (...statuses: number[]) => statuses;

/** The lead filters of the reports (funnel, overview). */
const REPORT_FILTER_NOTES: Record<string, string> = {
  magnet: 'only leads whose first magnet (consent ledger) is this one; a magnet the site never had is a 404',
  source: 'only leads whose first touch is this source: the UTM source of their first event, else its referrer host, else "direct" (as by=source; case-insensitive)',
};

export const OPERATIONS: Operation[] = [
  { method: 'get', path: '/healthz', summary: 'Liveness: the Worker runs and D1 answers', auth: 'none', ok: { status: 200, description: 'ok' }, errors: P(500) },
  { method: 'post', path: '/v1/collect', summary: `A batch of up to ${LIMITS.batchEvents} events (${EVENT_KINDS.join(', ')}), ${LIMITS.batchBytes} bytes at most; idempotent per event id`, auth: 'none', body: { schema: 'CollectBatch', types: ['text/plain', 'application/json'] }, ok: { status: 202, description: '{accepted, duplicates}' }, errors: P(400, 403, 404, 413, 415, 429) },
  { method: 'get', path: '/v1/magnets/{site}/{magnet}', summary: "A lead magnet's public configuration, for the widget", auth: 'none', ok: { status: 200, description: 'magnet' }, errors: P(403, 404, 503) },
  { method: 'post', path: '/v1/leads', summary: 'A lead-magnet form submission: stores a pending lead and sends the confirmation mail', auth: 'none', body: { schema: 'LeadSubmission', types: ['text/plain', 'application/json'] }, ok: { status: 202, description: '{status: "check_inbox"} (also for known addresses)' }, errors: P(400, 403, 404, 409, 413, 415, 429, 503) },
  { method: 'get', path: '/v1/optin/confirm', summary: 'Confirmation page (never confirms by itself: mail scanners follow links)', auth: 'none', ok: { status: 200, description: 'HTML page', type: 'text/html' }, errors: P(400, 404, 409, 410) },
  { method: 'post', path: '/v1/optin/confirm', summary: 'Confirms a double opt-in (a trusted click on the page); the page answers with the download, JSON clients get {status, next}', auth: 'none', ok: { status: 303, description: 'redirect to the download; 200 {status, next} for JSON clients and the success page for the no-script form', also: [200] }, errors: P(400, 404, 409, 410, 413, 415) },
  { method: 'get', path: '/v1/optin/withdraw', summary: 'Withdrawal page (signed link from every mail)', auth: 'none', ok: { status: 200, description: 'HTML page', type: 'text/html' }, errors: P(403, 404) },
  { method: 'post', path: '/v1/optin/withdraw', summary: 'Withdraws consent (RFC 8058 one-click capable)', auth: 'none', ok: { status: 200, description: '{status: "withdrawn"} for scripts and one-click, an HTML page for the button' }, errors: P(400, 403, 404, 413, 415) },
  { method: 'get', path: '/v1/download', summary: 'The gated file, through a signed link that expires', auth: 'none', ok: { status: 200, description: 'the file', type: 'application/octet-stream' }, errors: P(403, 404, 410) },
  { method: 'get', path: '/v1/leads', summary: 'Leads by current score, likelihood to buy (422 until sales outcomes calibrate it) or update time; filters; keyset cursor; JSON, NDJSON or CSV', auth: 'apiKey', scopes: ['leads:read'], query: listQuery as unknown as v.GenericSchema, ok: { status: 200, description: '{at, leads, next}' }, errors: P(400, 401, 403, 422) },
  { method: 'get', path: '/v1/leads/{id}', summary: 'One lead: profile, consents, score with explanation, stage history, events', auth: 'apiKey', scopes: ['leads:read'], ok: { status: 200, description: 'lead' }, errors: P(401, 403, 404) },
  { method: 'get', path: '/v1/leads/{id}/score', summary: "A lead's score, explanation by rule and stage history", auth: 'apiKey', scopes: ['leads:read'], ok: { status: 200, description: 'score' }, errors: P(401, 403, 404) },
  { method: 'get', path: '/v1/scoring-model', summary: "The site's scoring model and rescoring progress", auth: 'apiKey', scopes: ['leads:read', 'config:write'], ok: { status: 200, description: '{version, model, rescoring}' }, errors: P(401, 403) },
  { method: 'put', path: '/v1/scoring-model', summary: 'Saves a new model version; every lead is rescored in the background', auth: 'apiKey', scopes: ['config:write'], body: { schema: 'ScoringModel' }, ok: { status: 200, description: '{version, model, rescoring}' }, errors: P(400, 401, 403, 413, 415) },
  { method: 'get', path: '/v1/reports/funnel', summary: 'Visitors → pricing visitors → form views → leads → confirmed → MQL → SQL → accepted → opportunity → won, with conversion, drop-off, median time between steps and revenue; by=source|magnet|country|industry|owner; magnet= and source= keep the leads of that first magnet or first-touch source in the lead steps (the visitor steps stay site-wide)', auth: 'apiKey', scopes: ['leads:read'], query: funnelQuery as unknown as v.GenericSchema, notes: REPORT_FILTER_NOTES, ok: { status: 200, description: '{from, to, steps}' }, errors: P(400, 401, 403, 404) },
  { method: 'get', path: '/v1/reports/overview', summary: 'The dashboard overview of a period (default the last 30 days, at most 400): new leads per UTC day, stage changes per day and stage, the current score distribution (bands of 10 from 0 to 100, below and above) and temperatures of the leads created in the period, totals; magnet= and source= as in the funnel', auth: 'apiKey', scopes: ['leads:read'], query: overviewQuery as unknown as v.GenericSchema, notes: REPORT_FILTER_NOTES, ok: { status: 200, description: '{from, to, filters, newLeads, stageChanges, scoreDistribution, temperature, totals}' }, errors: P(400, 401, 403, 404) },
  { method: 'get', path: '/v1/magnets', summary: "The site's lead magnets: config, current consent texts and every consent text version recorded", auth: 'apiKey', scopes: ['leads:read', 'config:write'], tag: 'Lead capture', ok: { status: 200, description: '{magnets}' }, errors: P(401, 403) },
  { method: 'put', path: '/v1/magnets/{magnet}', summary: "Creates or replaces a lead magnet's config (its file is kept); a changed consent text needs a new version: other words under a recorded version are a 409", auth: 'apiKey', scopes: ['config:write'], tag: 'Lead capture', body: { schema: 'MagnetSettings' }, ok: { status: 200, description: '{magnet}: 200 updated, 201 created', also: [201] }, errors: P(400, 401, 403, 409, 413, 415) },
  { method: 'get', path: '/v1/openapi.json', summary: 'This document', auth: 'none', ok: { status: 200, description: 'OpenAPI 3.1' }, errors: P() },
  { method: 'get', path: '/docs', summary: 'This document as a browsable reference (HTML, no script)', auth: 'none', ok: { status: 200, description: 'HTML page', type: 'text/html' }, errors: P() },
  { method: 'get', path: '/admin/sites', summary: 'Sites with their origins', auth: 'admin', ok: { status: 200, description: '{sites}' }, errors: P(401, 503) },
  { method: 'post', path: '/admin/sites', summary: 'Creates a site', auth: 'admin', body: { schema: 'CreateSite' }, ok: { status: 201, description: '{site}' }, errors: P(400, 401, 409, 415) },
  { method: 'get', path: '/admin/sites/{site}', summary: 'One site', auth: 'admin', ok: { status: 200, description: '{site}' }, errors: P(401, 404) },
  { method: 'post', path: '/admin/sites/{site}/origins', summary: 'Allows a browser origin', auth: 'admin', body: { schema: 'Origin' }, ok: { status: 201, description: '{site, added}: 201 added, 200 already allowed', also: [200] }, errors: P(400, 401, 404) },
  { method: 'delete', path: '/admin/sites/{site}/origins', summary: 'Stops allowing an origin (?origin=)', auth: 'admin', ok: { status: 200, description: '{site}' }, errors: P(400, 401, 404) },
  { method: 'get', path: '/admin/sites/{site}/keys', summary: 'Marketing API keys (never the secrets)', auth: 'admin', ok: { status: 200, description: '{keys}' }, errors: P(401, 404) },
  { method: 'post', path: '/admin/sites/{site}/keys', summary: 'Creates a key; the secret is shown once', auth: 'admin', body: { schema: 'CreateApiKey' }, ok: { status: 201, description: '{key, secret}' }, errors: P(400, 401, 404) },
  { method: 'delete', path: '/admin/sites/{site}/keys/{key}', summary: 'Revokes a key', auth: 'admin', ok: { status: 200, description: '{revoked}' }, errors: P(401, 404) },
  { method: 'get', path: '/admin/sites/{site}/events', summary: 'Newest events (tail)', auth: 'admin', query: eventsQuery as unknown as v.GenericSchema, ok: { status: 200, description: '{events}' }, errors: P(400, 401, 404) },
  { method: 'get', path: '/admin/health', summary: 'Configuration checks, dead and stuck mails and webhooks, misconfigured magnets', auth: 'admin', ok: { status: 200, description: '{status, checks, mail, webhooks, magnets}' }, errors: P(401, 503) },
  { method: 'post', path: '/admin/mail/retry', summary: 'Sends dead mails again (all, or the ids given) with a fresh retry schedule', auth: 'admin', body: { schema: 'MailRetry' }, ok: { status: 200, description: '{requeued}' }, errors: P(400, 401, 413, 415) },
  { method: 'post', path: '/admin/rescore', summary: 'Runs open rescoring jobs now', auth: 'admin', ok: { status: 200, description: '{processed, open}' }, errors: P(400, 401) },
  { method: 'get', path: '/admin/sites/{site}/magnets', summary: 'Lead magnets of a site', auth: 'admin', ok: { status: 200, description: '{magnets}' }, errors: P(401, 404) },
  { method: 'get', path: '/admin/sites/{site}/magnets/{magnet}', summary: 'One lead magnet', auth: 'admin', ok: { status: 200, description: '{magnet}' }, errors: P(401, 404) },
  { method: 'put', path: '/admin/sites/{site}/magnets/{magnet}', summary: 'Creates or updates a lead magnet', auth: 'admin', body: { schema: 'MagnetConfig' }, ok: { status: 200, description: '{magnet}: 200 updated, 201 created', also: [201] }, errors: P(400, 401, 404, 409) },
  { method: 'delete', path: '/admin/sites/{site}/magnets/{magnet}', summary: 'Deletes a lead magnet', auth: 'admin', ok: { status: 200, description: 'deleted' }, errors: P(401, 404) },
  { method: 'put', path: '/admin/sites/{site}/magnets/{magnet}/file', summary: "Uploads the magnet's file (?name=), at most 10 MiB", auth: 'admin', body: { schema: 'File', types: ['application/octet-stream'] }, ok: { status: 200, description: '{magnet}' }, errors: P(400, 401, 404, 413) },
  { method: 'get', path: '/admin/sites/{site}/leads', summary: 'Leads of a site (admin view)', auth: 'admin', query: leadsQuery as unknown as v.GenericSchema, ok: { status: 200, description: '{leads}' }, errors: P(400, 401, 404) },
  { method: 'get', path: '/admin/sites/{site}/leads/{lead}', summary: 'One lead with its consent ledger (admin view)', auth: 'admin', ok: { status: 200, description: '{lead, ledger}' }, errors: P(401, 404) },
  ...GDPR_OPERATIONS,
  ...SALES_OPERATIONS,
  ...REVIEW_OPERATIONS,
  ...NURTURE_OPERATIONS,
  ...DASHBOARD_OPERATIONS,
  ...SEGMENT_OPERATIONS,
  { method: 'get', path: '/v1/sales/answer', summary: "The owner's one-click answer page (signed link from the alert mail): the lead, its score and why, accept or reject; opening it changes nothing", auth: 'none', tag: SALES_TAG.name, ok: { status: 200, description: 'HTML page', type: 'text/html' }, errors: P(400, 403, 409, 410) },
  { method: 'post', path: '/v1/sales/answer', summary: 'Accepts or rejects (with a reason) the lead of a signed answer link, as the owner\'s own answer; form fields: the link\'s s, l, o, a, e, sig plus answer and reason', auth: 'none', tag: SALES_TAG.name, ok: { status: 200, description: 'HTML page', type: 'text/html' }, errors: P(400, 403, 409, 410, 413, 415) },
  { method: 'post', path: '/v1/leads/import', summary: 'Imports leads from fairs, webinars and events (CSV, NDJSON or a JSON array of rows), each with its legal basis: consent (words, date, place) or legitimate_interest (pending, never mailed, erased after 30 days unless confirmed); merges by address; ?sendOptin=true&magnet= sends that magnet\'s double opt-in mail to consent rows; per-row report, idempotent', auth: 'apiKey', scopes: ['leads:write'], tag: SALES_TAG.name, query: importQuery as unknown as v.GenericSchema, body: { schema: 'LeadImportRow', types: ['text/csv', 'application/x-ndjson', 'application/json'] }, ok: { status: 200, description: '{created, merged, unchanged, refused, optinMails, rows: [{line, email, lead, result, status, reason, optin}]}' }, errors: P(400, 401, 403, 404, 409, 413, 415, 503) },
  { method: 'post', path: '/v1/webhooks', summary: 'Adds a webhook endpoint (Standard Webhooks signing); the secret is shown once. With segment, only lead events of leads in that saved segment are delivered (checked at the first attempt; the others are recorded as cancelled)', auth: 'apiKey', scopes: ['config:write'], body: { schema: 'WebhookEndpoint' }, ok: { status: 201, description: '{endpoint, secret}' }, errors: P(400, 401, 403, 413, 415) },
  { method: 'get', path: '/v1/webhooks', summary: 'Webhook endpoints (never the secrets)', auth: 'apiKey', scopes: ['config:write', 'leads:read'], ok: { status: 200, description: '{endpoints}' }, errors: P(401, 403) },
  { method: 'get', path: '/v1/webhooks/{id}', summary: 'One webhook endpoint', auth: 'apiKey', scopes: ['config:write', 'leads:read'], ok: { status: 200, description: '{endpoint}' }, errors: P(401, 403, 404) },
  { method: 'patch', path: '/v1/webhooks/{id}', summary: 'Changes URL, events, description, enabled or segment (null: every lead)', auth: 'apiKey', scopes: ['config:write'], body: { schema: 'WebhookEndpointUpdate' }, ok: { status: 200, description: '{endpoint}' }, errors: P(400, 401, 403, 404, 413, 415) },
  { method: 'delete', path: '/v1/webhooks/{id}', summary: 'Removes an endpoint', auth: 'apiKey', scopes: ['config:write'], ok: { status: 200, description: 'removed' }, errors: P(401, 403, 404) },
  { method: 'get', path: '/v1/webhooks/deliveries', summary: 'Webhook messages and their state (dead letters with status=dead)', auth: 'apiKey', scopes: ['leads:read'], query: deliveriesQuery as unknown as v.GenericSchema, ok: { status: 200, description: '{deliveries, next}' }, errors: P(400, 401, 403) },
  { method: 'get', path: '/v1/webhooks/deliveries/{id}', summary: 'One message: payload and delivery log', auth: 'apiKey', scopes: ['leads:read'], ok: { status: 200, description: '{delivery, attempts}' }, errors: P(401, 403, 404) },
  { method: 'post', path: '/v1/webhooks/deliveries/{id}/replay', summary: 'Sends a message again (dead letters included), same id and bytes', auth: 'apiKey', scopes: ['config:write'], ok: { status: 202, description: '{delivery}: queued again' }, errors: P(401, 403, 404, 409) },
];

/** Sections of the reference, in order, with what they hold. */
export const TAGS: { name: string; description: string }[] = [
  { name: 'Service', description: 'Liveness and this document.' },
  { name: 'Tracking', description: 'Events from the snippet (`/s.js`).' },
  { name: 'Lead capture', description: 'The widget’s API, the double opt-in and the gated download. Called by browsers and mail links.' },
  { name: 'Leads', description: 'The marketing API (`Authorization: Bearer lsk_…`): leads, scores, exports.' },
  { name: 'GDPR', description: 'Export, erasure and withdrawal of one person’s data.' },
  { name: 'Scoring', description: 'The site’s scoring model.' },
  { name: 'Reports', description: 'Funnel counts and conversions.' },
  { name: 'Webhooks', description: 'Signed hand-offs to a CRM and their delivery log.' },
  SALES_TAG,
  REVIEW_TAG,
  NURTURE_TAG,
  DASHBOARD_TAG,
  { name: 'Admin: sites and keys', description: 'Sites, allowed origins, API keys, event tail (`Authorization: Bearer $ADMIN_TOKEN`).' },
  { name: 'Admin: lead magnets', description: 'Lead magnet configuration, files and the leads they brought.' },
  { name: 'Admin: operations', description: 'Health (configuration, mail and webhook backlog), resending dead mails, rescoring and retention runs, retention settings.' },
];

/** The section an operation belongs to: by its path unless it names one. */
export function tagOf(op: Pick<Operation, 'method' | 'path' | 'tag'>): string {
  if (op.tag) return op.tag;
  const p = op.path;
  if (p === '/healthz' || p === '/v1/openapi.json' || p === '/docs') return 'Service';
  if (p === '/v1/collect') return 'Tracking';
  if (p.startsWith('/v1/magnets') || p.startsWith('/v1/optin') || p === '/v1/download' || (p === '/v1/leads' && op.method === 'post')) return 'Lead capture';
  if (/^\/v1\/leads\/\{id\}\/(export|withdraw)$/.test(p) || (p === '/v1/leads/{id}' && op.method === 'delete')) return 'GDPR';
  if (p.startsWith('/v1/leads')) return 'Leads';
  if (p.startsWith('/v1/scoring-model')) return 'Scoring';
  if (p.startsWith('/v1/reports')) return 'Reports';
  if (p.startsWith('/v1/webhooks')) return 'Webhooks';
  if (/^\/admin\/sites\/\{site\}\/(magnets|leads)/.test(p)) return 'Admin: lead magnets';
  if (p.startsWith('/admin/sites')) return /retention$/.test(p) ? 'Admin: operations' : 'Admin: sites and keys';
  return 'Admin: operations';
}

// Small builders for the answer schemas below: they describe what the routes return.
type S = Record<string, unknown>;
const str: S = { type: 'string' };
const int: S = { type: 'integer' };
const num: S = { type: 'number' };
const bool: S = { type: 'boolean' };
const ms: S = { type: 'integer', description: 'epoch milliseconds' };
const iso: S = { type: 'string', format: 'date-time' };
const nul = (s: S): S => ({ ...s, type: [s.type as string, 'null'] });
const ref = (name: string): S => ({ $ref: `#/components/schemas/${name}` });
const arr = (items: S): S => ({ type: 'array', items });
const obj = (properties: Record<string, S>, optional: string[] = []): S => ({
  type: 'object', required: Object.keys(properties).filter((k) => !optional.includes(k)), properties,
});
const enumOf = (...values: string[]): S => ({ type: 'string', enum: values });
const anyObject = (description: string): S => ({ type: 'object', description });
const orNull = (s: S): S => ({ oneOf: [s, { type: 'null' }] });
/** A 95 % interval [low, high]. */
const interval: S = { type: 'array', items: num, minItems: 2, maxItems: 2, description: '95 % interval [low, high]' };
const rateFields = { leads: int, won: int, winRate: nul(num), ci: interval };
const bandFields = { band: int, scoreFrom: num, scoreTo: num, ...rateFields, implied: { type: 'number', description: 'mean win probability the Platt curve gives its leads' } };
const groupShare = obj({ leads: int, count: int, share: num });
const moverSide = obj({ score: int, stage: enumOf('pending', 'confirmed', 'mql', 'sql', 'withdrawn'), temperature: enumOf('cold', 'warm', 'hot') });
const stageMatrix = obj({ changed: int, changes: arr(obj({ from: str, to: str, leads: int })) });

/** Shapes shared by several answers. */
const RESPONSE_SCHEMAS: Record<string, S> = {
  SegmentAnswer: obj({
    id: str, name: str, createdAt: iso, updatedAt: iso,
    filter: anyObject('stage (array), temperature, minScore, updatedWithinDays, magnet, q: each optional'),
  }),
  Site: obj({ id: str, name: str, origins: arr(str), scoringModelVersion: int, createdAt: ms, updatedAt: ms }),
  ApiKey: obj({ id: str, siteId: str, name: str, scopes: arr(enumOf('leads:read', 'leads:write', 'config:write')), createdAt: ms, lastUsedAt: nul(ms), revokedAt: nul(ms) }),
  Magnet: obj({
    siteId: str, id: str, title: str, description: str, lang: enumOf('en', 'de'), fields: arr(anyObject('form field')),
    consent: obj({ text: str, version: str, hash: str }), privacyUrl: str, marketing: nul({ type: 'object' }), coupled: bool, turnstile: bool,
    file: nul(obj({ name: str, type: str, size: int, sha256: str, chunks: int })), createdAt: ms, updatedAt: ms,
  }),
  LeadListItem: obj({
    id: str, email: str, firstName: nul(str), company: nul(str), role: nul(str), companySize: nul(str), industry: nul(str), country: nul(str),
    status: str, stage: enumOf('pending', 'confirmed', 'mql', 'sql', 'withdrawn'), score: num, fit: num, engagement: num,
    temperature: enumOf('cold', 'warm', 'hot'),
    likelihood: { type: 'number', minimum: 0, maximum: 1, description: 'likelihood to buy; absent until enough sales outcomes calibrate the current model version (docs/scoring-review.md)' },
    updatedAt: iso,
  }, ['likelihood']),
  Lead: obj({
    id: str, email: str, status: enumOf('pending', 'confirmed', 'withdrawn'), marketing: bool, firstName: nul(str), company: nul(str),
    role: nul(str), companySize: nul(str), industry: nul(str), visitorId: nul(str), lang: str, createdAt: ms, updatedAt: ms, confirmedAt: nul(ms), withdrawnAt: nul(ms),
    basis: enumOf('consent', 'legitimate_interest'), origin: nul(str), sales: ref('LeadSales'),
  }, ['visitorId', 'sales', 'basis', 'origin']),
  LeadSales: obj({
    status: nul(enumOf('open', 'accepted', 'rejected', 'recycled', 'opportunity', 'won', 'lost')), reason: nul(str), ownerId: nul(str), assignedAt: nul(ms),
    slaDueAt: nul(ms), value: nul(num), currency: nul(str), closedAt: nul(ms), crmId: nul(str),
    budget: enumOf('unknown', 'none', 'planned', 'approved'), authority: enumOf('unknown', 'user', 'influencer', 'decision_maker'),
    need: enumOf('unknown', 'none', 'nice_to_have', 'must_have'), timeline: enumOf('unknown', 'now', 'quarter', 'year', 'later'),
  }, ['budget', 'authority', 'need', 'timeline']),
  Owner: obj({
    id: str, name: str, email: str, lang: enumOf('en', 'de'), active: bool, fallback: bool, weight: int, assigned: int,
    territory: nul(anyObject('countries, industries, sizeMin, sizeMax')), createdAt: ms, updatedAt: ms,
  }),
  SalesSettingsView: obj({
    settings: obj({ handoffStage: enumOf('mql', 'sql'), slaHours: int, rejectReasons: arr(str), lostReasons: arr(str) }),
    overrides: anyObject('which settings are the site’s own'),
  }),
  // Without a score row yet only lead, status, score (null) and history are present.
  Score: obj({
    lead: str, status: enumOf('pending', 'confirmed', 'withdrawn'), stage: str, qualifiesFor: str, score: nul(num), fit: num, engagement: num,
    temperature: enumOf('cold', 'warm', 'hot'), modelVersion: int, rescorePending: bool, explanation: anyObject('points by rule: fit rules and engagement'),
    history: arr(ref('StageChange')), at: ms,
  }, ['stage', 'qualifiesFor', 'fit', 'engagement', 'temperature', 'modelVersion', 'rescorePending', 'explanation', 'history', 'at']),
  StageChange: obj({ seq: int, from: str, to: str, direction: enumOf('up', 'down'), at: ms, score: num, fit: num, engagement: num, by: str, detail: anyObject('reason, owner, value, currency') }, ['by', 'detail']),
  FunnelStep: obj({
    step: enumOf('visitors', 'pricing_visitors', 'form_viewers', 'leads', 'confirmed', 'mql', 'sql', 'accepted', 'opportunity', 'won'),
    count: int, conversion: nul(num), lost: nul(int), medianMs: nul(num),
  }),
  ModelView: obj({ version: int, builtIn: bool, model: ref('ScoringModel'), savedAt: nul(ms), rescoring: anyObject('rescoring progress of this version') }, ['builtIn', 'savedAt']),
  WebhookEndpointView: obj({ id: str, siteId: str, url: str, description: nul(str), events: arr(str), enabled: bool, segment: { ...nul(str), description: 'saved segment whose leads alone are delivered (checked at the first attempt); null: every lead' }, createdAt: ms, updatedAt: ms }),
  WebhookMessage: obj({
    id: str, seq: int, endpointId: str, leadId: str, type: str, status: enumOf('pending', 'delivered', 'dead', 'cancelled'), change: { type: 'object' },
    attempts: int, nextAttemptAt: nul(ms), lastStatus: nul(int), lastError: nul(str), lastAttemptAt: nul(ms), deliveredAt: nul(ms), createdAt: ms, updatedAt: ms,
  }),
  Rate: obj(rateFields),
  AucInterval: obj({ auc: num, ci: interval, positives: { type: 'integer', description: 'won outcomes' }, negatives: { type: 'integer', description: 'not-won outcomes' } }),
  Finding: obj({
    attribute: enumOf('industry', 'country', 'size', 'role', 'emailType', 'magnet', 'pages'), value: str,
    group: groupShare, compared: groupShare, ratio: nul(num),
    p: { type: 'number', description: 'two-sided Fisher exact test' }, q: { type: 'number', description: 'Benjamini–Hochberg over every value tested in this comparison' },
    significant: { type: 'boolean', description: 'q < 0.05' },
  }),
  ScoringReview: obj({
    from: iso, to: iso, modelVersion: int, openDays: int,
    outcomes: obj({ ...rateFields, notWon: int, open: { type: 'integer', description: 'handed off less than openDays ago and not yet won, lost or rejected: left out' } }),
    bands: arr(obj(bandFields)),
    discrimination: obj({ auc: ref('AucInterval'), topBand: obj({ ...bandFields, lift: nul(num), liftCi: orNull(interval) }) }),
    calibration: obj({ method: enumOf('platt'), a: num, b: num, ece: num, brier: num, maxGap: num }),
    highScorers: obj({ scoreFrom: num, ...rateFields, notWonShare: arr(ref('Finding')) }),
    lowScorers: obj({ scoreBelow: num, ...rateFields, wonShare: arr(ref('Finding')) }),
    rules: arr(obj({
      id: str, label: nul(str), group: enumOf('fit', 'engagement'), points: int, matched: int,
      with: ref('Rate'), without: ref('Rate'), lift: nul(num), liftCi: orNull(interval), p: { type: 'number', description: 'two-sided Fisher exact test, not adjusted' },
    })),
    segments: obj({ country: arr(obj({ value: str, ...rateFields })), industry: arr(obj({ value: str, ...rateFields })), size: arr(obj({ value: str, ...rateFields })) }),
  }),
  ModelSuggestion: obj({
    model: ref('ScoringModel'),
    scale: obj({ pointsPerDoubling: int, meaning: str }),
    training: obj({ outcomes: int, won: int, from: iso, to: iso, candidates: int, lambda: num }),
    holdout: obj({ outcomes: int, won: int, from: iso, to: iso, current: ref('AucInterval'), suggested: ref('AucInterval') }),
    changes: arr(obj({ id: str, group: enumOf('fit', 'engagement'), action: enumOf('added', 'changed', 'kept', 'dropped'), before: nul(num), after: nul(num), why: str })),
    thresholds: arr(str),
    currentVersion: int,
    applied: { type: 'boolean', const: false },
  }),
  ModelPreview: obj({
    at: iso, currentVersion: int, leads: int,
    stages: stageMatrix, temperatures: stageMatrix,
    outcomes: obj({
      complete: { type: 'boolean', description: 'false while the outcome facts are still being computed (the cron continues)' },
      leads: int, won: int, current: orNull(ref('AucInterval')), draft: orNull(ref('AucInterval')),
    }),
    movers: obj({
      up: arr(obj({ lead: str, before: moverSide, after: moverSide, why: arr(str) })),
      down: arr(obj({ lead: str, before: moverSide, after: moverSide, why: arr(str) })),
    }),
  }),
  Likelihood: obj({
    probability: { type: 'number', minimum: 0, maximum: 1, description: 'likelihood to buy: the current score through the Platt curve fitted on the site’s outcomes' },
    factors: arr(str),
    basis: obj({ outcomes: int, won: int, fittedAt: iso, modelVersion: int }),
  }),
  Computing: obj({ status: enumOf('computing'), computed: int, detail: str }),
  Retention: obj({ site: str, retention: anyObject('periods in force'), overrides: anyObject('periods set for this site'), defaults: { type: 'object' }, limits: { type: 'object' }, updatedAt: nul(ms), lastRunAt: nul(ms) }),
};

/** The schema of each operation's success answer, by "method path". */
const OK_SCHEMAS: Record<string, S> = {
  'get /healthz': obj({ status: enumOf('ok'), db: enumOf('ok'), dbMs: int }),
  'post /v1/collect': obj({ accepted: int, duplicates: int }),
  'get /v1/magnets/{site}/{magnet}': obj({ site: str, id: str, title: str, description: str, lang: str, fields: arr({ type: 'object' }), consent: obj({ text: str, version: str }), privacyUrl: str, coupled: bool, ui: anyObject('widget texts in the magnet’s language'), marketing: obj({ text: str, version: str }), turnstileSiteKey: str }, ['marketing', 'turnstileSiteKey']),
  'post /v1/leads': obj({ status: enumOf('check_inbox') }),
  'get /v1/optin/confirm': { type: 'string', description: 'HTML page' },
  'post /v1/optin/confirm': obj({ status: enumOf('confirmed'), next: { type: 'string', format: 'uri' } }),
  'get /v1/optin/withdraw': { type: 'string', description: 'HTML page' },
  'get /v1/sales/answer': { type: 'string', description: 'HTML page' },
  'post /v1/sales/answer': { type: 'string', description: 'HTML page' },
  'post /v1/optin/withdraw': obj({ status: enumOf('withdrawn') }),
  'get /v1/download': { type: 'string', contentMediaType: 'application/octet-stream' },
  'get /v1/leads': obj({ at: iso, leads: arr(ref('LeadListItem')), next: nul(str) }),
  'get /v1/leads/{id}': obj({
    lead: ref('Lead'), consents: arr(anyObject('consent ledger entry')), score: nul(ref('Score')),
    likelihood: { ...ref('Likelihood'), description: 'absent (not zero) until enough sales outcomes calibrate the current model version, and for leads that are not confirmed' },
    stageHistory: arr(ref('StageChange')), events: arr(anyObject('event, newest first')),
  }, ['likelihood']),
  'get /v1/leads/{id}/score': ref('Score'),
  'get /v1/scoring-model': ref('ModelView'),
  'put /v1/scoring-model': ref('ModelView'),
  'get /v1/reports/funnel': obj({
    from: iso, to: iso,
    steps: arr(ref('FunnelStep')),
    revenue: anyObject('won deal value per ISO 4217 currency, e.g. {"EUR": 12000}'),
    anonymousPageviews: int,
    by: enumOf('source', 'magnet', 'country', 'industry', 'owner'),
    groups: arr(obj({ value: str, steps: arr(ref('FunnelStep')), revenue: anyObject('won deal value per currency') })),
  }, ['by', 'groups']),
  'get /v1/reports/overview': obj({
    from: iso, to: iso,
    filters: obj({ magnet: nul(str), source: nul(str) }),
    newLeads: arr(obj({ day: { type: 'string', format: 'date', description: 'UTC day' }, count: int })),
    stageChanges: arr(obj({ day: { type: 'string', format: 'date' }, stage: str, count: int })),
    scoreDistribution: obj({ bands: arr(obj({ from: int, to: int, count: int })), below: { type: 'integer', description: 'score below 0' }, above: { type: 'integer', description: 'score of 100 or more' } }),
    temperature: obj({ hot: int, warm: int, cold: int }),
    totals: obj({ newLeads: int, stageChanges: int, byStage: { type: 'object', additionalProperties: int } }),
  }),
  'get /v1/magnets': obj({ magnets: arr({ allOf: [ref('Magnet'), obj({ consentTexts: arr(obj({ purpose: enumOf('download', 'marketing'), version: str, hash: str, text: str, createdAt: ms })) })] }) }),
  'put /v1/magnets/{magnet}': obj({ magnet: ref('Magnet') }),
  'get /v1/reports/scoring-review': ref('ScoringReview'),
  'post /v1/scoring-model/suggest': ref('ModelSuggestion'),
  'post /v1/scoring-model/preview': ref('ModelPreview'),
  'get /v1/sequences': obj({ sequences: arr(obj({ id: str, name: str, status: enumOf('active', 'paused'), version: int, trigger: anyObject('the trigger'), steps: int, createdAt: iso, savedAt: iso })) }),
  'get /v1/sequences/{id}': obj({ id: str, version: int, savedAt: iso, sequence: ref('Sequence') }),
  'put /v1/sequences/{id}': obj({ id: str, version: int, savedAt: iso, sequence: ref('Sequence') }),
  'get /v1/sequences/{id}/stats': obj({
    id: str, version: int, status: str, entered: int, leads: int, active: int, completed: int,
    exited: { type: 'object', additionalProperties: int, description: 'by reason: handoff, withdrawn, unsubscribed, bounced, complained, not_mailable, exit_step, sequence_changed' },
    reached: obj({ mql: int, sql: int }),
    steps: arr(obj({ id: str, type: nul(str), sent: int, clicked: int, pending: int, failed: int, unsubscribed: int, exited: int, waiting: int })),
  }),
  'get /v1/sequences/{id}/steps/{step}/preview': obj({ sequence: str, version: int, step: str, lead: nul(str), lang: enumOf('en', 'de'), subject: str, text: str, html: str, links: arr(str), outbox: nul(str) }),
  'get /v1/nurture-settings': obj({ minGapHours: int, sendsPerMinute: int, timeZone: str, defaults: anyObject('the defaults'), updatedAt: nul(iso) }),
  'put /v1/nurture-settings': obj({ minGapHours: int, sendsPerMinute: int, timeZone: str, defaults: anyObject('the defaults'), updatedAt: nul(iso) }),
  'get /v1/optin/unsubscribe': { type: 'string', description: 'HTML page' },
  'post /v1/optin/unsubscribe': obj({ status: enumOf('unsubscribed') }),
  'post /v1/mail/events': obj({ kind: enumOf('bounce', 'complaint'), leads: int, suppressed: int }),
  'get /v1/segments': obj({ segments: arr(ref('SegmentAnswer')) }),
  'get /v1/segments/{id}': ref('SegmentAnswer'),
  'put /v1/segments/{id}': ref('SegmentAnswer'),
  'delete /v1/segments/{id}': obj({ deleted: str }),
  'post /app/session': obj({ site: obj({ id: str, name: str }), key: obj({ name: str, scopes: arr(str) }), expiresAt: iso, idleTimeoutSeconds: int }),
  'get /app/session': obj({ site: obj({ id: str, name: str }), key: obj({ name: str, scopes: arr(str) }), expiresAt: iso, idleTimeoutSeconds: int }),
  'delete /app/session': obj({ signedOut: { type: 'boolean', const: true } }),
  'get /v1/openapi.json': anyObject('OpenAPI 3.1 document'),
  'get /docs': { type: 'string', description: 'HTML page' },
  'get /app': { type: 'string', description: 'HTML page: the dashboard' },
  'get /admin/sites': obj({ sites: arr(ref('Site')) }),
  'post /admin/sites': obj({ site: ref('Site') }),
  'get /admin/sites/{site}': obj({ site: ref('Site') }),
  'post /admin/sites/{site}/origins': obj({ site: ref('Site'), added: bool }),
  'delete /admin/sites/{site}/origins': obj({ site: ref('Site') }),
  'get /admin/sites/{site}/keys': obj({ keys: arr(ref('ApiKey')) }),
  'post /admin/sites/{site}/keys': obj({ key: ref('ApiKey'), secret: { type: 'string', description: 'lsk_<id>_<secret>; shown only here' } }),
  'delete /admin/sites/{site}/keys/{key}': obj({ revoked: str }),
  'get /admin/sites/{site}/events': obj({ events: arr(anyObject('stored event')) }),
  'get /admin/health': obj({
    status: enumOf('ok', 'degraded'),
    checks: arr(obj({ name: str, ok: bool, detail: str })),
    mail: obj({ dead: int, stuck: int, deadIds: arr(str), lastError: nul(str), lastErrorAt: nul(iso) }),
    webhooks: obj({ dead: int, stuck: int }),
    magnets: arr(obj({ site: str, magnet: str, problem: str })),
  }),
  'post /admin/mail/retry': obj({ requeued: int }),
  'post /admin/rescore': obj({ processed: int, open: int }),
  'get /admin/sites/{site}/magnets': obj({ magnets: arr(ref('Magnet')) }),
  'get /admin/sites/{site}/magnets/{magnet}': obj({ magnet: ref('Magnet') }),
  'put /admin/sites/{site}/magnets/{magnet}': obj({ magnet: ref('Magnet') }),
  'delete /admin/sites/{site}/magnets/{magnet}': obj({ deleted: str }),
  'put /admin/sites/{site}/magnets/{magnet}/file': obj({ magnet: ref('Magnet') }),
  'get /admin/sites/{site}/leads': obj({ leads: arr(ref('Lead')) }),
  'get /admin/sites/{site}/leads/{lead}': obj({ lead: ref('Lead'), ledger: arr(anyObject('consent ledger entry')) }),
  'get /v1/leads/{id}/export': anyObject('lodestone.gdpr-export/v1 document'),
  'delete /v1/leads/{id}': obj({ status: enumOf('erased', 'already_erased'), erasedAt: ms }),
  'post /v1/leads/{id}/withdraw': obj({ status: enumOf('withdrawn') }),
  'get /admin/sites/{site}/retention': ref('Retention'),
  'put /admin/sites/{site}/retention': ref('Retention'),
  'post /admin/retention/run': obj({ report: obj({ sites: int, pendingErased: int, withdrawnErased: int, eventsDeleted: int, tokensDeleted: int, ledgerDeleted: int, orphansFixed: int, more: bool }) }),
  'post /v1/webhooks': obj({ endpoint: ref('WebhookEndpointView'), secret: { type: 'string', description: 'whsec_…; shown only here' } }),
  'get /v1/webhooks': obj({ endpoints: arr(ref('WebhookEndpointView')) }),
  'get /v1/webhooks/{id}': obj({ endpoint: ref('WebhookEndpointView') }),
  'patch /v1/webhooks/{id}': obj({ endpoint: ref('WebhookEndpointView') }),
  'delete /v1/webhooks/{id}': obj({ deleted: str }),
  'get /v1/webhooks/deliveries': obj({ deliveries: arr(ref('WebhookMessage')), next: nul(str) }),
  'get /v1/webhooks/deliveries/{id}': obj({ delivery: ref('WebhookMessage'), payload: anyObject('the signed body'), attempts: arr(anyObject('one delivery attempt')) }),
  'post /v1/webhooks/deliveries/{id}/replay': obj({ delivery: ref('WebhookMessage') }),
  'get /v1/owners': obj({ owners: arr(ref('Owner')) }),
  'put /v1/owners': obj({ owners: arr(ref('Owner')) }),
  'get /v1/sales/settings': ref('SalesSettingsView'),
  'put /v1/sales/settings': ref('SalesSettingsView'),
  'get /v1/sales/waiting': obj({
    at: iso, overdue: { type: 'integer', description: 'how many of the leads are past their deadline' }, more: { type: 'boolean', description: 'more than the 200 listed wait' },
    leads: arr(obj({ id: str, email: str, firstName: nul(str), company: nul(str), ownerId: nul(str), assignedAt: nul(ms), slaDueAt: nul(ms), overdue: bool })),
  }),
  'patch /v1/leads/{id}': obj({ lead: str, result: enumOf('updated', 'unchanged'), sales: ref('LeadSales') }),
  'post /v1/leads/import': obj({
    created: int, merged: int, unchanged: int, refused: int, optinMails: int,
    rows: arr(obj({
      line: int, email: str, lead: str, result: enumOf('created', 'merged', 'unchanged', 'refused'), status: int, reason: str,
      optin: enumOf('queued', 'already_confirmed', 'already_sent', 'never_for_legitimate_interest'),
    }, ['email', 'lead', 'status', 'reason', 'optin'])),
  }),
  'post /v1/leads/updates': obj({
    updated: int, unchanged: int, refused: int,
    rows: arr(obj({ line: int, key: nul(anyObject('{id} | {email} | {crmId}')), lead: str, result: enumOf('updated', 'unchanged', 'refused'), status: int, reason: str }, ['lead', 'status', 'reason'])),
  }),
};

/** Other success answers of an operation than its main one, by "method path status". */
const OTHER_ANSWERS: Record<string, { description: string; schema: S; headers?: Record<string, object> }> = {
  'get /v1/reports/scoring-review 202': {
    description: 'the outcome facts are still being computed (the cron continues); ask again after Retry-After seconds',
    schema: ref('Computing'), headers: { 'Retry-After': { schema: { type: 'integer' } } },
  },
  'post /v1/scoring-model/suggest 202': {
    description: 'the outcome facts are still being computed (the cron continues); ask again after Retry-After seconds',
    schema: ref('Computing'), headers: { 'Retry-After': { schema: { type: 'integer' } } },
  },
};

/** Answers with more than one media type (format=… or Accept). */
const EXTRA_CONTENT: Record<string, Record<string, object>> = {
  'get /v1/leads': {
    'application/x-ndjson': { schema: ref('LeadListItem'), description: 'one lead per line; the next cursor in X-Next-Cursor' },
    'text/csv': { schema: { type: 'string' }, description: 'one header row then one lead per row; the next cursor in X-Next-Cursor; see the dialect parameter' },
  },
};

/** Extra words for query parameters whose wire form a schema cannot say. */
const PARAM_NOTES: Record<string, string> = {
  stage: 'comma-separated list of stages',
  updated_since: 'ISO 8601 time or epoch milliseconds',
  from: 'ISO 8601 time or epoch milliseconds (the funnel: default 30 days before to, at most 400 days)',
  by: 'break the lead steps down by first-touch source (UTM source or referrer host), magnet, country, industry or owner; at most 20 groups plus "(other)"',
  to: 'ISO 8601 time or epoch milliseconds',
  cursor: 'from the previous page',
  format: 'json, ndjson or csv; also chosen by the Accept header',
  dialect: 'CSV only: "rfc4180" (default: UTF-8, comma, CRLF) or "excel" (UTF-8 with BOM, semicolon, decimal comma, CRLF). Numbers in CSV are rounded to 2 decimals.',
  min_score: 'leads with at least this current score',
  max_score: 'leads with at most this current score',
  owner: 'leads owned by this sales owner (an owner id of GET /v1/owners)',
  sales_status: 'the sales status after the hand-off (open, accepted, rejected, recycled, opportunity, won, lost); `status` in a listed lead is the consent status',
  country: 'ISO 3166-1 alpha-2 country code (either case)',
  industry: 'exact industry, ignoring case',
};

const TITLES: Record<number, string> = {
  400: 'Malformed or invalid (see `path` and `errors`)', 401: 'Missing or wrong credentials', 403: 'Forbidden origin or insufficient scope',
  404: 'Unknown site or resource', 409: 'Conflict', 410: 'Gone (expired or withdrawn)', 413: 'Too large', 415: 'Unsupported media type',
  422: 'Not enough data (`have` and `needed` give the counts)', 429: 'Rate limited (Retry-After)', 500: 'Unexpected error', 503: 'Not configured',
};

type Item = { type: string; kind: string; requirement?: unknown };

/**
 * Every query value is a string on the wire, so the generated schema says
 * "string" even where the validator turns it into a number; this reads the
 * validator's pipe and documents what a client really sends (integer or
 * number, with its bounds and default).
 */
function wireSchema(schema: v.GenericSchema, generated: JsonSchema): JsonSchema {
  let inner = schema as unknown as { type: string; wrapped?: unknown; default?: unknown; pipe?: Item[] };
  const fallback = inner.type === 'optional' ? inner.default : undefined;
  if (inner.type === 'optional') inner = inner.wrapped as typeof inner;
  const pipe = inner.pipe ?? [];
  if (!pipe.some((p) => p.type === 'to_number')) return generated;
  const integer = pipe.some((p) => p.type === 'integer' || p.type === 'safe_integer' || (p.type === 'regex' && /^\/\^\\d[+{]/.test(String(p.requirement))));
  const out: Record<string, unknown> = { type: integer ? 'integer' : 'number' };
  for (const p of pipe) {
    if (p.type === 'min_value') out.minimum = p.requirement;
    if (p.type === 'max_value' && p.requirement !== Number.MAX_SAFE_INTEGER) out.maximum = p.requirement;
  }
  if (fallback !== undefined) out.default = Number(fallback);
  return out as JsonSchema;
}

/** Path and query parameters; query ones from the route's valibot schema. */
function parametersOf(op: Operation) {
  const params: object[] = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (op.query) {
    const schema = convert(op.query) as { properties?: Record<string, JsonSchema>; required?: string[] };
    const entries = (op.query as unknown as { entries: Record<string, v.GenericSchema> }).entries;
    for (const [name, s] of Object.entries(schema.properties ?? {})) {
      const wire = strip(wireSchema(entries[name]!, s) as JsonSchema & { $schema?: string });
      const note = op.notes?.[name] ?? PARAM_NOTES[name];
      params.push({
        name, in: 'query', required: schema.required?.includes(name) ?? false, schema: wire,
        ...(note ? { description: note } : {}),
      });
    }
  }
  if (op.method === 'delete' && op.path === '/admin/sites/{site}/origins') {
    params.push({ name: 'origin', in: 'query', required: true, schema: { type: 'string' }, description: 'scheme://host[:port]' });
  }
  return params;
}

let cached: Record<string, unknown> | null = null;

/**
 * The document; `server` (the deployment's public origin) becomes its only
 * entry in `servers`, so "try it" tools and generated clients call the right host.
 */
export function openApiDocument(server?: string): object {
  if (!cached) cached = build();
  const { openapi, info, ...rest } = cached;
  return { openapi, info, ...(server ? { servers: [{ url: server }] } : {}), ...rest };
}

function build(): Record<string, unknown> {
  const paths: Record<string, Record<string, object>> = {};
  for (const op of OPERATIONS) {
    const schema = OK_SCHEMAS[`${op.method} ${op.path}`];
    const body = schema ? { content: { [op.ok.type ?? 'application/json']: { schema }, ...EXTRA_CONTENT[`${op.method} ${op.path}`] } } : {};
    const responses: Record<string, object> = {};
    // A redirect has no body; its JSON alternative carries the schema.
    for (const status of [op.ok.status, ...(op.ok.also ?? [])]) {
      const other = OTHER_ANSWERS[`${op.method} ${op.path} ${status}`];
      if (other) {
        responses[status] = { description: other.description, ...(other.headers ? { headers: other.headers } : {}), content: { 'application/json': { schema: other.schema } } };
        continue;
      }
      responses[status] = status >= 300 && status < 400
        ? { description: op.ok.description, headers: { Location: { schema: { type: 'string' } } } }
        : { description: op.ok.description, ...body };
    }
    for (const status of op.errors) {
      responses[status] = { description: TITLES[status] ?? 'Error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
    }
    (paths[op.path] ??= {})[op.method] = {
      tags: [tagOf(op)],
      summary: op.summary,
      operationId: `${op.method}${op.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
      ...(op.auth === 'none' ? { security: [] } : { security: [{ [op.auth === 'admin' ? 'adminToken' : 'apiKey']: op.scopes ?? [] }] }),
      parameters: parametersOf(op),
      ...(op.body
        ? { requestBody: { required: !op.body.optional, content: Object.fromEntries((op.body.types ?? ['application/json']).map((t) => [t, { schema: { $ref: `#/components/schemas/${op.body!.schema}` } }])) } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Lodestone API', version: '0.1.0', description: 'Consent-aware lead capture and lead scoring at the edge. Every error is RFC 9457 problem+json.' },
    tags: TAGS,
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Marketing API key (lsk_…), scopes leads:read, leads:write, config:write' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN secret' },
      },
      schemas: {
        ...Object.fromEntries(Object.entries(SCHEMAS).map(([name, schema]) => [name, strip(convert(schema) as JsonSchema & { $schema?: string })])),
        ...RESPONSE_SCHEMAS,
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
}
