// @ts-check
/**
 * npm run bench:review — the scoring review at scale, on the real local stack.
 *
 * 100,000 leads with 1,000,000 events, 10,000 of them with a sales outcome
 * (about 25 % won; Software and company size 50-249 buy more often), handed
 * off over the last ~600 days (most within the report's default year).
 *
 * 1. The review snapshot: GET /v1/reports/scoring-review from a cold start
 *    (no outcome facts yet), again and again without pausing, until the
 *    first 200: wall time, requests, facts computed per request.
 * 2. POST /v1/scoring-model/suggest: wall time, Server-Timing, hold-out AUC
 *    of the current model against the suggestion.
 * 3. Reading the report once the facts are complete: p50/p95 inside the
 *    Worker (Server-Timing review;dur) and of the whole request.
 * 4. POST /v1/scoring-model/preview with two drafts: new fit points (no
 *    events read) and new behaviour points (every lead replayed).
 * 5. The local workerd process's peak resident memory per step (VmHWM, reset
 *    before each step where Linux allows it) and the JSON size of the report.
 *
 * Every step is set against Cloudflare Workers' limits. Wall times locally
 * include D1 (SQLite) work, which is not Worker CPU time in production, so
 * they bound the CPU time from above on this machine. workerd's resident
 * memory covers the runtime, every isolate and the local D1 together, so it
 * bounds one isolate's memory from above too.
 *
 * Sizes: BENCH_LEADS, BENCH_EVENTS_PER_LEAD, BENCH_OUTCOMES, BENCH_QUERY_RUNS. Patience:
 * BENCH_SNAPSHOT_LIMIT_S (600) for step 1, after which it and the steps that
 * need complete facts are reported as not done; BENCH_REQUEST_LIMIT_S (300)
 * for any other request.
 * Figures are printed, never asserted.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, admin, applyMigrations, build, freePort, startStack } from '../scripts/stack.mjs';
import { eventsSql, execSql, leadsSql, outcomeEventsSql, outcomesSql, pct, querySql, siteSql } from './seed.mjs';

const LEADS = Number(process.env.BENCH_LEADS ?? 100_000);
const PER_LEAD = Number(process.env.BENCH_EVENTS_PER_LEAD ?? 10);
const OUTCOMES = Math.min(LEADS, Number(process.env.BENCH_OUTCOMES ?? 10_000));
const QUERY_RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 30);
/** How long the snapshot may take before the benchmark gives up on it (and on the steps that need it). */
const SNAPSHOT_LIMIT_S = Number(process.env.BENCH_SNAPSHOT_LIMIT_S ?? 600);
/** Any other single request. */
const REQUEST_LIMIT_S = Number(process.env.BENCH_REQUEST_LIMIT_S ?? 300);
/** Cloudflare Workers' limits (paid plan), as the steps are compared against them. */
const LIMITS = { memoryMb: 128, cpuMs: 30_000, cpuMaxMs: 300_000, cronMs: 15 * 60_000 };
/** The cron's budget for the review per invocation (edge/features/review/refresh.ts) and its schedule (wrangler.toml). */
const CRON_BUDGET_MS = 10_000;
const CRON_EVERY_MIN = 5;

const n = (/** @type {number} */ x) => x.toLocaleString('en');
const ms = (/** @type {number} */ x) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`);
/** @typedef {{ status: number, headers: import('node:http').IncomingHttpHeaders, text: string, wall: number, timedOut: boolean }} Answer */
/**
 * One HTTP request, timed, without fetch's 300 s limit on the headers; on
 * `timeoutMs` it gives up (status 0, timedOut) and the Worker runs on.
 * @param {string} url @param {{ method?: string, headers?: Record<string, string>, body?: string, timeoutMs?: number }} [opts] @returns {Promise<Answer>}
 */
const request = (url, { method = 'GET', headers = {}, body, timeoutMs = REQUEST_LIMIT_S * 1000 } = {}) => new Promise((resolve, reject) => {
  const started = performance.now();
  const req = httpRequest(url, { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
    const chunks = /** @type {Buffer[]} */ ([]);
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => {
      clearTimeout(timer);
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), wall: performance.now() - started, timedOut: false });
    });
    res.on('error', reject);
  });
  const timer = setTimeout(() => {
    req.destroy();
    resolve({ status: 0, headers: {}, text: '', wall: performance.now() - started, timedOut: true });
  }, Math.max(1, timeoutMs));
  req.on('error', (err) => {
    clearTimeout(timer);
    reject(err); // after a timeout the promise is settled already: the hang-up is ignored
  });
  req.end(body);
});
/** @param {Answer} res @param {string} name */
const timing = (res, name) => Number(new RegExp(`${name};dur=([\\d.]+)`).exec(String(res.headers['server-timing'] ?? ''))?.[1] ?? NaN);
/** What an answer that is not the expected one was. @param {Answer} res */
const failure = (res) => (res.timedOut ? `NO answer within ${ms(res.wall)} (given up; the Worker may still be computing)` : `answered ${res.status} after ${ms(res.wall)}: ${res.text.slice(0, 2000)}`);
/** @param {number} used @param {number} limit */
const share = (used, limit) => `${((used / limit) * 100).toFixed(1)} % of`;

// ── the workerd process of the stack ───────────────────────────────────────
/** @param {number} pid @returns {{ ppid: number, comm: string } | null} */
function stat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    return { comm: s.slice(s.indexOf('(') + 1, close), ppid: Number(s.slice(close + 2).split(' ')[1]) };
  } catch {
    return null;
  }
}
/** The workerd processes below `root` (wrangler → workerd). @param {number} root */
function workerdOf(root) {
  const parents = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = stat(Number(d));
    if (s) parents.set(Number(d), s);
  }
  const below = (/** @type {number} */ pid) => {
    for (let p = parents.get(pid)?.ppid; p; p = parents.get(p)?.ppid) if (p === root) return true;
    return false;
  };
  return [...parents].filter(([pid, s]) => s.comm.startsWith('workerd') && below(pid)).map(([pid]) => pid);
}
/** VmHWM and VmRSS of a process in MB; null once it is gone. @param {number} pid */
function memory(pid) {
  let s;
  try {
    s = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kb = (/** @type {string} */ k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
  return { hwm: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 };
}
/** Resets the peak (VmHWM) to the current resident size; false where Linux refuses. @param {number} pid */
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

build({ examples: false });
console.log(`\nScoring review benchmark (local wrangler dev: workerd + local D1)\n`);
const persistTo = mkdtempSync(join(tmpdir(), 'lodestone-bench-review-'));
const port = await freePort();
const now = Date.now();
applyMigrations(persistTo);
let t = Date.now();
execSql(persistTo, siteSql('review', `http://127.0.0.1:${port}`, now) + leadsSql('review', LEADS, now, false));
execSql(persistTo, eventsSql('review', now, LEADS, PER_LEAD));
execSql(persistTo, outcomesSql('review', now, LEADS, OUTCOMES) + outcomeEventsSql('review', now));
const seedSeconds = (Date.now() - t) / 1000;
const seeded = querySql(persistTo, `SELECT COUNT(*) AS outcomes, SUM(sales_status = 'won') AS won, SUM(sales_status = 'lost') AS lost,
  SUM(sales_status = 'rejected') AS rejected, SUM(assigned_at >= ${now - 365 * 86_400_000}) AS inYear FROM leads WHERE site_id = 'review' AND sales_status IS NOT NULL`)[0] ?? {};
console.log(`seeded ${n(LEADS)} leads and ${n(LEADS * PER_LEAD)} events in ${seedSeconds.toFixed(1)} s; ` +
  `${n(Number(seeded.outcomes))} with an outcome (won ${n(Number(seeded.won))}, lost ${n(Number(seeded.lost))}, rejected ${n(Number(seeded.rejected))}; ` +
  `${n(Number(seeded.inYear))} handed off within the last 365 days)`);
console.log(`Workers' limits the steps are set against: memory ${LIMITS.memoryMb} MB per isolate; CPU time ${LIMITS.cpuMs / 1000} s per request by default ` +
  `(up to ${LIMITS.cpuMaxMs / 60_000} min configurable); ${LIMITS.cronMs / 60_000} min per Cron invocation`);

const stack = await startStack({ port, persistTo, adminToken: `adm_${now}`, vars: { INGEST_RATE_LIMIT: 'off' }, skipBuild: true });
/** @type {{ step: string, peak: number, rss: number, each: string, restarted: boolean }[]} */
const mem = [];
// wrangler dev rebuilds and reloads the Worker when a source file changes (others may be editing): noted per step.
/** @type {Set<string>} */
const changed = new Set();
const watchers = ['edge', 'protocol'].map((dir) => watch(join(ROOT, dir), { recursive: true }, (_, file) => changed.add(`${dir}/${file}`)));
/** @type {Map<string, string[]>} */
const changedDuring = new Map();
try {
  const { secret } = await admin(stack.url, stack.adminToken, 'POST', '/admin/sites/review/keys', { name: 'bench', scopes: ['leads:read', 'config:write'] });
  const auth = { authorization: `Bearer ${secret}` };
  const root = /** @type {number} */ (stack.child.pid);
  const startPids = workerdOf(root);
  const before = startPids.map((pid) => ({ pid, ...memory(pid) }));
  let peakResettable = startPids.length > 0;
  /**
   * Runs a step and notes the peak resident memory of each workerd process
   * during it. wrangler dev restarts workerd when a watched source file
   * changes; a step during which that happened is marked.
   * @template T @param {string} step @param {() => Promise<T>} fn
   */
  const measured = async (step, fn) => {
    changed.clear();
    const pids = workerdOf(root);
    if (peakResettable) peakResettable = pids.every(resetPeak);
    const out = await fn();
    const after = workerdOf(root);
    const m = after.map((pid) => ({ pid, ...memory(pid) })).filter((x) => x.hwm !== undefined);
    const restarted = after.some((p) => !pids.includes(p));
    mem.push({ step, peak: Math.max(...m.map((x) => /** @type {number} */ (x.hwm))), rss: Math.max(...m.map((x) => /** @type {number} */ (x.rss))),
      each: m.map((x) => `${x.pid}: ${/** @type {number} */ (x.hwm).toFixed(0)}`).join(', '), restarted });
    if (changed.size) changedDuring.set(step, [...changed]);
    return out;
  };

  // 1. the snapshot, from no facts to the first 200
  const url = `${stack.url}/v1/reports/scoring-review`;
  /** @type {(Answer & { computed: number | null })[]} */
  const requests = [];
  const snapshot = await measured('1. review snapshot (facts computed)', async () => {
    const s = performance.now();
    const deadline = s + SNAPSHOT_LIMIT_S * 1000;
    for (;;) {
      const res = await request(url, { headers: auth, timeoutMs: deadline - performance.now() });
      const computed = res.status === 202 ? (JSON.parse(res.text).computed ?? null) : null;
      requests.push({ ...res, computed });
      const seconds = (performance.now() - s) / 1000;
      if (res.status === 200) return { complete: true, seconds, res, body: JSON.parse(res.text), bytes: Buffer.byteLength(res.text) };
      if (res.status !== 202 || performance.now() >= deadline) return { complete: false, seconds, res, body: null, bytes: 0 };
    }
  });
  /** @type {number | string} */
  let facts;
  try {
    facts = Number(querySql(persistTo, `SELECT COUNT(*) AS rows FROM outcome_facts WHERE site_id = 'review'`)[0]?.rows);
  } catch (err) {
    facts = `n/a (${String(err).split('\n')[0]})`;
  }
  const computing = requests.filter((r) => r.status === 202);
  const by202 = computing.reduce((a, r) => a + (r.computed ?? 0), 0);
  const slowest = Math.max(...requests.map((r) => r.wall));
  console.log(`\n1. review snapshot: GET /v1/reports/scoring-review from no facts to the first 200, no pause between requests`);
  if (snapshot.complete) {
    // The 200 computes the rest (it does not say how many): the facts rows not counted by the 202 answers.
    const byLast = typeof facts === 'number' ? facts - by202 : NaN;
    const factsPerSecond = (typeof facts === 'number' ? facts : by202) / snapshot.seconds;
    const cronRuns = Math.ceil((typeof facts === 'number' ? facts : by202) / (factsPerSecond * (CRON_BUDGET_MS / 1000)));
    const rv = snapshot.body;
    console.log(`  wall time                             ${ms(snapshot.seconds * 1000).padStart(9)}   ${requests.length} requests (${computing.length} × 202 computing, then 200)`);
    console.log(`  facts computed per request            ${[...computing.map((r) => r.computed), byLast].map((x) => n(Number(x))).join(', ')} (the last, the 200's: the rows the 202 answers did not count)`);
    console.log(`  request wall times                    ${requests.map((r) => ms(r.wall)).join(', ')}`);
    console.log(`  facts per second overall              ${factsPerSecond.toFixed(0).padStart(9)}`);
    console.log(`  outcome_facts rows                    ${String(facts).padStart(9)}   (SELECT COUNT(*) via wrangler d1 execute --local)`);
    console.log(`  slowest single request (wall)         ${ms(slowest).padStart(9)}   ${share(slowest, LIMITS.cpuMs)} the 30 s CPU limit per request`);
    console.log(`  the 200 itself, in the Worker         ${ms(timing(snapshot.res, 'review')).padStart(9)}   (Server-Timing review;dur: the last chunks, the likelihood fit and the report)`);
    console.log(`  the Cron alone (${CRON_BUDGET_MS / 1000} s budget every ${CRON_EVERY_MIN} min) would need ~${cronRuns} invocation${cronRuns === 1 ? '' : 's'} ` +
      `(~${cronRuns * CRON_EVERY_MIN} min) at this rate; each spends ${CRON_BUDGET_MS / 1000} s, ${share(CRON_BUDGET_MS, LIMITS.cronMs)} the 15 min per Cron invocation`);
    console.log(`  report: ${n(rv.outcomes.leads)} outcomes in ${rv.from.slice(0, 10)} – ${rv.to.slice(0, 10)} (won ${n(rv.outcomes.won)}, ${(rv.outcomes.winRate * 100).toFixed(1)} %; open ${rv.outcomes.open}), ` +
      `AUC ${rv.discrimination.auc?.auc?.toFixed(3) ?? 'n/a'}, top band win rate ${((rv.discrimination.topBand.winRate ?? 0) * 100).toFixed(1)} %, JSON ${n(snapshot.bytes)} bytes`);
  } else {
    console.log(`  NOT complete after ${ms(snapshot.seconds * 1000)} and ${requests.length} request${requests.length === 1 ? '' : 's'} (limit BENCH_SNAPSHOT_LIMIT_S=${SNAPSHOT_LIMIT_S})`);
    for (const [i, r] of requests.entries()) {
      console.log(`    request ${i + 1}: ${r.status === 202 ? `202 after ${ms(r.wall)}, computed ${r.computed}, Retry-After ${r.headers['retry-after']}` : failure(r)}`);
    }
    console.log(`  facts computed by the 202 answers     ${n(by202).padStart(9)}`);
    console.log(`  outcome_facts rows                    ${String(facts).padStart(9)}   of ${n(OUTCOMES)} (SELECT COUNT(*) via wrangler d1 execute --local)`);
    console.log(`  slowest single request (wall)         ${ms(slowest).padStart(9)}   ${share(slowest, LIMITS.cpuMs)} the 30 s CPU limit per request`);
  }

  // 2. the suggestion
  /** @type {Answer | null} */
  let suggested = null;
  console.log(`\n2. POST /v1/scoring-model/suggest (empty body) over the complete facts`);
  if (!snapshot.complete) console.log('  skipped: the facts are not complete (it would compute them first, as step 1 did)');
  else {
    suggested = await measured('2. suggest', () => request(`${stack.url}/v1/scoring-model/suggest`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '' }));
    if (suggested.status !== 200) console.log(`  ${failure(suggested)}`);
    else {
      const sg = JSON.parse(suggested.text);
      const changes = /** @type {any[]} */ (sg.changes ?? []);
      const count = (/** @type {string} */ a) => changes.filter((c) => c.action === a).length;
      const auc = (/** @type {any} */ x) => (x ? `${x.auc.toFixed(3)} [${x.ci.map((/** @type {number} */ c) => c.toFixed(3)).join(', ')}]` : 'n/a');
      console.log(`  whole HTTP request                    ${ms(suggested.wall).padStart(9)}   ${share(suggested.wall, LIMITS.cpuMs)} the 30 s CPU limit per request`);
      console.log(`  in the Worker (suggest;dur)           ${ms(timing(suggested, 'suggest')).padStart(9)}`);
      console.log(`  hold-out AUC (newest quarter, ${n(sg.holdout.outcomes)} outcomes, ${n(sg.holdout.won)} won): current ${auc(sg.holdout.current)}, suggested ${auc(sg.holdout.suggested)}`);
      console.log(`  trained on ${n(sg.training.outcomes)} outcomes (${n(sg.training.won)} won), ${sg.training.candidates} candidates, λ ${sg.training.lambda}` +
        `${sg.verdict ? `; verdict ${sg.verdict}` : ''}; rules: ${count('added')} added, ${count('changed')} changed, ${count('kept')} kept, ${count('dropped')} dropped; JSON ${n(Buffer.byteLength(suggested.text))} bytes`);
      for (const c of changes.filter((x) => x.action !== 'kept' && !String(x.why).startsWith('merged'))) {
        console.log(`    ${c.action.padEnd(8)} ${c.group.padEnd(10)} ${String(c.id).padEnd(24)} ${String(c.before ?? '–').padStart(6)} → ${String(c.after ?? '–').padEnd(6)} ${c.why}`);
      }
    }
  }

  // 3. reading the report
  /** @type {number[]} */
  const times = [];
  /** @type {number[]} */
  const inWorker = [];
  let bytes = 0;
  console.log(`\n3. GET /v1/reports/scoring-review with the facts complete, ${QUERY_RUNS} sequential runs     p50 ms   p95 ms`);
  if (!snapshot.complete) console.log('  skipped: the facts are not complete');
  else {
    /** @type {Answer | null} */
    const bad = await measured(`3. ${QUERY_RUNS} report reads`, async () => {
      for (let i = 0; i < QUERY_RUNS; i++) {
        const res = await request(url, { headers: auth });
        if (res.status !== 200) return res;
        times.push(res.wall);
        inWorker.push(timing(res, 'review'));
        bytes = Buffer.byteLength(res.text);
      }
      return null;
    });
    if (bad) console.log(`  read ${times.length + 1}: ${failure(bad)}`);
    if (times.length) {
      console.log(`  in the Worker (review;dur: facts read, report built)               ${pct(inWorker, 50).toFixed(1).padStart(7)} ${pct(inWorker, 95).toFixed(1).padStart(8)}`);
      console.log(`  whole HTTP request                                                 ${pct(times, 50).toFixed(1).padStart(7)} ${pct(times, 95).toFixed(1).padStart(8)}`);
      console.log(`  p95 in the Worker is ${share(pct(inWorker, 95), LIMITS.cpuMs)} the 30 s CPU limit per request; report JSON ${n(bytes)} bytes (${(bytes / 1024).toFixed(0)} KiB)`);
    }
  }

  // 4. the preview of two drafts: new fit points (the stored engagement serves), and new behaviour points (every lead replayed)
  const current = await request(`${stack.url}/v1/scoring-model`, { headers: auth });
  const model = { ...JSON.parse(current.text).model };
  delete model.version;
  const drafts = [
    ['fit points changed (no events read)', '4a. preview, fit', { ...model, fit: model.fit.map((/** @type {any} */ r) => (r.id === 'size-enterprise' ? { ...r, points: 3500 } : r)) }],
    ['engagement points changed (every lead replayed)', '4b. preview, behaviour', { ...model, engagement: model.engagement.map((/** @type {any} */ r) => (r.id === 'pricing-view' ? { ...r, points: 25, capPerDay: 50 } : r)) }],
  ];
  console.log(`\n4. POST /v1/scoring-model/preview over ${n(LEADS)} leads / ${n(LEADS * PER_LEAD)} events, once per draft`);
  /** @type {any} */
  let preview = { status: 0, text: '' };
  for (const [label, step, draft] of /** @type {[string, string, unknown][]} */ (drafts)) {
    preview = await measured(step, () => request(`${stack.url}/v1/scoring-model/preview`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(draft) }));
    console.log(`  ${label}`);
    if (preview.status !== 200) { console.log(`    ${failure(preview)}`); continue; }
    const p = JSON.parse(preview.text);
    console.log(`    whole HTTP request                  ${ms(preview.wall).padStart(9)}   ${share(preview.wall, LIMITS.cpuMs)} the 30 s CPU limit per request`);
    console.log(`    in the Worker (preview;dur)         ${ms(timing(preview, 'preview')).padStart(9)}   stages changed ${n(p.stages.changed)}, temperatures changed ${n(p.temperatures.changed)}, movers ${p.movers.up.length} up / ${p.movers.down.length} down; ` +
      `outcomes AUC current ${p.outcomes.current?.auc.toFixed(3)}, draft ${p.outcomes.draft?.auc.toFixed(3)}`);
  }

  // 5. memory
  console.log(`\n5. peak resident memory of the local workerd process (VmHWM${peakResettable ? ', reset before each step' : ', since it started: could not reset'})`);
  if (!startPids.length) console.log('  no workerd process found below wrangler dev');
  else {
    console.log(`  at start (after wrangler dev came up): ${before.map((b) => `pid ${b.pid} resident ${b.rss?.toFixed(0)} MB, peak ${b.hwm?.toFixed(0)} MB`).join('; ')}`);
    const base = Math.max(...before.map((b) => b.rss ?? 0));
    console.log('  step                                         peak MB   over start MB   resident after MB   against 128 MB per isolate   per process (pid: peak MB)');
    for (const m of mem) {
      console.log(`  ${m.step.padEnd(44)} ${m.peak.toFixed(0).padStart(7)} ${(m.peak - base).toFixed(0).padStart(15)} ${m.rss.toFixed(0).padStart(19)}   ${`${share(m.peak, LIMITS.memoryMb)} 128 MB`.padEnd(27)}  ${m.each}` +
        `${m.restarted ? '  (workerd restarted during the step: wrangler reloaded on a source change)' : ''}`);
    }
    console.log(`  (the whole process: runtime, every isolate and the local D1's SQLite together; one isolate's heap is a part of it and cannot be read from outside)`);
  }
  for (const [step, files] of changedDuring) {
    console.log(`  NOTE: during step ${step} source files changed (wrangler dev reloads the Worker): ${files.slice(0, 8).join(', ')}${files.length > 8 ? ` and ${files.length - 8} more` : ''}`);
  }
  console.log(`  report JSON ${snapshot.complete ? `${n(snapshot.bytes)} bytes` : 'n/a'}; suggestion JSON ${suggested?.status === 200 ? `${n(Buffer.byteLength(suggested.text))} bytes` : 'n/a'}; ` +
    `preview JSON ${preview.status === 200 ? `${n(Buffer.byteLength(preview.text))} bytes` : 'n/a'}`);
} finally {
  for (const w of watchers) w.close();
  await stack.stop();
  rmSync(persistTo, { recursive: true, force: true });
}
