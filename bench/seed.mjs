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

/** `perLead` scored events per lead over the last 90 days. @param {string} site @param {number} now @param {number} leads @param {number} perLead */
export const eventsSql = (site, now, leads, perLead) => `
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ${leads * perLead - 1})
INSERT INTO events (site_id, event_id, kind, url, path, ts, client_ts, received_at, lead_id, lead_seq)
SELECT '${site}', 'e' || i,
       CASE i % 10 WHEN 0 THEN 'pricing_view' WHEN 1 THEN 'download' WHEN 2 THEN 'form_submit' ELSE 'pageview' END,
       'https://scale.example/', CASE i % 7 WHEN 0 THEN '/kontakt' WHEN 1 THEN '/karriere/jobs' ELSE '/blog' END,
       ${now} - (i % 90) * 86400000, ${now} - (i % 90) * 86400000, ${now} - (i % 90) * 86400000,
       printf('l%07d', i / ${perLead}), i % ${perLead}
FROM k;`;

/** @param {autocannon.Options} opts @returns {Promise<autocannon.Result>} */
export const load = (opts) => new Promise((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));

/** @param {number[]} xs @param {number} p */
export const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

