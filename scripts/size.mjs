// @ts-check
/**
 * `npm run size`: raw, gzip (-9) and brotli (max quality) sizes of every
 * shipped browser bundle, and the budget check.
 *
 * The snippet is split: s.js is what every page loads (first load, before
 * consent); t.js is loaded only once tracking is allowed. Budgets (gzip):
 * s.js ≤ 1,536 B (target ≤ 1,200 B), w.js ≤ 10,240 B. Exit code 1 when a
 * budget is broken. Builds first when a bundle is missing (`--build` forces it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { ROOT } from './stack.mjs';

// Built by rollup.config.mjs from snippet/entry-loader.ts, snippet/entry-tracker.ts,
// snippet/entry-module.ts and widget/index.tsx, in this order.
const BUNDLES = [
  { file: 'dist/public/s.js', what: 'snippet, first load (before consent)', budget: 1536, target: 1200 },
  { file: 'dist/public/t.js', what: 'snippet tracker, loaded after consent' },
  { file: 'dist/snippet.mjs', what: 'snippet ES module (s.js + t.js code)' },
  { file: 'dist/public/w.js', what: 'lead-magnet widget', budget: 10240 },
];

const missing = BUNDLES.some((b) => !existsSync(join(ROOT, b.file)));
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

/** @param {number} x */
const n = (x) => x.toLocaleString('en-US').padStart(7);
const rows = BUNDLES.map((b) => ({ ...b, ...measure(readFileSync(join(ROOT, b.file))) }));

console.log(`${'bundle'.padEnd(20)} ${'raw'.padStart(7)} ${'gzip'.padStart(7)} ${'brotli'.padStart(7)}  budget (gzip)`);
for (const r of rows) {
  const budget = r.budget ? `${r.gzip <= r.budget ? 'ok' : 'OVER'} ≤ ${r.budget.toLocaleString('en-US')}${r.target ? ` (target ≤ ${r.target.toLocaleString('en-US')}: ${r.gzip <= r.target ? 'met' : 'missed'})` : ''}` : '';
  console.log(`${r.file.padEnd(20)} ${n(r.raw)} ${n(r.gzip)} ${n(r.brotli)}  ${budget}`);
  console.log(`${''.padEnd(20)} ${r.what}`);
}
const [s, t] = /** @type {[typeof rows[number], typeof rows[number]]} */ (/** @type {unknown} */ (rows));
console.log(`\nsnippet first load (s.js):          ${n(s.raw)} raw ${n(s.gzip)} gzip ${n(s.brotli)} brotli`);
console.log(`snippet with tracking (s.js + t.js): ${n(s.raw + t.raw)} raw ${n(s.gzip + t.gzip)} gzip ${n(s.brotli + t.brotli)} brotli`);

const over = rows.filter((r) => r.budget && r.gzip > r.budget);
for (const r of over) console.error(`size: ${r.file} is ${r.gzip} B gzipped, over its budget of ${r.budget} B`);
process.exit(over.length ? 1 : 0);
