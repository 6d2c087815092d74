import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');

/** Runs the project's dependency rule over a small tree laid out like edge/. */
function cruise(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'deprule-'));
  dirs.push(dir);
  cpSync(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const out = spawnSync(process.execPath, [CLI, 'edge', 'protocol', '--config', '.dependency-cruiser.cjs'], { cwd: dir, encoding: 'utf8' });
  return { status: out.status, output: out.stdout + out.stderr };
}
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the dependency rule (npm run lint:deps)', () => {
  const base = {
    'protocol/index.ts': 'export const LIMIT = 1;\n',
    'edge/db/leads.ts': "import { LIMIT } from '../../protocol/index';\nexport const lead = () => LIMIT;\n",
    'edge/routes/leads.ts': "import { lead } from '../db/leads';\nexport const route = () => lead();\n",
  };

  it('passes a tree that keeps it', () => {
    const r = cruise(base);
    expect(r.output).toContain('no dependency violations found');
    expect(r.status).toBe(0);
  });

  it.each([
    ['a store importing a route', 'stores-stay-below-use-cases', { 'edge/db/leads.ts': "import { route } from '../routes/leads';\nexport const lead = () => route;\n" }],
    ['a route importing another route', 'routes-do-not-import-routes', { 'edge/routes/other.ts': "import { route } from './leads';\nexport const other = route;\n" }],
    ['the scoring engine importing a store', 'scoring-engine-is-pure', { 'edge/scoring/fit.ts': "import { lead } from '../db/leads';\nexport const fit = lead;\n" }],
    ['protocol importing the edge', 'protocol-stands-alone', { 'protocol/index.ts': "import { lead } from '../edge/db/leads';\nexport const LIMIT = 1;\nexport const x = lead;\n" }],
    ['an import cycle', 'no-cycles', {
      'edge/lib/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'edge/lib/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
    }],
  ])('fails %s, naming the rule', (_what, rule, change) => {
    const r = cruise({ ...base, ...change });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(`error ${rule}:`);
  });
});
