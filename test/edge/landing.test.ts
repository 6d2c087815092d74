import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../edge/index';
import { BASE, call } from './helpers';

describe('GET /', () => {
  it('answers a short landing page where no static index exists', async () => {
    const res = await call('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('href="/docs"');
    expect(html).toContain('href="/healthz"');
    expect((await call('/', { method: 'HEAD' })).status).toBe(200);
  });

  it('still answers problem+json 404 for other paths and methods', async () => {
    for (const [method, path] of [['GET', '/nothing-here'], ['POST', '/'], ['GET', '/index.html']] as const) {
      const res = await call(path, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
  });

  it('lets a static index win when the assets have one (local dev demo)', async () => {
    const assets = { fetch: async (req: Request) => new URL(req.url).pathname === '/' ? new Response('<h1>demo</h1>', { headers: { 'content-type': 'text/html' } }) : new Response('nope', { status: 404 }) };
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(new URL('/', BASE)), { ...env, ASSETS: assets } as never, ctx);
    await waitOnExecutionContext(ctx);
    expect(await res.text()).toBe('<h1>demo</h1>');
  });
});
