// @ts-check
/** Seeding the local D1 with SQL before wrangler dev starts, and small helpers the benchmarks share. */
import autocannon from 'autocannon';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../scripts/stack.mjs';

/** @param {string} persistTo @param {string} sql */
export function execSql(persistTo, sql) {
  const file = join(persistTo, `seed-${Date.now()}.sql`);
  writeFileSync(file, sql);
  const out = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'd1', 'execute', 'DB', '--local',
    '--persist-to', persistTo, '--file', file, '--yes'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' } });
  if (out.status !== 0) throw new Error(`seeding failed: ${out.stderr}${out.stdout}`);
}

/** A site with one origin. @param {string} id @param {string} origin @param {number} now */
export const siteSql = (id, origin, now) => `
INSERT INTO sites (id, name, created_at, updated_at) VALUES ('${id}', '${id}', ${now}, ${now});
INSERT INTO site_origins (site_id, origin, created_at) VALUES ('${id}', '${origin}', ${now});`;

/**
 * Leads with varied profiles (so fit takes realistic distinct values), an
 * initial score row each, and optionally a linked visitor id.
 * @param {string} site @param {number} n @param {number} now @param {boolean} visitors
 */
export const leadsSql = (site, n, now, visitors) => `
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

/**
 * `perLead` scored events per lead over the last 90 days; with `visitors`,
 * each from the visitor id leadsSql links to its lead (as the snippet sends them).
 * @param {string} site @param {number} now @param {number} leads @param {number} perLead @param {boolean} [visitors]
 */
export const eventsSql = (site, now, leads, perLead, visitors = false) => `
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ${leads * perLead - 1})
INSERT INTO events (site_id, event_id, kind, url, path, ts, client_ts, received_at, lead_id, lead_seq, visitor_id)
SELECT '${site}', 'e' || i,
       CASE i % 10 WHEN 0 THEN 'pricing_view' WHEN 1 THEN 'download' WHEN 2 THEN 'form_submit' ELSE 'pageview' END,
       'https://scale.example/', CASE i % 7 WHEN 0 THEN '/kontakt' WHEN 1 THEN '/karriere/jobs' ELSE '/blog' END,
       ${now} - (i % 90) * 86400000, ${now} - (i % 90) * 86400000, ${now} - (i % 90) * 86400000,
       printf('l%07d', i / ${perLead}), i % ${perLead}, ${visitors ? `printf('v%07d', i / ${perLead})` : 'NULL'}
FROM k;
${visitors ? visitorsSeenSql(site) : ''}`;

/**
 * The visitors rollup of the site's events, as ingest keeps it (migration
 * 0016): seeding writes events directly, so the rollup is built after them.
 * @param {string} site
 */
export const visitorsSeenSql = (site) => `
INSERT INTO visitors_seen (site_id, visitor_id, last_seen_at, last_pricing_at, last_form_at)
SELECT site_id, visitor_id, MAX(received_at),
       MAX(CASE WHEN kind = 'pricing_view' THEN received_at END), MAX(CASE WHEN kind = 'form_view' THEN received_at END)
FROM events WHERE site_id = '${site}' AND visitor_id IS NOT NULL GROUP BY visitor_id
ON CONFLICT (site_id, visitor_id) DO UPDATE SET last_seen_at = excluded.last_seen_at,
  last_pricing_at = excluded.last_pricing_at, last_form_at = excluded.last_form_at;`;

/** @param {autocannon.Options} opts @returns {Promise<autocannon.Result>} */
export const load = (opts) => new Promise((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));

/** @param {number[]} xs @param {number} p */
export const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;


/** The lead's number in SQL, from an id made by leadsSql (`l0000042` → 42). @param {string} [table] */
const leadNo = (table = '') => `CAST(substr(${table}id, 2) AS INTEGER)`;
/**
 * The hand-off moment of lead number `n` (an SQL expression): 80 % within the
 * last 365 days, the rest 365–600 days ago, spread over the hours of a day.
 * @param {string} n @param {number} now
 */
const handoffAt = (n, now) => `(${now} - (CASE WHEN ((${n} * 48271) % 2147483647) % 1000 < 800
    THEN (((${n} * 48271) % 2147483647) % 1000) * 365 / 800
    ELSE 365 + ((((${n} * 48271) % 2147483647) % 1000) - 800) * 235 / 200 END) * 86400000 - (${n} % 86400) * 1000)`;

/**
 * Sales outcomes for `outcomes` of the `leads` leads made by leadsSql (a
 * spread-out, deterministic choice: (n · 7919) mod leads < outcomes): about
 * 25 % won (with a deal value), the rest lost or rejected, each with
 * sales_rev, assigned_at and closed_at, and one stage_history row mql → sql
 * at its hand-off (80 % within the last 365 days, the rest up to 600 days
 * ago). Buying depends on the profile: industry Software and company size
 * 50-249 raise the win share, a US country a little, a free-mail address
 * lowers it. The leads' sign-up moves to 90 days before the hand-off.
 * @param {string} site @param {number} now @param {number} leads @param {number} outcomes
 */
export const outcomesSql = (site, now, leads, outcomes) => {
  const n = leadNo();
  const chance = `(140 + 200 * (${n} % 3 = 0) + 200 * (${n} % 5 = 2) + 80 * (${n} % 6 = 3) - 50 * (${n} % 4 = 0))`;
  const draw = `((((${n} * 1103515245 + 12345) % 2147483648) / 65536) % 1000)`;
  const at = handoffAt(n, now);
  return `
UPDATE leads SET
  sales_status = CASE WHEN ${draw} < ${chance} THEN 'won' WHEN (${n} / 7) % 3 = 0 THEN 'rejected' ELSE 'lost' END,
  sales_reason = CASE WHEN ${draw} < ${chance} THEN NULL WHEN (${n} / 7) % 3 = 0 THEN 'no_budget' ELSE 'price' END,
  deal_value = CASE WHEN ${draw} < ${chance} THEN 1000 + (${n} % 50) * 250 ELSE NULL END,
  deal_currency = CASE WHEN ${draw} < ${chance} THEN 'EUR' ELSE NULL END,
  sales_rev = 'seed-' || ${n},
  assigned_at = ${at} + 3600000,
  closed_at = MIN(${now}, ${at} + (3 + ${n} % 60) * 86400000),
  created_at = ${at} - 90 * 86400000, confirmed_at = ${at} - 90 * 86400000
WHERE site_id = '${site}' AND (${n} * 7919) % ${leads} < ${outcomes};
INSERT INTO stage_history (site_id, lead_id, from_stage, to_stage, direction, at, score, fit, engagement, model_version)
  SELECT '${site}', id, 'mql', 'sql', 'up', ${at}, 0, 0, 0, 1
  FROM leads INDEXED BY leads_by_sales_status WHERE site_id = '${site}' AND sales_status IS NOT NULL;`;
};

/**
 * Moves the events of the leads with a sales outcome (outcomesSql) into the
 * weeks before their hand-off, so the behaviour at the hand-off is what the
 * review sees (events after it are ignored there): event k of a lead lies
 * (k + 1) · (1 + n mod 6) days before the hand-off.
 * @param {string} site @param {number} now
 */
export const outcomeEventsSql = (site, now) => {
  const n = `CAST(substr(lead_id, 2) AS INTEGER)`;
  const ts = `${handoffAt(n, now)} - (lead_seq + 1) * (1 + ${n} % 6) * 86400000`;
  return `
UPDATE events SET ts = ${ts}, client_ts = ${ts}, received_at = ${ts}
WHERE site_id = '${site}' AND lead_id IN (SELECT id FROM leads INDEXED BY leads_by_sales_status WHERE site_id = '${site}' AND sales_status IS NOT NULL);`;
};

/** Rows of one read-only query against the local D1 (wrangler d1 execute --json). @param {string} persistTo @param {string} sql @returns {Record<string, unknown>[]} */
export function querySql(persistTo, sql) {
  const out = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'd1', 'execute', 'DB', '--local',
    '--persist-to', persistTo, '--command', sql, '--json'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' } });
  if (out.status !== 0) throw new Error(`query failed: ${out.stderr}${out.stdout}`);
  return JSON.parse(out.stdout)[0]?.results ?? [];
}
