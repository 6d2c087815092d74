// @ts-check
/**
 * npm run bench:ingest — ingest throughput on the real local stack.
 *
 * Drives POST /v1/collect (batches of 10 events) and GET /healthz with
 * autocannon at fixed concurrency for a fixed time, prints req/s, p50, p99 and
 * errors per endpoint and the throughput ratio, then checks that the rows in
 * `events` equal the events the API acknowledged: nothing lost, nothing
 * duplicated. Batches still in flight when the clock stops were stored but
 * never answered; like the snippet, the bench retries them afterwards (the
 * retry must report them as duplicates). The rate limiter is off for this run.
 *
 * Env: BENCH_CONNECTIONS (default 10), BENCH_SECONDS (default 10).
 */
import autocannon from 'autocannon';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_SITE, ROOT, startStack } from '../scripts/stack.mjs';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BATCH = 10;

const persistTo = mkdtempSync(join(tmpdir(), 'lodestone-bench-'));
const stack = await startStack({ persistTo, adminToken: `adm_bench_${Date.now()}`, vars: { INGEST_RATE_LIMIT: 'off' }, examples: false });
const origin = `http://127.0.0.1:${stack.port}`;

/** @param {autocannon.Options} opts @returns {Promise<autocannon.Result>} */
const load = (opts) => new Promise((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));
/** @typedef {{ key?: number }} Ctx */

let seq = 0;
/** Events the API confirmed stored: "accepted" (new) plus "duplicates" (stored earlier). */
let acknowledged = 0;
let duplicatesInRun = 0;
/** Batches sent and not yet answered, by batch key. */
const pending = new Map();
const run = Date.now().toString(36);

/** A batch of 10 events with ids unique across the whole run. */
function batchBody() {
  const ts = Date.now();
  const events = Array.from({ length: BATCH }, (_, i) => ({
    id: `b${run}_${(seq++).toString(36).padStart(8, '0')}`,
    kind: i === 0 ? 'pageview' : i === 1 ? 'pricing_view' : 'engagement',
    ts,
    url: `${origin}/pricing`,
    vid: `bench_visitor_${seq % 500}`,
    ...(i > 1 ? { kind: 'engagement', ms: 1000 + i } : {}),
  }));
  return JSON.stringify({ site: DEMO_SITE, events });
}

try {
  // Warm-up so both endpoints are measured hot.
  await load({ url: `${stack.url}/healthz`, connections: 2, duration: 1 });

  const collect = await load({
    url: `${stack.url}/v1/collect`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin },
        setupRequest: (req, /** @type {Ctx} */ context) => {
          const body = batchBody();
          context.key = seq;
          pending.set(seq, body);
          return { ...req, body };
        },
        onResponse: (status, body, /** @type {Ctx} */ context) => {
          pending.delete(context.key ?? -1);
          if (status === 202) {
            const answer = JSON.parse(body);
            acknowledged += answer.accepted + answer.duplicates;
            duplicatesInRun += answer.duplicates;
          }
        },
      },
    ],
  });
  // Retry what was unanswered, exactly as a client would.
  let retriedAccepted = 0;
  let retriedDuplicates = 0;
  for (const body of pending.values()) {
    const res = await fetch(`${stack.url}/v1/collect`, { method: 'POST', headers: { 'content-type': 'text/plain', origin }, body });
    const answer = await res.json();
    if (res.status !== 202) throw new Error(`retry failed: ${res.status} ${answer.detail}`);
    retriedAccepted += answer.accepted;
    retriedDuplicates += answer.duplicates;
  }
  acknowledged += retriedAccepted + retriedDuplicates;
  const health = await load({ url: `${stack.url}/healthz`, connections: CONNECTIONS, duration: SECONDS });

  /** @param {autocannon.Result} r */
  const errors = (r) => r.errors + r.timeouts + r.non2xx;
  /** @param {string} name @param {autocannon.Result} r */
  const row = (name, r) =>
    `${name.padEnd(34)} ${r.requests.average.toFixed(0).padStart(8)} ${String(r.latency.p50).padStart(8)} ${String(r.latency.p99).padStart(8)} ${String(errors(r)).padStart(7)}`;

  console.log(`\nIngest benchmark: ${CONNECTIONS} connections, ${SECONDS} s per endpoint, local wrangler dev (workerd + local D1)\n`);
  console.log(`${'endpoint'.padEnd(34)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)}`);
  console.log(row(`POST /v1/collect (${BATCH} events/batch)`, collect));
  console.log(row('GET /healthz', health));
  console.log(`\ncollect / healthz throughput ratio: ${(collect.requests.average / health.requests.average).toFixed(3)}`);
  console.log(`events/s acknowledged during the run: ${((acknowledged - retriedAccepted - retriedDuplicates) / SECONDS).toFixed(0)}`);

  await stack.stop();
  const out = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'd1', 'execute', 'DB', '--local',
    '--persist-to', persistTo, '--json', '--command', `SELECT COUNT(*) AS n FROM events WHERE site_id = '${DEMO_SITE}'`],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' } });
  if (out.status !== 0) throw new Error(`counting rows failed: ${out.stderr}`);
  const rows = JSON.parse(out.stdout)[0].results[0].n;
  console.log(`\nevents acknowledged (202 answers):     ${acknowledged}`);
  console.log(`rows in events:                       ${rows}`);
  console.log(`unanswered batches retried:           ${pending.size} (${retriedDuplicates} events already stored, ${retriedAccepted} new)`);
  console.log(`duplicates reported during the run:   ${duplicatesInRun} (every id was sent once: must be 0)`);
  if (rows !== acknowledged || duplicatesInRun !== 0) {
    console.error(`MISMATCH: ${rows} rows for ${acknowledged} acknowledged events, ${duplicatesInRun} false duplicates`);
    process.exitCode = 1;
  } else {
    console.log('OK: nothing lost, nothing duplicated.');
  }
} finally {
  await stack.stop();
  rmSync(persistTo, { recursive: true, force: true });
}
