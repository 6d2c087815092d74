#!/usr/bin/env node
// @ts-check
// Over 300 lines: one file so `npx lodestone` needs no build; splitting it into command modules is still to do.
/**
 * lodestone: the admin CLI over the admin API, for local dev and deployed Workers.
 *
 * Plain ESM JavaScript (type-checked by tsc) so it runs on any Node >= 20
 * without a build step, including `npx lodestone` outside npm scripts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { COMMAND_HELP, HELP } from './help.mjs';
import { resolveToken, resolveUrl, PACKAGE_ROOT } from './target.mjs';
import { iso, normalizeOrigin, raw, sanitize, table, visible } from './text.mjs';

class UsageError extends Error {}
class ApiError extends Error {
  /** @param {string} message @param {number} [status] the HTTP status, when the server answered */
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

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
  from: { type: 'string' },
  to: { type: 'string' },
  yes: { type: 'boolean', short: 'y', default: false },
  progress: { type: 'boolean', default: false },
  excel: { type: 'boolean', default: false },
  admin: { type: 'boolean', default: false },
  version: { type: 'boolean', default: false },
});

/** @typedef {(method: string, path: string, body?: unknown) => Promise<any>} Api */
/** @typedef {(path: string) => Promise<{ text: string, headers: Headers }>} TextApi */
/** @typedef {Api & { text: TextApi }} Client */
/**
 * What the CLI needs from its surroundings (tests pass their own).
 * @typedef {object} Io
 * @property {(line: string) => void} err      one line to stderr
 * @property {boolean} stdinTTY
 * @property {boolean} stderrTTY
 * @property {boolean} stdoutTTY
 * @property {(data: string) => void} write   raw data to stdout
 * @property {(question: string) => Promise<string>} ask   one answer from the terminal
 * @property {NodeJS.ProcessEnv} env
 * @property {string} cwd
 * @property {(ms: number) => Promise<void>} sleep
 */

/** The server did not answer at all (as opposed to answering with an error). */
class Unreachable extends ApiError {}

/** How to point the CLI elsewhere, for "cannot reach" messages. */
const WHERE_HINT = 'Start it with npm run dev, or point the CLI at a server with --url or LODESTONE_URL.';

/**
 * One problem+json answer as one line: title, status, detail and any field
 * errors the detail does not already name.
 * @param {number} status @param {string} text
 */
function problemMessage(status, text) {
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    return `${status} with a non-JSON answer`;
  }
  const p = sanitize(json);
  const detail = typeof p.detail === 'string' && p.detail ? p.detail : visible(text);
  const extra = (Array.isArray(p.errors) ? p.errors : [])
    .map((/** @type {{path: string, message: string}} */ e) => `${e.path} ${e.message}`)
    .filter((/** @type {string} */ e) => !detail.includes(e));
  return `${p.title ?? 'Error'} (${status}): ${detail}${extra.length ? ` (also: ${extra.join('; ')})` : ''}`;
}

/**
 * One request with one credential; errors become ApiError with the problem detail.
 * @param {{ url: string, from: string }} target @param {string} token @param {string} method @param {string} path @param {unknown} [body]
 */
async function request(target, token, method, path, body) {
  const { url } = target;
  let res;
  try {
    // Bytes (a magnet's file) go as they are; everything else as JSON.
    const bytes = body instanceof Uint8Array;
    res = await fetch(new URL(path, `${url}/`), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': bytes ? 'application/octet-stream' : 'application/json' }) },
      body: body === undefined ? undefined : bytes ? /** @type {Uint8Array<ArrayBuffer>} */ (body) : JSON.stringify(body),
    });
  } catch (err) {
    const cause = /** @type {any} */ (err).cause;
    throw new Unreachable(`Cannot reach ${url} (${cause?.code ?? cause?.message ?? err}; URL from ${target.from}). ${WHERE_HINT}`);
  }
  // Keep a byte-order mark: Excel's CSV dialect starts with one on purpose.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  if (!res.ok) throw new ApiError(problemMessage(res.status, text), res.status);
  return { text, headers: res.headers };
}

/**
 * A JSON client for one credential (admin token or marketing API key). Answers
 * come back sanitized for the terminal; `raw()` gives the API's own JSON.
 * @param {{ url: string, from: string }} target @param {string} token @returns {Client}
 */
function client(target, token) {
  /** @type {Api} */
  const json = async (method, path, body) => {
    const { text } = await request(target, token, method, path, body);
    try {
      return sanitize(text ? JSON.parse(text.replace(/^\ufeff/, '')) : {});
    } catch {
      throw new ApiError(`${method} ${path}: a non-JSON answer`);
    }
  };
  return Object.assign(json, { text: (/** @type {string} */ path) => request(target, token, 'GET', path) });
}

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
 * @property {Client} api        admin API (admin token)
 * @property {() => Client} keyed  marketing API (API key), resolved on use
 * @property {Io} io
 * @property {boolean} progress  report progress on stderr
 * @property {(json: unknown, human: () => string) => void} out
 * @property {string[]} args
 * @property {{ json?: boolean, name?: string, origin?: string[], scope?: string[], limit?: string, follow?: boolean, interval?: string, config?: string, status?: string, email?: string, out?: string, 'budget-ms'?: string, 'pending-days'?: string, 'withdrawn-days'?: string, 'event-months'?: string, 'ledger-years'?: string, event?: string[], description?: string, dead?: boolean, format?: string, url?: string, key?: string, stage?: string, temperature?: string, 'min-score'?: string, q?: string, sort?: string, magnet?: string, 'updated-since'?: string, from?: string, to?: string, yes?: boolean, progress?: boolean, excel?: boolean, admin?: boolean }} values
 * @property {(line: string) => void} print
 */

const enc = encodeURIComponent;

/** A normalised origin, or a usage error before anything is sent. @param {string} input */
function origin(input) {
  const r = normalizeOrigin(input);
  if ('error' in r) throw new UsageError(r.error);
  return r.origin;
}

/**
 * One consent ledger entry in words: an unticked box is a refusal, not a consent.
 * @param {{ action: string, purpose?: string | null, granted?: boolean | null, coupled?: boolean | null, textVersion?: string | null }} e
 */
function consentLine(e) {
  const purpose = e.purpose ?? '';
  const what = e.action === 'given' && e.granted === false ? `declined ${purpose} (box left unticked)`
    : `${e.action} ${purpose}${e.coupled ? ' (coupled)' : ''}`;
  return `${what}${e.textVersion ? ` ${e.textVersion}` : ''}`.replace(/\s+/g, ' ').trim();
}

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
 * @type {Record<string, (ctx: Ctx) => Promise<void | number>>}
 */
const COMMANDS = {
  'sites list': async ({ api, out }) => {
    const res = await api('GET', '/admin/sites');
    out(res, () => table([['ID', 'NAME', 'ORIGINS'], ...res.sites.map((/** @type {any} */ s) => [s.id, s.name, s.origins.join(' ')])]));
  },
  'sites create': async ({ api, out, args, values }) => {
    const [id] = need(args, 1, 'sites create <id> [--name N] [--origin O]…');
    const res = await api('POST', '/admin/sites', { id, name: values.name, origins: (values.origin ?? []).map(origin) });
    out(res, () => `Created site ${res.site.id} (${res.site.origins.length} origin(s)).`);
  },
  'sites show': async ({ api, out, args }) => {
    const [id] = need(args, 1, 'sites show <id>');
    const res = await api('GET', `/admin/sites/${enc(id)}`);
    out(res, () => `${res.site.id}  ${res.site.name}\ncreated ${iso(res.site.createdAt)}\norigins:\n${res.site.origins.map((/** @type {string} */ o) => `  ${o}`).join('\n') || '  (none)'}`);
  },
  'origins add': async ({ api, out, args }) => {
    const [site, given] = need(args, 2, 'origins add <site> <origin>');
    const o = origin(given);
    const res = await api('POST', `/admin/sites/${enc(site)}/origins`, { origin: o });
    out(res, () => (res.added ? `Allowed ${o} for ${site}.` : `${o} was already allowed for ${site}.`));
  },
  'origins remove': async ({ api, out, args }) => {
    const [site, given] = need(args, 2, 'origins remove <site> <origin>');
    const o = origin(given);
    const res = await api('DELETE', `/admin/sites/${enc(site)}/origins?origin=${enc(o)}`);
    out(res, () => `Removed ${o} from ${site}.`);
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
    const text = JSON.stringify(raw(res).model, null, 2);
    if (values.out) {
      writeFileSync(values.out, `${text}\n`);
      print(`Wrote model version ${res.version}${res.builtIn ? ' (built-in default)' : ''} to ${values.out}.`);
    } else print(values.json ? JSON.stringify(raw(res), null, 2) : text);
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
  /** Passes until no job is open (or a pass makes no headway), with progress on stderr. */
  rescore: async ({ api, out, values, io, progress }) => {
    let processed = 0;
    let res;
    for (let pass = 1; ; pass++) {
      res = await api('POST', `/admin/rescore?budget_ms=${enc(values['budget-ms'] ?? '20000')}`);
      processed += res.processed;
      if (progress) io.err(`lodestone: pass ${pass}: ${processed} lead(s) rescored, ${res.open.length} job(s) open`);
      if (!res.open.length || !res.processed) break;
    }
    const total = processed;
    out(res, () => `Rescored ${total} lead(s); ${res.open.length ? `${res.open.length} job(s) still open (run again or wait for the cron)` : 'no job open'}.`);
  },
  funnel: async ({ keyed, out, values }) => {
    const q = new URLSearchParams();
    if (values.from) q.set('from', values.from);
    if (values.to) q.set('to', values.to);
    const res = await keyed()('GET', `/v1/reports/funnel?${q}`);
    const pct = (/** @type {number | null} */ x) => (x === null ? '' : `${(x * 100).toFixed(1)}%`);
    out(res, () => `Funnel ${res.from} → ${res.to}\n${table([['STEP', 'COUNT', 'CONVERSION', 'LOST'],
      ...res.steps.map((/** @type {any} */ st) => [st.step, st.count, pct(st.conversion), st.lost ?? ''])])}\n`
      + `anonymous pageviews (no visitor id): ${res.anonymousPageviews}`);
  },
  doctor: async ({ api, out, values, print }) => {
    // Local checks first (reachable, token accepted): each failure says what to do.
    let health;
    try {
      health = await api('GET', '/admin/health');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw new ApiError(`The server is up but refused the admin token: ${err.message}`, 401);
      if (err instanceof ApiError && err.status === 404) throw new ApiError(`The server is up but has no health report (GET /admin/health); is it older than this CLI? ${err.message}`, 404);
      throw err;
    }
    if (values.json) {
      out(health, () => '');
      return health.status === 'ok' ? 0 : 1;
    }
    const mark = (/** @type {boolean} */ ok) => (ok ? 'ok  ' : 'FAIL');
    const m = health.mail ?? {};
    const w = health.webhooks ?? {};
    const lines = [`server reachable      ok`, `admin token accepted  ok`,
      ...(health.checks ?? []).map((/** @type {any} */ c) => `${String(c.name).padEnd(21)} ${mark(c.ok)}${c.detail ? `  ${c.detail}` : ''}`),
      `mail                  ${m.dead || m.stuck ? 'FAIL' : 'ok  '}  ${m.dead ?? 0} dead, ${m.stuck ?? 0} stuck${m.lastError ? `; last error ${iso(m.lastErrorAt)}: ${m.lastError}` : ''}`,
      ...(m.deadIds?.length ? [`  dead mails (newest first): ${m.deadIds.join(' ')}${m.dead > m.deadIds.length ? ` … and ${m.dead - m.deadIds.length} more` : ''}`] : []),
      `webhooks              ${w.dead || w.stuck ? 'FAIL' : 'ok  '}  ${w.dead ?? 0} dead, ${w.stuck ?? 0} stuck`,
      ...(health.magnets?.length ? ['magnets with problems:', ...health.magnets.map((/** @type {any} */ x) => `  ${x.site}/${x.magnet}: ${x.problem}`)] : []),
      // The server requeues dead mails only; stuck ones are the cron's (or the mail config's) to fix.
      health.status === 'ok' ? 'status: ok' : `status: ${health.status}${m.dead ? ' (retry dead mails: lodestone mail retry)' : ''}`];
    print(lines.join('\n'));
    return health.status === 'ok' ? 0 : 1;
  },
  'mail retry': async ({ api, out, args }) => {
    const res = await api('POST', '/admin/mail/retry', args.length ? { ids: args } : {});
    out(res, () => `Requeued ${res.requeued} mail(s).`);
  },
  events: async ({ api, args, values, print, io }) => {
    const [site] = need(args, 1, 'events <site> [--limit N] [--follow]');
    const limit = Number(values.limit ?? 20);
    const line = (/** @type {any} */ e, /** @type {any} */ r) => values.json ? JSON.stringify(r)
      : [iso(e.received_at), e.kind.padEnd(12), e.path, e.target ?? e.name ?? e.magnet_id ?? (e.engaged_ms != null ? `${e.engaged_ms} ms` : ''),
        e.visitor_id ? `vid=${e.visitor_id}` : 'anonymous', e.country ?? ''].filter(Boolean).join('  ');
    /** Prints a page (newest first from the API) oldest first. @param {any} page */
    const show = (page) => {
      const rawEvents = raw(page).events;
      for (let i = page.events.length - 1; i >= 0; i--) print(line(page.events[i], rawEvents[i]));
    };
    const first = await api('GET', `/admin/sites/${enc(site)}/events?limit=${limit}`);
    show(first);
    if (!values.follow) return;
    // Resume from the newest instant seen; events of that very millisecond are
    // asked for again and the ones already printed are skipped.
    let since = raw(first).events[0]?.received_at ?? Date.now() - 1;
    let seen = new Set(raw(first).events.filter((/** @type {any} */ e) => e.received_at === since).map((/** @type {any} */ e) => e.event_id));
    const interval = Number(values.interval ?? 1000);
    let backoff = 0;
    for (;;) {
      await io.sleep(backoff || interval);
      let next;
      try {
        next = await api('GET', `/admin/sites/${enc(site)}/events?limit=500&since=${since - 1}`);
      } catch (err) {
        if (!(err instanceof Unreachable)) throw err;
        // One notice per outage; the lines resume where they stopped.
        if (!backoff) io.err(`lodestone: ${err.message} Retrying until it is back (Ctrl-C to stop).`);
        backoff = Math.min(backoff ? backoff * 2 : 500, 10_000);
        continue;
      }
      backoff = 0;
      const rawEvents = raw(next).events;
      const fresh = { events: [] };
      const freshRaw = [];
      for (const [i, e] of rawEvents.entries()) {
        if (e.received_at < since || (e.received_at === since && seen.has(e.event_id))) continue;
        fresh.events.push(/** @type {never} */ (next.events[i]));
        freshRaw.push(e);
      }
      for (let i = fresh.events.length - 1; i >= 0; i--) print(line(fresh.events[i], freshRaw[i]));
      if (freshRaw.length) {
        const newest = freshRaw[0].received_at;
        if (newest !== since) seen = new Set();
        since = newest;
        for (const e of freshRaw) if (e.received_at === since) seen.add(e.event_id);
      }
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
    if (!values.admin) {
      if (args.length) throw new UsageError(`leads list takes no site: the API key decides it. For the admin view of a site: lodestone leads list --admin ${visible(args[0] ?? '')}`);
      // Marketing API: the key's site, best current score first.
      const res = await keyed()('GET', `/v1/leads?${leadQuery(values)}`);
      out(res, () => table([['ID', 'EMAIL', 'STAGE', 'SCORE', 'FIT', 'ENGAGEMENT', 'TEMP', 'COMPANY', 'UPDATED'],
        ...res.leads.map((/** @type {any} */ l) => [l.id, l.email, l.stage, l.score.toFixed(0), l.fit.toFixed(0), l.engagement.toFixed(1),
          l.temperature, l.company, l.updatedAt.replace('.000Z', 'Z')])]) + (res.next ? '\n(more: raise --limit, or use leads export)' : ''));
      return;
    }
    const [site] = need(args, 1, 'leads list --admin <site> [--status S] [--email E] [--limit N]');
    const q = new URLSearchParams();
    if (values.status) q.set('status', values.status);
    if (values.email) q.set('email', values.email);
    if (values.limit) q.set('limit', values.limit);
    const res = await api('GET', `/admin/sites/${enc(site)}/leads?${q}`);
    out(res, () => table([['ID', 'EMAIL', 'STATUS', 'COMPANY', 'ROLE', 'SIZE', 'UPDATED'],
      ...res.leads.map((/** @type {any} */ l) => [l.id, l.email, l.status, l.company, l.role, l.companySize, iso(l.updatedAt)])]));
  },
  'leads show': async ({ api, keyed, out, args, values }) => {
    if (!values.admin) {
      if (args.length !== 1) throw new UsageError('Usage: lodestone leads show <lead-id>  (the admin view: leads show --admin <site> <lead-id>)');
      const res = await keyed()('GET', `/v1/leads/${enc(args[0] ?? '')}`);
      const l = res.lead;
      const sc = res.score;
      out(res, () => [`${l.id}  ${l.email}  ${l.status}`,
        [l.firstName, l.role, l.company, l.companySize, l.industry, l.country].filter(Boolean).join(' · '),
        sc ? `stage ${sc.stage}  score ${sc.score.toFixed(1)} (fit ${sc.fit}, engagement ${sc.engagement.toFixed(1)})  ${sc.temperature}` : 'not scored yet',
        ...(sc ? ['why:', ...sc.explanation.lines.map((/** @type {any} */ x) => `  ${x.points >= 0 ? '+' : ''}${x.points.toFixed(1).padStart(8)}  ${x.label ?? x.id}${x.count > 1 ? ` ×${x.count}` : ''}${x.capped ? ' (capped)' : ''}`)] : []),
        'stages:', ...res.stageHistory.map((/** @type {any} */ h) => `  ${iso(h.at)}  ${h.from} → ${h.to}`),
        'consents:', ...res.consents.map((/** @type {any} */ e) => `  ${iso(e.createdAt)}  ${consentLine(e)}`),
        `events (${res.events.length}, newest first):`, ...res.events.slice(0, 20).map((/** @type {any} */ e) => `  ${e.at}  ${e.kind.padEnd(15)} ${e.path ?? ''}`)].join('\n'));
      return;
    }
    const [site, id] = need(args, 2, 'leads show --admin <site> <lead-id>');
    const res = await api('GET', `/admin/sites/${enc(site)}/leads/${enc(id)}`);
    const l = res.lead;
    out(res, () => [`${l.id}  ${l.email}  ${l.status}${l.marketing ? '  marketing: yes' : ''}`,
      [l.firstName, l.role, l.company, l.companySize, l.industry].filter(Boolean).join(' · '),
      'consent ledger:',
      ...res.ledger.map((/** @type {any} */ e) => `  ${iso(e.createdAt)}  ${e.action.padEnd(9)} ${(e.purpose ?? '').padEnd(9)} ${e.granted === null ? '' : e.granted ? 'ticked  ' : 'unticked'} ${e.textVersion ?? ''} ${e.magnetId ?? ''}`.trimEnd())].join('\n'));
  },
  /** Every page of the lead list, as CSV (one header) or NDJSON, to a file or stdout. */
  'leads export': async ({ keyed, values, print, io, progress }) => {
    const format = values.format ?? 'csv';
    if (format !== 'csv' && format !== 'ndjson') throw new UsageError('--format must be csv or ndjson');
    if (values.excel && format !== 'csv') throw new UsageError('--excel only applies to --format csv');
    const base = leadQuery({ ...values, limit: values.limit ?? '1000' });
    const dialect = values.excel ? '&dialect=excel' : '';
    const api = keyed(); // fails with a usage error when there is no key
    /** @type {string[]} */
    const chunks = [];
    let cursor = '';
    let rows = 0;
    let pages = 0;
    do {
      const { text, headers } = await api.text(`/v1/leads?${base}&format=${format}${dialect}${cursor ? `&cursor=${enc(cursor)}` : ''}`);
      // One header row (and one byte-order mark) for the whole file.
      const body = format === 'csv' && chunks.length ? text.slice(text.indexOf('\n') + 1) : text;
      chunks.push(body);
      rows += body.split('\n').filter((line) => line.trim()).length - (format === 'csv' && chunks.length === 1 ? 1 : 0);
      cursor = headers.get('x-next-cursor') ?? '';
      pages++;
      // Progress goes to stderr only: stdout may be the data itself.
      if (progress) io.err(`lodestone: page ${pages}: ${rows} lead(s)${cursor ? ', more to come' : ', done'}`);
    } while (cursor);
    if (values.out) {
      writeFileSync(values.out, chunks.join(''));
      print(`Exported ${rows} lead(s) to ${values.out}.`);
    } else {
      const data = chunks.join('');
      // Files and pipes get the bytes as they are; a terminal gets lead data it cannot act on.
      io.write(io.stdoutTTY ? data.split(/(\r?\n)/).map((part, i) => (i % 2 ? part : visible(part))).join('') : data);
    }
  },
  'leads gdpr-export': async ({ keyed, values, args, print }) => {
    const [id] = need(args, 1, 'leads gdpr-export <lead-id> [--out FILE]');
    const res = await keyed()('GET', `/v1/leads/${enc(id)}/export`);
    const text = JSON.stringify(raw(res), null, 2);
    if (values.out) {
      writeFileSync(values.out, `${text}\n`, { mode: 0o600 });
      print(`Wrote the export of ${id} (${res.events.length} event(s), ${res.consents.ledger.length} ledger entr${res.consents.ledger.length === 1 ? 'y' : 'ies'}) to ${values.out}.`);
    } else print(text);
  },
  'leads erase': async ({ keyed, out, args, values, io }) => {
    const [id] = need(args, 1, 'leads erase <lead-id> [--yes]');
    if (!values.yes) {
      if (!io.stdinTTY) throw new UsageError(`Refusing to erase lead ${visible(id)} without confirmation: add --yes (erasure is irreversible).`);
      const answer = (await io.ask(`Erase lead ${visible(id)} for good? This cannot be undone. Type the lead id or y to confirm: `)).trim();
      if (answer !== id && answer.toLowerCase() !== 'y') {
        io.err('lodestone: not erased.');
        return 1;
      }
    }
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

/** Every command, for help and tests. */
export const COMMAND_NAMES = Object.keys(COMMANDS);

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

/** @returns {Io} */
function processIo() {
  return {
    err: (line) => process.stderr.write(`${line}\n`),
    stdinTTY: Boolean(process.stdin.isTTY),
    stderrTTY: Boolean(process.stderr.isTTY),
    stdoutTTY: Boolean(process.stdout.isTTY),
    write: (data) => void process.stdout.write(data),
    ask: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    env: process.env,
    cwd: process.cwd(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}

/**
 * Runs one command; resolves to the exit code. Exported so tests can call it in-process.
 * @param {string[]} [argv] @param {(line: string) => void} [print] @param {Partial<Io>} [io]
 * @returns {Promise<number>}
 */
export async function main(argv = process.argv.slice(2), print = (s) => console.log(s), io = {}) {
  const env = { ...processIo(), ...io };
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.version) {
    print(JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version);
    return 0;
  }
  if (positionals.length === 0) {
    print(HELP);
    return 0;
  }
  const [group = '', action, ...rest] = positionals;
  const key = group in COMMANDS ? group : `${group} ${action}`;
  const handler = COMMANDS[key];
  if (!handler) {
    if (values.help && !action && Object.keys(COMMANDS).some((k) => k.startsWith(`${group} `))) {
      print(Object.entries(COMMAND_HELP).filter(([k]) => k.startsWith(`${group} `)).map(([, h]) => `lodestone ${h}`).join('\n\n'));
      return 0;
    }
    throw new UsageError(`Unknown command "${visible(positionals.slice(0, 2).join(' '))}". Run lodestone --help.`);
  }
  if (values.help) {
    print(`Usage: lodestone ${COMMAND_HELP[key] ?? key}`);
    return 0;
  }
  const args = group in COMMANDS ? positionals.slice(1) : rest;
  const target = resolveUrl(values.url, env.env, env.cwd);
  const url = target.url;
  const where = { url, from: target.source };
  // Credentials are resolved on first use: model commands need no admin token.
  /** @type {Client | undefined} */
  let adminApi;
  const admin = () => {
    if (adminApi) return adminApi;
    const token = resolveToken(url, values.token, env.env, env.cwd, target.dev);
    if (!token) throw new UsageError('No admin token: pass --token or set LODESTONE_ADMIN_TOKEN (local dev keeps it in .dev.vars).');
    return (adminApi = client(where, token));
  };
  /** @type {Client} */
  const api = Object.assign((/** @type {Parameters<Api>} */ ...a) => admin()(...a), { text: (/** @type {string} */ p) => admin().text(p) });
  const keyed = () => {
    const key = values.key ?? env.env.LODESTONE_API_KEY;
    if (!key) throw new UsageError('No API key: pass --key or set LODESTONE_API_KEY (npm run dev prints one).');
    return client(where, key);
  };
  /** @type {Ctx['out']} */
  const out = (json, human) => print(values.json ? JSON.stringify(raw(json), null, 2) : human());
  const code = await handler({ api, keyed, out, args, values, print, io: env, progress: env.stderrTTY || values.progress });
  return typeof code === 'number' ? code : 0;
}

/** @param {unknown} err */
export const isUsageError = (err) => err instanceof UsageError || /** @type {any} */ (err)?.code?.startsWith?.('ERR_PARSE_ARGS');

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '');
if (invokedDirectly || process.argv[1]?.endsWith('/lodestone')) {
  main().then((code) => {
    process.exitCode = code;
  }, (/** @type {any} */ err) => {
    // One line, once: the message already carries the problem's detail.
    process.stderr.write(`lodestone: ${visible(String(err?.message ?? err))}\n`);
    process.exitCode = isUsageError(err) ? 2 : 1;
  });
}
