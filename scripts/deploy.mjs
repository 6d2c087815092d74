#!/usr/bin/env node
// @ts-check
/**
 * `npm run deploy`: checks wrangler.toml for what a first deploy usually
 * lacks, then builds from an empty dist/ (the demo site is never deployed)
 * and runs `wrangler deploy` (extra arguments are passed on). Refuses before
 * building, so a half-configured Worker never goes live.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PLACEHOLDER_ID = /^0{8}-0{4}-0{4}-0{4}-0{12}$/;

/** Strips a `#` comment that is not inside a string. @param {string} line */
function stripComment(line) {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') return line.slice(0, i);
  }
  return line;
}

/**
 * The string values of a wrangler.toml, by table: `{ '': {...}, 'vars': {...},
 * 'd1_databases': {...} }` (for an array of tables, the first entry). Enough
 * TOML for the checks below: `key = "string"` lines under `[table]` headers.
 * @param {string} text
 * @returns {Record<string, Record<string, string>>}
 */
export function tomlStrings(text) {
  /** @type {Record<string, Record<string, string>>} */
  const tables = { '': {} };
  let table = '';
  let skip = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = stripComment(raw).trim();
    const header = /^\[(\[)?\s*([^\]]+?)\s*\]\]?$/.exec(line);
    if (header) {
      table = header[2] ?? '';
      skip = Boolean(header[1]) && table in tables; // later entries of [[x]]
      tables[table] ??= {};
      continue;
    }
    const pair = /^([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*$/.exec(line);
    if (pair && !skip) (tables[table] ??= {})[pair[1] ?? ''] = pair[2] !== undefined ? JSON.parse(`"${pair[2]}"`) : (pair[3] ?? '');
  }
  return tables;
}

/**
 * What stops a deploy of this wrangler.toml, as messages that say the fix;
 * empty when it may go ahead.
 * @param {string} text the contents of wrangler.toml
 * @param {string[]} [args] arguments for `wrangler deploy` (a `--var PUBLIC_URL:…` counts)
 * @returns {string[]}
 */
export function deployProblems(text, args = []) {
  const t = tomlStrings(text);
  const problems = [];
  const id = t.d1_databases?.database_id?.trim() ?? '';
  if (!id || PLACEHOLDER_ID.test(id)) {
    problems.push(
      'wrangler.toml: [[d1_databases]] database_id is ' + (id ? `the placeholder ${id}` : 'missing') + '.\n'
      + '  Create the database with `npx wrangler d1 create lodestone` and paste the printed database_id.',
    );
  }
  const from = t.vars?.MAIL_FROM?.trim() ?? '';
  if (!from) {
    problems.push(
      'wrangler.toml: [vars] MAIL_FROM is empty: confirmation mails could not be sent.\n'
      + '  Set a sender your mail setup may use, e.g. MAIL_FROM = "Acme <leads@acme.example>" (see docs/widget.md#mail-setup).',
    );
  }
  const passed = args.some((a, i) => a.startsWith('PUBLIC_URL:') && args[i - 1] === '--var');
  const publicUrl = t.vars?.PUBLIC_URL?.trim() ?? '';
  if (!passed && !/^https:\/\/[^/\s]+/.test(publicUrl)) {
    problems.push(
      'wrangler.toml: [vars] PUBLIC_URL is ' + (publicUrl ? `not an https origin: ${publicUrl}` : 'missing') + ': mail links are built from it, never from the request.\n'
      + '  Set the https origin visitors reach this Worker at, e.g. PUBLIC_URL = "https://leads.acme.example".',
    );
  }
  return problems;
}

/** @param {string} command @param {string[]} args */
function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function main() {
  const file = resolve(process.cwd(), 'wrangler.toml');
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    console.error(`deploy: cannot read ${file}: ${/** @type {Error} */ (err).message}`);
    return 1;
  }
  const problems = deployProblems(text, process.argv.slice(2));
  if (problems.length) {
    console.error('deploy: not deploying (nothing was built or uploaded); fix wrangler.toml first:\n');
    for (const p of problems) console.error(`- ${p}\n`);
    return 1;
  }
  rmSync(resolve(process.cwd(), 'dist'), { recursive: true, force: true });
  const built = run('npm', ['run', 'build']);
  if (built !== 0) return built;
  return run('npx', ['wrangler', 'deploy', ...process.argv.slice(2)]);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
