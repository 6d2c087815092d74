import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const NETWORK = 'dashboard/api.ts';
/** Ways a browser module reaches the network by itself. */
const NETWORK_CALL = /\bfetch\s*\(|\bXMLHttpRequest\b|\bnew\s+WebSocket\b|\bnew\s+EventSource\b|\bsendBeacon\s*\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.tsx?$/.test(p) ? [p] : [];
  });
}

/** Dashboard modules other than api.ts that talk to the network, with the first offending line. */
function networkOutsideApi(files: { path: string; text: string }[]): string[] {
  return files
    .filter((f) => f.path !== NETWORK)
    .flatMap((f) => {
      const n = f.text.split('\n').findIndex((l) => NETWORK_CALL.test(l));
      return n < 0 ? [] : [`${f.path}:${n + 1}`];
    });
}

/** The dashboard's one door to the network: a 401 anywhere must reach the sign-in dialog, so no view calls fetch itself. */
describe('the dashboard reaches the network only through dashboard/api.ts', () => {
  it('finds a fetch in a view, and accepts it in api.ts', () => {
    expect(networkOutsideApi([
      { path: 'dashboard/views/leads.tsx', text: "import x;\nconst r = await fetch('/v1/leads');" },
      { path: 'dashboard/ui/x.ts', text: 'navigator.sendBeacon("/x")' },
      { path: NETWORK, text: 'await fetch(path)' },
      { path: 'dashboard/views/scoring.tsx', text: 'const prefetch = 1; api(path)' },
    ])).toEqual(['dashboard/views/leads.tsx:2', 'dashboard/ui/x.ts:1']);
  });

  it('no other module of dashboard/ calls fetch, XMLHttpRequest, WebSocket, EventSource or sendBeacon', () => {
    const files = sources(join(ROOT, 'dashboard')).map((p) => ({ path: relative(ROOT, p), text: readFileSync(p, 'utf8') }));
    expect(files.length).toBeGreaterThan(5);
    expect(files.some((f) => f.path === NETWORK)).toBe(true);
    expect(networkOutsideApi(files)).toEqual([]);
  });
});
