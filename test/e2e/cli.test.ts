import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { cli } from './cli-helpers';

describe('lodestone CLI against the dev server', () => {
  const site = `cli-${Date.now().toString(36)}`;

  it('lists the seeded demo site', async () => {
    const { code, stdout } = await cli(['sites', 'list']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^demo\s+Demo B2B site\s+.*http:\/\/localhost:8787/m);
  });

  it('creates and shows a site, adds and removes origins', async () => {
    const created = await cli(['sites', 'create', site, '--name', 'CLI Corp', '--origin', 'https://cli.example']);
    expect(created).toMatchObject({ code: 0 });
    expect(created.stdout).toContain(`Created site ${site}`);

    expect((await cli(['origins', 'add', site, 'https://www.cli.example'])).stdout).toContain('Allowed https://www.cli.example');
    const shown = await cli(['sites', 'show', site, '--json']);
    expect(JSON.parse(shown.stdout).site.origins).toEqual(['https://cli.example', 'https://www.cli.example']);

    expect((await cli(['origins', 'remove', site, 'https://cli.example'])).code).toBe(0);
    const after = JSON.parse((await cli(['sites', 'show', site, '--json'])).stdout);
    expect(after.site.origins).toEqual(['https://www.cli.example']);

    // Written the way people paste them, stored as origins.
    expect((await cli(['origins', 'add', site, 'HTTPS://Shop.CLI.example:443/'])).stdout).toContain('Allowed https://shop.cli.example');
    expect(JSON.parse((await cli(['sites', 'show', site, '--json'])).stdout).site.origins).toContain('https://shop.cli.example');
    expect((await cli(['origins', 'remove', site, 'https://shop.cli.example/'])).code).toBe(0);
  });

  it('creates, lists and revokes API keys; the secret is shown once', async () => {
    const created = await cli(['keys', 'create', site, '--name', 'crm', '--scope', 'leads:read', '--scope', 'leads:write', '--json']);
    expect(created.code).toBe(0);
    const { key, secret } = JSON.parse(created.stdout);
    expect(secret).toMatch(/^lsk_/);

    const listed = await cli(['keys', 'list', site]);
    expect(listed.stdout).toMatch(new RegExp(`${key.id}\\s+crm\\s+leads:read,leads:write\\s+\\S+\\s+live`));
    expect(listed.stdout).not.toContain(secret);

    expect((await cli(['keys', 'revoke', site, key.id])).stdout).toContain(`Revoked key ${key.id}`);
    expect((await cli(['keys', 'list', site])).stdout).toMatch(new RegExp(`${key.id}.*revoked`));
  });

  it('prints events collected from an allowed origin', async () => {
    const { url } = inject('stack');
    const res = await fetch(`${url}/v1/collect`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://www.cli.example' },
      body: JSON.stringify({ site, events: [{ id: 'cli_evt_000001', kind: 'pricing_view', ts: Date.now(), url: 'https://www.cli.example/preise' }] }),
    });
    expect(res.status).toBe(202);
    const { code, stdout } = await cli(['events', site]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/pricing_view\s+\/preise\s+anonymous/);
  });

  it('never replays terminal control sequences: the edge refuses them in events, so the tail shows none', async () => {
    const { url } = inject('stack');
    const name = 'x\u001b[2J\u001b]0;pwned\u0007';
    const res = await fetch(`${url}/v1/collect`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://www.cli.example' },
      body: JSON.stringify({ site, events: [{ id: 'cli_evt_000002', kind: 'custom', name, ts: Date.now(), url: 'https://www.cli.example/' }] }),
    });
    expect(res.status).toBe(400);
    const events = await cli(['events', site, '--json']);
    expect(events.stdout).not.toContain('cli_evt_000002');
    // What the CLI prints of an API answer never holds raw control bytes (the escaping itself is unit-tested).
    const tail = await cli(['events', site]);
    expect(tail.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it('explains API refusals and exits 1', async () => {
    const dup = await cli(['sites', 'create', site]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('Conflict (409)');

    // Refused locally, before anything is sent; printed once.
    const badOrigin = await cli(['origins', 'add', site, 'https://x.example/path']);
    expect(badOrigin.code).toBe(2);
    expect(badOrigin.stderr).toMatch(/^lodestone: "https:\/\/x\.example\/path" has a path, query or fragment[^\n]*\n$/);

    const wrongToken = await cli(['sites', 'list'], { LODESTONE_ADMIN_TOKEN: 'nope' });
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toMatch(/^lodestone: Unauthorized \(401\): [^\n]+\n$/);

    const down = await cli(['sites', 'list'], { LODESTONE_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('Cannot reach http://127.0.0.1:9');
    expect(down.stderr).toContain('--url or LODESTONE_URL');
  });

  it('exits 2 on wrong usage', async () => {
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['keys', 'create', site])).stderr).toContain('--name');
    expect((await cli(['sites', 'create'])).code).toBe(2);
    expect((await cli(['sites', 'list', '--bogus-flag'])).code).toBe(2);
  });

  it('gets and sets the scoring model with a marketing API key', async () => {
    const { apiKey } = inject('stack');
    const dir = mkdtempSync(join(tmpdir(), 'lodestone-cli-'));
    const file = join(dir, 'model.json');
    const got = await cli(['model', 'get', '--out', file], { LODESTONE_API_KEY: apiKey });
    expect(got.code).toBe(0);
    const model = JSON.parse(readFileSync(file, 'utf8'));
    expect(model.thresholds.mql).toBeGreaterThan(0);

    writeFileSync(file, JSON.stringify({ ...model, version: undefined, thresholds: { ...model.thresholds, mql: model.thresholds.mql + 100 } }));
    const set = await cli(['model', 'set', file], { LODESTONE_API_KEY: apiKey });
    expect(set.stdout).toMatch(/Saved scoring model version (\d+)/);
    const again = JSON.parse((await cli(['model', 'get', '--json'], { LODESTONE_API_KEY: apiKey })).stdout);
    expect(again.model.thresholds.mql).toBe(model.thresholds.mql + 100);
    expect(again.version).toBe(Number(/version (\d+)/.exec(set.stdout)![1]));

    writeFileSync(file, JSON.stringify({ ...model, halfLifeDays: -1 }));
    const bad = await cli(['model', 'set', file], { LODESTONE_API_KEY: apiKey });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('/halfLifeDays');

    expect((await cli(['model', 'get'], { LODESTONE_API_KEY: '' })).code).toBe(2);
    const rescore = await cli(['rescore', '--budget-ms', '5000']);
    expect(rescore.code).toBe(0);
    expect(rescore.stdout).toMatch(/Rescored \d+ lead/);
  });

  it('prints help, per-command help and the version', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('keys create <site>');
    const one = await cli(['keys', 'create', '--help']);
    expect(one).toMatchObject({ code: 0 });
    expect(one.stdout).toMatch(/^Usage: lodestone keys create <site> --name N/);
    expect(one.stdout).toContain('Auth: admin token');
    expect((await cli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('prints the funnel report of the key\'s site', async () => {
    const { apiKey } = inject('stack');
    const res = await cli(['funnel'], { LODESTONE_API_KEY: apiKey });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^STEP\s+COUNT\s+CONVERSION\s+LOST\s+MEDIAN TIME$/m);
    expect(res.stdout).toMatch(/^visitors\s+\d+/m);
    expect(res.stdout).toMatch(/^sql\s+\d+/m);
    const json = JSON.parse((await cli(['funnel', '--json'], { LODESTONE_API_KEY: apiKey })).stdout);
    expect(json.steps.map((x: { step: string }) => x.step)).toEqual(['visitors', 'pricing_visitors', 'form_viewers', 'leads', 'confirmed', 'mql', 'sql', 'accepted', 'opportunity', 'won']);
    const bad = await cli(['funnel', '--from', 'yesterday'], { LODESTONE_API_KEY: apiKey });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^lodestone: Invalid request \(400\): [^\n]*\/from[^\n]*\n$/);
  });

  it('imports the fair leads of docs/sales.md verbatim; the same file again changes nothing', async () => {
    const created = JSON.parse((await cli(['keys', 'create', site, '--name', 'fair-import', '--scope', 'leads:write', '--scope', 'leads:read', '--json'])).stdout);
    const key = { LODESTONE_API_KEY: created.secret as string };
    const doc = readFileSync(new URL('../../docs/sales.md', import.meta.url), 'utf8');
    const csv = /cat > fair\.csv <<'CSV'\n([\s\S]*?)\nCSV\n/.exec(doc)![1]!;
    const file = join(mkdtempSync(join(tmpdir(), 'lodestone-import-')), 'fair.csv');
    writeFileSync(file, `${csv}\n`);
    const first = await cli(['leads', 'import', file], key);
    expect([first.code, first.stdout]).toEqual([0, '2 created, 0 merged, 0 unchanged, 0 refused.\n']);
    const again = await cli(['leads', 'import', file], key);
    expect([again.code, again.stdout]).toEqual([0, '0 created, 0 merged, 2 unchanged, 0 refused.\n']);
    const leads = JSON.parse((await cli(['leads', 'list', '--json'], key)).stdout).leads as { email: string; status: string }[];
    expect(leads.map((l) => [l.email, l.status]).sort()).toEqual([['jana.meyer@acme.example', 'confirmed'], ['tom.berg@beta.example', 'pending']]);
  });
});
