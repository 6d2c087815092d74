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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admin, applyMigrations, build, freePort, startStack } from '../scripts/stack.mjs';
import { eventsSql, execSql, leadsSql, load, pct, siteSql } from './seed.mjs';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LEADS = Number(process.env.BENCH_LEADS ?? 100_000);
const PER_LEAD = Number(process.env.BENCH_EVENTS_PER_LEAD ?? 10);
const QUERY_RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 200);
const INGEST_LEADS = 1000;

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
const errs = (/** @type {import('autocannon').Result} */ r) => r.errors + r.timeouts + r.non2xx;
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
execSql(persistTo, eventsSql('scale', now, LEADS, PER_LEAD));
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
