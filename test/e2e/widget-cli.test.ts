import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, ROOT } from './cli-helpers';

const PDF = join(ROOT, 'examples', 'gated', 'whitepaper.pdf');
const dir = mkdtempSync(join(tmpdir(), 'lodestone-magnet-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lodestone CLI: lead magnets and leads', () => {
  const site = `mcli-${Date.now().toString(36)}`;

  it('configures a magnet, uploads its file, lists and shows it, lists leads, deletes it', async () => {
    expect((await cli(['sites', 'create', site, '--origin', 'https://www.example.com'])).code).toBe(0);
    const config = join(dir, 'magnet.json');
    writeFileSync(config, JSON.stringify({
      title: 'Checkliste Lead-Scoring',
      lang: 'de',
      fields: [{ name: 'company', required: true }],
      consent: { text: 'Ich willige ein, dass meine Angaben zum Versand der Checkliste gespeichert werden.', version: '1' },
      privacyUrl: 'https://www.example.com/datenschutz',
    }));
    const put = await cli(['magnets', 'put', site, 'checkliste', '--config', config]);
    expect(put).toMatchObject({ code: 0 });
    expect(put.stdout).toMatch(/Saved magnet checkliste \(consent 1\)\. Upload its file next/);

    const up = await cli(['magnets', 'upload', site, 'checkliste', PDF]);
    expect(up.stdout).toMatch(/Uploaded whitepaper\.pdf \(\d+ B\)/);

    const list = await cli(['magnets', 'list', site]);
    expect(list.stdout).toMatch(/^checkliste\s+de\s+Checkliste Lead-Scoring\s+1\s+whitepaper\.pdf/m);
    const show = await cli(['magnets', 'show', site, 'checkliste']);
    expect(show.stdout).toMatch(/fields: company\*/);
    expect(show.stdout).toMatch(/marketing: not asked/);

    const changed = join(dir, 'changed.json');
    writeFileSync(changed, JSON.stringify({
      title: 'Checkliste Lead-Scoring', lang: 'de', privacyUrl: 'https://www.example.com/datenschutz',
      consent: { text: 'Ein anderer Text unter derselben Version, der nicht gespeichert werden darf.', version: '1' },
    }));
    const conflict = await cli(['magnets', 'put', site, 'checkliste', '--config', changed]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/Conflict \(409\).*new version/);

    const leads = await cli(['leads', 'list', '--admin', site, '--status', 'pending']);
    expect(leads).toMatchObject({ code: 0 });
    expect(leads.stdout.trim()).toBe('ID  EMAIL  STATUS  COMPANY  ROLE  SIZE  UPDATED');

    expect((await cli(['magnets', 'delete', site, 'checkliste'])).stdout).toMatch(/Deleted magnet checkliste/);
    const gone = await cli(['magnets', 'show', site, 'checkliste']);
    expect(gone.code).toBe(1);
    expect((await cli(['magnets', 'put', site, 'x'])).code).toBe(2);
  });
});
