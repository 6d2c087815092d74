#!/usr/bin/env node
// @ts-check
/**
 * lodestone: the admin CLI over the admin API, for local dev and deployed Workers.
 *
 * Plain ESM JavaScript (type-checked by tsc) so it runs on any Node >= 20
 * without a build step, including `npx lodestone` outside npm scripts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';

const HELP = `lodestone — admin CLI for a Lodestone edge API

Usage: lodestone <command> [arguments] [options]

Sites
  sites list                                 List sites with their origins
  sites create <id> [--name N] [--origin O]… Create a site (repeat --origin)
  sites show <id>                            One site with its origins
Origins
  origins add <site> <origin>                Allow a browser origin, e.g. https://www.example.com
  origins remove <site> <origin>             Stop allowing it
API keys (marketing API)
  keys create <site> --name N [--scope S]…   Create a key; the secret is shown once
                                             scopes: leads:read (default), leads:write, config:write
  keys list <site>                           List keys (never the secrets)
  keys revoke <site> <key-id>                Revoke a key
Events
  events <site> [--limit N] [--follow]       Newest events; --follow keeps printing new ones
Leads (marketing API key: --key or LODESTONE_API_KEY)
  leads list [--stage S] [--temperature T] [--min-score N] [--q TEXT] [--magnet M]
             [--updated-since ISO] [--sort score|updated] [--limit N]
                                             Leads, best current score first
  leads show <lead-id>                       Profile, score explained, stages, consents, events
  leads export [--format csv|ndjson] [--out FILE] [filters as for list]
                                             Every matching lead (spreadsheet-safe CSV)
  (with a site id, leads list <site> and leads show <site> <id> use the admin token)
Scoring (marketing API key: --key or LODESTONE_API_KEY)
  model get [--out FILE]                     The site's scoring model (JSON)
  model set FILE                             Validate and save a new model version; rescoring starts
  rescore [--budget-ms N]                    Run open rescoring jobs now (admin token)
Lead magnets (docs/widget.md)
  magnets list <site>                        List magnets with their file
  magnets show <site> <magnet>               One magnet's config, consent texts and file
  magnets put <site> <magnet> --config F     Create or replace the config from a JSON file
  magnets upload <site> <magnet> <file>      Upload the file it delivers (PDF, EPUB, ZIP, …; max 10 MiB)
  magnets delete <site> <magnet>             Delete a magnet and its file (leads and ledger stay)
Leads
  leads list <site> [--status S] [--email E] [--limit N]
                                             Newest leads; status: pending, confirmed, withdrawn
  leads show <site> <lead-id>                One lead with its consent ledger
Webhooks to sales/CRM (marketing API key; docs/webhooks.md)
  webhooks add <url> [--event E]… [--description D]
                                             Add an endpoint; the signing secret is shown once
                                             events: lead.confirmed, lead.stage_changed, lead.withdrawn (default: all)
  webhooks list                              The site's endpoints
  webhooks remove <endpoint-id>              Delete an endpoint with its deliveries
  webhooks deliveries [--dead] [--status S] [--limit N]
                                             Newest deliveries; --dead: dead letters only
  webhooks show <delivery-id>                One delivery with its attempt log
  webhooks replay <delivery-id>              Send a delivery again (same id and payload), now
GDPR (marketing API key; docs: PRIVACY.md)
  leads gdpr-export <lead-id> [--out FILE]   Everything held about the person (JSON)
  leads erase <lead-id>                      Erase the person's data (irreversible)
  leads withdraw <lead-id>                   Record a withdrawal: no more mails, scoring or tracking linkage
                                             (webhooks send one final lead.withdrawn notice)
Retention (admin token)
  retention get <site>                       The site's retention periods (and the defaults)
  retention set <site> [--pending-days N] [--withdrawn-days N] [--event-months N] [--ledger-years N]
                                             Change them; "default" resets one
  retention run [--budget-ms N]              Run the retention work now (the cron does it every 5 minutes)

Options
  --url URL      API base URL     (env LODESTONE_URL, default http://localhost:8787)
  --token T      admin token      (env LODESTONE_ADMIN_TOKEN; for a local URL, .dev.vars)
  --key K        marketing API key (env LODESTONE_API_KEY), for model and webhooks commands
  --json         print the API's JSON answer
  -h, --help     this help

Exit codes: 0 ok, 1 the API refused or could not be reached, 2 wrong usage.`;

class UsageError extends Error {}
class ApiError extends Error {}

const OPTIONS = /** @type {const} */ ({
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
  name: { type: 'string' },
  origin: { type: 'string', multiple: true },
  scope: { type: 'string', multiple: true },
  limit: { type: 'string' },
  follow: { type: 'boolean', default: false },
  interval: { type: 'string' },
  key: { type: 'string' },
  stage: { type: 'string' },
  temperature: { type: 'string' },
  'min-score': { type: 'string' },
  q: { type: 'string' },
  sort: { type: 'string' },
  magnet: { type: 'string' },
  'updated-since': { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  'budget-ms': { type: 'string' },
  config: { type: 'string' },
  status: { type: 'string' },
  email: { type: 'string' },
  'pending-days': { type: 'string' },
  'withdrawn-days': { type: 'string' },
  'event-months': { type: 'string' },
  'ledger-years': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  event: { type: 'string', multiple: true },
  description: { type: 'string' },
  dead: { type: 'boolean', default: false },
});

/** @param {string} url */
const isLocal = (url) => /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(url);

/**
 * The admin token: flag, env, or local dev's .dev.vars.
 * @param {string} url @param {string | undefined} flag
 */
function resolveToken(url, flag) {
  if (flag) return flag;
  if (process.env.LODESTONE_ADMIN_TOKEN) return process.env.LODESTONE_ADMIN_TOKEN;
  const file = join(process.cwd(), '.dev.vars');
  if (isLocal(url) && existsSync(file)) {
    const found = /^ADMIN_TOKEN\s*=\s*"?([^"\n]+)"?/m.exec(readFileSync(file, 'utf8'));
    if (found?.[1]) return found[1].trim();
  }
  throw new UsageError('No admin token: pass --token or set LODESTONE_ADMIN_TOKEN (local dev keeps it in .dev.vars).');
}

/** @typedef {(method: string, path: string, body?: unknown) => Promise<any>} Api */

/**
 * A JSON client for one credential (admin token or marketing API key).
 * @param {string} url @param {string} token @returns {Api}
 */
function client(url, token) {
  return async (method, path, body) => {
    let res;
    try {
      // Bytes (a magnet's file) go as they are; everything else as JSON.
      const raw = body instanceof Uint8Array;
      res = await fetch(new URL(path, url), {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': raw ? 'application/octet-stream' : 'application/json' }) },
        body: body === undefined ? undefined : raw ? /** @type {Uint8Array<ArrayBuffer>} */ (body) : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(`Cannot reach ${url}: ${/** @type {Error} */ (err).cause ?? err}. Is the server running (npm run dev)?`);
    }
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new ApiError(`${method} ${path}: ${res.status} with a non-JSON answer`);
    }
    if (!res.ok) {
      const where = json.errors?.length ? ` (${json.errors.map((/** @type {{path: string, message: string}} */ e) => `${e.path}: ${e.message}`).join('; ')})` : '';
      throw new ApiError(`${json.title ?? 'Error'} (${res.status}): ${json.detail ?? text}${where}`);
    }
    return json;
  };
}

/** @param {unknown[][]} rows */
function table(rows) {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => String(c ?? '').padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

const iso = (/** @type {number | null | undefined} */ ms) => (ms ? new Date(ms).toISOString().replace('.000Z', 'Z') : '');

/**
 * The first `n` positional arguments, or a usage error.
 * @param {string[]} args @param {number} n @param {string} usage @returns {string[] & [string, string]}
 */
function need(args, n, usage) {
  if (args.length < n) throw new UsageError(`Usage: lodestone ${usage}`);
  return /** @type {string[] & [string, string]} */ (args);
}

/**
 * @typedef {object} Ctx
 * @property {Api} api        admin API (admin token)
 * @property {() => Api} keyed  marketing API (API key), resolved on use
 * @property {(json: unknown, human: () => string) => void} out
 * @property {string[]} args
 * @property {{ json?: boolean, name?: string, origin?: string[], scope?: string[], limit?: string, follow?: boolean, interval?: string, config?: string, status?: string, email?: string, out?: string, 'budget-ms'?: string, 'pending-days'?: string, 'withdrawn-days'?: string, 'event-months'?: string, 'ledger-years'?: string, event?: string[], description?: string, dead?: boolean, format?: string, url?: string, key?: string, stage?: string, temperature?: string, 'min-score'?: string, q?: string, sort?: string, magnet?: string, 'updated-since'?: string }} values
 * @property {(line: string) => void} print
 */

const enc = encodeURIComponent;

/**
 * The lead list's query string from CLI options.
 * @param {Ctx['values']} values
 */
function leadQuery(values) {
  const q = new URLSearchParams();
  const map = /** @type {const} */ ([['stage', 'stage'], ['temperature', 'temperature'], ['min-score', 'min_score'], ['q', 'q'],
    ['sort', 'sort'], ['magnet', 'magnet'], ['updated-since', 'updated_since'], ['limit', 'limit']]);
  for (const [option, param] of map) {
    const value = /** @type {Record<string, unknown>} */ (values)[option];
    if (typeof value === 'string' && value) q.set(param, value);
  }
  return q.toString();
}

/**
 * Command table: "group action" → handler. Later features add rows here.
 * @type {Record<string, (ctx: Ctx) => Promise<void>>}
 */
const COMMANDS = {
  'sites list': async ({ api, out }) => {
    const res = await api('GET', '/admin/sites');
    out(res, () => table([['ID', 'NAME', 'ORIGINS'], ...res.sites.map((/** @type {any} */ s) => [s.id, s.name, s.origins.join(' ')])]));
  },
  'sites create': async ({ api, out, args, values }) => {
    const [id] = need(args, 1, 'sites create <id> [--name N] [--origin O]…');
    const res = await api('POST', '/admin/sites', { id, name: values.name, origins: values.origin ?? [] });
    out(res, () => `Created site ${res.site.id} (${res.site.origins.length} origin(s)).`);
  },
  'sites show': async ({ api, out, args }) => {
    const [id] = need(args, 1, 'sites show <id>');
    const res = await api('GET', `/admin/sites/${enc(id)}`);
    out(res, () => `${res.site.id}  ${res.site.name}\ncreated ${iso(res.site.createdAt)}\norigins:\n${res.site.origins.map((/** @type {string} */ o) => `  ${o}`).join('\n') || '  (none)'}`);
  },
  'origins add': async ({ api, out, args }) => {
    const [site, origin] = need(args, 2, 'origins add <site> <origin>');
    const res = await api('POST', `/admin/sites/${enc(site)}/origins`, { origin });
    out(res, () => (res.added ? `Allowed ${origin} for ${site}.` : `${origin} was already allowed for ${site}.`));
  },
  'origins remove': async ({ api, out, args }) => {
    const [site, origin] = need(args, 2, 'origins remove <site> <origin>');
    const res = await api('DELETE', `/admin/sites/${enc(site)}/origins?origin=${enc(origin)}`);
    out(res, () => `Removed ${origin} from ${site}.`);
  },
  'keys create': async ({ api, out, args, values }) => {
    const [site] = need(args, 1, 'keys create <site> --name N [--scope S]…');
    if (!values.name) throw new UsageError('keys create needs --name');
    const res = await api('POST', `/admin/sites/${enc(site)}/keys`, { name: values.name, scopes: values.scope });
    out(res, () => `Created key ${res.key.id} (${res.key.scopes.join(', ')}) for ${site}.\nSecret (shown once, store it now):\n${res.secret}`);
  },
  'keys list': async ({ api, out, args }) => {
    const [site] = need(args, 1, 'keys list <site>');
    const res = await api('GET', `/admin/sites/${enc(site)}/keys`);
    out(res, () => table([['ID', 'NAME', 'SCOPES', 'CREATED', 'STATUS'],
      ...res.keys.map((/** @type {any} */ k) => [k.id, k.name, k.scopes.join(','), iso(k.createdAt), k.revokedAt ? `revoked ${iso(k.revokedAt)}` : 'live'])]));
  },
  'keys revoke': async ({ api, out, args }) => {
    const [site, id] = need(args, 2, 'keys revoke <site> <key-id>');
    const res = await api('DELETE', `/admin/sites/${enc(site)}/keys/${enc(id)}`);
    out(res, () => `Revoked key ${id}.`);
  },
  'model get': async ({ keyed, values, print }) => {
    const res = await keyed()('GET', '/v1/scoring-model');
    const text = JSON.stringify(res.model, null, 2);
    if (values.out) {
      writeFileSync(values.out, `${text}\n`);
      print(`Wrote model version ${res.version}${res.builtIn ? ' (built-in default)' : ''} to ${values.out}.`);
    } else print(values.json ? JSON.stringify(res, null, 2) : text);
  },
  'model set': async ({ keyed, out, args }) => {
    const [file] = need(args, 1, 'model set FILE');
    let model;
    try {
      model = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new UsageError(`Cannot read ${file} as JSON: ${/** @type {Error} */ (err).message}`);
    }
    const res = await keyed()('PUT', '/v1/scoring-model', model);
    out(res, () => `Saved scoring model version ${res.version}; rescoring of all leads started.`);
  },
  rescore: async ({ api, out, values }) => {
    const res = await api('POST', `/admin/rescore?budget_ms=${enc(values['budget-ms'] ?? '20000')}`);
    out(res, () => `Rescored ${res.processed} lead(s); ${res.open.length ? `${res.open.length} job(s) still open (run again or wait for the cron)` : 'no job open'}.`);
  },
  events: async ({ api, args, values, print }) => {
    const [site] = need(args, 1, 'events <site> [--limit N] [--follow]');
    const limit = Number(values.limit ?? 20);
    const line = (/** @type {any} */ e) => values.json ? JSON.stringify(e)
      : [iso(e.received_at), e.kind.padEnd(12), e.path, e.target ?? e.name ?? e.magnet_id ?? (e.engaged_ms != null ? `${e.engaged_ms} ms` : ''),
        e.visitor_id ? `vid=${e.visitor_id}` : 'anonymous', e.country ?? ''].filter(Boolean).join('  ');
    const first = await api('GET', `/admin/sites/${enc(site)}/events?limit=${limit}`);
    for (const e of [...first.events].reverse()) print(line(e));
    if (!values.follow) return;
    let since = first.events[0]?.received_at ?? Date.now() - 1;
    const interval = Number(values.interval ?? 1000);
    for (;;) {
      await new Promise((r) => setTimeout(r, interval));
      const next = await api('GET', `/admin/sites/${enc(site)}/events?limit=500&since=${since}`);
      for (const e of [...next.events].reverse()) print(line(e));
      if (next.events.length) since = next.events[0].received_at;
    }
  },
  'magnets list': async ({ api, out, args }) => {
    const [site] = need(args, 1, 'magnets list <site>');
    const res = await api('GET', `/admin/sites/${enc(site)}/magnets`);
    out(res, () => table([['ID', 'LANG', 'TITLE', 'CONSENT', 'FILE'],
      ...res.magnets.map((/** @type {any} */ m) => [m.id, m.lang, m.title, m.consent.version, m.file ? `${m.file.name} (${m.file.size} B)` : '(none: upload one)'])]));
  },
  'magnets show': async ({ api, out, args }) => {
    const [site, id] = need(args, 2, 'magnets show <site> <magnet>');
    const res = await api('GET', `/admin/sites/${enc(site)}/magnets/${enc(id)}`);
    const m = res.magnet;
    out(res, () => [`${m.id}  ${m.title}  (${m.lang})`, m.description,
      `fields: ${m.fields.map((/** @type {any} */ f) => `${f.name}${f.required ? '*' : ''}`).join(', ') || '(e-mail only)'}`,
      `consent ${m.consent.version}: ${m.consent.text}`,
      m.marketing ? `marketing ${m.marketing.version}: ${m.marketing.text}` : `marketing: ${m.coupled ? 'coupled to the download (stated)' : 'not asked'}`,
      `privacy: ${m.privacyUrl}`,
      `file: ${m.file ? `${m.file.name} ${m.file.type} ${m.file.size} B sha256 ${m.file.sha256}` : '(none)'}`].join('\n'));
  },
  'magnets put': async ({ api, out, args, values }) => {
    const [site, id] = need(args, 2, 'magnets put <site> <magnet> --config file.json');
    if (!values.config) throw new UsageError('magnets put needs --config file.json');
    let config;
    try {
      config = JSON.parse(readFileSync(values.config, 'utf8'));
    } catch (err) {
      throw new UsageError(`Cannot read ${values.config}: ${/** @type {Error} */ (err).message}`);
    }
    const res = await api('PUT', `/admin/sites/${enc(site)}/magnets/${enc(id)}`, config);
    out(res, () => `Saved magnet ${res.magnet.id} (consent ${res.magnet.consent.version}).${res.magnet.file ? '' : ' Upload its file next: lodestone magnets upload.'}`);
  },
  'magnets upload': async ({ api, out, args }) => {
    const [site, id, file = ''] = need(args, 3, 'magnets upload <site> <magnet> <file>');
    let bytes;
    try {
      bytes = new Uint8Array(readFileSync(file));
    } catch (err) {
      throw new UsageError(`Cannot read ${file}: ${/** @type {Error} */ (err).message}`);
    }
    const res = await api('PUT', `/admin/sites/${enc(site)}/magnets/${enc(id)}/file?name=${enc(basename(file))}`, bytes);
    out(res, () => `Uploaded ${res.magnet.file.name} (${res.magnet.file.size} B) to ${site}/${id}.`);
  },
  'magnets delete': async ({ api, out, args }) => {
    const [site, id] = need(args, 2, 'magnets delete <site> <magnet>');
    const res = await api('DELETE', `/admin/sites/${enc(site)}/magnets/${enc(id)}`);
    out(res, () => `Deleted magnet ${id}.`);
  },
  'leads list': async ({ api, keyed, out, args, values }) => {
    if (!args.length) {
      // Marketing API: the key's site, best current score first.
      const res = await keyed()('GET', `/v1/leads?${leadQuery(values)}`);
      out(res, () => table([['ID', 'EMAIL', 'STAGE', 'SCORE', 'FIT', 'ENGAGEMENT', 'TEMP', 'COMPANY', 'UPDATED'],
        ...res.leads.map((/** @type {any} */ l) => [l.id, l.email, l.stage, l.score.toFixed(0), l.fit.toFixed(0), l.engagement.toFixed(1),
          l.temperature, l.company, l.updatedAt.replace('.000Z', 'Z')])]) + (res.next ? '\n(more: raise --limit, or use leads export)' : ''));
      return;
    }
    const [site] = need(args, 1, 'leads list <site> [--status S] [--email E] [--limit N]');
    const q = new URLSearchParams();
    if (values.status) q.set('status', values.status);
    if (values.email) q.set('email', values.email);
    if (values.limit) q.set('limit', values.limit);
    const res = await api('GET', `/admin/sites/${enc(site)}/leads?${q}`);
    out(res, () => table([['ID', 'EMAIL', 'STATUS', 'COMPANY', 'ROLE', 'SIZE', 'UPDATED'],
      ...res.leads.map((/** @type {any} */ l) => [l.id, l.email, l.status, l.company, l.role, l.companySize, iso(l.updatedAt)])]));
  },
  'leads show': async ({ api, keyed, out, args }) => {
    if (args.length === 1) {
      const res = await keyed()('GET', `/v1/leads/${enc(args[0] ?? '')}`);
      const l = res.lead;
      const sc = res.score;
      out(res, () => [`${l.id}  ${l.email}  ${l.status}`,
        [l.firstName, l.role, l.company, l.companySize, l.industry, l.country].filter(Boolean).join(' · '),
        sc ? `stage ${sc.stage}  score ${sc.score.toFixed(1)} (fit ${sc.fit}, engagement ${sc.engagement.toFixed(1)})  ${sc.temperature}` : 'not scored yet',
        ...(sc ? ['why:', ...sc.explanation.lines.map((/** @type {any} */ x) => `  ${x.points >= 0 ? '+' : ''}${x.points.toFixed(1).padStart(8)}  ${x.label ?? x.id}${x.count > 1 ? ` ×${x.count}` : ''}${x.capped ? ' (capped)' : ''}`)] : []),
        'stages:', ...res.stageHistory.map((/** @type {any} */ h) => `  ${iso(h.at)}  ${h.from} → ${h.to}`),
        'consents:', ...res.consents.map((/** @type {any} */ e) => `  ${iso(e.createdAt)}  ${e.action} ${e.purpose ?? ''} ${e.textVersion ?? ''}`.trimEnd()),
        `events (${res.events.length}, newest first):`, ...res.events.slice(0, 20).map((/** @type {any} */ e) => `  ${e.at}  ${e.kind.padEnd(15)} ${e.path ?? ''}`)].join('\n'));
      return;
    }
    const [site, id] = need(args, 2, 'leads show <lead-id>  |  leads show <site> <lead-id>');
    const res = await api('GET', `/admin/sites/${enc(site)}/leads/${enc(id)}`);
    const l = res.lead;
    out(res, () => [`${l.id}  ${l.email}  ${l.status}${l.marketing ? '  marketing: yes' : ''}`,
      [l.firstName, l.role, l.company, l.companySize, l.industry].filter(Boolean).join(' · '),
      'consent ledger:',
      ...res.ledger.map((/** @type {any} */ e) => `  ${iso(e.createdAt)}  ${e.action.padEnd(9)} ${(e.purpose ?? '').padEnd(9)} ${e.granted === null ? '' : e.granted ? 'ticked  ' : 'unticked'} ${e.textVersion ?? ''} ${e.magnetId ?? ''}`.trimEnd())].join('\n'));
  },
  /** Every page of the lead list, as CSV (one header) or NDJSON, to a file or stdout. */
  'leads export': async ({ keyed, values, print }) => {
    const format = values.format ?? 'csv';
    if (format !== 'csv' && format !== 'ndjson') throw new UsageError('--format must be csv or ndjson');
    const base = leadQuery({ ...values, limit: values.limit ?? '1000' });
    const url = (values.url ?? process.env.LODESTONE_URL ?? 'http://localhost:8787').replace(/\/+$/, '');
    const key = values.key ?? process.env.LODESTONE_API_KEY;
    keyed(); // fails with a usage error when there is no key
    /** @type {string[]} */
    const chunks = [];
    let cursor = '';
    let rows = 0;
    do {
      const res = await fetch(`${url}/v1/leads?${base}&format=${format}${cursor ? `&cursor=${enc(cursor)}` : ''}`, { headers: { authorization: `Bearer ${key}` } });
      const text = await res.text();
      if (!res.ok) throw new ApiError(`${res.status}: ${(() => { try { return JSON.parse(text).detail; } catch { return text; } })()}`);
      const body = format === 'csv' && chunks.length ? text.slice(text.indexOf('\r\n') + 2) : text; // one header row
      chunks.push(body);
      rows += body.split('\n').filter((line) => line.trim()).length - (format === 'csv' && chunks.length === 1 ? 1 : 0);
      cursor = res.headers.get('x-next-cursor') ?? '';
    } while (cursor);
    if (values.out) {
      writeFileSync(values.out, chunks.join(''));
      print(`Exported ${rows} lead(s) to ${values.out}.`);
    } else process.stdout.write(chunks.join(''));
  },
  'leads gdpr-export': async ({ keyed, values, args, print }) => {
    const [id] = need(args, 1, 'leads gdpr-export <lead-id> [--out FILE]');
    const res = await keyed()('GET', `/v1/leads/${enc(id)}/export`);
    const text = JSON.stringify(res, null, 2);
    if (values.out) {
      writeFileSync(values.out, `${text}\n`, { mode: 0o600 });
      print(`Wrote the export of ${id} (${res.events.length} event(s), ${res.consents.ledger.length} ledger entr${res.consents.ledger.length === 1 ? 'y' : 'ies'}) to ${values.out}.`);
    } else print(text);
  },
  'leads erase': async ({ keyed, out, args }) => {
    const [id] = need(args, 1, 'leads erase <lead-id>');
    const res = await keyed()('DELETE', `/v1/leads/${enc(id)}`);
    out(res, () => (res.status === 'already_erased' ? `Lead ${id} was already erased (${iso(res.erasedAt)}).`
      : `Erased lead ${id}: personal data removed, events de-identified, consent ledger pseudonymised (see PRIVACY.md).`));
  },
  'leads withdraw': async ({ keyed, out, args }) => {
    const [id] = need(args, 1, 'leads withdraw <lead-id>');
    const res = await keyed()('POST', `/v1/leads/${enc(id)}/withdraw`);
    out(res, () => `Lead ${id} is withdrawn: no more mails, scoring, hand-offs or tracking linkage.`);
  },
  'retention get': async ({ api, out, args }) => {
    const [site] = need(args, 1, 'retention get <site>');
    const res = await api('GET', `/admin/sites/${enc(site)}/retention`);
    out(res, () => retentionText(res));
  },
  'retention set': async ({ api, out, args, values }) => {
    const [site] = need(args, 1, 'retention set <site> [--pending-days N] [--withdrawn-days N] [--event-months N] [--ledger-years N]');
    /** @type {Record<string, number | null>} */
    const body = {};
    for (const [flag, field] of /** @type {const} */ ([['pending-days', 'pendingDays'], ['withdrawn-days', 'withdrawnDays'],
      ['event-months', 'eventMonths'], ['ledger-years', 'ledgerYears']])) {
      const raw = values[flag];
      if (raw === undefined) continue;
      const n = Number(raw);
      if (raw !== 'default' && !Number.isInteger(n)) throw new UsageError(`--${flag} takes a whole number or "default"`);
      body[field] = raw === 'default' ? null : n;
    }
    if (!Object.keys(body).length) throw new UsageError('retention set needs at least one of --pending-days, --withdrawn-days, --event-months, --ledger-years');
    const res = await api('PUT', `/admin/sites/${enc(site)}/retention`, body);
    out(res, () => retentionText(res));
  },
  'retention run': async ({ api, out, values }) => {
    const res = await api('POST', `/admin/retention/run?budget_ms=${enc(values['budget-ms'] ?? '15000')}`);
    const r = res.report;
    out(res, () => `Retention over ${r.sites} site(s): ${r.pendingErased} pending and ${r.withdrawnErased} withdrawn lead(s) erased, `
      + `${r.eventsDeleted} event(s), ${r.tokensDeleted} token(s) and ${r.ledgerDeleted} ledger row(s) deleted`
      + `${r.more ? '; more to do (run again or wait for the cron)' : ''}.`);
  },
  'webhooks add': async ({ keyed, out, args, values }) => {
    const [url] = need(args, 1, 'webhooks add <url> [--event E]… [--description D]');
    const res = await keyed()('POST', '/v1/webhooks', { url, events: values.event, description: values.description });
    out(res, () => `Created endpoint ${res.endpoint.id} → ${res.endpoint.url} (${res.endpoint.events.join(', ')}).\nSigning secret (shown once, store it now):\n${res.secret}`);
  },
  'webhooks list': async ({ keyed, out }) => {
    const res = await keyed()('GET', '/v1/webhooks');
    out(res, () => table([['ID', 'URL', 'EVENTS', 'STATUS', 'CREATED'],
      ...res.endpoints.map((/** @type {any} */ e) => [e.id, e.url, e.events.join(','), e.enabled ? 'enabled' : 'disabled', iso(e.createdAt)])]));
  },
  'webhooks remove': async ({ keyed, out, args }) => {
    const [id] = need(args, 1, 'webhooks remove <endpoint-id>');
    const res = await keyed()('DELETE', `/v1/webhooks/${enc(id)}`);
    out(res, () => `Removed endpoint ${id} and its deliveries.`);
  },
  'webhooks deliveries': async ({ keyed, out, values }) => {
    const q = new URLSearchParams();
    const status = values.dead ? 'dead' : values.status;
    if (status) q.set('status', status);
    if (values.limit) q.set('limit', values.limit);
    const res = await keyed()('GET', `/v1/webhooks/deliveries?${q}`);
    out(res, () => table([['ID', 'TYPE', 'CHANGE', 'LEAD', 'STATUS', 'TRIES', 'LAST', 'NEXT', 'CREATED'],
      ...res.deliveries.map((/** @type {any} */ d) => [d.id, d.type, `${d.change.from}>${d.change.to}`, d.leadId, d.status, d.attempts,
        d.lastStatus ?? (d.lastError ? 'error' : ''), iso(d.nextAttemptAt), iso(d.createdAt)])]));
  },
  'webhooks show': async ({ keyed, out, args }) => {
    const [id] = need(args, 1, 'webhooks show <delivery-id>');
    const res = await keyed()('GET', `/v1/webhooks/deliveries/${enc(id)}`);
    const d = res.delivery;
    out(res, () => [`${d.id}  ${d.type}  ${d.change.from} → ${d.change.to}  lead ${d.leadId}  endpoint ${d.endpointId}`,
      `status ${d.status}, ${d.attempts} attempt(s)${d.nextAttemptAt ? `, next ${iso(d.nextAttemptAt)}` : ''}${d.deliveredAt ? `, delivered ${iso(d.deliveredAt)}` : ''}`,
      'attempts:',
      ...res.attempts.map((/** @type {any} */ a) => `  #${a.attempt}  ${iso(a.at)}  ${String(a.via).padEnd(9)} ${String(a.statusCode ?? '---')}  ${String(a.durationMs).padStart(5)} ms  ${a.outcome}${a.error ? `  ${a.error}` : ''}`),
    ].join('\n'));
  },
  'webhooks replay': async ({ keyed, out, args }) => {
    const [id] = need(args, 1, 'webhooks replay <delivery-id>');
    const res = await keyed()('POST', `/v1/webhooks/deliveries/${enc(id)}/replay`);
    out(res, () => `Replaying ${id}: sent now, retried for up to 72 h if it fails (lodestone webhooks show ${id}).`);
  },
};

/** The human view of a site's retention answer. */
function retentionText(/** @type {any} */ res) {
  const r = res.retention;
  const mark = (/** @type {string} */ k) => (res.overrides[k] === null ? ' (default)' : '');
  return [`retention of ${res.site}:`,
    `  pending (unconfirmed) leads   ${r.pendingDays} days${mark('pendingDays')}`,
    `  withdrawn leads               ${r.withdrawnDays} days after withdrawal${mark('withdrawnDays')}`,
    `  events of non-lead visitors   ${r.eventMonths} months${mark('eventMonths')}`,
    `  ledger of erased leads        ${r.ledgerYears} years after erasure${mark('ledgerYears')}`].join('\n');
}

/**
 * Runs one command. Exported so tests can call it in-process as well.
 * @param {string[]} [argv] @param {(line: string) => void} [print]
 */
export async function main(argv = process.argv.slice(2), print = (s) => console.log(s)) {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help || positionals.length === 0) {
    print(HELP);
    return;
  }
  const [group = '', action, ...rest] = positionals;
  const key = group in COMMANDS ? group : `${group} ${action}`;
  const handler = COMMANDS[key];
  if (!handler) throw new UsageError(`Unknown command "${positionals.slice(0, 2).join(' ')}". Run lodestone --help.`);
  const args = group in COMMANDS ? positionals.slice(1) : rest;
  const url = (values.url ?? process.env.LODESTONE_URL ?? 'http://localhost:8787').replace(/\/+$/, '');
  // Credentials are resolved on first use: model commands need no admin token.
  let adminApi;
  /** @type {Api} */
  const api = (...a) => (adminApi ??= client(url, resolveToken(url, values.token)))(...a);
  const keyed = () => {
    const key = values.key ?? process.env.LODESTONE_API_KEY;
    if (!key) throw new UsageError('No API key: pass --key or set LODESTONE_API_KEY (npm run dev prints one).');
    return client(url, key);
  };
  /** @type {Ctx['out']} */
  const out = (json, human) => print(values.json ? JSON.stringify(json, null, 2) : human());
  await handler({ api, keyed, out, args, values, print });
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '');
if (invokedDirectly || process.argv[1]?.endsWith('/lodestone')) {
  main().catch((/** @type {any} */ err) => {
    const usage = err instanceof UsageError || err?.code?.startsWith?.('ERR_PARSE_ARGS');
    console.error(`lodestone: ${err.message}`);
    process.exit(usage ? 2 : 1);
  });
}
