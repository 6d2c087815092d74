// @ts-check
/**
 * npm run bench:scoring — the cost of lead scoring, on the real local stack.
 *
 * 1. Ingest throughput with scoring against without, in one run: the same
 *    load (batches of 10 events, every event from a visitor who is a lead) on
 *    a stack with SCORING=off and one with scoring on. Target ratio ≥ 0.8.
 * 2. Rescoring time after a model change for 100k leads with 1M events
 *    (BENCH_LEADS, BENCH_EVENTS_PER_LEAD), driven through POST /admin/rescore.
 * 3. p50/p95 latency of "top 100 leads by current score" and "leads with
 *    score ≥ X" (GET /v1/leads) at that size. Target p95 < 50 ms.
 *
 * Seed data goes into the local D1 with SQL before wrangler dev starts.
 */
import autocannon from 'autocannon';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admin, applyMigrations, build, freePort, ROOT, startStack } from '../scripts/stack.mjs';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LEADS = Number(process.env.BENCH_LEADS ?? 100_000);
const PER_LEAD = Number(process.env.BENCH_EVENTS_PER_LEAD ?? 10);
const QUERY_RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 200);
const INGEST_LEADS = 1000;
const DAY = 86_400_000;

/** @param {string} persistTo @param {string} sql */
function execSql(persistTo, sql) {
  const file = join(persistTo, `seed-${Date.now()}.sql`);
  writeFileSync(file, sql);
  const out = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'd1', 'execute', 'DB', '--local',
    '--persist-to', persistTo, '--file', file, '--yes'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' } });
  if (out.status !== 0) throw new Error(`seeding failed: ${out.stderr}${out.stdout}`);
}

/** A site with one origin. @param {string} id @param {string} origin @param {number} now */
const siteSql = (id, origin, now) => `
INSERT INTO sites (id, name, created_at, updated_at) VALUES ('${id}', '${id}', ${now}, ${now});
INSERT INTO site_origins (site_id, origin, created_at) VALUES ('${id}', '${origin}', ${now});`;

/**
 * Leads with varied profiles (so fit takes realistic distinct values), an
 * initial score row each, and optionally a linked visitor id.
 * @param {string} site @param {number} n @param {number} now @param {boolean} visitors
 */
const leadsSql = (site, n, now, visitors) => `
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ${n - 1})
INSERT INTO leads (site_id, id, email, email_key, status, company, role, company_size, industry, country, lang, created_at, updated_at, confirmed_at)
SELECT '${site}', printf('l%07d', i), printf('p%07d@%s', i, CASE i % 4 WHEN 0 THEN 'gmail.com' ELSE 'corp' || (i % 97) || '.example' END),
       printf('p%07d@x', i), 'confirmed', 'Company ' || (i % 997),
       CASE i % 4 WHEN 0 THEN 'CEO' WHEN 1 THEN 'Head of Marketing' WHEN 2 THEN 'Engineer' ELSE NULL END,
       CASE i % 5 WHEN 0 THEN '1-9' WHEN 1 THEN '10-49' WHEN 2 THEN '50-249' WHEN 3 THEN '250-999' ELSE '1000+' END,
       CASE i % 3 WHEN 0 THEN 'Software' WHEN 1 THEN 'Retail' ELSE NULL END,
       CASE i % 6 WHEN 0 THEN 'DE' WHEN 1 THEN 'AT' WHEN 2 THEN 'CH' WHEN 3 THEN 'US' WHEN 4 THEN 'FR' ELSE NULL END,
       'en', ${now}, ${now}, ${now}
FROM k;
INSERT INTO lead_scores (site_id, lead_id, model_version, fit, fit_rules, e_norm, last_seq, state, stage, stage_state, recheck_at, rev, updated_at)
SELECT '${site}', id, 1, 0, '[]', 0, -1, '{"modelVersion":1,"lastSeq":-1,"events":0,"eNorm":0,"rules":{}}', 'confirmed',
       '{"stage":"confirmed","since":${now},"entered":{}}', NULL, 'seed', ${now}
FROM leads WHERE site_id = '${site}';
${visitors ? `INSERT INTO lead_visitors (site_id, visitor_id, lead_id, linked_at) SELECT '${site}', 'v' || substr(id, 2), id, ${now} FROM leads WHERE site_id = '${site}';` : ''}`;

/** PER_LEAD scored events per lead over the last 90 days. @param {string} site @param {number} now */
const eventsSql = (site, now) => `
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ${LEADS * PER_LEAD - 1})
INSERT INTO events (site_id, event_id, kind, url, path, ts, client_ts, received_at, lead_id, lead_seq)
SELECT '${site}', 'e' || i,
       CASE i % 10 WHEN 0 THEN 'pricing_view' WHEN 1 THEN 'download' WHEN 2 THEN 'form_submit' ELSE 'pageview' END,
       'https://scale.example/', CASE i % 7 WHEN 0 THEN '/kontakt' WHEN 1 THEN '/karriere/jobs' ELSE '/blog' END,
       ${now} - (i % 90) * ${DAY}, ${now} - (i % 90) * ${DAY}, ${now} - (i % 90) * ${DAY},
       printf('l%07d', i / ${PER_LEAD}), i % ${PER_LEAD}
FROM k;`;

/** @param {autocannon.Options} opts @returns {Promise<autocannon.Result>} */
const load = (opts) => new Promise((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));

/** @param {number[]} xs @param {number} p */
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

/** Ingest on a fresh stack; SCORING on or off. @param {boolean} scoring */
async function ingest(scoring) {
  const persistTo = mkdtempSync(join(tmpdir(), 'lodestone-bench-scoring-'));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const now = Date.now();
  applyMigrations(persistTo);
  execSql(persistTo, siteSql('bench', origin, now) + leadsSql('bench', INGEST_LEADS, now, true));
  const stack = await startStack({ port, persistTo, adminToken: `adm_${now}`, vars: { INGEST_RATE_LIMIT: 'off', SCORING: scoring ? 'on' : 'off' }, skipBuild: true });
  let seq = 0;
  const run = now.toString(36) + (scoring ? 's' : 'n');
  try {
    await load({ url: `${stack.url}/healthz`, connections: 2, duration: 1 });
    const res = await load({
      url: `${stack.url}/v1/collect`, connections: CONNECTIONS, duration: SECONDS,
      requests: [{
        method: 'POST', headers: { 'content-type': 'text/plain', origin },
        setupRequest: (req) => {
          const ts = Date.now();
          const vid = `v${String(seq % INGEST_LEADS).padStart(7, '0')}`;
          const events = Array.from({ length: 10 }, (_, i) => ({
            id: `b${run}_${(seq++).toString(36).padStart(8, '0')}`, kind: i % 3 === 0 ? 'pricing_view' : 'pageview', ts, url: `${origin}/preise`, vid,
          }));
          return { ...req, body: JSON.stringify({ site: 'bench', events }) };
        },
      }],
    });
    return res;
  } finally {
    await stack.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

build({ examples: false });
console.log(`\nLead scoring benchmark (local wrangler dev: workerd + local D1; ${CONNECTIONS} connections, ${SECONDS} s)\n`);

// 1. ingest with and without scoring
const without = await ingest(false);
const withScoring = await ingest(true);
const errs = (/** @type {autocannon.Result} */ r) => r.errors + r.timeouts + r.non2xx;
console.log('ingest (batches of 10 events, all from leads)   req/s   p50 ms   p99 ms   errors');
console.log(`  scoring off                                  ${without.requests.average.toFixed(0).padStart(6)} ${String(without.latency.p50).padStart(8)} ${String(without.latency.p99).padStart(8)} ${String(errs(without)).padStart(8)}`);
console.log(`  scoring on                                   ${withScoring.requests.average.toFixed(0).padStart(6)} ${String(withScoring.latency.p50).padStart(8)} ${String(withScoring.latency.p99).padStart(8)} ${String(errs(withScoring)).padStart(8)}`);
const ratio = withScoring.requests.average / without.requests.average;
console.log(`  throughput ratio with/without scoring: ${ratio.toFixed(3)} (target ≥ 0.8)\n`);

// 2. rescoring at scale, 3. ranking queries
const persistTo = mkdtempSync(join(tmpdir(), 'lodestone-bench-scale-'));
const port = await freePort();
const now = Date.now();
applyMigrations(persistTo);
let t = Date.now();
execSql(persistTo, siteSql('scale', `http://127.0.0.1:${port}`, now) + leadsSql('scale', LEADS, now, false));
execSql(persistTo, eventsSql('scale', now));
console.log(`seeded ${LEADS.toLocaleString('en')} leads and ${(LEADS * PER_LEAD).toLocaleString('en')} events in ${((Date.now() - t) / 1000).toFixed(1)} s`);
const stack = await startStack({ port, persistTo, adminToken: `adm_${now}`, vars: { INGEST_RATE_LIMIT: 'off' }, skipBuild: true });
try {
  const { secret } = await admin(stack.url, stack.adminToken, 'POST', '/admin/sites/scale/keys', { name: 'bench', scopes: ['leads:read', 'config:write'] });
  const auth = { authorization: `Bearer ${secret}` };
  const current = await (await fetch(`${stack.url}/v1/scoring-model`, { headers: auth })).json();
  const model = { ...current.model, engagement: current.model.engagement.map((/** @type {any} */ r) => ({ ...r, points: r.points * 2 })) };
  delete model.version;

  t = Date.now();
  const put = await fetch(`${stack.url}/v1/scoring-model`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(model) });
  if (!put.ok) throw new Error(`PUT model: ${put.status} ${await put.text()}`);
  const version = (await put.json()).version;
  for (;;) {
    const step = await admin(stack.url, stack.adminToken, 'POST', '/admin/rescore?budget_ms=20000');
    if (!step.open.some((/** @type {any} */ j) => j.siteId === 'scale' && j.modelVersion === version)) break;
  }
  const rescoreMs = Date.now() - t;
  const status = await (await fetch(`${stack.url}/v1/scoring-model`, { headers: auth })).json();
  console.log(`rescoring ${status.rescoring.leadsDone.toLocaleString('en')} leads / ${(LEADS * PER_LEAD).toLocaleString('en')} events after a model change: ${(rescoreMs / 1000).toFixed(1)} s` +
    ` (${(status.rescoring.leadsDone / (rescoreMs / 1000)).toFixed(0)} leads/s)`);

  /** @param {string} qs */
  const timeQuery = async (qs) => {
    const times = [];
    const dbTimes = [];
    let count = 0;
    for (let i = 0; i < QUERY_RUNS; i++) {
      const s = performance.now();
      const res = await fetch(`${stack.url}/v1/leads?${qs}`, { headers: auth });
      const body = await res.json();
      times.push(performance.now() - s);
      dbTimes.push(Number(/rank;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN));
      if (!res.ok) throw new Error(`GET /v1/leads?${qs}: ${res.status} ${body.detail}`);
      count = body.leads.length;
    }
    return { p50: pct(times, 50), p95: pct(times, 95), dbP50: pct(dbTimes, 50), dbP95: pct(dbTimes, 95), count };
  };
  const top = await timeQuery('limit=100');
  const probe = await (await fetch(`${stack.url}/v1/leads?limit=1000`, { headers: auth })).json();
  const threshold = Math.round(probe.leads.at(-1).score);
  const above = await timeQuery(`min_score=${threshold}&limit=100`);
  console.log(`\nqueries over ${LEADS.toLocaleString('en')} scored leads, ${QUERY_RUNS} runs each     query in the Worker (D1)   whole HTTP request`);
  console.log(`                                                        p50 ms   p95 ms      p50 ms   p95 ms`);
  /** @param {string} label @param {any} r */
  const line = (label, r) => console.log(`  ${label.padEnd(52)} ${r.dbP50.toFixed(1).padStart(6)} ${r.dbP95.toFixed(1).padStart(8)}    ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)}`);
  line('top 100 by current score', top);
  line(`score ≥ ${threshold} (first 100 of ${'the matches'})`, above);
  console.log(`  target p95 < 50 ms for the query: ${top.dbP95 < 50 && above.dbP95 < 50 ? 'met' : 'NOT met'}; for the whole request: ${top.p95 < 50 && above.p95 < 50 ? 'met' : 'NOT met'}`);
} finally {
  await stack.stop();
  rmSync(persistTo, { recursive: true, force: true });
}
