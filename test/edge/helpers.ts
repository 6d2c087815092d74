import { env, exports } from 'cloudflare:workers';
import { expect } from 'vitest';

/** Helpers for edge tests: every call goes through the real Worker and D1. */

export const BASE = 'http://edge.test';
export const ADMIN_TOKEN = 'test-admin-token';

export function call(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, init);
}

export function adminCall(method: string, path: string, body?: unknown, token = ADMIN_TOKEN): Promise<Response> {
  return call(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

let counter = 0;
/** A fresh site per test keeps tests independent without wiping D1. */
export async function createSite(origins = ['https://www.example.com']): Promise<string> {
  const id = `t${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const res = await adminCall('POST', '/admin/sites', { id, name: 'Test site', origins });
  expect(res.status).toBe(201);
  return id;
}

export async function countEvents(siteId: string): Promise<number> {
  const row = await env.DB.prepare('SELECT COUNT(*) AS n FROM events WHERE site_id = ?').bind(siteId).first<{ n: number }>();
  return row!.n;
}

export async function countAllRows(): Promise<Record<string, number>> {
  const tables = ['sites', 'site_origins', 'api_keys', 'events'];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${t}`).first<{ n: number }>())!.n;
  return out;
}

let eventCounter = 0;
export function eventId(): string {
  return `ev_${Date.now().toString(36)}_${(eventCounter++).toString(36).padStart(4, '0')}_${Math.random().toString(36).slice(2, 8)}`;
}

export function pageview(overrides: Record<string, unknown> = {}) {
  return { id: eventId(), kind: 'pageview', ts: Date.now(), url: 'https://www.example.com/', ...overrides };
}

let clientCounter = 1;
export function collect(
  body: unknown,
  opts: { origin?: string | null; contentType?: string; raw?: string; headers?: Record<string, string>; cf?: Record<string, unknown> } = {},
): Promise<Response> {
  // A distinct client per call unless the test pins one: the rate limit is per (site, client).
  const headers: Record<string, string> = {
    'content-type': opts.contentType ?? 'text/plain;charset=UTF-8',
    'cf-connecting-ip': `2001:db8::${(clientCounter++).toString(16)}`,
    ...opts.headers,
  };
  const origin = opts.origin === undefined ? 'https://www.example.com' : opts.origin;
  if (origin !== null) headers.origin = origin;
  const init: RequestInit & { cf?: Record<string, unknown> } = {
    method: 'POST',
    headers,
    body: opts.raw ?? JSON.stringify(body),
  };
  if (opts.cf) init.cf = opts.cf;
  return call('/v1/collect', init);
}

/** Asserts the one error shape: RFC 9457 problem+json with no internals. */
export async function expectProblem(res: Response, status: number, type: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ type, status });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack traces
  return body as { type: string; title: string; status: number; detail: string; path?: string; errors?: { path: string; message: string }[] };
}
