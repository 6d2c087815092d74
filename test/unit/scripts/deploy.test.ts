import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { deployProblems, tomlStrings } from '../../../scripts/deploy.mjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = join(ROOT, 'scripts/deploy.mjs');
/** The repository's own wrangler.toml: the fixtures differ from it only where a test says. */
const REAL = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
const REAL_ID = '3f1c9a52-7d4e-4b8a-9c21-5e6f7a8b9c0d';
const configured = (toml: string) => toml
  .replace(/^database_id = ".*"$/m, `database_id = "${REAL_ID}"`)
  .replace(/^MAIL_FROM = ".*"$/m, 'MAIL_FROM = "Acme <leads@acme.example>"')
  .replace(/^# PUBLIC_URL = ".*"$/m, 'PUBLIC_URL = "https://leads.acme.example"');

describe('deployProblems', () => {
  it('refuses the checked-in wrangler.toml: placeholder database_id, empty MAIL_FROM, no PUBLIC_URL', () => {
    const problems = deployProblems(REAL);
    expect(problems).toHaveLength(3);
    expect(problems[2]).toMatch(/PUBLIC_URL is missing/);
    expect(problems[0]).toMatch(/database_id is the placeholder 00000000-0000-0000-0000-000000000000[\s\S]*wrangler d1 create lodestone/);
    expect(problems[1]).toMatch(/MAIL_FROM is empty/);
  });

  it('accepts a configured one', () => {
    expect(deployProblems(configured(REAL))).toEqual([]);
  });

  it('names each missing piece alone', () => {
    const ok = configured(REAL);
    expect(deployProblems(ok.replace(REAL_ID, '00000000-0000-0000-0000-000000000000'))).toEqual([expect.stringMatching(/placeholder/)]);
    expect(deployProblems(ok.replace(/^database_id = .*$/m, ''))).toEqual([expect.stringMatching(/database_id is missing/)]);
    expect(deployProblems(ok.replace(/^MAIL_FROM = .*$/m, 'MAIL_FROM = "   "'))).toEqual([expect.stringMatching(/MAIL_FROM is empty/)]);
    expect(deployProblems(ok.replace(/^MAIL_FROM = .*$/m, '# MAIL_FROM = "x@y.example"'))).toEqual([expect.stringMatching(/MAIL_FROM is empty/)]);
  });

  it('wants PUBLIC_URL as an https origin, in [vars] or as --var', () => {
    const ok = configured(REAL);
    const without = ok.replace(/^PUBLIC_URL = .*$/m, '');
    expect(deployProblems(without)).toEqual([expect.stringMatching(/PUBLIC_URL is missing/)]);
    expect(deployProblems(ok.replace(/^PUBLIC_URL = .*$/m, 'PUBLIC_URL = "http://leads.acme.example"'))).toEqual([expect.stringMatching(/not an https origin/)]);
    expect(deployProblems(without, ['--var', 'PUBLIC_URL:https://leads.acme.example'])).toEqual([]);
  });

  it('reads only the right tables and ignores comments', () => {
    const t = tomlStrings([
      'name = "x" # a comment',
      '[vars]',
      "MAIL_FROM = 'Acme # Leads <a@b.example>'",
      '[[d1_databases]]',
      'database_id = "first"',
      '[[d1_databases]]',
      'database_id = "second"',
      '[other]',
      'MAIL_FROM = ""',
    ].join('\n'));
    expect(t['']).toEqual({ name: 'x' });
    expect(t.vars).toEqual({ MAIL_FROM: 'Acme # Leads <a@b.example>' });
    expect(t.d1_databases).toEqual({ database_id: 'first' });
    // A MAIL_FROM in another table does not count.
    expect(deployProblems('[vars]\nPUBLIC_URL = "https://l.example"\n[[d1_databases]]\ndatabase_id = "abc"\n[x]\nMAIL_FROM = "a@b.example"')).toEqual([expect.stringMatching(/MAIL_FROM/)]);
  });
});

describe('npm run deploy (scripts/deploy.mjs)', () => {
  let dir = '';
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('exits 1 with the reasons before building anything', () => {
    dir = mkdtempSync(join(tmpdir(), 'lodestone-deploy-'));
    writeFileSync(join(dir, 'wrangler.toml'), REAL);
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist/previous-build.js'), '');
    // No PATH: had it tried to build or deploy, npm and npx could not even start.
    const res = spawnSync(process.execPath, [SCRIPT], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: '' } });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/not deploying/);
    expect(res.stderr).toMatch(/database_id/);
    expect(res.stderr).toMatch(/MAIL_FROM/);
    expect(existsSync(join(dir, 'dist/previous-build.js'))).toBe(true); // not even the clean-up ran
  });

  it('with a configured wrangler.toml, empties dist/ and builds (a stand-in npm records the call)', () => {
    dir = mkdtempSync(join(tmpdir(), 'lodestone-deploy-'));
    writeFileSync(join(dir, 'wrangler.toml'), configured(REAL));
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist/demo.html'), '');
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin/npm'), '#!/bin/sh\necho "$@" > called-npm\nexit 7\n', { mode: 0o755 });
    const res = spawnSync(process.execPath, [SCRIPT], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: join(dir, 'bin') } });
    expect(res.status).toBe(7); // the build's failure stops it before wrangler deploy
    expect(readFileSync(join(dir, 'called-npm'), 'utf8').trim()).toBe('run build');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });

  it('says so when there is no wrangler.toml', () => {
    dir = mkdtempSync(join(tmpdir(), 'lodestone-deploy-'));
    const res = spawnSync(process.execPath, [SCRIPT], { cwd: dir, encoding: 'utf8' });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/cannot read .*wrangler\.toml/);
  });
});
