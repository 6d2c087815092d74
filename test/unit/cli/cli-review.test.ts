import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/lodestone.mjs';
import { fakeApi, runCli, type Route } from './cli-fake';

const routes: Record<string, Route> = {};
let api: Awaited<ReturnType<typeof fakeApi>>;
beforeAll(async () => {
  api = await fakeApi(new Proxy({}, { get: (_, k: string) => routes[k] }) as Record<string, Route>);
});
afterAll(() => api.close());

const KEY = 'Bearer lsk_test';
const env = () => ({ LODESTONE_URL: api.url, LODESTONE_API_KEY: 'lsk_test' });
const cli = (args: string[]) => runCli(args, env());
const since = () => api.seen.length;
const after = (n: number) => api.seen.slice(n);
const tmp = () => mkdtempSync(join(tmpdir(), 'lodestone-review-'));

/** In-process, with a fake clock: what was printed, what went to stderr and how long each wait was. */
async function inProcess(args: string[], { progress = false } = {}) {
  const lines: string[] = [];
  const notes: string[] = [];
  const waits: number[] = [];
  const code = await main(args, (l) => lines.push(l), { env: env(), stderrTTY: progress, err: (l) => notes.push(l), sleep: async (ms) => void waits.push(ms) });
  return { code, stdout: lines.join('\n'), notes, waits };
}

const rate = (won: number, leads: number, ci: [number, number]) => ({ leads, won, winRate: leads ? won / leads : null, ci });
const finding = (attribute: string, value: string, group: [number, number], compared: [number, number], p: number, q: number) => ({
  attribute, value, group: { count: group[0], leads: group[1], share: group[0] / group[1] }, compared: { count: compared[0], leads: compared[1], share: compared[0] / compared[1] },
  ratio: null, p, q, significant: q < 0.05,
});

const review = {
  from: '2025-12-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', modelVersion: 4, openDays: 90,
  outcomes: { ...rate(40, 120, [0.255, 0.422]), notWon: 80, open: 17 },
  bands: [
    { band: 1, scoreFrom: 0, scoreTo: 12.4, ...rate(1, 12, [0.015, 0.354]), implied: 0.072 },
    { band: 10, scoreFrom: 180.6, scoreTo: 412, ...rate(9, 12, [0.468, 0.911]), implied: 0.702 },
  ],
  discrimination: { auc: { auc: 0.7134, ci: [0.6212, 0.8056], positives: 40, negatives: 80 }, topBand: { band: 10, ...rate(9, 12, [0.468, 0.911]), lift: 2.25 } },
  calibration: { method: 'platt', a: -2, b: 0.01, ece: 0.04, brier: 0.18, maxGap: 0.08 },
  highScorers: { scoreFrom: 95.2, ...rate(20, 36, [0.4, 0.7]), notWonShare: [finding('industry', 'retail', [9, 16], [1, 20], 0.0021, 0.031)] },
  lowScorers: { scoreBelow: 95.2, ...rate(20, 84, [0.16, 0.34]), wonShare: [finding('country', 'AT', [7, 20], [8, 64], 0.042, 0.21)] },
  rules: [{ id: 'pricing-visit', label: 'Pricing page', group: 'engagement', points: 15, matched: 50, with: rate(25, 50, [0.37, 0.63]), without: rate(15, 70, [0.13, 0.32]), lift: 1.5, p: 0.003 }],
  segments: {
    country: [{ value: 'DE', ...rate(20, 60, [0.22, 0.46]) }, { value: 'AT', ...rate(10, 30, [0.19, 0.51]) }],
    industry: [{ value: 'software', ...rate(15, 40, [0.24, 0.53]) }],
    size: Array.from({ length: 7 }, (_, i) => ({ value: `size-${i}`, ...rate(1, 10, [0.02, 0.4]) })),
  },
};

const computing = (computed: number): ReturnType<Route> => ({ status: 202, headers: { 'retry-after': '30' }, json: { status: 'computing', computed, detail: 'The outcome facts are still being computed; ask again in 30 seconds.' } });
const notEnough = (what: string): ReturnType<Route> => ({ status: 422, json: {
  type: 'urn:lodestone:problem:not-enough-data', title: 'Not enough data', status: 422,
  detail: `Too few sales outcomes to judge ${what} yet: 12 (3 won, 9 not won); at least 30 with 10 won and 10 not won are needed.`,
  have: { outcomes: 12, won: 3, notWon: 9 }, needed: { outcomes: 30, won: 10, notWon: 10 },
} });

describe('review', () => {
  it('asks the scoring review with the key and the period, and prints the key figures', async () => {
    routes['GET /v1/reports/scoring-review'] = () => ({ json: review });
    const n = since();
    const res = await cli(['review', '--from', '2025-12-01', '--to', '2026-12-01']);
    expect(res.code).toBe(0);
    const [req] = after(n);
    expect(req).toMatchObject({ method: 'GET', path: '/v1/reports/scoring-review', auth: KEY });
    expect(Object.fromEntries(req!.query)).toEqual({ from: '2025-12-01', to: '2026-12-01' });
    const out = res.stdout;
    expect(out).toContain('outcomes: 120 (40 won, 80 not won), 17 still open');
    expect(out).toContain('win rate: 33.3% (40 of 120; 95% CI 25.5%–42.2%)');
    expect(out).toContain('AUC: 0.71 (95% CI 0.62–0.81)');
    expect(out).toMatch(/^top band: win rate 75\.0% \(9 of 12; .*\), lift 2\.25× the average$/m);
    expect(out).toMatch(/^1 +0–12\.4 +12 +1 +8\.3% +1\.5%–35\.4% +7\.2%$/m);
    expect(out).toMatch(/^10 +180\.6–412 +12 +9 +75\.0% +46\.8%–91\.1% +70\.2%$/m);
    expect(out).toContain('High scorers (score ≥ 95.2): win rate 55.6% (20 of 36; 95% CI 40.0%–70.0%)\nWhat the high scorers who did not buy share');
    expect(out).toMatch(/^industry=retail +9 of 16 +1 of 20 +0\.002 +0\.031 +\*$/m);
    expect(out).toContain('Low scorers (score < 95.2): win rate 23.8% (20 of 84; 95% CI 16.0%–34.0%)\nWhat the low scorers who bought share');
    expect(out).toMatch(/^country=AT +7 of 20 +8 of 64 +0\.042 +0\.210$/m);
    expect(out).toMatch(/^pricing-visit +engagement +15 +50 +50\.0% +21\.4% +1\.50× +0\.003$/m);
    expect(out).toMatch(/^country +DE +60 +20 +33\.3% +22\.0%–46\.0%$/m);
    expect(out).toMatch(/^size +size-4 /m);
    expect(out).not.toMatch(/^size +size-5 /m); // the five largest of each only
    expect(res.stderr).toBe('');
  });

  it('--json prints the API\'s own JSON', async () => {
    routes['GET /v1/reports/scoring-review'] = () => ({ json: review });
    const res = await cli(['review', '--json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual(review);
  });

  it('waits as Retry-After says while the facts are computed, then prints the review', async () => {
    let calls = 0;
    routes['GET /v1/reports/scoring-review'] = () => (++calls < 3 ? computing(250) : { json: review });
    const res = await inProcess(['review'], { progress: true });
    expect(res.code).toBe(0);
    expect(calls).toBe(3);
    expect(res.waits).toEqual([30_000, 30_000]);
    expect(res.notes).toEqual([
      'lodestone: the outcome facts are being computed (250 so far); asking again in 30 s (try 1 of 10)',
      'lodestone: the outcome facts are being computed (500 so far); asking again in 30 s (try 2 of 10)',
    ]);
    expect(res.stdout).toContain('outcomes: 120 (40 won, 80 not won)');
    expect(res.stdout).not.toContain('computing');
  });

  it('waits silently without --progress and gives up after ten answers with a clear message', async () => {
    let calls = 0;
    routes['GET /v1/reports/scoring-review'] = () => (calls++, computing(1));
    const run = inProcess(['review']);
    await expect(run).rejects.toThrow(/still computing the outcome facts after 10 tries \(10 computed meanwhile\).*run the command again/);
    expect(calls).toBe(10);
  });

  it('too few outcomes: prints the detail with the counts and exits 1', async () => {
    routes['GET /v1/reports/scoring-review'] = () => notEnough('the scoring');
    const res = await cli(['review']);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('lodestone: Not enough data (422): Too few sales outcomes to judge the scoring yet: 12 (3 won, 9 not won); at least 30 with 10 won and 10 not won are needed.\n');
  });
});

const model = { name: 'Suggested from 160 outcomes', fit: [{ id: 'industry-software', field: 'industry', keywords: ['software'], points: 620 }], engagement: [],
  thresholds: { mql: 300, sql: 900 }, temperature: { basis: 'score', warm: 200, hot: 800 } };
const suggestion = {
  verdict: 'change',
  model,
  scale: { pointsPerDoubling: 1000, meaning: 'Every 1,000 points double the odds of a purchase.' },
  training: { outcomes: 120, won: 40, from: '2025-01-01T00:00:00.000Z', to: '2025-12-01T00:00:00.000Z', candidates: 14, lambda: 3 },
  holdout: { outcomes: 40, won: 12, from: '2025-12-02T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z',
    current: { auc: 0.6412, ci: [0.5, 0.78], positives: 12, negatives: 28 }, suggested: { auc: 0.7388, ci: [0.61, 0.86], positives: 12, negatives: 28 } },
  changes: [
    { id: 'industry-software', group: 'fit', action: 'changed', before: 20, after: 620, why: 'won 20 of 40 with it (50 %) against 20 of 80 without (25 %); χ² = 9.6, p = 0.0019' },
    { id: 'freemail', group: 'fit', action: 'dropped', before: -10, after: null, why: 'no measurable relation to wins once the selected rules are in: won 5 of 20 with it; χ² = 0.0, p = 0.81' },
    { id: 'learned-page-pricing', group: 'engagement', action: 'added', before: null, after: 310, why: 'won 15 of 30 with it (50 %); χ² = 7.3, p = 0.0069' },
  ],
  thresholds: ['MQL from 300, SQL from 900, warm from 20, hot from 60 points.', 'MQL: reached by 50 % of these outcomes, against 50 % with the current model.'],
  currentVersion: 4,
  applied: false,
};

describe('model suggest', () => {
  it('posts for a suggestion and prints hold-out AUCs, training, changes and thresholds; says nothing was applied', async () => {
    routes['POST /v1/scoring-model/suggest'] = () => ({ json: suggestion });
    const n = since();
    const res = await cli(['model', 'suggest']);
    expect(res.code).toBe(0);
    expect(after(n)).toMatchObject([{ method: 'POST', path: '/v1/scoring-model/suggest', auth: KEY }]);
    const out = res.stdout;
    expect(out).toContain('hold-out (the newest 40 outcomes, 12 won');
    expect(out).toMatch(/^ {2}AUC current 0\.64 \(95% CI 0\.50–0\.78\)$/m);
    expect(out).toMatch(/^ {2}AUC suggested 0\.74 \(95% CI 0\.61–0\.86\)$/m);
    expect(out).toContain('training: 120 outcomes, 40 won');
    expect(out).toMatch(/^changed +industry-software +fit +20 → 620 +won 20 of 40 with it/m);
    expect(out).toMatch(/^dropped +freemail +fit +-10 → – +no measurable relation/m);
    expect(out).toMatch(/^added +learned-page-pricing +engagement +– → 310 +won 15 of 30/m);
    expect(out).toContain('  MQL from 300, SQL from 900, warm from 20, hot from 60 points.');
    expect(out).toContain('Verdict: change');
    expect(out).toMatch(/Nothing was applied\..*lodestone model set FILE/);
  });

  it('says to keep the current model when the suggestion does not rank the newest outcomes better', async () => {
    routes['POST /v1/scoring-model/suggest'] = () => ({ json: { ...suggestion, verdict: 'keep' } });
    const res = await cli(['model', 'suggest']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Verdict: keep the current model');
    expect(res.stdout).not.toContain('Verdict: change');
  });

  it('--out writes only the suggested model, pretty, and names the next steps', async () => {
    routes['POST /v1/scoring-model/suggest'] = () => ({ json: suggestion });
    const file = join(tmp(), 'suggested.json');
    const res = await cli(['model', 'suggest', '--out', file]);
    expect(res.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(model, null, 2)}\n`);
    expect(res.stdout).toContain(`Wrote the suggested model to ${file}.`);
    expect(res.stdout).toContain(`Nothing was applied. Preview it with lodestone model preview ${file}, apply it with lodestone model set ${file}.`);
  });

  it('--json prints the API\'s JSON on stdout, the file note on stderr', async () => {
    routes['POST /v1/scoring-model/suggest'] = () => ({ json: suggestion });
    const file = join(tmp(), 'suggested.json');
    const res = await cli(['model', 'suggest', '--json', '--out', file]);
    expect(JSON.parse(res.stdout)).toEqual(suggestion);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(model);
    expect(res.stderr).toBe(`lodestone: Wrote the suggested model to ${file}.\n`);
  });

  it('waits on 202 and asks again; a 422 exits 1 with the counts', async () => {
    let calls = 0;
    routes['POST /v1/scoring-model/suggest'] = () => (++calls === 1 ? computing(80) : { json: suggestion });
    const res = await inProcess(['model', 'suggest']);
    expect(res).toMatchObject({ code: 0, waits: [30_000], notes: [] });
    expect(calls).toBe(2);
    expect(res.stdout).toContain('AUC suggested 0.74');
    routes['POST /v1/scoring-model/suggest'] = () => notEnough('a suggestion');
    const refused = await cli(['model', 'suggest']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^lodestone: Not enough data \(422\): Too few sales outcomes to judge a suggestion yet: 12 \(3 won, 9 not won\)/);
  });
});

const mover = (lead: string, before: [number, string, string], after: [number, string, string], why: string[]) => ({
  lead, before: { score: before[0], stage: before[1], temperature: before[2] }, after: { score: after[0], stage: after[1], temperature: after[2] }, why,
});
const preview = {
  at: '2026-03-02T00:00:00.000Z', currentVersion: 4, leads: 1234,
  stages: { changed: 37, changes: [{ from: 'mql', to: 'sql', leads: 30 }, { from: 'lead', to: 'mql', leads: 7 }] },
  temperatures: { changed: 12, changes: [{ from: 'warm', to: 'hot', leads: 12 }] },
  outcomes: { leads: 160, won: 52, current: { auc: 0.6412, ci: [0.55, 0.73], positives: 52, negatives: 108 }, draft: null },
  movers: {
    up: [mover('ld_up', [20, 'lead', 'cold'], [640, 'sql', 'hot'], ['Industry: software: 20 → 620 points', 'Pricing page: 0 → 310 points'])],
    down: [mover('ld_down', [300, 'mql', 'warm'], [-10, 'lead', 'cold'], ['Free-mail address: -10 → 0 points'])],
  },
};

describe('model preview', () => {
  it('posts the draft file and prints leads, stage and temperature changes, AUCs and movers; nothing saved', async () => {
    routes['POST /v1/scoring-model/preview'] = () => ({ json: preview });
    const file = join(tmp(), 'draft.json');
    writeFileSync(file, JSON.stringify(model));
    const n = since();
    const res = await cli(['model', 'preview', file]);
    expect(res.code).toBe(0);
    expect(after(n)).toMatchObject([{ method: 'POST', path: '/v1/scoring-model/preview', auth: KEY, body: model }]);
    const out = res.stdout;
    expect(out).toContain('leads scanned: 1234');
    expect(out).toContain('stages: 37 lead(s) change\n  mql → sql: 30\n  lead → mql: 7');
    expect(out).toContain('temperatures: 12 lead(s) change\n  warm → hot: 12');
    expect(out).toContain('outcomes: 160 lead(s) with a sales outcome, 52 won');
    expect(out).toMatch(/^ {2}AUC current 0\.64 \(95% CI 0\.55–0\.73\)$/m);
    expect(out).toMatch(/^ {2}AUC draft n\/a/m);
    expect(out).toMatch(/^ld_up +20 lead cold +640 sql hot +Industry: software: 20 → 620 points; Pricing page: 0 → 310 points$/m);
    expect(out).toMatch(/^ld_down +300 mql warm +-10 lead cold +Free-mail address: -10 → 0 points$/m);
    expect(out.indexOf('ld_up')).toBeLessThan(out.indexOf('Moved down'));
    expect(out).toContain(`Nothing was saved. Apply the draft with lodestone model set ${file}.`);
    expect(out).not.toContain('still computing');
    expect(JSON.parse((await cli(['model', 'preview', file, '--json'])).stdout)).toEqual(preview);
    routes['POST /v1/scoring-model/preview'] = () => ({ json: { ...preview, outcomes: { ...preview.outcomes, complete: false } } });
    expect((await cli(['model', 'preview', file])).stdout).toMatch(/^ {2}\(the server is still computing the outcome facts: these cover only part of the outcomes/m);
  });

  it('a missing or non-JSON file fails clearly and sends nothing', async () => {
    const dir = tmp();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "fit": [');
    const n = since();
    const missing = await cli(['model', 'preview', join(dir, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^lodestone: Cannot read .*missing\.json as JSON: ENOENT/);
    const invalid = await cli(['model', 'preview', bad]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^lodestone: Cannot read .*bad\.json as JSON: /);
    expect((await cli(['model', 'preview'])).code).toBe(2);
    expect(after(n)).toEqual([]);
  });

  it('an invalid draft prints the API\'s pointers and exits 1', async () => {
    routes['POST /v1/scoring-model/preview'] = () => ({ status: 400, json: { type: 'urn:lodestone:problem:validation', title: 'Invalid request', status: 400,
      detail: 'The body is invalid: /thresholds/mql must be a number.', errors: [{ path: '/thresholds/mql', message: 'must be a number' }, { path: '/fit/0/id', message: 'is required' }] } });
    const file = join(tmp(), 'draft.json');
    writeFileSync(file, '{}');
    const res = await cli(['model', 'preview', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('lodestone: Invalid request (400): The body is invalid: /thresholds/mql must be a number. (also: /fit/0/id is required)\n');
  });
});
