import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_HELP } from '../../../cli/help.mjs';
import { COMMAND_NAMES, main } from '../../../cli/lodestone.mjs';
import { fakeApi, runCli, type Route } from './cli-fake';

const routes: Record<string, Route> = {};
let api: Awaited<ReturnType<typeof fakeApi>>;
beforeAll(async () => {
  api = await fakeApi(new Proxy({}, { get: (_, k: string) => routes[k] }) as Record<string, Route>);
});
afterAll(() => api.close());

const ADMIN = 'Bearer admin-tok';
const KEY = 'Bearer lsk_test';
const env = () => ({ LODESTONE_URL: api.url, LODESTONE_ADMIN_TOKEN: 'admin-tok', LODESTONE_API_KEY: 'lsk_test' });
const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { ...env(), ...extra });
const since = () => api.seen.length;
const after = (n: number) => api.seen.slice(n);

describe('help and version', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8'));
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('a command\'s --help prints its usage and auth, and calls nothing', async () => {
    const n = since();
    const res = await cli(['leads', 'list', '--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Usage: lodestone leads list \[--stage S\]/);
    expect(res.stdout).toContain('leads list --admin <site>');
    expect(res.stdout).not.toContain('retention set');
    expect((await cli(['leads', 'erase', '--help'])).stdout).toContain('--yes');
    expect(after(n)).toEqual([]);
  });
});

describe('every command has its own help', () => {
  it.each(COMMAND_NAMES)('%s', (name) => {
    expect(COMMAND_HELP[name]).toMatch(new RegExp(`^${name}(\\s|$)`));
    expect(COMMAND_HELP[name]).toMatch(/Auth: /);
  });
});

describe('funnel', () => {
  it('asks the funnel report with the key and the period, and prints the steps', async () => {
    routes['GET /v1/reports/funnel'] = () => ({ json: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', anonymousPageviews: 7,
      steps: [{ step: 'visitors', count: 200, conversion: null, lost: null }, { step: 'pricing_visitors', count: 50, conversion: 0.25, lost: 150 }] } });
    const n = since();
    const res = await cli(['funnel', '--from', '2026-11-01', '--to', '2026-12-01']);
    expect(res.code).toBe(0);
    const [req] = after(n);
    expect(req).toMatchObject({ method: 'GET', path: '/v1/reports/funnel', auth: KEY });
    expect(Object.fromEntries(req!.query)).toEqual({ from: '2026-11-01', to: '2026-12-01' });
    expect(res.stdout).toMatch(/^pricing_visitors\s+50\s+25\.0%\s+150$/m);
    expect(res.stdout).toContain('anonymous pageviews (no visitor id): 7');
    expect(JSON.parse((await cli(['funnel', '--json'])).stdout).steps).toHaveLength(2);
  });
});

describe('leads erase confirmation', () => {
  routes['DELETE /v1/leads/ld_1'] = () => ({ json: { status: 'erased' } });
  const deletes = (n: number) => after(n).filter((r) => r.method === 'DELETE');

  it('refuses without a terminal and without --yes; erases nothing', async () => {
    const n = since();
    const res = await cli(['leads', 'erase', 'ld_1']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^lodestone: Refusing to erase lead ld_1 without confirmation: add --yes/);
    expect(deletes(n)).toEqual([]);
    expect((await cli(['leads', 'erase', 'ld_1', '--yes'])).stdout).toContain('Erased lead ld_1');
    expect(deletes(n)).toHaveLength(1);
  });

  it('on a terminal asks, and erases only on the lead id or y', async () => {
    const run = async (answer: string) => {
      const n = since();
      const lines: string[] = [];
      const questions: string[] = [];
      const code = await main(['leads', 'erase', 'ld_1'], (l) => lines.push(l), {
        env: env(), stdinTTY: true, err: () => {}, ask: async (q) => (questions.push(q), answer),
      });
      return { code, lines, questions, deleted: deletes(n).length };
    };
    const no = await run('n');
    expect(no).toMatchObject({ code: 1, deleted: 0 });
    expect(no.questions[0]).toContain('ld_1');
    expect(await run('')).toMatchObject({ code: 1, deleted: 0 });
    expect(await run('ld_1')).toMatchObject({ code: 0, deleted: 1 });
    expect(await run('Y')).toMatchObject({ code: 0, deleted: 1 });
  });
});

describe('progress and the CSV dialect', () => {
  const pages: Record<string, string> = {
    '': '\ufeffid;email\r\nld_1;a@x.example\r\nld_2;b@x.example\r\n',
    c2: '\ufeffid;email\r\nld_3;c@x.example\r\n',
  };
  const leadPages: Route = (req) => ({ text: pages[req.query.get('cursor') ?? '']!, headers: req.query.get('cursor') ? {} as Record<string, string> : { 'x-next-cursor': 'c2' } });
  routes['GET /v1/leads'] = leadPages;

  it('--excel sends dialect=excel; stdout is only the data, one header, one BOM', async () => {
    const n = since();
    const res = await cli(['leads', 'export', '--excel']);
    expect(res.code).toBe(0);
    expect(after(n).map((r) => r.query.get('dialect'))).toEqual(['excel', 'excel']);
    expect(res.stdout).toBe('\ufeffid;email\r\nld_1;a@x.example\r\nld_2;b@x.example\r\nld_3;c@x.example\r\n');
    expect(res.stderr).toBe(''); // stderr is a pipe: no progress
    const plain = since();
    await cli(['leads', 'export']);
    expect(after(plain).every((r) => !r.query.has('dialect'))).toBe(true);
    expect((await cli(['leads', 'export', '--excel', '--format', 'ndjson'])).code).toBe(2);
  });

  it('--progress reports pages on stderr and leaves stdout alone', async () => {
    const res = await cli(['leads', 'export', '--excel', '--progress']);
    expect(res.stdout).toBe('\ufeffid;email\r\nld_1;a@x.example\r\nld_2;b@x.example\r\nld_3;c@x.example\r\n');
    expect(res.stderr.trim().split('\n')).toEqual(['lodestone: page 1: 2 lead(s), more to come', 'lodestone: page 2: 3 lead(s), done']);
  });

  it('reports progress by default when stderr is a terminal', async () => {
    const notes: string[] = [];
    const out = join(mkdtempSync(join(tmpdir(), 'lodestone-export-')), 'leads.csv');
    const lines: string[] = [];
    await main(['leads', 'export', '--out', out], (l) => lines.push(l), { env: env(), stderrTTY: true, err: (l) => notes.push(l) });
    expect(notes).toEqual(['lodestone: page 1: 2 lead(s), more to come', 'lodestone: page 2: 3 lead(s), done']);
    expect(lines).toEqual([`Exported 3 lead(s) to ${out}.`]);
    expect(readFileSync(out, 'utf8')).toBe('\ufeffid;email\r\nld_1;a@x.example\r\nld_2;b@x.example\r\nld_3;c@x.example\r\n');
  });

  it('escapes control characters when the CSV goes to a terminal, not when it goes to a pipe', async () => {
    const evil = 'id;company\r\nld_1;\u001b[2JAcme\r\n';
    routes['GET /v1/leads'] = () => ({ text: evil });
    const run = async (stdoutTTY: boolean) => {
      let data = '';
      await main(['leads', 'export'], () => {}, { env: env(), stdoutTTY, write: (d) => (data += d), err: () => {} });
      return data;
    };
    try {
      expect(await run(true)).toBe('id;company\r\nld_1;\\x1b[2JAcme\r\n');
      expect(await run(false)).toBe(evil);
    } finally {
      routes['GET /v1/leads'] = leadPages;
    }
  });

  it('rescore runs passes until no job is open, with progress only when asked', async () => {
    let left = 3;
    routes['POST /admin/rescore'] = () => {
      left--;
      return { json: { processed: 10, open: left ? [{ id: 1 }] : [] } };
    };
    const res = await cli(['rescore', '--progress']);
    expect(res.stdout).toContain('Rescored 30 lead(s); no job open.');
    expect(res.stderr.trim().split('\n')).toEqual(['lodestone: pass 1: 10 lead(s) rescored, 1 job(s) open',
      'lodestone: pass 2: 20 lead(s) rescored, 1 job(s) open', 'lodestone: pass 3: 30 lead(s) rescored, 0 job(s) open']);
    left = 1;
    expect((await cli(['rescore'])).stderr).toBe('');
  });
});

describe('errors', () => {
  it('prints an API refusal once, as lodestone: <title> (<status>): <detail>', async () => {
    routes['POST /admin/sites'] = () => ({ status: 400, json: { type: 'urn:lodestone:problem:validation', title: 'Invalid request', status: 400,
      detail: 'The body is invalid: /id must be a slug.', path: '/id', errors: [{ path: '/id', message: 'must be a slug' }, { path: '/name', message: 'too long' }] } });
    const res = await cli(['sites', 'create', 'Bad Id']);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('lodestone: Invalid request (400): The body is invalid: /id must be a slug. (also: /name too long)\n');
  });

  it('names the URL it tried and how to point elsewhere when nothing answers', async () => {
    const gone = await fakeApi({});
    await gone.close();
    const res = await cli(['sites', 'list'], { LODESTONE_URL: gone.url });
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain(`Cannot reach ${gone.url}`);
    expect(res.stderr).toContain('--url or LODESTONE_URL');
  });
});

describe('origins', () => {
  routes['POST /admin/sites/acme/origins'] = () => ({ json: { added: true } });
  routes['DELETE /admin/sites/acme/origins'] = () => ({ json: { removed: true } });
  routes['POST /admin/sites'] = (req) => ({ json: { site: { id: 'acme', origins: (req.body as { origins: string[] }).origins } } });

  it('normalises origins before sending them', async () => {
    const n = since();
    expect((await cli(['origins', 'add', 'acme', 'HTTPS://Acme.Example:443/'])).stdout).toContain('Allowed https://acme.example for acme.');
    await cli(['origins', 'remove', 'acme', 'http://WWW.acme.example:80']);
    await cli(['origins', 'add', 'acme', 'https://acme.example:8443']);
    await cli(['sites', 'create', 'acme', '--origin', 'https://acme.example/', '--origin', 'https://Shop.Acme.example']);
    const sent = after(n);
    expect(sent[0]!.body).toEqual({ origin: 'https://acme.example' });
    expect(sent[1]!.query.get('origin')).toBe('http://www.acme.example');
    expect(sent[2]!.body).toEqual({ origin: 'https://acme.example:8443' });
    expect((sent[3]!.body as { origins: string[] }).origins).toEqual(['https://acme.example', 'https://shop.acme.example']);
  });

  it('refuses what is not an origin, locally', async () => {
    const n = since();
    for (const bad of ['https://acme.example/pricing', 'acme.example', 'ftp://acme.example', 'https://acme.example/?a=1', 'https://u:p@acme.example']) {
      const res = await cli(['origins', 'add', 'acme', bad]);
      expect(res.code, bad).toBe(2);
      expect(res.stderr).toMatch(/^lodestone: ".*" (is not|has a path|must not)/);
    }
    expect((await cli(['sites', 'create', 'acme', '--origin', 'https://acme.example/x'])).code).toBe(2);
    expect(after(n)).toEqual([]);
  });
});

describe('which credential leads list|show use', () => {
  routes['GET /v1/leads'] ??= () => ({ json: { leads: [] } });
  routes['GET /admin/sites/acme/leads'] = () => ({ json: { leads: [] } });
  routes['GET /admin/sites/acme/leads/ld_1'] = () => ({ json: { lead: { id: 'ld_1', email: 'a@x.example', status: 'pending' }, ledger: [] } });

  it('a site id without --admin is refused, never a silent switch to the admin token', async () => {
    const n = since();
    const list = await cli(['leads', 'list', 'acme']);
    expect(list.code).toBe(2);
    expect(list.stderr).toContain('leads list --admin acme');
    expect((await cli(['leads', 'show', 'acme', 'ld_1'])).code).toBe(2);
    expect(after(n)).toEqual([]);
  });

  it('--admin uses the admin token only; without it the API key', async () => {
    const n = since();
    expect((await cli(['leads', 'list', '--admin', 'acme'])).code).toBe(0);
    expect((await cli(['leads', 'show', '--admin', 'acme', 'ld_1'])).code).toBe(0);
    expect(after(n).map((r) => [r.path, r.auth])).toEqual([['/admin/sites/acme/leads', ADMIN], ['/admin/sites/acme/leads/ld_1', ADMIN]]);
    expect((await cli(['leads', 'list', '--admin', 'acme'], { LODESTONE_ADMIN_TOKEN: '' })).code).toBe(2);
  });
});

describe('leads show', () => {
  it('shows an unticked marketing box as declined, not as given', async () => {
    routes['GET /v1/leads/ld_9'] = () => ({ json: { lead: { id: 'ld_9', email: 'a@x.example', status: 'confirmed' }, score: null, stageHistory: [], events: [],
      consents: [
        { action: 'given', purpose: 'download', granted: true, coupled: false, textVersion: '1', createdAt: 1 },
        { action: 'given', purpose: 'marketing', granted: false, coupled: false, textVersion: 'm1', createdAt: 1 },
        { action: 'confirmed', purpose: 'download', granted: null, coupled: null, textVersion: '1', createdAt: 2 },
      ] } });
    const res = await cli(['leads', 'show', 'ld_9']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/given download 1$/m);
    expect(res.stdout).toMatch(/declined marketing \(box left unticked\) m1$/m);
    expect(res.stdout).not.toContain('given marketing');
    expect(res.stdout).toMatch(/confirmed download 1$/m);
  });
});

describe('likelihood to buy', () => {
  const lead = (id: string, likelihood?: number) => ({ id, email: `${id}@x.example`, stage: 'sql', score: 4100, fit: 4000, engagement: 100, temperature: 'hot',
    company: 'Acme', updatedAt: '2026-11-01T00:00:00.000Z', ...(likelihood === undefined ? {} : { likelihood }) });

  it('is a column of the list only once the site has one, and a line of the lead', async () => {
    routes['GET /v1/leads'] = () => ({ json: { leads: [lead('ld_a', 0.634), lead('ld_b', 0.1)] } });
    const withIt = await cli(['leads', 'list', '--sort', 'likelihood']);
    expect(withIt.stdout).toMatch(/LIKELY/);
    expect(withIt.stdout).toMatch(/ld_a .* 63 %/);
    routes['GET /v1/leads'] = () => ({ json: { leads: [lead('ld_a')] } });
    expect((await cli(['leads', 'list'])).stdout).not.toMatch(/LIKELY/);
    routes['GET /v1/leads/ld_l'] = () => ({ json: { lead: { id: 'ld_l', email: 'a@x.example', status: 'confirmed' }, stageHistory: [], events: [], consents: [],
      score: { stage: 'sql', score: 4100, fit: 4000, engagement: 100, temperature: 'hot', explanation: { lines: [] } },
      likelihood: { probability: 0.42, factors: ['Company size 50–999 (+3,000 points, raises it)'], basis: { outcomes: 120, won: 30 } } } });
    expect((await cli(['leads', 'show', 'ld_l'])).stdout).toContain('likelihood to buy 42 % (from 120 sales outcomes): Company size 50–999 (+3,000 points, raises it)');
  });
});

describe('control characters from the API', () => {
  const evil = '/x\u001b[2J\u001b]0;pwned\u0007\u009b31m\u007f\ud800';
  routes['GET /admin/sites/acme/events'] = () => ({ json: { events: [
    { event_id: 'e1', kind: 'pageview', path: evil, received_at: 1_700_000_000_000, visitor_id: null, country: 'DE' }] } });

  it('are rendered visibly in text output', async () => {
    const res = await cli(['events', 'acme']);
    expect(res.code).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(res.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(res.stdout).toContain('/x\\x1b[2J\\x1b]0;pwned\\x07\\u009b31m\\x7f\\ud800');
  });

  it('stay the API\'s own values in --json output', async () => {
    const res = await cli(['events', 'acme', '--json']);
    expect(JSON.parse(res.stdout).path).toBe(evil);
    // eslint-disable-next-line no-control-regex
    expect(res.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it('are escaped in API error details too', async () => {
    routes['GET /admin/sites/evil'] = () => ({ status: 404, json: { title: 'Not found', status: 404, detail: 'No site "\u001b[2J".' } });
    const res = await cli(['sites', 'show', 'evil']);
    expect(res.stderr).toBe('lodestone: Not found (404): No site "\\x1b[2J".\n');
  });
});

describe('doctor and mail retry', () => {
  const healthy = { status: 'ok', checks: [{ name: 'database', ok: true, detail: 'migrations applied' }], mail: { dead: 0, stuck: 0, lastError: null, lastErrorAt: null },
    webhooks: { dead: 0, stuck: 0 }, magnets: [] };

  it('prints a report and exits 0 when healthy', async () => {
    routes['GET /admin/health'] = (req) => (req.auth === ADMIN ? { json: healthy }
      : { status: 401, json: { title: 'Unauthorized', status: 401, detail: 'A valid admin token is required.' } });
    const res = await cli(['doctor']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^server reachable\s+ok$/m);
    expect(res.stdout).toMatch(/^admin token accepted\s+ok$/m);
    expect(res.stdout).toMatch(/^database\s+ok\s+migrations applied$/m);
    expect(res.stdout).toMatch(/^status: ok$/m);
    const refused = await cli(['doctor'], { LODESTONE_ADMIN_TOKEN: 'wrong' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused the admin token');
  });

  it('exits 1 and says what is wrong when degraded', async () => {
    routes['GET /admin/health'] = () => ({ json: { ...healthy, status: 'degraded', checks: [{ name: 'mail config', ok: false, detail: 'MAIL_FROM unset' }],
      mail: { dead: 2, stuck: 1, deadIds: ['mo_b', 'mo_a'], lastError: 'smtp 550', lastErrorAt: 1_700_000_000_000 }, magnets: [{ site: 'acme', magnet: 'guide', problem: 'no file uploaded' }] } });
    const res = await cli(['doctor']);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^mail config\s+FAIL\s+MAIL_FROM unset$/m);
    expect(res.stdout).toMatch(/^mail\s+FAIL\s+2 dead, 1 stuck; last error 2023-11-14T22:13:20Z: smtp 550$/m);
    expect(res.stdout).toMatch(/^  dead mails \(newest first\): mo_b mo_a$/m);
    expect(res.stdout).toContain('acme/guide: no file uploaded');
    expect(res.stdout).toMatch(/^status: degraded/m);
    const json = await cli(['doctor', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).status).toBe('degraded');
  });

  it('suggests mail retry for dead mails only: the server does not requeue stuck ones', async () => {
    routes['GET /admin/health'] = () => ({ json: { ...healthy, status: 'degraded', mail: { dead: 0, stuck: 3, lastError: null, lastErrorAt: null } } });
    const stuck = await cli(['doctor']);
    expect(stuck.code).toBe(1);
    expect(stuck.stdout).toMatch(/^status: degraded$/m);
    routes['GET /admin/health'] = () => ({ json: { ...healthy, status: 'degraded', mail: { dead: 1, stuck: 3, lastError: null, lastErrorAt: null } } });
    expect((await cli(['doctor'])).stdout).toMatch(/^status: degraded \(retry dead mails: lodestone mail retry\)$/m);
    expect((await cli(['mail', 'retry', '--help'])).stdout).not.toContain('stuck mails now');
  });

  it('mail retry sends the ids (or none) and prints the count', async () => {
    routes['POST /admin/mail/retry'] = (req) => ({ json: { requeued: (req.body as { ids?: string[] }).ids?.length ?? 5 } });
    const n = since();
    expect((await cli(['mail', 'retry', 'm1', 'm2'])).stdout).toBe('Requeued 2 mail(s).\n');
    expect((await cli(['mail', 'retry'])).stdout).toBe('Requeued 5 mail(s).\n');
    expect(after(n).map((r) => [r.auth, r.body])).toEqual([[ADMIN, { ids: ['m1', 'm2'] }], [ADMIN, {}]]);
  });
});
