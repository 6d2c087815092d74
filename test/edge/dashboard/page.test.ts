import { describe, expect, it } from 'vitest';
import { send } from '../leads-helpers';

/** The dashboard's page in workerd: one HTML shell, a policy that allows no inline code, never framed. */
describe('GET /app', () => {
  it('serves the page with a strict Content-Security-Policy and no inline code', async () => {
    const res = await send('/app');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-|nonce-|sha256-|\*/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    // Every script is a file of this origin; no inline script, style or handler that the policy would have to allow.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(1);
    expect(scripts[0]![1]).toContain('src="/app/app.js"');
    expect(scripts[0]![2]).toBe('');
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain('<link rel="stylesheet" href="/app/app.css">');
  });

  it('answers HEAD like GET and refuses other methods with 405', async () => {
    expect((await send('/app', { method: 'HEAD' })).status).toBe(200);
    const res = await send('/app', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  });
});
