// @ts-check
/**
 * npm run bench:loop — the loop with sales at scale, on the real local stack.
 *
 * 1. Bulk write-back: 10,000 outcome rows (won with a value, lost, accepted,
 *    rejected; CSV keyed by lead id, sent in pages of BENCH_PAGE rows as a CRM
 *    sync would) against 100,000 leads with 1,000,000 events: rows/s. Then the
 *    same file again, which must report every row unchanged.
 * 2. Lead import: BENCH_IMPORTS fair leads with documented consent (CSV,
 *    pages of BENCH_PAGE), new addresses next to those 100,000 leads: rows/s,
 *    then the same file again, which must report every row unchanged.
 * 3. The funnel report with by=source over those leads: p50/p95 of the
 *    report inside the Worker (Server-Timing) and of the whole request.
 *    Target p95 < 200 ms inside the Worker.
 *
 * Sizes: BENCH_LEADS, BENCH_EVENTS_PER_LEAD, BENCH_UPDATES, BENCH_IMPORTS, BENCH_PAGE, BENCH_QUERY_RUNS.
 * Figures are printed, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admin, applyMigrations, build, freePort, startStack } from '../scripts/stack.mjs';
import { eventsSql, execSql, leadsSql, pct, siteSql } from './seed.mjs';

const LEADS = Number(process.env.BENCH_LEADS ?? 100_000);
const PER_LEAD = Number(process.env.BENCH_EVENTS_PER_LEAD ?? 10);
const UPDATES = Math.min(LEADS, Number(process.env.BENCH_UPDATES ?? 10_000));
const IMPORTS = Number(process.env.BENCH_IMPORTS ?? 5000);
const PAGE = Number(process.env.BENCH_PAGE ?? 1000);
const QUERY_RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 30);

/** Every lead handed off (SQL, open, one of three owners) with a first-touch referrer or UTM source. @param {string} site @param {number} now */
const salesSql = (site, now) => `
INSERT INTO owners (site_id, id, name, email, weight, assigned, created_at, updated_at) VALUES
  ('${site}', 'anna', 'Anna', 'anna@sales.example', 3, 0, ${now}, ${now}),
  ('${site}', 'ben', 'Ben', 'ben@sales.example', 2, 0, ${now}, ${now}),
  ('${site}', 'cem', 'Cem', 'cem@sales.example', 1, 0, ${now}, ${now});
UPDATE lead_scores SET stage = 'sql' WHERE site_id = '${site}';
UPDATE leads SET sales_status = 'open', owner_id = CASE abs(CAST(substr(id, 2) AS INTEGER)) % 6 WHEN 0 THEN 'cem' WHEN 1 THEN 'ben' WHEN 2 THEN 'ben' ELSE 'anna' END,
                 assigned_at = ${now}, sales_rev = 'seed' WHERE site_id = '${site}';
INSERT INTO stage_history (site_id, lead_id, from_stage, to_stage, direction, at, score, fit, engagement, model_version)
  SELECT '${site}', id, 'confirmed', 'mql', 'up', ${now} - 86400000, 0, 0, 0, 1 FROM leads WHERE site_id = '${site}';
INSERT INTO stage_history (site_id, lead_id, from_stage, to_stage, direction, at, score, fit, engagement, model_version)
  SELECT '${site}', id, 'mql', 'sql', 'up', ${now} - 3600000, 0, 0, 0, 1 FROM leads WHERE site_id = '${site}';
INSERT INTO stage_history (site_id, lead_id, from_stage, to_stage, direction, at, score, fit, engagement, model_version, actor)
  SELECT '${site}', id, 'sql', 'open', 'up', ${now}, 0, 0, 0, 1, 'routing' FROM leads WHERE site_id = '${site}';
UPDATE events SET referrer = CASE CAST(substr(lead_id, 2) AS INTEGER) % 3 WHEN 0 THEN 'https://www.google.com/' WHEN 1 THEN 'https://www.linkedin.com/feed' ELSE NULL END,
                  utm = CASE WHEN substr(lead_id, -1) IN ('0', '5') THEN '{"source":"newsletter"}' ELSE NULL END
  WHERE site_id = '${site}';`;

/** The CSV of one page of outcomes. @param {number} from @param {number} to */
function outcomes(from, to) {
  const rows = ['id,status,value,currency,reason'];
  for (let i = from; i < to; i++) {
    const id = `l${String(i).padStart(7, '0')}`;
    const kind = i % 4;
    rows.push(kind === 0 ? `${id},won,${1000 + (i % 50) * 250},EUR,` : kind === 1 ? `${id},lost,,,price` : kind === 2 ? `${id},accepted,,,` : `${id},rejected,,,no_budget`);
  }
  return `${rows.join('\n')}\n`;
}

/** The CSV of one page of a fair's leads, all with documented consent. @param {number} from @param {number} to */
function fairLeads(from, to) {
  const rows = ['email,firstName,company,companySize,lang,basis,consentText,consentAt,source'];
  for (let i = from; i < to; i++) {
    rows.push(`visitor${i}@fair-${i % 97}.example,Kim,Firma ${i % 97} GmbH,50-249,de,consent,"Ja, ich möchte Informationen per E-Mail erhalten.",2026-11-18T10:00:00Z,"Messe 2026, Stand B12"`);
  }
  return `${rows.join('\n')}\n`;
}

build({ examples: false });
console.log(`\nSales loop benchmark (local wrangler dev: workerd + local D1)\n`);
const persistTo = mkdtempSync(join(tmpdir(), 'lodestone-bench-loop-'));
const port = await freePort();
const now = Date.now();
applyMigrations(persistTo);
let t = Date.now();
execSql(persistTo, siteSql('loop', `http://127.0.0.1:${port}`, now) + leadsSql('loop', LEADS, now, false));
execSql(persistTo, eventsSql('loop', now, LEADS, PER_LEAD));
execSql(persistTo, salesSql('loop', now));
console.log(`seeded ${LEADS.toLocaleString('en')} handed-off leads and ${(LEADS * PER_LEAD).toLocaleString('en')} events in ${((Date.now() - t) / 1000).toFixed(1)} s`);
const stack = await startStack({ port, persistTo, adminToken: `adm_${now}`, vars: { INGEST_RATE_LIMIT: 'off' }, skipBuild: true });
try {
  const { secret } = await admin(stack.url, stack.adminToken, 'POST', '/admin/sites/loop/keys', { name: 'bench', scopes: ['leads:read', 'leads:write'] });
  const auth = { authorization: `Bearer ${secret}` };

  /**
   * Sends every page of a file to `path`; returns the seconds taken and the summed report.
   * @param {string} path @param {number} rows @param {(from: number, to: number) => string} page @param {readonly string[]} keys
   * @returns {Promise<{ seconds: number } & Record<string, number>>}
   */
  const upload = async (path, rows, page, keys) => {
    /** @type {Record<string, number>} */
    const sum = Object.fromEntries(keys.map((k) => [k, 0]));
    const s = performance.now();
    for (let from = 0; from < rows; from += PAGE) {
      const res = await fetch(`${stack.url}${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: page(from, Math.min(rows, from + PAGE)) });
      const body = await res.json();
      if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${body.detail}`);
      for (const k of keys) sum[k] += body[k];
      for (const m of (res.headers.get('server-timing') ?? '').matchAll(/(\w+);dur=([\d.]+)/g)) sum[`ms_${m[1]}`] = (sum[`ms_${m[1]}`] ?? 0) + Number(m[2]);
    }
    return { seconds: (performance.now() - s) / 1000, ...sum };
  };
  const sync = () => upload('/v1/leads/updates', UPDATES, outcomes, ['updated', 'unchanged', 'refused']);
  const first = await sync();
  const again = await sync();
  console.log(`\nbulk write-back of ${UPDATES.toLocaleString('en')} outcome rows (CSV, pages of ${PAGE}) against ${LEADS.toLocaleString('en')} leads`);
  console.log(`  first run:  ${first.seconds.toFixed(1)} s, ${(UPDATES / first.seconds).toFixed(0)} rows/s  (updated ${first.updated}, unchanged ${first.unchanged}, refused ${first.refused})`);
  console.log(`  same file:  ${again.seconds.toFixed(1)} s, ${(UPDATES / again.seconds).toFixed(0)} rows/s  (updated ${again.updated}, unchanged ${again.unchanged}, refused ${again.refused})`);
  console.log(`  idempotent: ${again.updated === 0 && again.unchanged === first.updated ? 'yes (the second run changed nothing)' : 'NO'}`);

  const fair = () => upload('/v1/leads/import', IMPORTS, fairLeads, ['created', 'merged', 'unchanged', 'refused']);
  const imported = await fair();
  const reimported = await fair();
  console.log(`\nlead import of ${IMPORTS.toLocaleString('en')} fair leads with consent (CSV, pages of ${PAGE}) next to ${LEADS.toLocaleString('en')} leads`);
  console.log(`  first run:  ${imported.seconds.toFixed(1)} s, ${(IMPORTS / imported.seconds).toFixed(0)} rows/s  (created ${imported.created}, merged ${imported.merged}, refused ${imported.refused})`);
  console.log(`              in the Worker: rows ${((imported.ms_import ?? 0) / 1000).toFixed(1)} s, scoring ${((imported.ms_score ?? 0) / 1000).toFixed(1)} s`);
  console.log(`  same file:  ${reimported.seconds.toFixed(1)} s, ${(IMPORTS / reimported.seconds).toFixed(0)} rows/s  (created ${reimported.created}, unchanged ${reimported.unchanged}, refused ${reimported.refused})`);
  console.log(`  idempotent: ${reimported.created === 0 && reimported.merged === 0 && reimported.unchanged === IMPORTS ? 'yes (the second run changed nothing)' : 'NO'}`);

  // The whole funnel, then broken down by first-touch source (the issue's figure): what the breakdown costs.
  for (const by of ['', 'source']) {
    const times = [];
    const inWorker = [];
    let groups = 0;
    for (let i = 0; i < QUERY_RUNS; i++) {
      const s = performance.now();
      const res = await fetch(`${stack.url}/v1/reports/funnel?${by ? `by=${by}&` : ''}from=${now - 86_400_000}&to=${now + 86_400_000}`, { headers: auth });
      const body = await res.json();
      if (!res.ok) throw new Error(`GET /v1/reports/funnel: ${res.status} ${body.detail}`);
      times.push(performance.now() - s);
      inWorker.push(Number(/funnel;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN));
      groups = body.groups?.length ?? 1;
    }
    console.log(`\nfunnel${by ? ` by=${by}` : ''} over ${LEADS.toLocaleString('en')} leads (${groups} group${groups === 1 ? '' : 's'}), ${QUERY_RUNS} runs      p50 ms   p95 ms`);
    console.log(`  in the Worker (D1 reads and shaping)                  ${pct(inWorker, 50).toFixed(1).padStart(7)} ${pct(inWorker, 95).toFixed(1).padStart(8)}`);
    console.log(`  whole HTTP request                                    ${pct(times, 50).toFixed(1).padStart(7)} ${pct(times, 95).toFixed(1).padStart(8)}`);
    if (by) console.log(`  target p95 < 200 ms in the Worker: ${pct(inWorker, 95) < 200 ? 'met' : 'NOT met'}`);
  }
} finally {
  await stack.stop();
  rmSync(persistTo, { recursive: true, force: true });
}
