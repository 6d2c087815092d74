import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../../edge/index';
import { BASE } from '../helpers';

/**
 * The assets are spelled out per test: what `dist/public` holds depends on
 * the last build (local dev copies the demo site there, a deploy does not).
 */
type Assets = { fetch: (req: Request) => Promise<Response> };
const only = (files: Record<string, string>): Assets => ({
  fetch: async (req) => {
    const body = files[new URL(req.url).pathname];
    return body === undefined ? new Response('Not found', { status: 404 }) : new Response(body, { headers: { 'content-type': 'text/html' } });
  },
});
/** What a deployment has: the built scripts, no index. */
const DEPLOYED = only({ '/s.js': '/* snippet */', '/w.js': '/* widget */' });

async function send(path: string, init: RequestInit, assets: Assets | undefined): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(new URL(path, BASE), init), { ...env, ASSETS: assets } as never, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe('GET /', () => {
  for (const [name, assets] of [['deployed assets', DEPLOYED], ['no assets binding', undefined]] as const) {
    it(`answers a short landing page where no static index exists (${name})`, async () => {
      const res = await send('/', {}, assets);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      const html = await res.text();
      expect(html).toContain('href="/docs"');
      expect(html).toContain('href="/healthz"');
      expect((await send('/', { method: 'HEAD' }, assets)).status).toBe(200);
    });

    it(`still answers problem+json 404 for other paths and methods (${name})`, async () => {
      for (const [method, path] of [['GET', '/nothing-here'], ['POST', '/'], ['GET', '/index.html']] as const) {
        const res = await send(path, { method }, assets);
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      }
    });
  }

  it('lets a static index win when the assets have one (local dev demo)', async () => {
    const res = await send('/', {}, only({ '/': '<h1>demo</h1>' }));
    expect(await res.text()).toBe('<h1>demo</h1>');
    // Assets still serve their files.
    expect(await (await send('/s.js', {}, DEPLOYED)).text()).toBe('/* snippet */');
  });
});
