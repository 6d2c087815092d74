import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');

/** A module is a store when its name ends in `store.ts`; only stores write SQL. */
const isStore = (path: string) => /(^|[/-])store\.ts$/.test(path);
/** D1 calls that carry SQL text (not RegExp#exec). `batch()` only runs statements a store built. */
const SQL_CALL = /\.prepare\s*\(|\b(db|DB)\.exec\s*\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? (e.name === 'migrations' ? [] : sources(p)) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Modules of edge/ that are not stores but contain SQL, with the first offending line. */
function sqlOutsideStores(files: { path: string; text: string }[]): string[] {
  return files
    .filter((f) => !isStore(f.path))
    .flatMap((f) => {
      const n = f.text.split('\n').findIndex((l) => SQL_CALL.test(l));
      return n < 0 ? [] : [`${f.path}:${n + 1}`];
    });
}

describe('SQL lives in stores', () => {
  it('finds SQL in a route, and accepts it in a store', () => {
    expect(sqlOutsideStores([
      { path: 'edge/features/leads/list-routes.ts', text: "import x;\nawait db.prepare('SELECT 1')" },
      { path: 'edge/features/leads/list-store.ts', text: "db.prepare('SELECT 1')" },
      { path: 'edge/features/health/store.ts', text: "db.exec('SELECT 1')" },
      { path: 'edge/features/admin/routes.ts', text: "c.env.DB.exec('DELETE FROM sites')" },
      { path: 'edge/core/text.ts', text: 'const m = /a/.exec(s);' },
    ])).toEqual(['edge/features/leads/list-routes.ts:2', 'edge/features/admin/routes.ts:1']);
  });

  it('no module of edge/ but a store calls prepare() or exec()', () => {
    const files = sources(join(ROOT, 'edge')).map((p) => ({ path: relative(ROOT, p), text: readFileSync(p, 'utf8') }));
    expect(files.length).toBeGreaterThan(50);
    expect(sqlOutsideStores(files)).toEqual([]);
  });
});
