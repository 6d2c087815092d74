import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

const KEY = 'Bearer lsk_test';
const cli = (args: string[]) => runCli(args, { LODESTONE_URL: api.url, LODESTONE_API_KEY: 'lsk_test' });
const since = () => api.seen.length;
const after = (n: number) => api.seen.slice(n);
/** What each request was: method, path, query, key and body. */
const requests = (n: number) => after(n).map((r) => ({ method: r.method, path: r.path, query: Object.fromEntries(r.query), auth: r.auth, body: r.body }));
const tmp = () => mkdtempSync(join(tmpdir(), 'lodestone-sequences-'));

const summary = (id: string, name: string, trigger: Record<string, unknown>, steps: number) => ({
  id, name, status: 'active', version: 3, trigger, steps, createdAt: '2026-01-01T00:00:00.000Z', savedAt: '2026-03-02T10:15:00.000Z',
});
const list = { sequences: [
  summary('welcome', 'Welcome', { on: 'confirmed' }, 4),
  summary('wp-follow', 'Whitepaper follow-up', { on: 'download', magnet: 'whitepaper' }, 3),
  summary('recycle', 'Recycled\u001b[2J', { on: 'stage', stage: 'recycled' }, 2),
  summary('wake', 'Wake up', { on: 'inactive', days: 30 }, 1),
] };

const doc = {
  name: 'Welcome', status: 'active', version: 3, trigger: { on: 'confirmed' },
  steps: [{ id: 'first', type: 'send', template: { en: { subject: 'Hi {{firstName}}', body: 'Welcome.' } } }, { id: 'pause', type: 'wait', days: 2 }],
};
const stored = { id: 'welcome', version: 3, savedAt: '2026-03-02T10:15:00.000Z', sequence: doc };

describe('sequences list', () => {
  it('asks with the key and prints one row per sequence, the trigger in words, server text escaped', async () => {
    routes['GET /v1/sequences'] = () => ({ json: list });
    const n = since();
    const res = await cli(['sequences', 'list']);
    expect(res.code).toBe(0);
    expect(requests(n)).toEqual([{ method: 'GET', path: '/v1/sequences', query: {}, auth: KEY, body: undefined }]);
    const out = res.stdout;
    expect(out).toMatch(/^ID +NAME +STATUS +VERSION +TRIGGER +STEPS +SAVED$/m);
    expect(out).toMatch(/^welcome +Welcome +active +3 +confirmed +4 +2026-03-02T10:15:00Z$/m);
    expect(out).toMatch(/^wp-follow +Whitepaper follow-up +active +3 +download whitepaper +3 +2026-03-02T10:15:00Z$/m);
    expect(out).toMatch(/^recycle +Recycled\\x1b\[2J +active +3 +stage recycled +2 /m);
    expect(out).toMatch(/^wake +Wake up +active +3 +inactive 30 days +1 /m);
    expect(out).not.toContain('\u001b');
  });

  it('--json prints the API\'s JSON unchanged; an empty list says how to add one', async () => {
    routes['GET /v1/sequences'] = () => ({ json: list });
    expect(JSON.parse((await cli(['sequences', 'list', '--json'])).stdout)).toEqual(list);
    routes['GET /v1/sequences'] = () => ({ json: { sequences: [] } });
    expect((await cli(['sequences', 'list'])).stdout).toBe('No sequences yet. Save one with lodestone sequences set <id> FILE.\n');
  });
});

describe('sequences get', () => {
  it('prints the sequence document, pretty', async () => {
    routes['GET /v1/sequences/welcome'] = () => ({ json: stored });
    const n = since();
    const res = await cli(['sequences', 'get', 'welcome']);
    expect(res.code).toBe(0);
    expect(requests(n)).toEqual([{ method: 'GET', path: '/v1/sequences/welcome', query: {}, auth: KEY, body: undefined }]);
    expect(res.stdout).toBe(`${JSON.stringify(doc, null, 2)}\n`);
    expect(JSON.parse((await cli(['sequences', 'get', 'welcome', '--json'])).stdout)).toEqual(stored);
  });

  it('--out writes the document to the file and says so', async () => {
    routes['GET /v1/sequences/welcome'] = () => ({ json: stored });
    const file = join(tmp(), 'welcome.json');
    const res = await cli(['sequences', 'get', 'welcome', '--out', file]);
    expect(res.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(doc, null, 2)}\n`);
    expect(res.stdout).toBe(`Wrote sequence welcome version 3 to ${file}.\n`);
  });

  it('an unknown sequence exits 1 with the problem', async () => {
    const res = await cli(['sequences', 'get', 'nope']);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('lodestone: Not found (404): No route /v1/sequences/nope.\n');
  });
});

describe('sequences set', () => {
  it('PUTs the file\'s document under the id and prints the version saved', async () => {
    routes['PUT /v1/sequences/welcome'] = (req) => ({ status: 201, json: { id: 'welcome', version: 1, savedAt: '2026-03-02T10:15:00.000Z', sequence: req.body } });
    const file = join(tmp(), 'welcome.json');
    writeFileSync(file, JSON.stringify(doc));
    const n = since();
    const res = await cli(['sequences', 'set', 'welcome', file]);
    expect(res.code).toBe(0);
    expect(requests(n)).toEqual([{ method: 'PUT', path: '/v1/sequences/welcome', query: {}, auth: KEY, body: doc }]);
    expect(res.stdout).toBe('Saved sequence welcome, version 1.\n');
    routes['PUT /v1/sequences/welcome'] = () => ({ json: { ...stored, version: 4 } });
    expect((await cli(['sequences', 'set', 'welcome', file])).stdout).toBe('Saved sequence welcome, version 4.\n');
  });

  it('a 400 names each offending field as pointer and message, and exits 1', async () => {
    routes['PUT /v1/sequences/welcome'] = () => ({ status: 400, json: { type: 'urn:lodestone:problem:validation', title: 'Invalid request', status: 400,
      detail: 'The sequence is invalid: /steps/0/id is required.', path: '/steps/0/id',
      errors: [{ path: '/steps/0/id', message: 'is required' }, { path: '/trigger/magnet', message: 'must name a magnet of this site ("x\u001b" is none)' }] } });
    const file = join(tmp(), 'bad.json');
    writeFileSync(file, '{}');
    const res = await cli(['sequences', 'set', 'welcome', file]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('lodestone: Invalid request (400): The sequence is invalid: /steps/0/id is required. (also: /trigger/magnet must name a magnet of this site ("x\\x1b" is none))\n');
  });

  it('a missing or non-JSON file, or a missing argument, is wrong usage and sends nothing', async () => {
    const dir = tmp();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "steps": [');
    const n = since();
    const missing = await cli(['sequences', 'set', 'welcome', join(dir, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^lodestone: Cannot read .*missing\.json as JSON: ENOENT/);
    expect((await cli(['sequences', 'set', 'welcome', bad])).code).toBe(2);
    const usage = await cli(['sequences', 'set', 'welcome']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('lodestone: Usage: lodestone sequences set <id> FILE\n');
    expect(after(n)).toEqual([]);
  });
});

const stats = {
  id: 'welcome', version: 3, status: 'active', entered: 130, leads: 120, active: 40, completed: 60,
  exited: { unsubscribed: 4, goal: 20, sequence_changed: 6 }, reached: { mql: 25, sql: 7 },
  steps: [
    { id: 'first', type: 'send', sent: 80, clicked: 20, pending: 2, failed: 1, unsubscribed: 3, exited: 5, waiting: 0 },
    { id: 'pause', type: 'wait', sent: 0, clicked: 0, pending: 0, failed: 0, unsubscribed: 0, exited: 1, waiting: 38 },
    { id: 'second', type: 'send', sent: 0, clicked: 0, pending: 0, failed: 0, unsubscribed: 0, exited: 0, waiting: 0 },
    { id: 'old', type: null, sent: 9, clicked: 1, pending: 0, failed: 0, unsubscribed: 1, exited: 0, waiting: 0 },
  ],
};

describe('sequences stats', () => {
  it('prints the summary, the click rate per send step and a row per step', async () => {
    routes['GET /v1/sequences/welcome/stats'] = () => ({ json: stats });
    const n = since();
    const res = await cli(['sequences', 'stats', 'welcome']);
    expect(res.code).toBe(0);
    expect(requests(n)).toEqual([{ method: 'GET', path: '/v1/sequences/welcome/stats', query: {}, auth: KEY, body: undefined }]);
    const out = res.stdout;
    expect(out).toContain('Sequence welcome (version 3, active)\nentered: 130 time(s) by 120 lead(s)\nactive: 40\ncompleted: 60\n');
    expect(out).toContain('exited: 30 (goal 20, sequence_changed 6, unsubscribed 4)\n');
    expect(out).toContain('reached after entering: MQL 25, SQL 7\n');
    expect(out).toContain('click rate per send step:\n  first  25.0% (20 of 80 sent)\n  second  – (nothing sent yet)\n\n');
    expect(out).not.toMatch(/^ {2}(pause|old) /m); // only the send steps of the current version have a rate
    expect(out).toMatch(/^STEP +TYPE +SENT +CLICKED +PENDING +FAILED +UNSUBSCRIBED +EXITED +WAITING$/m);
    expect(out).toMatch(/^first +send +80 +20 +2 +1 +3 +5 +0$/m);
    expect(out).toMatch(/^pause +wait +0 +0 +0 +0 +0 +1 +38$/m);
    expect(out).toMatch(/^old +\(removed\) +9 +1 +0 +0 +1 +0 +0$/m);
    expect(JSON.parse((await cli(['sequences', 'stats', 'welcome', '--json'])).stdout)).toEqual(stats);
  });

  it('no exits yet: just the count', async () => {
    routes['GET /v1/sequences/welcome/stats'] = () => ({ json: { ...stats, exited: {} } });
    expect((await cli(['sequences', 'stats', 'welcome'])).stdout).toMatch(/^exited: 0$/m);
  });
});

const mail = {
  sequence: 'welcome', version: 3, step: 'first', lead: 'ld_0123456789abcdef', lang: 'de', subject: 'Hallo Anna\u0007',
  text: 'Hallo Anna,\n\nwillkommen.\u001b]0;x\u0007\n', html: '<p>Hallo Anna,</p>\n<p>willkommen.</p>', links: [], outbox: null,
};

describe('sequences preview', () => {
  it('asks for the step\'s mail with lead and language and prints subject and text, line breaks kept, controls visible', async () => {
    routes['GET /v1/sequences/welcome/steps/first/preview'] = () => ({ json: mail });
    const n = since();
    const res = await cli(['sequences', 'preview', 'welcome', 'first', '--lead', 'ld_0123456789abcdef', '--lang', 'de']);
    expect(res.code).toBe(0);
    expect(requests(n)).toEqual([{ method: 'GET', path: '/v1/sequences/welcome/steps/first/preview', query: { lead: 'ld_0123456789abcdef', lang: 'de' }, auth: KEY, body: undefined }]);
    // The last line break of the text is the one every printed line ends with.
    expect(res.stdout).toBe('Subject: Hallo Anna\\x07\n\nHallo Anna,\n\nwillkommen.\\x1b]0;x\\x07\n');
  });

  it('--html prints the HTML; without options nothing is added to the query', async () => {
    routes['GET /v1/sequences/welcome/steps/first/preview'] = () => ({ json: mail });
    const n = since();
    const res = await cli(['sequences', 'preview', 'welcome', 'first', '--html']);
    expect(requests(n)).toMatchObject([{ path: '/v1/sequences/welcome/steps/first/preview', query: {} }]);
    expect(res.stdout).toBe('Subject: Hallo Anna\\x07\n\n<p>Hallo Anna,</p>\n<p>willkommen.</p>\n');
    expect(JSON.parse((await cli(['sequences', 'preview', 'welcome', 'first', '--json'])).stdout)).toEqual(mail);
  });

  it('--outbox asks the server to store it and points at the dev outbox', async () => {
    routes['GET /v1/sequences/welcome/steps/first/preview'] = () => ({ json: { ...mail, outbox: 'dm_1' } });
    const n = since();
    const res = await cli(['sequences', 'preview', 'welcome', 'first', '--outbox']);
    expect(res.code).toBe(0);
    expect(requests(n)).toMatchObject([{ query: { outbox: '1' } }]);
    expect(res.stdout.endsWith(`\n\nAlso in the dev outbox: ${api.url}/dev/outbox\n`)).toBe(true);
    routes['GET /v1/sequences/welcome/steps/first/preview'] = () => ({ json: mail });
    expect((await cli(['sequences', 'preview', 'welcome', 'first'])).stdout).not.toContain('dev outbox');
  });

  it('a language other than en or de is wrong usage and sends nothing; a refusal exits 1', async () => {
    const n = since();
    const res = await cli(['sequences', 'preview', 'welcome', 'first', '--lang', 'fr']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('lodestone: --lang takes en or de, not "fr".\n');
    expect((await cli(['sequences', 'preview', 'welcome'])).code).toBe(2);
    expect(after(n)).toEqual([]);
    routes['GET /v1/sequences/welcome/steps/first/preview'] = () => ({ status: 422, json: { type: 'urn:lodestone:problem:validation', title: 'No dev outbox', status: 422,
      detail: 'outbox=1 works only in local development (npm run dev), where /dev/outbox exists.' } });
    const refused = await cli(['sequences', 'preview', 'welcome', 'first', '--outbox']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('lodestone: No dev outbox (422): outbox=1 works only in local development (npm run dev), where /dev/outbox exists.\n');
  });
});

const defaults = { minGapHours: 72, sendsPerMinute: 60, timeZone: 'Europe/Berlin' };
const settings = { minGapHours: 48, sendsPerMinute: 60, timeZone: 'Europe/Berlin', defaults, updatedAt: '2026-03-01T08:00:00.000Z' };

describe('sequences settings', () => {
  it('without options prints the settings and changes nothing', async () => {
    routes['GET /v1/nurture-settings'] = () => ({ json: settings });
    const n = since();
    const res = await cli(['sequences', 'settings']);
    expect(res.code).toBe(0);
    expect(requests(n)).toEqual([{ method: 'GET', path: '/v1/nurture-settings', query: {}, auth: KEY, body: undefined }]);
    expect(res.stdout).toMatch(/^ {2}at most one nurture mail per lead every +48 hours \(default 72\)$/m);
    expect(res.stdout).toMatch(/^ {2}nurture mails per minute \(whole site\) +60 \(default 60\)$/m);
    expect(res.stdout).toMatch(/^ {2}time zone of send windows +Europe\/Berlin \(default Europe\/Berlin\)$/m);
    expect(res.stdout).toMatch(/^ {2}updated 2026-03-01T08:00:00Z$/m);
    expect(JSON.parse((await cli(['sequences', 'settings', '--json'])).stdout)).toEqual(settings);
    routes['GET /v1/nurture-settings'] = () => ({ json: { ...defaults, defaults, updatedAt: null } });
    expect((await cli(['sequences', 'settings'])).stdout).toContain('never changed: all defaults');
  });

  it('with options overlays them on the current settings and PUTs the whole settings', async () => {
    routes['GET /v1/nurture-settings'] = () => ({ json: settings });
    routes['PUT /v1/nurture-settings'] = (req) => ({ json: { ...defaults, ...(req.body as object), defaults, updatedAt: '2026-03-02T09:00:00.000Z' } });
    const n = since();
    const res = await cli(['sequences', 'settings', '--sends-per-minute', '120', '--time-zone', 'Europe/Vienna']);
    expect(res.code).toBe(0);
    expect(requests(n)).toEqual([
      { method: 'GET', path: '/v1/nurture-settings', query: {}, auth: KEY, body: undefined },
      { method: 'PUT', path: '/v1/nurture-settings', query: {}, auth: KEY, body: { minGapHours: 48, sendsPerMinute: 120, timeZone: 'Europe/Vienna' } },
    ]);
    expect(res.stdout).toMatch(/^ {2}nurture mails per minute \(whole site\) +120 \(default 60\)$/m);
    expect(res.stdout).toMatch(/^ {2}time zone of send windows +Europe\/Vienna /m);
    expect(res.stdout).toMatch(/^ {2}updated 2026-03-02T09:00:00Z$/m);
  });

  it('"default" leaves a field out, so the server uses its default', async () => {
    routes['GET /v1/nurture-settings'] = () => ({ json: settings });
    routes['PUT /v1/nurture-settings'] = (req) => ({ json: { ...defaults, ...(req.body as object), defaults, updatedAt: '2026-03-02T09:00:00.000Z' } });
    const n = since();
    const res = await cli(['sequences', 'settings', '--min-gap-hours', 'default']);
    expect(res.code).toBe(0);
    expect(after(n).map((r) => r.body)).toEqual([undefined, { sendsPerMinute: 60, timeZone: 'Europe/Berlin' }]);
    expect(res.stdout).toMatch(/every +72 hours \(default 72\)$/m);
  });

  it('a number that is not whole is wrong usage and sends nothing; a refused zone exits 1 with the pointer', async () => {
    const n = since();
    const res = await cli(['sequences', 'settings', '--min-gap-hours', '1.5']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('lodestone: --min-gap-hours takes a whole number or "default", not "1.5".\n');
    expect(after(n)).toEqual([]);
    routes['GET /v1/nurture-settings'] = () => ({ json: settings });
    routes['PUT /v1/nurture-settings'] = () => ({ status: 400, json: { type: 'urn:lodestone:problem:validation', title: 'Invalid request', status: 400,
      detail: 'The body is invalid: /timeZone must be an IANA time zone such as Europe/Berlin.', errors: [{ path: '/timeZone', message: 'must be an IANA time zone such as Europe/Berlin' }] } });
    const refused = await cli(['sequences', 'settings', '--time-zone', 'Mars/Olympus']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('lodestone: Invalid request (400): The body is invalid: /timeZone must be an IANA time zone such as Europe/Berlin.\n');
  });
});

describe('help', () => {
  it('each command has its help with an example and the key as its credential', async () => {
    for (const name of ['list', 'get', 'set', 'stats', 'preview', 'settings']) {
      const res = await cli(['sequences', name, '--help']);
      expect(res.code, name).toBe(0);
      expect(res.stdout, name).toMatch(new RegExp(`^Usage: lodestone sequences ${name}[\\s\\S]*Example: lodestone sequences ${name}[\\s\\S]*Auth: marketing API key`));
    }
    expect((await cli(['sequences', '--help'])).stdout).toContain('lodestone sequences preview <id> <step>');
  });
});
