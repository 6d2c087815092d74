import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { cli, ROOT } from './cli-helpers';

const PDF = join(ROOT, 'examples', 'gated', 'whitepaper.pdf');
const dir = mkdtempSync(join(tmpdir(), 'lodestone-leads-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lodestone leads list|show|export with a marketing API key', () => {
  const site = `leads-${Date.now().toString(36)}`;
  let key = '';

  it('lists, shows and exports real leads of the key\'s site', async () => {
    expect((await cli(['sites', 'create', site, '--origin', 'https://www.example.com'])).code).toBe(0);
    const config = join(dir, 'magnet.json');
    writeFileSync(config, JSON.stringify({
      title: 'Guide', lang: 'en', fields: [{ name: 'company', required: false }, { name: 'companySize', required: false }],
      consent: { text: 'I agree that my details are stored to send me the guide.', version: '1' }, privacyUrl: 'https://www.example.com/privacy',
      marketing: { text: 'Send me news about the product now and then.', version: 'm1' },
    }));
    expect((await cli(['magnets', 'put', site, 'guide', '--config', config])).code).toBe(0);
    expect((await cli(['magnets', 'upload', site, 'guide', PDF])).code).toBe(0);
    const created = await cli(['keys', 'create', site, '--name', 'crm', '--scope', 'leads:read']);
    key = created.stdout.trim().split('\n').at(-1)!;

    const companies = ['=cmd|" /C calc"!A0', 'Acme GmbH', 'Beta AG'];
    for (const [i, company] of companies.entries()) {
      const res = await fetch(new URL('/v1/leads', inject('stack').url), {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: 'https://www.example.com' },
        body: JSON.stringify({ site, magnet: 'guide', email: `cli${i}@corp${i}.example`, company, companySize: '50-249', consent: true, marketing: false,
          consentVersion: '1', url: 'https://www.example.com/guide', lang: 'en', elapsedMs: 5000 }),
      });
      expect(res.status).toBe(202);
    }

    const listed = await cli(['leads', 'list'], { LODESTONE_API_KEY: key });
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID\s+EMAIL\s+STAGE\s+SCORE/);
    expect(listed.stdout.match(/cli\d@corp\d\.example/g)?.sort()).toEqual(['cli0@corp0.example', 'cli1@corp1.example', 'cli2@corp2.example']);
    const json = JSON.parse((await cli(['leads', 'list', '--q', 'corp1', '--json'], { LODESTONE_API_KEY: key })).stdout);
    expect(json.leads.map((l: { email: string }) => l.email)).toEqual(['cli1@corp1.example']);

    const shown = await cli(['leads', 'show', json.leads[0].id], { LODESTONE_API_KEY: key });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('cli1@corp1.example');
    expect(shown.stdout).toMatch(/stage pending\s+score/);
    expect(shown.stdout).toContain('Company size 50–999');
    // The marketing box was left unticked: a refusal, never shown as given.
    expect(shown.stdout).toMatch(/declined marketing \(box left unticked\) m1/);
    expect(shown.stdout).not.toContain('given marketing');

    // A site id needs --admin: the credential in use is never switched silently.
    expect((await cli(['leads', 'list', site], { LODESTONE_API_KEY: key })).code).toBe(2);
    const admin = await cli(['leads', 'show', '--admin', site, json.leads[0].id], { LODESTONE_API_KEY: 'lsk_wrong' });
    expect(admin).toMatchObject({ code: 0 });
    expect(admin.stdout).toContain('cli1@corp1.example');

    const out = join(dir, 'leads.csv');
    const exported = await cli(['leads', 'export', '--out', out, '--limit', '2', '--progress'], { LODESTONE_API_KEY: key });
    expect(exported.stdout).toContain('Exported 3 lead(s)');
    expect(exported.stderr).toMatch(/page 1: 2 lead\(s\), more to come\n.*page 2: 3 lead\(s\), done/);
    const csv = readFileSync(out, 'utf8').trim().split('\r\n');
    expect(csv).toHaveLength(4); // one header, three leads, over two pages
    expect(csv[0]).toMatch(/^id,email,/);
    expect(csv.join('\n')).toContain(`"'=cmd|"" /C calc""!A0"`); // neutralised formula
    expect((await cli(['leads', 'export', '--format', 'xml'], { LODESTONE_API_KEY: key })).code).toBe(2);
    expect((await cli(['leads', 'list'], { LODESTONE_API_KEY: '' })).code).toBe(2);
  });
});
