import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { cli, ROOT } from './cli-helpers';

const PDF = join(ROOT, 'examples', 'gated', 'whitepaper.pdf');
const dir = mkdtempSync(join(tmpdir(), 'lodestone-gdpr-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lodestone CLI: GDPR export, withdrawal, erasure and retention', () => {
  const site = `gdpr-${Date.now().toString(36)}`;
  const email = `gdpr.cli.${Date.now().toString(36)}@example.com`;
  let key = '';
  let lead = '';

  it('sets up a site with a magnet, a marketing API key and a real (pending) lead', async () => {
    expect((await cli(['sites', 'create', site, '--origin', 'https://www.example.com'])).code).toBe(0);
    const config = join(dir, 'magnet.json');
    writeFileSync(config, JSON.stringify({
      title: 'GDPR guide', lang: 'en', fields: [{ name: 'firstName', required: false }, { name: 'company', required: true }],
      consent: { text: 'I agree that my details are stored to send me the guide.', version: '1' },
      privacyUrl: 'https://www.example.com/privacy',
    }));
    expect((await cli(['magnets', 'put', site, 'guide', '--config', config])).code).toBe(0);
    expect((await cli(['magnets', 'upload', site, 'guide', PDF])).code).toBe(0);
    const created = await cli(['keys', 'create', site, '--name', 'gdpr', '--scope', 'leads:read', '--scope', 'leads:write']);
    expect(created.code).toBe(0);
    key = created.stdout.trim().split('\n').at(-1)!;
    expect(key).toMatch(/^lsk_/);

    const res = await fetch(new URL('/v1/leads', inject('stack').url), {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://www.example.com' },
      body: JSON.stringify({
        site, magnet: 'guide', email, firstName: 'Gerda', company: 'Gdpr Cli GmbH', consent: true, consentVersion: '1',
        url: 'https://www.example.com/guide', lang: 'en', elapsedMs: 5000, vid: 'vid_gdpr_cli_000001',
      }),
    });
    expect(res.status).toBe(202);
    const list = await cli(['leads', 'list', '--admin', site, '--email', email, '--json']);
    lead = JSON.parse(list.stdout).leads[0].id;
    expect(lead).toMatch(/^ld_/);
  });

  it('leads gdpr-export writes everything held about the person to a file', async () => {
    const out = join(dir, 'export.json');
    const res = await cli(['leads', 'gdpr-export', lead, '--out', out], { LODESTONE_API_KEY: key });
    expect(res).toMatchObject({ code: 0 });
    expect(res.stdout).toMatch(new RegExp(`Wrote the export of ${lead} \\(1 event\\(s\\), 1 ledger entry\\) to`));
    const x = JSON.parse(readFileSync(out, 'utf8'));
    expect(x.lead).toMatchObject({ id: lead, email, status: 'pending', profile: { firstName: 'Gerda', company: 'Gdpr Cli GmbH' } });
    expect(x.optinRequests[0].visitorId).toBe('vid_gdpr_cli_000001');
    // Without --out the JSON goes to stdout; without a key it is a usage error.
    expect(JSON.parse((await cli(['leads', 'gdpr-export', lead], { LODESTONE_API_KEY: key })).stdout).lead.id).toBe(lead);
    expect((await cli(['leads', 'gdpr-export', lead], { LODESTONE_API_KEY: '' })).code).toBe(2);
  });

  it('leads withdraw, then leads erase (idempotent)', async () => {
    const withdrawn = await cli(['leads', 'withdraw', lead], { LODESTONE_API_KEY: key });
    expect(withdrawn).toMatchObject({ code: 0 });
    expect(withdrawn.stdout).toContain(`Lead ${lead} is withdrawn`);

    // No terminal and no --yes: refused, nothing erased.
    const refused = await cli(['leads', 'erase', lead], { LODESTONE_API_KEY: key });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect((await cli(['leads', 'gdpr-export', lead], { LODESTONE_API_KEY: key })).code).toBe(0);

    const erased = await cli(['leads', 'erase', lead, '--yes'], { LODESTONE_API_KEY: key });
    expect(erased).toMatchObject({ code: 0 });
    expect(erased.stdout).toContain(`Erased lead ${lead}`);
    const again = await cli(['leads', 'erase', lead, '--yes'], { LODESTONE_API_KEY: key });
    expect(again.stdout).toContain(`Lead ${lead} was already erased`);
    const gone = await cli(['leads', 'gdpr-export', lead], { LODESTONE_API_KEY: key });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/Not found \(404\)/);
    expect(JSON.parse((await cli(['leads', 'list', '--admin', site, '--email', email, '--json'])).stdout).leads).toEqual([]);
  });

  it('retention get / set / run', async () => {
    const got = await cli(['retention', 'get', site]);
    expect(got.stdout).toMatch(/pending \(unconfirmed\) leads\s+30 days \(default\)/);
    expect(got.stdout).toMatch(/events of non-lead visitors\s+13 months \(default\)/);
    const set = await cli(['retention', 'set', site, '--pending-days', '7', '--event-months', '6']);
    expect(set).toMatchObject({ code: 0 });
    expect(set.stdout).toMatch(/pending \(unconfirmed\) leads\s+7 days\n/);
    expect(set.stdout).toMatch(/events of non-lead visitors\s+6 months\n/);
    const reset = await cli(['retention', 'set', site, '--event-months', 'default', '--json']);
    expect(JSON.parse(reset.stdout)).toMatchObject({ retention: { pendingDays: 7, eventMonths: 13 } });
    const refused = await cli(['retention', 'set', site, '--pending-days', '90']);
    expect(refused.code).toBe(1);
    // The field error once, not again after the detail.
    expect(refused.stderr).toBe('lodestone: Invalid request (400): The body is invalid: /pendingDays must be at most 30.\n');
    expect((await cli(['retention', 'set', site, '--pending-days', 'soon'])).code).toBe(2);
    expect((await cli(['retention', 'set', site])).code).toBe(2);
    const ran = await cli(['retention', 'run']);
    expect(ran).toMatchObject({ code: 0 });
    expect(ran.stdout).toMatch(/^Retention over \d+ site\(s\): \d+ pending and \d+ withdrawn lead\(s\) erased/);
  });
});
