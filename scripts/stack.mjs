// @ts-check
/**
 * The local Lodestone stack: build, migrate, run `wrangler dev` (workerd +
 * local D1), seed the demo site. Used by `npm run dev`, the end-to-end tests
 * and the benchmarks, so all three exercise exactly what a user runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const ROLLUP = join(ROOT, 'node_modules', 'rollup', 'dist', 'bin', 'rollup');
export const DEMO_SITE = 'demo';

/**
 * Quiet, non-interactive wrangler: no telemetry, no prompts, and no download
 * of Cloudflare's `request.cf` sample (local dev uses a placeholder; the
 * download fails noisily on machines without internet).
 */
const wranglerEnv = () => ({
  ...process.env,
  CI: 'true',
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  NO_COLOR: '1',
});

/** A TCP port nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** @param {string} cmd @param {string[]} args @param {import('node:child_process').SpawnSyncOptions} [opts] */
function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: ROOT, env: wranglerEnv(), encoding: 'utf8', ...opts });
  if (res.status !== 0) {
    throw new Error(`${[cmd, ...args].join(' ')} failed (${res.status}):\n${res.stdout ?? ''}${res.stderr ?? ''}`);
  }
  return res.stdout ?? '';
}

/** Files of the demo that are delivered only through a signed link (uploaded to D1 by the seed). */
const GATED = join(ROOT, 'examples', 'gated');

/**
 * Builds the snippet, widget and dashboard (`bundles: false` when they were
 * just built, as `npm test` does before the tests); with `examples`, copies
 * the demo site beside them — except examples/gated/, whose files must never
 * be public.
 */
export function build({ examples = true, bundles = true } = {}) {
  if (bundles) run(process.execPath, [ROLLUP, '-c', '--silent']);
  rmSync(join(ROOT, 'dist', 'public', 'gated'), { recursive: true, force: true });
  if (examples) {
    cpSync(join(ROOT, 'examples'), join(ROOT, 'dist', 'public'), { recursive: true, filter: (src) => !src.startsWith(GATED) });
  }
}

/** The admin token of local dev, kept in .dev.vars (git-ignored), made on first use. */
export function devAdminToken() {
  const file = join(ROOT, '.dev.vars');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const found = /^ADMIN_TOKEN\s*=\s*"?([^"\n]+)"?/m.exec(text);
  if (found?.[1]) return found[1].trim();
  const token = `adm_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}ADMIN_TOKEN="${token}"\n`);
  return token;
}

/**
 * The lead-capture signing secret of local dev (download and withdraw links,
 * the ledger's IP hash), kept in .dev.vars beside ADMIN_TOKEN and made on
 * first use. It survives restarts, so links in the dev outbox keep working.
 */
export function devSigningKey() {
  const file = join(ROOT, '.dev.vars');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const found = /^SIGNING_KEY\s*=\s*"?([^"\n]+)"?/m.exec(text);
  if (found?.[1]) return found[1].trim();
  const key = `sk_${randomBytes(32).toString('base64url')}`;
  writeFileSync(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}SIGNING_KEY="${key}"\n`);
  return key;
}

/** Lead capture in local dev: mails go to the D1 outbox, browsable at /dev/outbox. */
const leadDevVars = () => ({ SIGNING_KEY: devSigningKey(), MAIL_MODE: 'outbox', DEV_OUTBOX: 'on', WEBHOOK_TARGETS: 'local' });

/** @param {string} persistTo */
export function applyMigrations(persistTo) {
  return run(process.execPath, [WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo]);
}

/** @param {string} url @param {import('node:child_process').ChildProcess} child @param {number} timeoutMs */
async function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wrangler dev did not answer ${url}/healthz within ${timeoutMs} ms`);
}

/** Calls the admin API; throws with the problem detail on failure (409 allowed when `okConflict`). */
/**
 * @param {string} url @param {string} token @param {string} method @param {string} path
 * @param {unknown} [body] @param {{ okConflict?: boolean }} [opts] @returns {Promise<any>}
 */
export async function admin(url, token, method, path, body, { okConflict = false } = {}) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  if (!res.ok && !(okConflict && res.status === 409)) throw new Error(`${method} ${path}: ${res.status} ${json.detail}`);
  return json;
}

/**
 * Seeds the demo site (idempotent) and returns a fresh marketing API key.
 * Keys exist only as hashes, so each start revokes the previous dev key and
 * prints a new one.
 */
/** @param {string} url @param {string} token @param {number} port @returns {Promise<string>} */
export async function seedDemo(url, token, port) {
  const origins = [...new Set([8787, port].flatMap((p) => [`http://localhost:${p}`, `http://127.0.0.1:${p}`]))];
  await admin(url, token, 'POST', '/admin/sites', { id: DEMO_SITE, name: 'Demo B2B site', origins }, { okConflict: true });
  for (const origin of origins) await admin(url, token, 'POST', `/admin/sites/${DEMO_SITE}/origins`, { origin });
  const { keys } = await admin(url, token, 'GET', `/admin/sites/${DEMO_SITE}/keys`);
  for (const key of keys) {
    if (key.name === 'dev' && !key.revokedAt) await admin(url, token, 'DELETE', `/admin/sites/${DEMO_SITE}/keys/${key.id}`);
  }
  const { secret } = await admin(url, token, 'POST', `/admin/sites/${DEMO_SITE}/keys`, {
    name: 'dev',
    scopes: ['leads:read', 'leads:write', 'config:write'],
  });
  await seedDemoMagnet(url, token);
  await seedDemoSequence(url, secret);
  return secret;
}

/**
 * The demo nurture sequence: three mails after the whitepaper download (to
 * leads who also ticked the marketing box), the later two on weekdays in
 * office hours; a lead that reaches SQL leaves it (every sequence does).
 * Saved only when it differs from the stored one, so restarts add no versions.
 */
export const DEMO_SEQUENCE = {
  name: 'After the whitepaper',
  trigger: { on: 'download', magnet: 'whitepaper' },
  reentry: 'never',
  steps: [
    { id: 'thanks', type: 'send', template: 'thanks' },
    { id: 'wait-2-days', type: 'wait', days: 2, window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' } },
    { id: 'checklist', type: 'send', template: 'checklist' },
    { id: 'wait-4-days', type: 'wait', days: 4, window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' } },
    { id: 'clicked-before', type: 'branch', if: { type: 'event', kinds: ['mail_click', 'pricing_view'] }, then: 'demo-offer', else: 'case-study' },
    { id: 'case-study', type: 'send', template: 'case', next: 'done' },
    { id: 'demo-offer', type: 'send', template: 'demo' },
    { id: 'done', type: 'exit' },
  ],
  templates: {
    thanks: {
      en: { subject: 'Your copy of {{magnetTitle}}', body: 'Hello {{firstName | "there"}},\n\nthank you for downloading **{{magnetTitle}}**. Two pages worth reading first: the field checklist and the part on double opt-in.\n\n[Open the whitepaper page](http://localhost:8787/whitepaper)\n\nBest regards,\nthe {{siteName}} team' },
      de: { subject: 'Ihr Exemplar: {{magnetTitle}}', body: 'Guten Tag {{firstName}},\n\nvielen Dank für Ihr Interesse an **{{magnetTitle}}**. Zwei Stellen lohnen sich zuerst: die Feld-Checkliste und der Teil über Double Opt-in.\n\n[Zur Whitepaper-Seite](http://localhost:8787/whitepaper)\n\nFreundliche Grüße\nIhr Team von {{siteName}}' },
    },
    checklist: {
      en: { subject: 'A five-field checklist for your forms', body: 'Every field you ask for costs sign-ups. Our checklist shows which five matter for B2B:\n\n1. E-mail\n2. Company\n3. Role\n4. Company size\n5. One qualifying question\n\n[See pricing for teams](http://localhost:8787/pricing.html)' },
      de: { subject: 'Eine Checkliste mit fünf Feldern für Ihre Formulare', body: 'Jedes Feld kostet Anmeldungen. Unsere Checkliste zeigt, welche fünf im B2B zählen:\n\n1. E-Mail\n2. Firma\n3. Rolle\n4. Firmengröße\n5. Eine qualifizierende Frage\n\n[Preise für Teams ansehen](http://localhost:8787/pricing.html)' },
    },
    case: {
      en: { subject: 'How a 40-person agency doubled its qualified leads', body: 'A short case study: fewer form fields, real double opt-in and a score sales trusts.\n\n[Read the blog post](http://localhost:8787/blog/lead-scoring-basics.html)' },
      de: { subject: 'Wie eine Agentur mit 40 Leuten ihre qualifizierten Leads verdoppelte', body: 'Eine kurze Fallstudie: weniger Formularfelder, echtes Double Opt-in und ein Score, dem der Vertrieb vertraut.\n\n[Zum Blogartikel](http://localhost:8787/blog/lead-scoring-basics.html)' },
    },
    demo: {
      en: { subject: 'Shall we show you in 20 minutes?', body: 'You had a look at our pricing. If it helps, we walk you through Lodestone on your own site in 20 minutes.\n\n[Book a demo](http://localhost:8787/pricing.html)' },
      de: { subject: 'Sollen wir es Ihnen in 20 Minuten zeigen?', body: 'Sie haben sich unsere Preise angesehen. Gern zeigen wir Ihnen Lodestone in 20 Minuten an Ihrer eigenen Website.\n\n[Demo vereinbaren](http://localhost:8787/pricing.html)' },
    },
  },
};

/** @param {string} url @param {string} apiKey */
export async function seedDemoSequence(url, apiKey) {
  const path = `${url}/v1/sequences/after-whitepaper`;
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const doc = JSON.parse(JSON.stringify(DEMO_SEQUENCE).replaceAll('http://localhost:8787', url));
  const current = await fetch(path, { headers });
  if (current.ok) {
    const { sequence } = await current.json();
    const { id: _id, version: _v, status: _s, ...stored } = sequence;
    if (JSON.stringify(stored) === JSON.stringify({ ...doc })) return;
  }
  const res = await fetch(path, { method: 'PUT', headers, body: JSON.stringify(doc) });
  if (!res.ok) throw new Error(`PUT /v1/sequences/after-whitepaper: ${res.status} ${(await res.json()).detail}`);
}

export const DEMO_MAGNET = 'whitepaper';
const DEMO_PDF = join(ROOT, 'examples', 'gated', 'whitepaper.pdf');

/**
 * The demo whitepaper magnet (examples/whitepaper.html), idempotent: the
 * config is PUT (same consent version, same words: no conflict) and the PDF
 * is uploaded only when the stored one differs.
 * @param {string} url @param {string} token
 */
export async function seedDemoMagnet(url, token) {
  const path = `/admin/sites/${DEMO_SITE}/magnets/${DEMO_MAGNET}`;
  const { magnet } = await admin(url, token, 'PUT', path, {
    title: 'Lead Magnets That Respect People',
    description: 'A short whitepaper on consent-friendly lead capture: fewer fields, real double opt-in, signed downloads.',
    lang: 'en',
    fields: [
      { name: 'firstName', required: false },
      { name: 'company', required: false },
      { name: 'role', required: false },
      { name: 'companySize', required: false },
      { name: 'industry', required: false },
    ],
    consent: {
      text: 'I agree that Acme Analytics stores the details I enter here to send me this whitepaper and to answer my request. I can withdraw this consent at any time with the link in every e-mail.',
      version: '2026-11-01',
    },
    privacyUrl: `${url}/whitepaper#privacy`,
    marketing: {
      text: 'Also send me occasional e-mails about new guides and events (optional; not needed for the download).',
      version: '2026-11-01',
    },
  });
  const pdf = readFileSync(DEMO_PDF);
  if (magnet.file?.sha256 === createHash('sha256').update(pdf).digest('hex')) return;
  const res = await fetch(`${url}${path}/file?name=whitepaper.pdf`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
    body: pdf,
  });
  if (!res.ok) throw new Error(`PUT ${path}/file: ${res.status} ${(await res.json()).detail}`);
}

/**
 * Starts the whole stack and resolves once it answers and is seeded.
 * @param {{ port?: number, persistTo?: string, adminToken?: string, vars?: Record<string,string>,
 *           logFile?: string, inherit?: boolean, examples?: boolean, skipBuild?: boolean, prebuilt?: boolean }} [opts]
 */
export async function startStack(opts = {}) {
  const port = opts.port ?? (await freePort());
  const persistTo = opts.persistTo ?? join(ROOT, '.wrangler', 'state');
  const adminToken = opts.adminToken ?? devAdminToken();
  if (!opts.skipBuild) build({ examples: opts.examples ?? true, bundles: !opts.prebuilt });
  mkdirSync(persistTo, { recursive: true });
  applyMigrations(persistTo);

  // Mail links point at this port, never at the request's Host header.
  const vars = { ADMIN_TOKEN: adminToken, ...leadDevVars(), LODESTONE_ENV: 'development', PUBLIC_URL: `http://127.0.0.1:${port}`, ...opts.vars };
  const args = [WRANGLER, 'dev', '--port', String(port), '--ip', '127.0.0.1', '--persist-to', persistTo,
    '--inspector-port', String(await freePort()), '--show-interactive-dev-session=false', '--log-level', 'warn', '--test-scheduled',
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`])];
  let stdio = /** @type {any} */ ('inherit');
  if (!opts.inherit) {
    const log = opts.logFile ?? join(ROOT, '.tmp', `wrangler-${port}.log`);
    mkdirSync(dirname(log), { recursive: true });
    const fd = openSync(log, 'w');
    stdio = ['ignore', fd, fd];
  }
  const child = spawn(process.execPath, args, { cwd: ROOT, env: wranglerEnv(), stdio, detached: process.platform !== 'win32' });
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(undefined);
      child.once('exit', () => resolve(undefined));
      try {
        process.kill(-(/** @type {number} */ (child.pid)), 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      setTimeout(() => { try { process.kill(-(/** @type {number} */ (child.pid)), 'SIGKILL'); } catch { /* gone */ } }, 5000).unref();
    });
  try {
    await waitForHealth(url, child, 60_000);
    const apiKey = await seedDemo(url, adminToken, port);
    return { url, port, adminToken, apiKey, persistTo, stop, child };
  } catch (err) {
    await stop();
    throw err;
  }
}
