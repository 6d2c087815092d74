import { escapeHtml } from '../../core/mail/escape';
import { toBase64 } from '../../core/crypto';

/**
 * The API reference at /docs and the landing page at /, rendered on the
 * server from the OpenAPI document: no script, no request to anyone else,
 * readable on a phone. Pure: no I/O.
 */

type Schema = Record<string, unknown>;
interface Parameter { name: string; in: string; required?: boolean; description?: string; schema?: Schema }
interface MediaType { schema?: Schema; description?: string }
interface Response { description?: string; content?: Record<string, MediaType>; headers?: Record<string, unknown> }
interface OperationDoc {
  tags?: string[];
  summary?: string;
  operationId: string;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, Response>;
}
export interface ApiDocument {
  info: { title: string; version: string; description?: string };
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, OperationDoc>>;
  components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, { description?: string }> };
}

const e = (value: unknown): string => escapeHtml(String(value));
/** Escaped text with `code` spans, the only markup the document's prose uses. */
const prose = (text: string): string => e(text).replace(/`([^`]+)`/g, '<code>$1</code>');
const slug = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#18181b;background:#fafafa}
header,main,nav{max-width:60rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem}
h1{font-size:1.75rem;margin:.5rem 0}
h2{font-size:1.35rem;margin:2.5rem 0 .5rem;padding-top:1rem;border-top:2px solid #d4d4d8}
h3{font-size:1.05rem;margin:0;display:flex;flex-wrap:wrap;gap:.5rem;align-items:baseline}
h4{font-size:.95rem;margin:1rem 0 .25rem}
a{color:#0b57d0}
a:focus-visible{outline:3px solid #18181b;outline-offset:2px}
code{font:.9em/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.op{background:#fff;border:1px solid #e4e4e7;border-radius:.5rem;padding:1rem;margin:1rem 0}
.m{font:700 .8rem/1 ui-monospace,monospace;text-transform:uppercase;padding:.3rem .45rem;border-radius:.25rem;color:#fff;background:#52525b}
.get{background:#1d4ed8}.post{background:#15803d}.put{background:#a16207}.patch{background:#7e22ce}.delete{background:#b91c1c}
.path{font-weight:600;overflow-wrap:anywhere}
.auth{color:#52525b;font-size:.9rem;margin:.25rem 0}
.wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e4e4e7;vertical-align:top}
th{font-weight:600;background:#f4f4f5}
ul.s{list-style:none;margin:.25rem 0;padding-left:1rem;border-left:2px solid #e4e4e7;font-size:.92rem}
ul.s li{margin:.15rem 0}
.t{color:#6d28d9}.req{color:#b91c1c;font-size:.8rem}.c{color:#52525b}
.toc ol{padding-left:1.25rem}.toc li{margin:.1rem 0}.toc ul{padding-left:1rem;list-style:none;font-size:.92rem}
.st{font-weight:700}.ok{color:#15803d}.err{color:#b91c1c}
code.n{white-space:nowrap}
.home{padding-top:2rem}
@media (max-width:30rem){header,main,nav{padding:0 .5rem}.op{padding:.75rem}th,td{padding:.3rem}}
footer{max-width:60rem;margin:3rem auto;padding:1rem;color:#52525b;font-size:.9rem}
`;

/** Types, constraints and nested fields of a schema, as nested lists; refs link to the Schemas section. */
function schemaHtml(schema: Schema | undefined, depth = 0): string {
  if (!schema || Object.keys(schema).length === 0) return '<span class="c">any</span>';
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.split('/').pop()!;
    return `<a href="#schema-${e(slug(name))}"><code>${e(name)}</code></a>`;
  }
  const parts: string[] = [];
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (variants) {
    return `one of:<ul class="s">${variants.map((s) => `<li>${schemaHtml(s, depth + 1)}</li>`).join('')}</ul>`;
  }
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type as string | undefined);
  if (type === 'array' || (Array.isArray(schema.type) && schema.type.includes('array'))) {
    parts.push(`<span class="t">${e(type)}</span> of ${schemaHtml(schema.items as Schema | undefined, depth + 1)}`);
  } else if (type) {
    parts.push(`<span class="t">${e(type)}</span>`);
  }
  parts.push(...constraints(schema));
  if (typeof schema.description === 'string') parts.push(`<span class="c">${prose(schema.description)}</span>`);
  let html = parts.join(' ');
  const props = schema.properties as Record<string, Schema> | undefined;
  if (props && Object.keys(props).length) {
    if (depth > 6) return `${html} <span class="c">(nested fields)</span>`;
    const required = new Set((schema.required as string[] | undefined) ?? []);
    html += `<ul class="s">${Object.entries(props).map(([name, s]) =>
      `<li><code>${e(name)}</code>${required.has(name) ? ' <span class="req">required</span>' : ''}: ${schemaHtml(s, depth + 1)}</li>`).join('')}</ul>`;
  }
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object') html += `<ul class="s"><li><em>any key</em>: ${schemaHtml(extra as Schema, depth + 1)}</li></ul>`;
  return html || '<span class="c">any</span>';
}

function constraints(s: Schema): string[] {
  const out: string[] = [];
  if (Array.isArray(s.enum)) out.push(`one of ${s.enum.map((x) => `<code>${e(JSON.stringify(x))}</code>`).join(', ')}`);
  if ('const' in s) out.push(`always <code>${e(JSON.stringify(s.const))}</code>`);
  const pairs: [string, string][] = [
    ['minimum', '≥'], ['maximum', '≤'], ['exclusiveMinimum', '>'], ['exclusiveMaximum', '<'],
    ['minLength', 'min length'], ['maxLength', 'max length'], ['minItems', 'min items'], ['maxItems', 'max items'],
  ];
  for (const [key, label] of pairs) if (typeof s[key] === 'number') out.push(`${label} ${e(s[key])}`);
  if (typeof s.format === 'string') out.push(`format <code>${e(s.format)}</code>`);
  if (typeof s.pattern === 'string') out.push(`pattern <code>${e(s.pattern)}</code>`);
  if (s.default !== undefined) out.push(`default <code>${e(JSON.stringify(s.default))}</code>`);
  return out.map((x) => `<span class="c">${x}</span>`);
}

function authHtml(op: OperationDoc): string {
  const sec = op.security ?? [];
  if (!sec.length) return 'No authentication.';
  return sec.map((req) => Object.entries(req).map(([scheme, scopes]) =>
    scheme === 'adminToken' ? 'Admin token (<code>Authorization: Bearer $ADMIN_TOKEN</code>).'
      : `API key (<code>Authorization: Bearer lsk_…</code>)${scopes.length ? `, scope ${scopes.map((x) => `<code>${e(x)}</code>`).join(' or ')}` : ''}.`).join(' ')).join(' or ');
}

function contentHtml(content: Record<string, MediaType> | undefined): string {
  if (!content) return '';
  return Object.entries(content).map(([type, media]) =>
    `<div><code>${e(type)}</code>${media.description ? ` <span class="c">${prose(media.description)}</span>` : ''}: ${schemaHtml(media.schema)}</div>`).join('');
}

function operationHtml(method: string, path: string, op: OperationDoc): string {
  const params = op.parameters ?? [];
  const paramTable = params.length
    ? `<h4>Parameters</h4><div class="wrap"><table><thead><tr><th>name</th><th>schema</th></tr></thead><tbody>${params.map((p) =>
      `<tr><td><code class="n">${e(p.name)}</code><br><span class="c">${e(p.in)}</span>${p.required ? ' <span class="req">required</span>' : ''}</td><td>${schemaHtml(p.schema)}${p.description ? `<br><span class="c">${prose(p.description)}</span>` : ''}</td></tr>`).join('')}</tbody></table></div>`
    : '';
  const body = op.requestBody ? `<h4>Request body${op.requestBody.required ? ' <span class="req">required</span>' : ''}</h4>${contentHtml(op.requestBody.content)}` : '';
  const responses = Object.entries(op.responses).map(([status, res]) => {
    const cls = Number(status) < 400 ? 'ok' : 'err';
    return `<tr><td class="st ${cls}">${e(status)}</td><td>${prose(res.description ?? '')}${res.content ? contentHtml(res.content) : ''}</td></tr>`;
  }).join('');
  return `<section class="op" id="${e(op.operationId)}" aria-labelledby="${e(op.operationId)}-h">
<h3 id="${e(op.operationId)}-h"><span class="m ${e(method)}">${e(method)}</span> <a class="path" href="#${e(op.operationId)}">${e(path)}</a></h3>
<p>${prose(op.summary ?? '')}</p>
<p class="auth">${authHtml(op)}</p>
${paramTable}${body}
<h4>Responses</h4><div class="wrap"><table><tbody>${responses}</tbody></table></div>
</section>`;
}

/** Operations grouped by their first tag, in the document's tag order. */
function byTag(doc: ApiDocument): { name: string; description?: string; ops: [string, string, OperationDoc][] }[] {
  const groups = new Map<string, { name: string; description?: string; ops: [string, string, OperationDoc][] }>();
  for (const t of doc.tags ?? []) groups.set(t.name, { ...t, ops: [] });
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = op.tags?.[0] ?? 'Other';
      if (!groups.has(tag)) groups.set(tag, { name: tag, ops: [] });
      groups.get(tag)!.ops.push([method, path, op]);
    }
  }
  return [...groups.values()].filter((g) => g.ops.length);
}

export interface Page { html: string; csp: string }

function frame(title: string, body: string, styleHash: string): Page {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
  return { html, csp: `default-src 'none'; style-src '${styleHash}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'` };
}

let hash: Promise<string> | null = null;
/** CSP hash of the one inline style: no nonce needed, so the page can be cached. */
export function styleHash(): Promise<string> {
  hash ??= crypto.subtle.digest('SHA-256', new TextEncoder().encode(STYLE)).then((d) => `sha256-${toBase64(d)}`);
  return hash;
}

export function apiReferencePage(doc: ApiDocument, styleHashValue: string): Page {
  const groups = byTag(doc);
  const server = doc.servers?.[0]?.url;
  const toc = `<nav class="toc" aria-label="Contents"><h2 id="contents">Contents</h2><ol>${groups.map((g) =>
    `<li><a href="#tag-${e(slug(g.name))}">${e(g.name)}</a><ul>${g.ops.map(([m, p, op]) =>
      `<li><a href="#${e(op.operationId)}"><code>${e(m.toUpperCase())} ${e(p)}</code></a></li>`).join('')}</ul></li>`).join('')}
<li><a href="#schemas">Schemas</a></li></ol></nav>`;
  const sections = groups.map((g) => `<section aria-labelledby="tag-${e(slug(g.name))}">
<h2 id="tag-${e(slug(g.name))}">${e(g.name)}</h2>${g.description ? `<p>${prose(g.description)}</p>` : ''}
${g.ops.map(([m, p, op]) => operationHtml(m, p, op)).join('\n')}
</section>`).join('\n');
  const schemas = `<section aria-labelledby="schemas"><h2 id="schemas">Schemas</h2>${Object.entries(doc.components.schemas).map(([name, s]) =>
    `<div class="op" id="schema-${e(slug(name))}"><h3><code>${e(name)}</code></h3>${schemaHtml(s)}</div>`).join('\n')}</section>`;
  const body = `<header>
<h1>${e(doc.info.title)} <small class="c">${e(doc.info.version)}</small></h1>
<p>${prose(doc.info.description ?? '')}</p>
${server ? `<p>Base URL: <code>${e(server)}</code></p>` : ''}
<p>Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI 3.1).</p>
</header>
${toc}
<main>
${sections}
${schemas}
</main>
<footer>Generated from the OpenAPI document this Worker serves.</footer>`;
  return frame(`${doc.info.title} reference`, body, styleHashValue);
}

/** What a deployment answers at / when no static index is there. */
export function landingPage(styleHashValue: string): Page {
  const body = `<main class="home">
<h1>Lodestone</h1>
<p>This is a Lodestone API: consent-aware lead capture and lead scoring, running as a Cloudflare Worker.
It serves the tracking snippet (<code>/s.js</code>), the lead-magnet widget (<code>/w.js</code>) and the API your site and CRM talk to.</p>
<ul>
<li><a href="/docs">API reference</a> (<a href="/v1/openapi.json">OpenAPI 3.1</a>)</li>
<li><a href="/healthz">Health check</a></li>
</ul>
</main>`;
  return frame('Lodestone', body, styleHashValue);
}
