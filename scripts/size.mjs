// @ts-check
/**
 * `npm run size`: raw, gzip (-9) and brotli (max quality) sizes of every
 * shipped browser bundle, the snippet against its peers' trackers, and the
 * budget check.
 *
 * The snippet is split: s.js is what every page loads (first load, before
 * consent); t.js is loaded only once tracking is allowed. Budgets (gzip):
 * s.js ≤ 1,200 B, s.js + t.js ≤ 4,150 B, w.js ≤ 10,240 B, the dashboard's
 * JavaScript ≤ 80 KB in all. The goal for
 * s.js + t.js is 2,600 B (aim 2,400 B); it is not met yet, so the budget
 * stands where the bundles are and only ever moves down.
 * Exit code 1 when a budget is broken. Builds first when a bundle is missing
 * (`--build` forces it); `--no-peers` skips the peers.
 *
 * Peers are measured in the same run from their published packages, fetched
 * with `npm pack` into .cache/peers/ (git-ignored; a version already there is
 * not fetched again). Without the registry the output says so, a copy
 * packed earlier is used if there is one (else the peer is not measured),
 * and our own budgets are still checked.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { ROOT } from './stack.mjs';

// Built by rollup.config.mjs from snippet/entry-loader.ts, snippet/entry-tracker.ts,
// snippet/entry-module.ts and widget/index.tsx, in this order.
const BUNDLES = [
  { file: 'dist/public/s.js', what: 'snippet, first load (before consent)', budget: 1200 },
  { file: 'dist/public/t.js', what: 'snippet tracker, loaded after consent' },
  { file: 'dist/snippet.mjs', what: 'snippet ES module (s.js + t.js code)' },
  { file: 'dist/public/w.js', what: 'lead-magnet widget', budget: 10240 },
];
/** s.js + t.js, what a visitor who accepts downloads: the budget, and the goal it moves down to. */
const TRACKING_BUDGET = 4150;
const TRACKING_GOAL = 2600;
const TRACKING_AIM = 2400;

/**
 * The peers' browser trackers as their packages publish them. `minify`: the
 * package ships the tracker's source only; it is minified here with terser's
 * defaults (what its own build does).
 */
const PEERS = [
  { name: 'Plausible', pkg: '@plausible-analytics/tracker', file: 'plausible.js' },
  { name: 'Umami', pkg: 'umami', file: 'src/tracker/index.js', minify: true },
  { name: 'Counterscale', pkg: '@counterscale/tracker', file: 'dist/loader/tracker.js' },
];
const CACHE = join(ROOT, '.cache', 'peers');

/**
 * The dashboard (/app): an entry module and a chunk per view, loaded as
 * they are opened. Its budget is for all of its JavaScript together, so
 * that a person who opens every view downloads at most this much.
 */
const DASHBOARD_DIR = 'dist/public/app';
const DASHBOARD_BUDGET = 80 * 1024;

const missing = [...BUNDLES.map((b) => b.file), `${DASHBOARD_DIR}/app.js`].some((f) => !existsSync(join(ROOT, f)));
if (missing || process.argv.includes('--build')) {
  const rollup = join(ROOT, 'node_modules', 'rollup', 'dist', 'bin', 'rollup');
  const res = spawnSync(process.execPath, [rollup, '-c', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) {
    console.error('size: the build failed');
    process.exit(1);
  }
}

/** @param {Buffer} buf */
const measure = (buf) => ({
  raw: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, {
    params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
  }).length,
});

/** npm itself: the one running this script when there is one. */
const npm = (/** @type {string[]} */ args) => {
  const cli = process.env.npm_execpath;
  const [cmd, pre] = cli && /\.c?js$/.test(cli) ? [process.execPath, [cli]] : ['npm', []];
  return spawnSync(cmd, [...pre, ...args, '--no-fund', '--no-audit', '--loglevel=error', '--fetch-retries=0', '--fetch-timeout=15000'], { cwd: CACHE, encoding: 'utf8', timeout: 60_000 });
};

/** One file out of a .tgz (ustar, as npm packs it). */
function fromTarball(/** @type {Buffer} */ tgz, /** @type {string} */ path) {
  const tar = gunzipSync(tgz);
  for (let at = 0; at + 512 <= tar.length; ) {
    const name = tar.toString('utf8', at, at + 100).replace(/\0.*$/s, '');
    const prefix = tar.toString('utf8', at + 345, at + 500).replace(/\0.*$/s, '');
    const size = parseInt(tar.toString('utf8', at + 124, at + 136).replace(/\0.*$/s, '').trim() || '0', 8);
    if (!name) break;
    if ((prefix ? `${prefix}/${name}` : name) == `package/${path}`) return tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
  }
}

/**
 * A peer's tracker: the latest published version, from the cache when it is
 * there. Throws with a reason when it cannot be had.
 * @param {typeof PEERS[number]} peer
 */
async function peerTracker(peer) {
  const stem = `${peer.pkg.replace(/^@/, '').replace('/', '-')}-`;
  const view = npm(['view', peer.pkg, 'version']);
  let version = view.status === 0 ? view.stdout.trim() : '';
  let note = '';
  if (!version) {
    // Offline: the newest version packed before, if any, and say so.
    const cached = readdirSync(CACHE)
      .filter((f) => f.startsWith(stem) && /^\d/.test(f.slice(stem.length)) && f.endsWith('.tgz'))
      .map((f) => f.slice(stem.length, -4))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    version = cached.at(-1) ?? '';
    if (!version) throw new Error('the package registry could not be reached (nothing cached)');
    note = ' (registry not reachable: cached copy)';
  }
  const tgz = join(CACHE, `${stem}${version}.tgz`);
  if (!existsSync(tgz) && npm(['pack', `${peer.pkg}@${version}`]).status !== 0) throw new Error(`npm pack ${peer.pkg}@${version} failed`);
  const src = fromTarball(readFileSync(tgz), peer.file);
  if (!src) throw new Error(`${peer.file} is not in ${peer.pkg}@${version}`);
  if (!peer.minify) return { version, note, code: src };
  const { minify } = await import('terser');
  return { version, note, code: Buffer.from(/** @type {string} */ ((await minify(src.toString('utf8'))).code)) };
}

/** @param {number} x */
const n = (x) => x.toLocaleString('en-US').padStart(7);
const rows = BUNDLES.map((b) => ({ ...b, ...measure(readFileSync(join(ROOT, b.file))) }));

console.log(`${'bundle'.padEnd(20)} ${'raw'.padStart(7)} ${'gzip'.padStart(7)} ${'brotli'.padStart(7)}  budget (gzip)`);
for (const r of rows) {
  const budget = r.budget ? `${r.gzip <= r.budget ? 'ok' : 'OVER'} ≤ ${r.budget.toLocaleString('en-US')}` : '';
  console.log(`${r.file.padEnd(20)} ${n(r.raw)} ${n(r.gzip)} ${n(r.brotli)}  ${budget}`);
  console.log(`${''.padEnd(20)} ${r.what}`);
}
const [s, t] = /** @type {[typeof rows[number], typeof rows[number]]} */ (/** @type {unknown} */ (rows));
const both = { raw: s.raw + t.raw, gzip: s.gzip + t.gzip, brotli: s.brotli + t.brotli };
const verdict = both.gzip <= TRACKING_BUDGET ? `ok ≤ ${TRACKING_BUDGET.toLocaleString('en-US')}` : `OVER ${TRACKING_BUDGET.toLocaleString('en-US')}`;
console.log(`\nsnippet first load (s.js):           ${n(s.raw)} raw ${n(s.gzip)} gzip ${n(s.brotli)} brotli  ${s.gzip <= (s.budget ?? 0) ? 'ok' : 'OVER'} ≤ ${(s.budget ?? 0).toLocaleString('en-US')}`);
console.log(
  `snippet with tracking (s.js + t.js): ${n(both.raw)} raw ${n(both.gzip)} gzip ${n(both.brotli)} brotli  ${verdict} (goal ≤ ${TRACKING_GOAL.toLocaleString('en-US')}: ${both.gzip <= TRACKING_GOAL ? 'met' : 'missed'}, aim ≤ ${TRACKING_AIM.toLocaleString('en-US')}: ${both.gzip <= TRACKING_AIM ? 'met' : 'missed'})`,
);

if (!process.argv.includes('--no-peers')) {
  console.log('\npeers (minified tracker, one request; measured now):');
  mkdirSync(CACHE, { recursive: true });
  for (const peer of PEERS) {
    const label = peer.name.padEnd(13);
    try {
      const { version, note, code } = await peerTracker(peer);
      const m = measure(code);
      const ratio = (/** @type {number} */ x) => `${(both.gzip / x).toFixed(2)}×`;
      console.log(`  ${label} ${n(m.raw)} raw ${n(m.gzip)} gzip ${n(m.brotli)} brotli  ${peer.pkg}@${version}; ours with tracking: ${ratio(m.gzip)} its gzip, first load ${(s.gzip / m.gzip).toFixed(2)}×${note}`);
    } catch (e) {
      console.log(`  ${label} not measured: ${/** @type {Error} */ (e).message}`);
    }
  }
}

/** Every JavaScript file of the dashboard, the entry first. */
function dashboardFiles() {
  const chunks = existsSync(join(ROOT, DASHBOARD_DIR, 'chunks')) ? readdirSync(join(ROOT, DASHBOARD_DIR, 'chunks')).filter((f) => f.endsWith('.js')).sort() : [];
  return ['app.js', ...chunks.map((f) => `chunks/${f}`)].map((f) => ({ file: f, ...measure(readFileSync(join(ROOT, DASHBOARD_DIR, f))) }));
}
const dash = dashboardFiles();
const dashTotal = dash.reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip, brotli: a.brotli + f.brotli }), { raw: 0, gzip: 0, brotli: 0 });
const dashOver = dashTotal.gzip > DASHBOARD_BUDGET;
console.log(`\ndashboard (${DASHBOARD_DIR}/, each file compressed on its own, as it is served):`);
for (const f of dash) console.log(`  ${f.file.padEnd(34)} ${n(f.raw)} ${n(f.gzip)} ${n(f.brotli)}`);
console.log(`  ${'all of it'.padEnd(34)} ${n(dashTotal.raw)} ${n(dashTotal.gzip)} ${n(dashTotal.brotli)}  ${dashOver ? 'OVER' : 'ok'} ≤ ${DASHBOARD_BUDGET.toLocaleString('en-US')} (gzip)`);

const over = rows.filter((r) => r.budget && r.gzip > r.budget);
for (const r of over) console.error(`size: ${r.file} is ${r.gzip} B gzipped, over its budget of ${r.budget} B`);
if (both.gzip > TRACKING_BUDGET) console.error(`size: s.js + t.js is ${both.gzip} B gzipped, over its budget of ${TRACKING_BUDGET} B`);
if (dashOver) console.error(`size: the dashboard's JavaScript is ${dashTotal.gzip} B gzipped, over its budget of ${DASHBOARD_BUDGET} B`);
process.exit(over.length || both.gzip > TRACKING_BUDGET || dashOver ? 1 : 0);
