import type * as v from 'valibot';
import { segmentBody } from './schemas';

/** The segment operations, in the shape of the API document's OPERATIONS table. */
export const SEGMENT_SCHEMAS: Record<string, v.GenericSchema> = { Segment: segmentBody as unknown as v.GenericSchema };

export const SEGMENT_OPERATIONS = [
  { method: 'get' as const, path: '/v1/segments', summary: "The site's saved segments (named filters of the lead list), by name", auth: 'apiKey' as const, scopes: ['leads:read'], tag: 'Leads', ok: { status: 200, description: '{segments}' }, errors: [401, 403] },
  { method: 'get' as const, path: '/v1/segments/{id}', summary: 'One saved segment', auth: 'apiKey' as const, scopes: ['leads:read'], tag: 'Leads', ok: { status: 200, description: '{id, name, filter, createdAt, updatedAt}' }, errors: [400, 401, 403, 404] },
  { method: 'put' as const, path: '/v1/segments/{id}', summary: 'Creates (201) or replaces a segment: a name and the lead list filters it saves (stage, temperature, minScore, maxScore, updatedWithinDays, magnet, q, owner, salesStatus, country, industry); at most 100 per site. GET /v1/leads?segment={id} lists and exports its leads', auth: 'apiKey' as const, scopes: ['leads:write', 'config:write'], tag: 'Leads', body: { schema: 'Segment' }, ok: { status: 200, description: '{id, name, filter, createdAt, updatedAt}: 201 when new', also: [201] }, errors: [400, 401, 403, 409, 413, 415] },
  { method: 'delete' as const, path: '/v1/segments/{id}', summary: 'Deletes a segment', auth: 'apiKey' as const, scopes: ['leads:write', 'config:write'], tag: 'Leads', ok: { status: 200, description: '{deleted}' }, errors: [400, 401, 403, 404] },
];
