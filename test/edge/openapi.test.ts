import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../protocol';
import { createApp } from '../../edge/app';
import { DEFAULT_MODEL, scoringModelSchema } from '../../edge/scoring/model';
import { collectBatch } from '../../edge/validation/collect';
import { createSiteBody } from '../../edge/validation/admin';
import { call } from './helpers';

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { parameters: { name: string; in: string }[]; requestBody?: unknown; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, { required?: string[]; properties?: Record<string, { maxItems?: number }> }> };
}

async function doc(): Promise<Doc> {
  const res = await call('/v1/openapi.json');
  expect(res.status).toBe(200);
  return (await res.json()) as Doc;
}

/** Routes mounted on the real app, as OpenAPI paths. */
function registeredRoutes(): string[] {
  const app = createApp();
  return [...new Set(app.routes
    .filter((r) => r.method !== 'ALL' && !r.path.includes('*') && !r.path.startsWith('/dev/'))
    .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`))].sort();
}

describe('GET /v1/openapi.json', () => {
  it('documents exactly the routes the app registers', async () => {
    const d = await doc();
    expect(d.openapi).toBe('3.1.0');
    const documented = Object.entries(d.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).sort();
    expect(documented).toEqual(registeredRoutes());
  });

  it('every $ref resolves and every error answer is a Problem', async () => {
    const d = await doc();
    const text = JSON.stringify(d);
    for (const [, ref] of text.matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)) expect(d.components.schemas, ref).toHaveProperty(ref!);
    for (const ops of Object.values(d.paths)) {
      for (const op of Object.values(ops)) {
        for (const [status, res] of Object.entries(op.responses)) {
          if (Number(status) >= 400) expect(JSON.stringify(res)).toContain('#/components/schemas/Problem');
        }
      }
    }
  });

  it('request schemas come from the real validators: limits and required fields agree', async () => {
    const d = await doc();
    const s = d.components.schemas;
    expect(s.CollectBatch!.properties!.events!.maxItems).toBe(LIMITS.batchEvents);
    const samples: [string, v.GenericSchema, Record<string, unknown>][] = [
      ['CollectBatch', collectBatch as unknown as v.GenericSchema, { site: 'demo', events: [{ id: 'evt_00000001', kind: 'pageview', ts: 1, url: 'https://a.example/' }] }],
      ['CreateSite', createSiteBody as unknown as v.GenericSchema, { id: 'acme', name: 'Acme', origins: ['https://acme.example'] }],
      ['ScoringModel', scoringModelSchema as unknown as v.GenericSchema, JSON.parse(JSON.stringify(DEFAULT_MODEL)) as Record<string, unknown>],
    ];
    for (const [name, schema, sample] of samples) {
      expect(v.safeParse(schema, sample).success, name).toBe(true);
      const required = s[name]!.required ?? [];
      expect(required.length, name).toBeGreaterThan(0);
      for (const field of required) {
        const { [field]: _dropped, ...without } = sample;
        expect(v.safeParse(schema, without).success, `${name} without ${field}`).toBe(false);
      }
      for (const field of Object.keys(sample)) expect(s[name]!.properties, `${name}.${field}`).toHaveProperty(field);
    }
    // Query parameters of the lead list are documented from its validator.
    expect(d.paths['/v1/leads']!.get!.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining(['sort', 'stage', 'temperature', 'min_score', 'updated_since', 'magnet', 'q', 'limit', 'cursor', 'format']));
  });
});
