// @ts-check
/**
 * The tests of `npm test`, after the build: the unit and edge projects in
 * one Vitest run and the e2e project in another, both at once.
 *
 * Why two runs: Vitest runs a project whose files go one at a time (e2e:
 * one stack, one browser) only after every other project has finished, so
 * in one run the e2e files, which mostly wait on the stack and the browser,
 * would start only once the CPU-bound unit and edge files are done. Side by
 * side they share the machine instead.
 *
 * Output is passed through line by line (Vitest names each file's project);
 * the closing line adds up both runs' "Tests: …" lines, and the exit code is
 * non-zero when either run failed or ended without its summary.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const VITEST = 'node_modules/vitest/vitest.mjs';
// File filters and options go to both runs; a filter may match files of one run only.
const extra = process.argv.length > 2 ? [...process.argv.slice(2), '--passWithNoTests'] : [];

/** @param {string[]} projects @param {Record<string, string>} env */
function run(projects, env) {
  const child = spawn(process.execPath, [VITEST, 'run', ...projects.flatMap((p) => ['--project', p]), ...extra], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  /** @type {number[] | null} */
  let summary = null;
  for (const [stream, out] of /** @type {const} */ ([[child.stdout, process.stdout], [child.stderr, process.stderr]])) {
    createInterface({ input: stream }).on('line', (line) => {
      const m = /^Tests: (\d+) passed, (\d+) failed, (\d+) skipped$/.exec(line);
      if (m) summary = m.slice(1).map(Number);
      else out.write(`${line}\n`);
    });
  }
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ projects, code, summary }));
  });
}

const started = Date.now();
const results = /** @type {{ projects: string[]; code: number | null; summary: number[] | null }[]} */ (
  await Promise.all([run(['unit', 'edge'], {}), run(['e2e'], { LODESTONE_PREBUILT: '1' })])
);

let [passed, failed, skipped] = [0, 0, 0];
let ok = true;
for (const r of results) {
  if (!r.summary) {
    console.error(`test: the ${r.projects.join(' and ')} run ended (exit ${r.code}) without its summary`);
    failed += 1;
    ok = false;
    continue;
  }
  const [p = 0, f = 0, s = 0] = r.summary;
  [passed, failed, skipped] = [passed + p, failed + f, skipped + s];
  console.log(`  ${r.projects.join(' + ').padEnd(11)} ${p} passed, ${f} failed, ${s} skipped`);
  if (r.code !== 0) ok = false;
}
console.log(`  ${'wall time'.padEnd(11)} ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(ok && failed === 0 ? 0 : 1);
