import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../protocol';
import { createApp } from '../../../edge/app';
import { DEFAULT_MODEL, scoringModelSchema } from '../../../edge/core/scoring/model';
import { collectBatch } from '../../../edge/core/schemas/events';
import { createSiteBody } from '../../../edge/features/admin/schemas';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import worker from '../../../edge/index';
import { BASE, call } from '../helpers';

interface Param { name: string; in: string; schema: { type?: string; default?: unknown; minimum?: number; maximum?: number }; description?: string }
interface Doc {
  openapi: string;
  servers?: { url: string }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, { tags?: string[]; operationId: string; parameters: Param[]; requestBody?: unknown; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
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

/** One request with extra vars (PUBLIC_URL), straight through the Worker entry. */
async function withEnv(path: string, vars: Record<string, string>): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(new URL(path, BASE)), { ...env, ...vars } as never, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const operations = (d: Doc) => Object.entries(d.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method, path, op })));

describe('OpenAPI quality', () => {
  it('every operation has a known tag and a schema for its success answer', async () => {
    const d = await doc();
    const tags = new Set(d.tags.map((t) => t.name));
    for (const { method, path, op } of operations(d)) {
      expect(op.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const t of op.tags!) expect(tags, `${method} ${path} tag ${t}`).toContain(t);
      const ok = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      if (!ok.length) {
        // A link that only forwards (a click in a mail) succeeds with a redirect: it names where to.
        const redirects = Object.entries(op.responses).filter(([status]) => status.startsWith('3')) as [string, { headers?: Record<string, unknown> }][];
        expect(redirects.length, `${method} ${path} has a 2xx or a redirect`).toBeGreaterThan(0);
        for (const [status, res] of redirects) expect(res.headers?.Location, `${method} ${path} ${status} Location`).toBeTruthy();
        continue;
      }
      for (const [status, res] of ok) {
        const media = Object.values(res.content ?? {});
        expect(media.length, `${method} ${path} ${status}`).toBeGreaterThan(0);
        for (const m of media) expect(m.schema, `${method} ${path} ${status} schema`).toBeTruthy();
      }
    }
  });

  it('operation ids are unique and every answer has a description (OpenAPI requires it)', async () => {
    const d = await doc();
    const ids = operations(d).map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { method, path, op } of operations(d)) {
      for (const [status, res] of Object.entries(op.responses)) expect((res as { description?: string }).description, `${method} ${path} ${status}`).toBeTruthy();
    }
  });

  it('every request body schema documents its fields (piped validators included)', async () => {
    const d = await doc();
    for (const { method, path, op } of operations(d)) {
      const body = op.requestBody as { content: Record<string, { schema: { $ref: string } }> } | undefined;
      for (const media of Object.values(body?.content ?? {})) {
        const name = media.schema.$ref.split('/').pop()!;
        if (name === 'File') continue;
        const schema = d.components.schemas[name] as { type?: string; properties?: object };
        expect(schema.type, `${method} ${path} ${name}`).toBe('object');
        expect(Object.keys(schema.properties ?? {}).length, `${method} ${path} ${name}`).toBeGreaterThan(0);
      }
    }
    expect(d.components.schemas.MagnetConfig!.required).toEqual(expect.arrayContaining(['title', 'lang']));
    // Nested objects behind the same root check are documented too.
    const deep = d.components.schemas as unknown as Record<string, { properties: Record<string, { properties?: Record<string, unknown>; items?: { properties?: object } }> }>;
    expect(Object.keys(deep.ScoringModel!.properties.thresholds!.properties!)).toEqual(expect.arrayContaining(['mql', 'sql']));
    expect(Object.keys(deep.MagnetConfig!.properties.consent!.properties!)).toEqual(['text', 'version']);
    expect(deep.MagnetConfig!.properties.fields!.items!.properties).toHaveProperty('name');
  });

  it('documents the success statuses the routes really answer', async () => {
    const d = await doc();
    expect(Object.keys(d.paths['/v1/webhooks/deliveries/{id}/replay']!.post!.responses)).toContain('202');
    expect(Object.keys(d.paths['/admin/sites/{site}/magnets/{magnet}']!.put!.responses)).toEqual(expect.arrayContaining(['200', '201']));
    expect(Object.keys(d.paths['/v1/leads']!.get!.responses['200']!.content!)).toEqual(['application/json', 'application/x-ndjson', 'text/csv']);
  });

  it('numeric query parameters are integer or number, never string', async () => {
    const d = await doc();
    const query = (path: string, method = 'get') => Object.fromEntries(d.paths[path]![method]!.parameters.filter((p) => p.in === 'query').map((p) => [p.name, p]));
    const leads = query('/v1/leads');
    expect(leads.limit!.schema).toEqual({ type: 'integer', minimum: 1, maximum: 1000, default: 100 });
    expect(leads.min_score!.schema.type).toBe('number'); // scores are fractional: 12.5 is a valid threshold
    expect(leads.dialect!.schema).toMatchObject({ enum: ['rfc4180', 'excel'] });
    expect(leads.dialect!.description).toMatch(/BOM/);
    expect(query('/v1/webhooks/deliveries').limit!.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 200, default: 50 });
    expect(query('/v1/webhooks/deliveries').cursor!.schema.type).toBe('integer');
    expect(query('/admin/sites/{site}/events').since!.schema.type).toBe('integer');
    expect(query('/admin/retention/run', 'post').budget_ms!.schema).toMatchObject({ type: 'integer', default: 15000 });
    for (const { method, path, op } of operations(d)) {
      for (const p of op.parameters.filter((x) => ['limit', 'since', 'budget_ms'].includes(x.name))) {
        expect(p.schema.type, `${method} ${path} ${p.name}`).toBe('integer');
      }
    }
  });

  it('names the server: PUBLIC_URL, else the request origin', async () => {
    expect((await doc()).servers).toEqual([{ url: BASE }]);
    const res = await withEnv('/v1/openapi.json', { PUBLIC_URL: 'https://leads.acme.example/' });
    expect(((await res.json()) as Doc).servers).toEqual([{ url: 'https://leads.acme.example' }]);
    const bad = await withEnv('/v1/openapi.json', { PUBLIC_URL: 'not a url' });
    expect(((await bad.json()) as Doc).servers).toEqual([{ url: BASE }]);
  });
});

describe('GET /docs', () => {
  it('renders every operation with an anchor, linked from the contents, with no script and no outside request', async () => {
    const res = await call('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    const html = await res.text();
    expect(html).not.toMatch(/<script|\ssrc=|<link|@import|url\(/i);
    const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
    for (const [, target] of html.matchAll(/href="#([^"]+)"/g)) expect(ids, `anchor #${target}`).toContain(target);
    const d = await doc();
    for (const { method, path, op } of operations(d)) {
      expect(ids, `${method} ${path}`).toContain(op.operationId);
      expect(html).toContain(`href="#${op.operationId}"`);
      expect(html).toContain(path.replace(/&/g, '&amp;'));
    }
    for (const t of d.tags) expect(html).toContain(`>${t.name.replace(/&/g, '&amp;')}</h2>`);
    // Parameters, bodies, responses and schemas are shown, not just listed.
    expect(html).toContain('<code class="n">min_score</code>');
    expect(html).toContain('href="#schema-collectbatch"');
    expect(html).toMatch(/<code>events<\/code> <span class="req">required<\/span>/);
    expect(html).toContain('Base URL: <code>http://edge.test</code>');
  });

  it('its CSP hash matches the inline style, so browsers apply it', async () => {
    const res = await call('/docs');
    const html = await res.text();
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(style));
    const expected = btoa(String.fromCharCode(...new Uint8Array(digest)));
    expect(res.headers.get('content-security-policy')).toContain(`'sha256-${expected}'`);
  });
});
