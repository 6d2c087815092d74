#!/usr/bin/env node
// @ts-check
/**
 * lodestone: the admin CLI over the admin API, for local dev and deployed Workers.
 *
 * Plain ESM JavaScript (type-checked by tsc) so it runs on any Node >= 20
 * without a build step, including `npx lodestone` outside npm scripts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

Options
  --url URL      API base URL     (env LODESTONE_URL, default http://localhost:8787)
  --token T      admin token      (env LODESTONE_ADMIN_TOKEN; for a local URL, .dev.vars)
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
  help: { type: 'boolean', short: 'h', default: false },
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

/** @param {string} url @param {string} token @returns {Api} */
function client(url, token) {
  return async (method, path, body) => {
    let res;
    try {
      res = await fetch(new URL(path, url), {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
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
 * @property {Api} api
 * @property {(json: unknown, human: () => string) => void} out
 * @property {string[]} args
 * @property {{ json?: boolean, name?: string, origin?: string[], scope?: string[], limit?: string, follow?: boolean, interval?: string }} values
 * @property {(line: string) => void} print
 */

const enc = encodeURIComponent;

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
};

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
  const api = client(url, resolveToken(url, values.token));
  /** @type {Ctx['out']} */
  const out = (json, human) => print(values.json ? JSON.stringify(json, null, 2) : human());
  await handler({ api, out, args, values, print });
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '');
if (invokedDirectly || process.argv[1]?.endsWith('/lodestone')) {
  main().catch((/** @type {any} */ err) => {
    const usage = err instanceof UsageError || err?.code?.startsWith?.('ERR_PARSE_ARGS');
    console.error(`lodestone: ${err.message}`);
    process.exit(usage ? 2 : 1);
  });
}
