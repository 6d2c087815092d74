// @ts-check
/**
 * npm run bench:nurture — the nurture cron at scale, on the real local stack.
 *
 * A site with BENCH_LEADS (100,000) confirmed leads with marketing consent,
 * every one of them enrolled (state active) in one sequence of three mails
 * (welcome, wait 2 days, case, wait 2 days, offer; the shape of
 * test/fixtures/three-mails.json). Every lead got the welcome mail
 * already (a sent row in mail_outbox). Most enrolments wait at wait-1, due in
 * one to two days; BENCH_DUE (1,000) are due now at the send step
 * case-study. The site's cap and rate stay out of the way (minGapHours 1,
 * sendsPerMinute 10,000). The rows are written with SQL before wrangler dev
 * starts (bench/seed.mjs), the cron is triggered through wrangler dev's
 * /cdn-cgi/local/scheduled?time=<ms>: the scheduled handler as Cloudflare
 * runs it, with every other maintenance job of the cron in it too.
 *
 * 1. One cron run that plans the due sends: its wall time, and the D1 state
 *    before and after (mail_outbox rows of kind nurture, enrolments moved,
 *    mails sent in that run).
 * 2. Crons back to back until every due mail is sent (status sent): sends
 *    per minute over the cron time, and over the send phase alone (the
 *    first to the last dev-outbox mail of the experiment, as workerd's
 *    clock stamped them).
 * 3. Cost per run against the due work and against the enrolled leads: the
 *    same BENCH_DUE due with BENCH_LEADS_SMALL (10,000) and with BENCH_LEADS
 *    enrolled (two stacks, one after the other), and BENCH_DUE against
 *    BENCH_DUE_LARGE (4 × BENCH_DUE) due at BENCH_LEADS enrolled.
 *
 * Each stack's cost of an empty cron run (nothing due; all the other jobs)
 * is measured first; "over empty runs" subtracts it from every cron of an
 * experiment, which leaves what the due work costs.
 *
 * Experiments share one database by time: each group of due enrolments is
 * due at its own moment, and the cron's scheduled time (?time=) picks it;
 * the rest stay out of reach (moved ones rest two days at wait-2).
 * Patience: BENCH_MAX_CRONS (40) crons per experiment. Figures are printed,
 * never asserted.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations, build, freePort, startStack } from '../scripts/stack.mjs';
import { execSql, leadsSql, pct, querySql, siteSql } from './seed.mjs';

const LEADS = Number(process.env.BENCH_LEADS ?? 100_000);
const LEADS_SMALL = Math.min(LEADS, Number(process.env.BENCH_LEADS_SMALL ?? 10_000));
const DUE = Number(process.env.BENCH_DUE ?? 1_000);
const DUE_LARGE = Number(process.env.BENCH_DUE_LARGE ?? 4 * DUE);
const MAX_CRONS = Number(process.env.BENCH_MAX_CRONS ?? 40);
/** Empty cron runs per stack: the first warms up and is not counted. */
const EMPTY_RUNS = 4;

const SITE = 'nurture';
const SEQ = 'bench';
const DAY = 86_400_000;
const MINUTE = 60_000;
/** The cron's own limits (edge/scheduled.ts runNurtureCron): planning budget, and the deadline sending stops at. */
const PLAN_BUDGET_MS = 60_000;
const SEND_DEADLINE_MS = 240_000;

const n = (/** @type {number} */ x) => x.toLocaleString('en');
const ms = (/** @type {number} */ x) => (Number.isNaN(x) ? 'n/a' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`);
const ratio = (/** @type {number} */ a, /** @type {number} */ b) => (b > 0 && Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a');
const sql = (/** @type {string} */ s) => `'${s.replace(/'/g, "''")}'`;

/** The sequence as PUT /v1/sequences/bench would store it (parsed: defaults filled in, id and version set): the tests' document. */
const SEQUENCE = {
  id: SEQ,
  version: 1,
  status: 'active',
  reentry: 'never',
  ...JSON.parse(readFileSync(new URL('../test/fixtures/three-mails.json', import.meta.url), 'utf8')),
};

/**
 * @typedef {{ name: string, from: number, to: number, at: number }} Group
 * Due enrolments: leads number from..to-1, due just before `at` at the send step case-study.
 */

/**
 * Nurture rows for the leads made by leadsSql: marketing consent, the
 * sequence and its version, the site's settings, one active enrolment per
 * lead (a group's leads due at its moment, at case-study; the others at
 * wait-1, due one to two days after `now`), and the welcome mail every lead
 * got when it entered.
 * @param {number} leads @param {Group[]} groups @param {number} now @param {string} linkBase
 */
function nurtureSql(leads, groups, now, linkBase) {
  const i = `CAST(substr(l.id, 2) AS INTEGER)`;
  const inGroup = (/** @type {Group} */ g) => `${i} >= ${g.from} AND ${i} < ${g.to}`;
  // Due 1–60 s before the group's moment, spread so the due index orders them.
  const dueCase = groups.map((g) => `WHEN ${inGroup(g)} THEN ${g.at} - 1000 - (${i} % 600) * 100`).join(' ');
  const stepAt = groups.length ? `CASE ${dueCase} ELSE ${now} - (${i} % 86400) * 1000 END` : `${now} - (${i} % 86400) * 1000`;
  const due = groups.length ? `(${groups.map(inGroup).map((c) => `(${c})`).join(' OR ')})` : '0';
  const doc = sql(JSON.stringify(SEQUENCE));
  return `
UPDATE leads SET marketing = 1 WHERE site_id = '${SITE}';
INSERT INTO nurture_settings (site_id, min_gap_hours, sends_per_minute, time_zone, updated_at) VALUES ('${SITE}', 1, 10000, NULL, ${now});
INSERT INTO sequences (site_id, id, version, name, status, trigger_on, doc, cursor_at, cursor_key, created_at, updated_at)
  VALUES ('${SITE}', '${SEQ}', 1, ${sql(SEQUENCE.name)}, 'active', 'confirmed', ${doc}, ${now - 10 * DAY}, '', ${now - 10 * DAY}, ${now - 10 * DAY});
INSERT INTO sequence_versions (site_id, sequence_id, version, doc, created_at) VALUES ('${SITE}', '${SEQ}', 1, ${doc}, ${now - 10 * DAY});
INSERT INTO nurture_enrollments (id, site_id, sequence_id, lead_id, entry, state, step_id, step_at, due_at, rev, entered_at)
  SELECT 'ne_${SITE}/${SEQ}/e' || ${i}, '${SITE}', '${SEQ}', l.id, 1, 'active',
         CASE WHEN ${due} THEN 'case-study' ELSE 'wait-1' END,
         ${stepAt}, CASE WHEN ${due} THEN ${stepAt} ELSE ${stepAt} + 2 * ${DAY} END,
         'seed' || ${i}, CASE WHEN ${due} THEN ${stepAt} - 2 * ${DAY} ELSE ${stepAt} END
  FROM leads l WHERE l.site_id = '${SITE}' AND ${i} < ${leads};
UPDATE leads SET last_nurture_at = (SELECT entered_at FROM nurture_enrollments e WHERE e.id = 'ne_${SITE}/${SEQ}/e' || CAST(substr(leads.id, 2) AS INTEGER))
  WHERE site_id = '${SITE}';
INSERT INTO mail_outbox (id, site_id, lead_id, kind, lang, link_base, status, attempts, next_attempt_at, provider_id, created_at, updated_at, sent_at,
                         sequence_id, sequence_version, step_id, enrollment_id)
  SELECT 'mn_seed' || substr(e.lead_id, 2), e.site_id, e.lead_id, 'nurture', 'en', ${sql(linkBase)}, 'sent', 1, e.entered_at, 'seed', e.entered_at,
         e.entered_at, e.entered_at, e.sequence_id, 1, 'welcome', e.id
  FROM nurture_enrollments e WHERE e.site_id = '${SITE}';`;
}

/** The D1 state of one group: where its enrolments are, its case-study mails by status, and their dev-outbox copies. @param {string} persistTo @param {Group} g */
function groupState(persistTo, g) {
  const lo = `'l${String(g.from).padStart(7, '0')}'`;
  const hi = `'l${String(g.to).padStart(7, '0')}'`;
  const mails = `FROM mail_outbox WHERE site_id = '${SITE}' AND kind = 'nurture' AND step_id = 'case-study' AND lead_id >= ${lo} AND lead_id < ${hi}`;
  const r = querySql(persistTo, `SELECT
    (SELECT COUNT(*) FROM nurture_enrollments WHERE site_id = '${SITE}' AND lead_id >= ${lo} AND lead_id < ${hi} AND state = 'active' AND step_id = 'wait-2') AS moved,
    (SELECT COUNT(*) FROM nurture_enrollments WHERE site_id = '${SITE}' AND lead_id >= ${lo} AND lead_id < ${hi} AND state <> 'active') AS ended,
    (SELECT COUNT(*) ${mails}) AS queued,
    (SELECT COUNT(*) ${mails} AND status = 'sent') AS sent,
    (SELECT COUNT(*) ${mails} AND status = 'pending') AS pending,
    (SELECT COUNT(*) ${mails} AND status IN ('dead', 'cancelled')) AS failed,
    (SELECT COUNT(*) ${mails} AND attempts > 1) AS retried,
    (SELECT COUNT(*) FROM dev_mailbox WHERE subject = 'How Acme doubled its pipeline' AND to_addr >= ${sql(`p${String(g.from).padStart(7, '0')}`)}
       AND to_addr < ${sql(`p${String(g.to).padStart(7, '0')}`)}) AS devMails,
    (SELECT MIN(created_at) FROM dev_mailbox WHERE subject = 'How Acme doubled its pipeline' AND to_addr >= ${sql(`p${String(g.from).padStart(7, '0')}`)}
       AND to_addr < ${sql(`p${String(g.to).padStart(7, '0')}`)}) AS firstMailAt,
    (SELECT MAX(created_at) FROM dev_mailbox WHERE subject = 'How Acme doubled its pipeline' AND to_addr >= ${sql(`p${String(g.from).padStart(7, '0')}`)}
       AND to_addr < ${sql(`p${String(g.to).padStart(7, '0')}`)}) AS lastMailAt,
    (SELECT COUNT(*) FROM nurture_enrollments WHERE state = 'active') AS activeAll,
    (SELECT COUNT(*) FROM mail_outbox WHERE kind = 'nurture') AS nurtureRows`)[0] ?? {};
  const num = (/** @type {string} */ k) => Number(r[k]);
  return {
    moved: num('moved'), ended: num('ended'), queued: num('queued'), sent: num('sent'), pending: num('pending'), failed: num('failed'), retried: num('retried'),
    devMails: num('devMails'), firstMailAt: num('firstMailAt'), lastMailAt: num('lastMailAt'), activeAll: num('activeAll'), nurtureRows: num('nurtureRows'),
  };
}
/** @typedef {ReturnType<typeof groupState>} GroupState */

/** One cron run at scheduled time `at`, timed from the request to the answer (the handler and its waitUntil work). @param {string} url @param {number} at */
async function cron(url, at) {
  const startedAt = Date.now();
  const s = performance.now();
  const res = await fetch(`${url}/cdn-cgi/local/scheduled?time=${at}&format=json`);
  const text = await res.text();
  return { wall: performance.now() - s, startedAt, status: res.status, text };
}

/**
 * @typedef {{ group: Group, due: number, enrolled: number, done: boolean, crons: { wall: number, startedAt: number, queued: number, sent: number, moved: number }[],
 *             before: GroupState, after: GroupState, first: GroupState, cronMs: number, overEmpty: number, sendSpan: number }} Experiment
 */

/**
 * Crons back to back at the group's moment (+1 s each) until every due mail of the group is sent, or MAX_CRONS.
 * @param {{ url: string, persistTo: string }} stack @param {Group} g @param {number} empty @param {number} enrolled @returns {Promise<Experiment>}
 */
async function experiment(stack, g, empty, enrolled) {
  const due = g.to - g.from;
  const before = groupState(stack.persistTo, g);
  /** @type {Experiment['crons']} */
  const crons = [];
  let state = before;
  let first = before;
  for (let k = 0; k < MAX_CRONS; k++) {
    const r = await cron(stack.url, g.at + k * 1000);
    if (r.status !== 200) console.log(`  cron at +${k} s answered ${r.status}: ${r.text.slice(0, 300)}`);
    const prev = state;
    state = groupState(stack.persistTo, g);
    if (k === 0) first = state;
    crons.push({ wall: r.wall, startedAt: r.startedAt, queued: state.queued - prev.queued, sent: state.sent - prev.sent, moved: state.moved - prev.moved });
    if (state.sent >= due || (state.pending === 0 && state.queued >= due)) break;
  }
  const cronMs = crons.reduce((a, c) => a + c.wall, 0);
  return {
    group: g, due, enrolled, done: state.sent >= due, crons, before, after: state, first, cronMs,
    overEmpty: cronMs - crons.length * empty, sendSpan: state.lastMailAt - state.firstMailAt,
  };
}

/**
 * Seeds a database with `leads` enrolled leads and the due groups, starts the stack, measures the empty cron and runs the experiments.
 * @param {string} label @param {number} leads @param {{ name: string, size: number }[]} plan
 */
async function onStack(label, leads, plan) {
  const persistTo = mkdtempSync(join(tmpdir(), 'lodestone-bench-nurture-'));
  const port = await freePort();
  // Whole minutes, so the groups' moments are easy to read in the rows.
  const now = Math.floor(Date.now() / MINUTE) * MINUTE;
  /** @type {Group[]} */
  const groups = [];
  let from = 0;
  for (const [k, p] of plan.entries()) {
    groups.push({ name: p.name, from, to: from + p.size, at: now + k * 60 * MINUTE });
    from += p.size;
  }
  if (from > leads) throw new Error(`${label}: ${n(from)} due leads do not fit into ${n(leads)} leads`);
  applyMigrations(persistTo);
  const t = performance.now();
  const linkBase = `http://127.0.0.1:${port}`;
  execSql(persistTo, siteSql(SITE, linkBase, now - 30 * DAY) + leadsSql(SITE, leads, now - 30 * DAY, false));
  execSql(persistTo, nurtureSql(leads, groups, now, linkBase));
  const seedMs = performance.now() - t;
  const seeded = querySql(persistTo, `SELECT (SELECT COUNT(*) FROM leads WHERE site_id = '${SITE}' AND status = 'confirmed' AND marketing = 1) AS leads,
    (SELECT COUNT(*) FROM nurture_enrollments WHERE state = 'active') AS active,
    (SELECT COUNT(*) FROM nurture_enrollments WHERE state = 'active' AND due_at <= ${now + 2 * 60 * MINUTE}) AS dueSoon,
    (SELECT COUNT(*) FROM mail_outbox WHERE kind = 'nurture') AS sent`)[0] ?? {};
  console.log(`\n${label}: seeded ${n(Number(seeded.leads))} confirmed leads with marketing consent, ${n(Number(seeded.active))} active enrolments ` +
    `(${n(Number(seeded.dueSoon))} of them due within the run: ${groups.map((g) => `${n(g.to - g.from)} at +${(g.at - now) / MINUTE} min`).join(', ')}), ` +
    `${n(Number(seeded.sent))} welcome mails sent before, in ${ms(seedMs)}`);

  const stack = await startStack({ port, persistTo, adminToken: `adm_${now}`, vars: { INGEST_RATE_LIMIT: 'off' }, skipBuild: true });
  try {
    // Empty runs: nothing due yet (the first group is due 1–60 s before its moment).
    /** @type {number[]} */
    const empties = [];
    for (let k = 0; k < EMPTY_RUNS; k++) {
      const r = await cron(stack.url, now - (50 - k * 5) * MINUTE);
      if (r.status !== 200) console.log(`  empty cron answered ${r.status}: ${r.text.slice(0, 300)}`);
      if (k > 0) empties.push(r.wall);
    }
    const empty = pct(empties, 50);
    const untouched = querySql(persistTo, `SELECT COUNT(*) AS n FROM mail_outbox WHERE kind = 'nurture' AND step_id <> 'welcome'`)[0]?.n;
    console.log(`  empty cron run (nothing due; every other job of the cron): ${empties.map(ms).join(', ')} → median ${ms(empty)} ` +
      `(first run, not counted, warmed up; nurture mails planned by them: ${untouched})`);
    /** @type {Experiment[]} */
    const out = [];
    for (const g of groups) out.push(await experiment({ url: stack.url, persistTo }, g, empty, leads));
    return { empty, experiments: out };
  } finally {
    await stack.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

build({ examples: false });
const started = performance.now();
console.log(`\nNurture cron benchmark (local wrangler dev: workerd + local D1; cron via /cdn-cgi/local/scheduled?time=)`);
console.log(`sequence: welcome, wait 2 days, case-study, wait 2 days, offer; settings minGapHours 1, sendsPerMinute 10,000; ` +
  `the cron plans for up to ${PLAN_BUDGET_MS / 1000} s and sends until ${SEND_DEADLINE_MS / 1000} s after it started (edge/scheduled.ts)`);

const large = await onStack(`A. ${n(LEADS)} enrolled`, LEADS, [{ name: `${n(DUE)} due`, size: DUE }, { name: `${n(DUE_LARGE)} due`, size: DUE_LARGE }]);
const small = await onStack(`B. ${n(LEADS_SMALL)} enrolled`, LEADS_SMALL, [{ name: `${n(DUE)} due`, size: DUE }]);
const [a1, a4] = large.experiments;
const [b1] = small.experiments;
if (!a1 || !a4 || !b1) throw new Error('an experiment is missing');

// 1. the cron run that plans the due sends
const f = a1.first;
const c0 = a1.crons[0];
console.log(`\n1. one cron run with ${n(DUE)} due of ${n(LEADS)} enrolled (the first cron at the due moment)`);
console.log(`  wall time of the run                      ${ms(c0?.wall ?? NaN).padStart(9)}   (empty run on this stack ${ms(large.empty)}; over it ${ms((c0?.wall ?? NaN) - large.empty)})`);
console.log(`  nurture mails queued (mail_outbox rows)   ${n(f.queued - a1.before.queued).padStart(9)}   of ${n(DUE)} due (outbox nurture rows ${n(a1.before.nurtureRows)} → ${n(f.nurtureRows)})`);
console.log(`  enrolments moved to wait-2                ${n(f.moved - a1.before.moved).padStart(9)}   ended ${n(f.ended - a1.before.ended)}; active enrolments after ${n(f.activeAll)}`);
console.log(`  mails sent in the same run (status sent)  ${n(f.sent - a1.before.sent).padStart(9)}   pending ${n(f.pending)}, dead/cancelled ${n(f.failed)}, in the dev outbox ${n(f.devMails)}`);
const planMs = c0 ? f.firstMailAt - c0.startedAt : NaN;
console.log(`  first mail in the dev outbox after        ${ms(planMs).padStart(9)}   from the request (the other jobs of the cron, then the planning; workerd's clock)`);
const v1 = f.queued - a1.before.queued === DUE && f.moved - a1.before.moved === DUE;
console.log(`  verdict: ${v1 ? `one run planned all ${n(DUE)} due sends and moved their enrolments` : `one run did NOT plan all ${n(DUE)} due sends (${n(f.queued - a1.before.queued)} queued, ${n(f.moved - a1.before.moved)} moved)`} ` +
  `in ${ms(c0?.wall ?? NaN)}, ${f.sent - a1.before.sent === DUE ? 'and sent them all' : `and sent ${n(f.sent - a1.before.sent)}`}`);

// 2. sustained sends per minute
console.log(`\n2. crons back to back until every due mail is sent, at ${n(LEADS)} enrolled`);
console.log('  due      crons   sent     cron time   sends/min (cron time)   send phase   sends/min (send phase)   per cron: sent');
for (const e of [a1, a4]) {
  const perMin = (e.after.sent - e.before.sent) / (e.cronMs / MINUTE);
  const phase = e.after.devMails > 1 ? (e.after.devMails - 1) / (e.sendSpan / MINUTE) : NaN;
  console.log(`  ${n(e.due).padEnd(8)} ${String(e.crons.length).padStart(5)}   ${n(e.after.sent - e.before.sent).padEnd(8)} ${ms(e.cronMs).padStart(9)}   ${n(Math.round(perMin)).padStart(21)}   ` +
    `${ms(e.sendSpan).padStart(10)}   ${n(Math.round(phase)).padStart(22)}   ${e.crons.map((c) => c.sent).join(', ')}${e.done ? '' : `   NOT all sent after ${MAX_CRONS} crons`}`);
}
const rate = (a1.after.sent - a1.before.sent + a4.after.sent - a4.before.sent) / ((a1.cronMs + a4.cronMs) / MINUTE);
console.log(`  verdict: the local pipeline sustains ~${n(Math.round(rate))} nurture mails per minute planned and sent ${a1.done && a4.done ? '(all due mails sent)' : '(NOT all due mails were sent)'}; ` +
  `${rate >= 10_000 ? 'at or above' : 'below'} the highest rate a site may set (10,000/min), ${rate >= 60 ? 'above' : 'below'} the default 60/min; ` +
  `one run's ${SEND_DEADLINE_MS / MINUTE} minutes would send ~${n(Math.round(rate * SEND_DEADLINE_MS / MINUTE))}, ` +
  `${n(Math.round((rate * SEND_DEADLINE_MS) / MINUTE / 5))}/min over the cron's five minutes` +
  `${a1.after.retried + a4.after.retried ? `; ${a1.after.retried + a4.after.retried} mails needed a retry` : ''}`);

// 3. cost against due work and enrolled leads
console.log(`\n3. cost of the due work: the same due count at ${n(LEADS_SMALL)} and ${n(LEADS)} enrolled, and ${n(DUE)} against ${n(DUE_LARGE)} due`);
console.log('  enrolled   due      crons   first cron   all crons   empty run   over empty runs   per due mail');
for (const [e, empty] of /** @type {[Experiment, number][]} */ ([[b1, small.empty], [a1, large.empty], [a4, large.empty]])) {
  console.log(`  ${n(e.enrolled).padEnd(10)} ${n(e.due).padEnd(8)} ${String(e.crons.length).padStart(5)}   ${ms(e.crons[0]?.wall ?? NaN).padStart(10)}   ${ms(e.cronMs).padStart(9)}   ` +
    `${ms(empty).padStart(9)}   ${ms(e.overEmpty).padStart(15)}   ${(e.overEmpty / e.due).toFixed(2).padStart(9)} ms${e.done ? '' : '   (NOT all sent)'}`);
}
const byEnrolled = a1.overEmpty / b1.overEmpty;
const byDue = a4.overEmpty / a1.overEmpty;
console.log(`  ratios: ${n(LEADS)} / ${n(LEADS_SMALL)} enrolled at ${n(DUE)} due: ${ratio(a1.overEmpty, b1.overEmpty)} over empty runs ` +
  `(first cron ${ratio(a1.crons[0]?.wall ?? NaN, b1.crons[0]?.wall ?? NaN)}, empty run ${ratio(large.empty, small.empty)}) for ${ratio(LEADS, LEADS_SMALL)} the enrolled; ` +
  `${n(DUE_LARGE)} / ${n(DUE)} due: ${ratio(a4.overEmpty, a1.overEmpty)} for ${ratio(DUE_LARGE, DUE)} the due work`);
console.log(`  verdict (enrolled): ${byEnrolled < 1.5 ? 'the cost does not follow the enrolled leads' : 'the cost GROWS with the enrolled leads'} ` +
  `(${ratio(a1.overEmpty, b1.overEmpty)} for ${ratio(LEADS, LEADS_SMALL)} the enrolled, the due work the same)`);
console.log(`  verdict (due work): ${Math.abs(byDue / (DUE_LARGE / DUE) - 1) < 0.35 ? 'the cost follows the due work, about linearly' : byDue < DUE_LARGE / DUE ? 'the cost grows less than the due work' : 'the cost grows FASTER than the due work'} ` +
  `(${ratio(a4.overEmpty, a1.overEmpty)} for ${ratio(DUE_LARGE, DUE)} the due mails)`);
console.log(`\nbenchmark time ${ms(performance.now() - started)} (seeding, two stacks, the D1 reads between crons)`);
