import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_STATE_FILE, devBanner, scheduledUrl, startCronTimer, writeDevState } from '../../../scripts/dev.mjs';

const KEY = 'lsk_abc_def';

describe('npm run dev: banner', () => {
  it('on another port, every printed CLI command carries the real URL', () => {
    const text = devBanner({ base: 'http://localhost:9000', apiKey: KEY, cronSeconds: 60 });
    expect(text).toContain('LODESTONE_URL=http://localhost:9000 npx lodestone events demo --follow');
    expect(text).toContain('LODESTONE_URL=http://localhost:9000 npx lodestone sites list');
    const commands = text.split('\n').filter((l) => l.includes('npx lodestone'));
    expect(commands.length).toBeGreaterThan(0);
    for (const line of commands) expect(line).toContain('LODESTONE_URL=http://localhost:9000');
    expect(text).not.toContain('8787');
    for (const path of ['/', '/app', '/whitepaper', '/dev/outbox', '/docs']) expect(text).toContain(`http://localhost:9000${path}`);
    expect(text).toContain('curl "http://localhost:9000/cdn-cgi/local/scheduled"');
    expect(text).toContain('every 60 s');
  });

  it('on the default port the commands need no URL', () => {
    const text = devBanner({ base: 'http://localhost:8787', apiKey: KEY, cronSeconds: 60 });
    expect(text).toContain('\n    npx lodestone events demo --follow\n');
    expect(text).not.toContain('LODESTONE_URL=');
  });

  it('the state file for the CLI is at .wrangler/lodestone-dev.json and holds url and pid', () => {
    expect(DEV_STATE_FILE.endsWith(join('.wrangler', 'lodestone-dev.json'))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'lodestone-dev-'));
    const file = join(dir, 'nested', 'lodestone-dev.json');
    writeDevState(file, 'http://localhost:9000', 4242);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ url: 'http://localhost:9000', pid: 4242 });
    rmSync(dir, { recursive: true, force: true });
  });

  it('importing the script starts nothing (only `node scripts/dev.mjs` does)', () => {
    const res = spawnSync(process.execPath, ['-e', "import('./scripts/dev.mjs').then(() => console.log('imported'))"], { encoding: 'utf8', timeout: 20_000 });
    expect(res.status).toBe(0);
    expect(res.stdout.trim()).toBe('imported');
  });
});

describe('npm run dev: cron timer', () => {
  let server: Server | undefined;
  let stop: (() => void) | undefined;
  afterEach(() => {
    stop?.();
    server?.close();
  });

  it('calls the scheduled trigger of the running server on every tick', async () => {
    const hits: string[] = [];
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('ok');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const addr = server.address();
    const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    stop = startCronTimer(base, 50);
    await expect.poll(() => hits.length, { timeout: 3000 }).toBeGreaterThanOrEqual(2);
    expect(new Set(hits)).toEqual(new Set([new URL(scheduledUrl(base)).pathname]));
    stop();
    const after = hits.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(hits.length).toBe(after);
  });
});
