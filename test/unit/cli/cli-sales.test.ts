import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeApi, runCli, type Route } from './cli-fake';

const routes: Record<string, Route> = {};
let api: Awaited<ReturnType<typeof fakeApi>>;
beforeAll(async () => {
  api = await fakeApi(new Proxy({}, { get: (_, k: string) => routes[k] }) as Record<string, Route>);
});
afterAll(() => api.close());

const cli = (args: string[]) => runCli(args, { LODESTONE_URL: api.url, LODESTONE_API_KEY: 'lsk_test' });
const since = () => api.seen.length;
const after = (n: number) => api.seen.slice(n);
const sales = { status: 'won', reason: null, ownerId: 'anna', assignedAt: 1, slaDueAt: null, value: 12000, currency: 'EUR', closedAt: 1_764_547_200_000, crmId: null };

describe('leads update', () => {
  it('sends the write-back as a PATCH with typed fields and prints the new state', async () => {
    routes['PATCH /v1/leads/ld_1'] = () => ({ json: { lead: 'ld_1', result: 'updated', sales } });
    const n = since();
    const res = await cli(['leads', 'update', 'ld_1', '--status', 'won', '--value', '12000', '--currency', 'EUR', '--closed-at', '2025-12-01', '--owner', 'none', '--budget', 'approved']);
    expect(res.code).toBe(0);
    expect(after(n).map((r) => [r.method, r.path, r.auth, r.body])).toEqual([
      ['PATCH', '/v1/leads/ld_1', 'Bearer lsk_test', { status: 'won', value: 12000, currency: 'EUR', closedAt: '2025-12-01', owner: null, budget: 'approved' }],
    ]);
    expect(res.stdout).toBe('Lead ld_1: won, owner anna, 12000 EUR, closed 2025-12-01T00:00:00Z.\n');
  });

  it('refuses locally what cannot be right, and sends nothing', async () => {
    const n = since();
    for (const args of [['leads', 'update', 'ld_1'], ['leads', 'update', 'ld_1', '--value', 'lots'], ['leads', 'update'], ['leads', 'update', 'ld_1', '--file', 'x.csv'],
      ['leads', 'update', '--file', 'updates.txt'], ['leads', 'update', 'ld_1', '--stauts', 'won']]) {
      expect((await cli(args)).code, args.join(' ')).toBe(2);
    }
    expect(after(n)).toEqual([]);
  });

  it('--file uploads the file with its media type and exits 1 when rows were refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lodestone-sales-'));
    const file = join(dir, 'export.csv');
    writeFileSync(file, 'email,status\na@x.example,accepted\nb@x.example,won\n');
    routes['POST /v1/leads/updates'] = () => ({ json: { updated: 1, unchanged: 0, refused: 1, rows: [
      { line: 2, key: { email: 'a@x.example' }, lead: 'ld_a', result: 'updated' },
      { line: 3, key: { email: 'b@x.example' }, lead: 'ld_b', result: 'refused', status: 400, reason: '/value is required for won (the deal value)' },
    ] } });
    const n = since();
    const res = await cli(['leads', 'update', '--file', file]);
    expect(after(n).map((r) => [r.method, r.path, r.body])).toEqual([['POST', '/v1/leads/updates', 'email,status\na@x.example,accepted\nb@x.example,won\n']]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^1 updated, 0 unchanged, 1 refused\.\nLINE/);
    expect(res.stdout).toMatch(/^3 +ld_b +400 +\/value is required for won/m);
  });
});

describe('owners', () => {
  it('list shows the team; set sends the file', async () => {
    const owners = [{ id: 'anna', name: 'Anna Berg', email: 'anna@sales.example', lang: 'de', active: true, fallback: false, weight: 3, assigned: 15, territory: { countries: ['DE', 'AT'] } },
      { id: 'rest', name: 'R', email: 'r@sales.example', lang: 'en', active: true, fallback: true, weight: 1, assigned: 2, territory: null }];
    routes['GET /v1/owners'] = () => ({ json: { owners } });
    routes['PUT /v1/owners'] = (req) => ({ json: { owners: (req.body as { owners: unknown[] }).owners.map((o) => ({ ...(o as object), active: true })) } });
    const list = await cli(['owners', 'list']);
    expect(list.stdout).toMatch(/^anna +Anna Berg +anna@sales.example +de +yes +3 +15 +DE,AT$/m);
    expect(list.stdout).toMatch(/^rest .* fallback .* everywhere$/m);
    const file = join(mkdtempSync(join(tmpdir(), 'lodestone-owners-')), 'team.json');
    writeFileSync(file, JSON.stringify({ owners: [{ id: 'anna', name: 'Anna', email: 'anna@sales.example' }] }));
    const n = since();
    const set = await cli(['owners', 'set', file]);
    expect(set.stdout).toBe('Saved 1 active owner(s) (1 in all).\n');
    expect(after(n)[0]).toMatchObject({ method: 'PUT', path: '/v1/owners', body: { owners: [{ id: 'anna' }] } });
    expect((await cli(['owners', 'set', join(file, 'missing.json')])).code).toBe(2);
  });
});

describe('funnel --by', () => {
  it('asks for the breakdown and prints revenue, median times and one table per group', async () => {
    const step = (s: string, count: number, medianMs: number | null) => ({ step: s, count, conversion: null, lost: null, medianMs });
    routes['GET /v1/reports/funnel'] = () => ({ json: { from: 'a', to: 'b', anonymousPageviews: 0, revenue: { EUR: 12000 }, by: 'owner',
      steps: [step('leads', 4, null), step('won', 2, 3 * 86_400_000)],
      groups: [{ value: 'anna', revenue: { EUR: 12000 }, steps: [step('leads', 3, null), step('won', 2, 7_200_000)] }] } });
    const n = since();
    const res = await cli(['funnel', '--by', 'owner']);
    expect(res.code).toBe(0);
    expect(after(n)[0]!.query.get('by')).toBe('owner');
    expect(res.stdout).toContain('revenue won: 12000 EUR');
    expect(res.stdout).toMatch(/^won +2 +3\.0 d$/m);
    expect(res.stdout).toMatch(/^owner: anna {2}\(revenue won: 12000 EUR\)$/m);
    expect(res.stdout).toMatch(/^won +2 +2\.0 h$/m);
    expect((await cli(['funnel', '--by', 'colour'])).code).toBe(2);
  });
});

describe('leads import', () => {
  it('uploads the file with its media type, sends --send-optin with the magnet and exits 1 when rows were refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lodestone-import-'));
    const file = join(dir, 'fair.ndjson');
    const body = '{"email":"a@x.example","basis":"legitimate_interest"}\n{"email":"b@x","basis":"consent"}\n';
    writeFileSync(file, body);
    routes['POST /v1/leads/import'] = () => ({ json: { created: 1, merged: 0, unchanged: 0, refused: 1, optinMails: 0, rows: [
      { line: 1, email: 'a@x.example', lead: 'ld_a', result: 'created', optin: 'never_for_legitimate_interest' },
      { line: 2, result: 'refused', status: 400, reason: 'line 2: /email must be a valid address' },
    ] } });
    const n = since();
    const res = await cli(['leads', 'import', file, '--send-optin', '--magnet', 'fair-brochure']);
    const seen = after(n);
    expect(seen.map((r) => [r.method, r.path, r.query.get('sendOptin'), r.query.get('magnet'), r.body])).toEqual([
      ['POST', '/v1/leads/import', 'true', 'fair-brochure', body],
    ]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^1 created, 0 merged, 0 unchanged, 1 refused; 0 opt-in mail\(s\) sent\.\nLINE/);
    expect(res.stdout).toMatch(/^2 +400 +line 2: \/email must be a valid address/m);

    // Without --send-optin no query; all good is exit 0.
    routes['POST /v1/leads/import'] = () => ({ json: { created: 0, merged: 0, unchanged: 2, refused: 0, optinMails: 0, rows: [] } });
    const m = since();
    const again = await cli(['leads', 'import', file]);
    expect(after(m).map((r) => [r.path, [...r.query.keys()]])).toEqual([['/v1/leads/import', []]]);
    expect([again.code, again.stdout]).toEqual([0, '0 created, 0 merged, 2 unchanged, 0 refused.\n']);
  });

  it('refuses locally what cannot work, and sends nothing', async () => {
    const n = since();
    for (const args of [['leads', 'import'], ['leads', 'import', 'fair.txt'], ['leads', 'import', 'fair.csv', '--send-optin']]) {
      expect((await cli(args)).code, args.join(' ')).toBe(2);
    }
    expect(after(n)).toEqual([]);
  });
});
