import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * .ci/run in a scratch git repository, with stand-ins for npm and chromium
 * on PATH: `npm ci` and `npm test` do what FAKE_CI / FAKE_TEST say.
 */
let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function runCi(fake: { ci?: string; test?: string }) {
  dir = mkdtempSync(join(tmpdir(), 'lodestone-ci-'));
  const repo = join(dir, 'repo');
  const bin = join(dir, 'bin');
  mkdirSync(join(repo, '.ci'), { recursive: true });
  mkdirSync(bin);
  copyFileSync(join(import.meta.dirname, '..', '..', '..', '.ci', 'run'), join(repo, '.ci', 'run'));
  writeFileSync(join(repo, 'package-lock.json'), '{"lockfileVersion":3}\n');
  writeFileSync(join(repo, 'README.md'), 'readme\n');
  const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
  git('init', '-q');
  git('add', '.ci/run', 'package-lock.json', 'README.md');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init');
  writeFileSync(join(bin, 'chromium'), '#!/bin/sh\necho Chromium 1\n');
  writeFileSync(join(bin, 'npm'), `#!/bin/sh\necho "npm $*" >> "${join(dir, 'npm.log')}"\ncase "$1" in ci) sh -c "$FAKE_CI";; test) sh -c "$FAKE_TEST";; esac\n`);
  chmodSync(join(bin, 'chromium'), 0o755);
  chmodSync(join(bin, 'npm'), 0o755);
  const res = spawnSync('bash', [join(repo, '.ci', 'run')], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_CI: fake.ci ?? 'true', FAKE_TEST: fake.test ?? 'true' },
  });
  const log = spawnSync('cat', [join(dir, 'npm.log')], { encoding: 'utf8' }).stdout;
  return { ...res, log };
}

describe('.ci/run', () => {
  it('installs with npm ci from the lockfile and passes when nothing tracked changed', () => {
    const res = runCi({ test: 'echo untracked > new-file.txt' });
    expect(res.status, res.stderr).toBe(0);
    expect(res.log).toBe('npm ci --no-audit --no-fund\nnpm test\n');
  });

  it('fails when the install rewrote the lockfile, before running the tests', () => {
    const res = runCi({ ci: 'echo changed > package-lock.json' });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('tracked files changed after npm ci');
    expect(res.stderr).toContain('package-lock.json');
    expect(res.log).not.toContain('npm test');
  });

  it('fails when the tests changed a tracked file, and shows the diff stat', () => {
    const res = runCi({ test: 'echo edited >> README.md' });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('tracked files changed after the tests');
    expect(res.stderr).toMatch(/README\.md \| 1 \+/);
  });

  it('fails when the tests fail', () => {
    expect(runCi({ test: 'exit 3' }).status).toBe(3);
  });
});
