import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');

/** Runs the project's dependency rule over a small tree laid out like edge/ (a process each: the cases run concurrently). */
function cruise(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'deprule-'));
  dirs.push(dir);
  cpSync(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return new Promise<{ status: number; output: string }>((done) => {
    execFile(process.execPath, [CLI, 'edge', 'protocol', 'dashboard', '--config', '.dependency-cruiser.cjs'], { cwd: dir, encoding: 'utf8' },
      (err, stdout, stderr) => done({ status: err ? Number(err.code ?? 1) || 1 : 0, output: stdout + stderr }));
  });
}
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const line = (imports: string, body: string) => `${imports}\n${body}\n`;

describe.concurrent('the dependency rule (npm run lint:deps)', { timeout: 60_000 }, () => {
  /** Every layer once, each importing only what the rule allows. */
  const base = {
    'protocol/index.ts': 'export const LIMIT = 1;\n',
    'edge/core/text.ts': line("import { encodeBase64Url } from 'hono/utils/encode';\nimport { LIMIT } from '../../protocol/index';", 'export const clean = (s: string) => s.slice(LIMIT) + encodeBase64Url(new ArrayBuffer(1));'),
    'edge/http/problem.ts': line("import { clean } from '../core/text';", 'export const problem = (s: string) => new Error(clean(s));'),
    'edge/platform/env.ts': line("import { problem } from '../http/problem';", 'export const env = () => problem("x");'),
    'edge/features/sites/store.ts': line("import { clean } from '../../core/text';", 'export const getSite = (id: string) => clean(id);'),
    'edge/features/sites/index.ts': "export { getSite } from './store';\n",
    'edge/features/leads/schemas.ts': 'export const leadBody = {};\n',
    'edge/features/leads/store.ts': line("import { getSite } from '../sites';\nimport { leadBody } from './schemas';", 'export const getLead = (id: string) => [getSite(id), leadBody];'),
    'edge/features/leads/submit-lead.ts': line("import { getLead } from './store';\nimport { env } from '../../platform/env';", 'export const submit = (id: string) => [getLead(id), env()];'),
    'edge/features/leads/routes.ts': line("import { submit } from './submit-lead';\nimport { problem } from '../../http/problem';", 'export const leadRoutes = [submit, problem];'),
    'edge/app.ts': line("import { leadRoutes } from './features/leads/routes';", 'export const app = leadRoutes;'),
    'dashboard/api.ts': line("import { LIMIT } from '../protocol/index';", 'export const api = () => LIMIT;'),
    'dashboard/ui/chart.ts': 'export const chart = 1;\n',
    'dashboard/views/leads.tsx': line("import { api } from '../api';\nimport { chart } from '../ui/chart';\nimport { row } from './leads/row';", 'export default () => [api, chart, row];'),
    'dashboard/views/leads/row.ts': line("import { chart } from '../../ui/chart';", 'export const row = chart;'),
    'dashboard/views/scoring.tsx': line("import { api } from '../api';", 'export default () => api;'),
    'dashboard/view-registry.ts': "export const VIEWS = [() => import('./views/leads'), () => import('./views/scoring')];\n",
  };

  it('passes a tree that keeps it', async () => {
    const r = await cruise(base);
    expect(r.output).toContain('no dependency violations found');
    expect(r.status).toBe(0);
  });

  it.each([
    ['an import cycle', 'no-cycles', {
      'edge/core/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'edge/core/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
    }],
    ['protocol importing the edge', 'protocol-stands-alone', { 'protocol/index.ts': "import { clean } from '../edge/core/text';\nexport const LIMIT = 1;\nexport const x = clean;\n" }],
    ['pure code throwing an HTTP problem', 'core-is-pure', { 'edge/core/model.ts': line("import { problem } from '../http/problem';", 'export const parse = () => { throw problem("bad"); };') }],
    ['pure code importing a store', 'core-is-pure', { 'edge/core/model.ts': line("import { getSite } from '../features/sites/store';", 'export const m = getSite;') }],
    ['pure code importing Hono itself', 'core-has-no-framework', { 'edge/core/model.ts': line("import { Hono } from 'hono';", 'export const m = Hono;') }],
    ['the HTTP layer importing a feature', 'http-stays-below-features', { 'edge/http/body.ts': line("import { getSite } from '../features/sites';", 'export const b = getSite;') }],
    ['platform glue importing a feature', 'platform-stays-below-features', { 'edge/platform/request.ts': line("import { getLead } from '../features/leads/store';", 'export const r = getLead;') }],
    ['a feature reaching into another feature past its index', 'features-meet-through-index', {
      'edge/features/leads/store.ts': line("import { getSite } from '../sites/store';", 'export const getLead = getSite;'),
    }],
    ['a store importing a route', 'only-app-mounts-routes', { 'edge/features/leads/store.ts': line("import { leadRoutes } from './routes';", 'export const getLead = leadRoutes;') }],
    ['a route importing another route', 'only-app-mounts-routes', { 'edge/features/leads/list-routes.ts': line("import { leadRoutes } from './routes';", 'export const list = leadRoutes;') }],
    ['a store importing a use case', 'stores-stay-below-use-cases', { 'edge/features/leads/store.ts': line("import { submit } from './submit-lead';", 'export const getLead = submit;') }],
    ['a store throwing an HTTP problem', 'stores-stay-below-use-cases', { 'edge/features/sites/store.ts': line("import { problem } from '../../http/problem';", 'export const getSite = problem;') }],
    ['the dashboard importing edge code', 'dashboard-is-a-client', { 'dashboard/api.ts': line("import { clean } from '../edge/core/text';", 'export const api = clean;') }],
    ['a dashboard module importing a view past the registry', 'dashboard-views-load-on-demand', { 'dashboard/ui/chart.ts': line("import leads from '../views/leads';", 'export const chart = leads;') }],
    ['one dashboard view importing another', 'dashboard-views-stand-apart', { 'dashboard/views/scoring.tsx': line("import { row } from './leads/row';", 'export default () => row;') }],
    ['a feature importing the composition root', 'features-stay-below-composition', { 'edge/features/leads/submit-lead.ts': line("import { app } from '../../app';", 'export const submit = app;') }],
  ])('fails %s, naming the rule', async (_what, rule, change) => {
    const r = await cruise({ ...base, ...change });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(`error ${rule}:`);
  });
});
