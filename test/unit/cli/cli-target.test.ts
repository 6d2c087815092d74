import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_URL, resolveToken, resolveUrl } from '../../../cli/target.mjs';
import { fakeApi, runCli } from './cli-fake';

const dirWith = (info: unknown) => {
  const dir = mkdtempSync(join(tmpdir(), 'lodestone-target-'));
  mkdirSync(join(dir, '.wrangler'));
  writeFileSync(join(dir, '.wrangler', 'lodestone-dev.json'), JSON.stringify(info));
  return dir;
};
// A pid that surely belongs to no process any more.
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

let api: Awaited<ReturnType<typeof fakeApi>>;
beforeAll(async () => {
  api = await fakeApi({ 'GET /admin/sites': (req) => ({ json: { sites: [{ id: req.auth, name: 'n', origins: [] }] } }) });
});
afterAll(() => api.close());

describe('finding the dev server', () => {
  it('uses .wrangler/lodestone-dev.json when LODESTONE_URL is unset and its pid is alive', async () => {
    const dir = dirWith({ url: api.url, pid: process.pid, adminToken: 'dev-tok' });
    const res = await runCli(['sites', 'list'], {}, dir);
    expect(res).toMatchObject({ code: 0 });
    expect(res.stdout).toContain('Bearer dev-tok');
  });

  it('keeps .dev.vars working for the admin token', async () => {
    const dir = dirWith({ url: api.url, pid: process.pid });
    writeFileSync(join(dir, '.dev.vars'), 'ADMIN_TOKEN="vars-tok"\n');
    expect((await runCli(['sites', 'list'], {}, dir)).stdout).toContain('Bearer vars-tok');
  });

  it('flags and env win over the file; a dead pid falls back to the default', () => {
    const live = dirWith({ url: 'http://localhost:9000', pid: process.pid, adminToken: 'dev-tok' });
    expect(resolveUrl(undefined, {}, live).url).toBe('http://localhost:9000');
    expect(resolveUrl(undefined, { LODESTONE_URL: 'http://localhost:7000/' }, live).url).toBe('http://localhost:7000');
    expect(resolveUrl('http://h:1', { LODESTONE_URL: 'http://localhost:7000' }, live).url).toBe('http://h:1');
    const dead = dirWith({ url: 'http://localhost:9000', pid: deadPid(), adminToken: 'dev-tok' });
    // (The package root may hold a live file of its own; the dead one here must be ignored.)
    expect(resolveUrl(undefined, {}, dead).source).not.toBe(join(dead, '.wrangler', 'lodestone-dev.json'));
    expect(resolveUrl(undefined, {}, dirWith({ url: 'http://localhost:9000' })).source).not.toContain(tmpdir());
    if (!resolveUrl(undefined, {}, dead).dev) expect(resolveUrl(undefined, {}, dead).url).toBe(DEFAULT_URL);
    const dev = resolveUrl(undefined, {}, live).dev;
    expect(resolveToken('http://localhost:9000', undefined, {}, live, dev)).toBe('dev-tok');
    expect(resolveToken('http://localhost:9000', undefined, { LODESTONE_ADMIN_TOKEN: 'env' }, live, dev)).toBe('env');
    expect(resolveToken('https://api.example', undefined, {}, mkdtempSync(join(tmpdir(), 'x-')), null)).toBe(null);
  });

  it('says which URL it tried and where it came from when nothing answers', async () => {
    const gone = await fakeApi({});
    await gone.close();
    const dir = dirWith({ url: gone.url, pid: process.pid, adminToken: 't' });
    const res = await runCli(['sites', 'list'], {}, dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`Cannot reach ${gone.url}`);
    expect(res.stderr).toContain('lodestone-dev.json');
  });
});
