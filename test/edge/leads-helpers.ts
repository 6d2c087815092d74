import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { Env } from '../../edge/platform/env';
import worker from '../../edge/index';
import { adminCall, BASE, createSite } from './helpers';

/**
 * Helpers for the lead-capture edge tests. Requests go through the real
 * Worker entry (edge/index.ts) and the real local D1; only the environment is
 * spelled out per test (signing key, mail mode), so a developer's .dev.vars
 * cannot change what a test sees.
 */

export const ORIGIN = 'https://www.example.com';
export const SIGNING_KEY = 'test-signing-key-0123456789abcdef-0123456789';

export function leadEnv(overrides: Partial<Env> = {}): Env {
  return { ...env, SIGNING_KEY, MAIL_MODE: 'outbox', DEV_OUTBOX: 'on', MAIL_FROM: 'Test Sender <no-reply@example.com>', ...overrides } as Env;
}

/** One request through the Worker; waits for its waitUntil work (the mail send). */
export async function send(path: string, init: RequestInit = {}, overrides: Partial<Env> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(new URL(path, BASE), init), leadEnv(overrides), ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** Runs the cron handler as if it fired at `scheduledTime`. */
export async function runCron(scheduledTime: number, overrides: Partial<Env> = {}): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime, cron: '*/5 * * * *' }), leadEnv(overrides), ctx);
  await waitOnExecutionContext(ctx);
}

let n = 0;
export const uniqueEmail = (prefix = 'lead') => `${prefix}.${Date.now().toString(36)}${(n++).toString(36)}@Example.COM`;

export const PDF_BYTES = new TextEncoder().encode('%PDF-1.4\n% test file for lead-capture tests\n%%EOF\n');

export const CONSENT_TEXT = 'I agree that Test Site stores my details to send me the whitepaper and to follow up on my request.';
export const MARKETING_TEXT = 'Yes, also send me occasional e-mails about new guides and events.';

export function magnetConfig(overrides: Record<string, unknown> = {}) {
  return {
    title: 'The 2026 B2B lead report',
    description: 'Twelve pages on what converts.',
    lang: 'en',
    fields: [
      { name: 'firstName', required: false },
      { name: 'company', required: true },
      { name: 'role', required: false },
      { name: 'companySize', required: false },
      { name: 'industry', required: false },
    ],
    consent: { text: CONSENT_TEXT, version: '2026-11-01' },
    privacyUrl: 'https://www.example.com/privacy',
    marketing: { text: MARKETING_TEXT, version: '2026-11-01' },
    ...overrides,
  };
}

/** A fresh site with one magnet and its file. */
export async function setupMagnet(config: Record<string, unknown> = {}, opts: { file?: boolean } = {}) {
  const site = await createSite([ORIGIN]);
  const magnet = 'report-2026';
  const put = await adminCall('PUT', `/admin/sites/${site}/magnets/${magnet}`, magnetConfig(config));
  expect(put.status).toBe(201);
  if (opts.file !== false) {
    const up = await adminUpload(site, magnet, 'lead-report.pdf', PDF_BYTES);
    expect(up.status).toBe(200);
  }
  return { site, magnet };
}

export function adminUpload(site: string, magnet: string, name: string, bytes: Uint8Array<ArrayBuffer>, token = 'test-admin-token') {
  return send(`/admin/sites/${site}/magnets/${magnet}/file?name=${encodeURIComponent(name)}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
}

export function submission(site: string, magnet: string, overrides: Record<string, unknown> = {}) {
  return {
    site,
    magnet,
    email: uniqueEmail(),
    firstName: 'Jane',
    company: 'Acme GmbH',
    consent: true,
    consentVersion: '2026-11-01',
    marketing: false,
    url: `${ORIGIN}/whitepaper?utm_source=x&email=secret@example.com`,
    lang: 'en',
    elapsedMs: 5000,
    ...overrides,
  };
}

let ip = 1;
export function postLead(body: unknown, opts: { origin?: string | null; raw?: string; headers?: Record<string, string> } = {}, overrides: Partial<Env> = {}) {
  const headers: Record<string, string> = {
    'content-type': 'text/plain;charset=UTF-8',
    'cf-connecting-ip': `198.51.100.${(ip++ % 250) + 1}`,
    'user-agent': 'Mozilla/5.0 (lead test)',
    ...opts.headers,
  };
  const origin = opts.origin === undefined ? ORIGIN : opts.origin;
  if (origin !== null) headers.origin = origin;
  return send('/v1/leads', { method: 'POST', headers, body: opts.raw ?? JSON.stringify(body) }, overrides);
}

/** Rows a submission may write, for one site and one address. */
export async function storedFor(site: string, email?: string) {
  const count = async (sql: string, ...args: unknown[]) => (await env.DB.prepare(sql).bind(...args).first<{ n: number }>())!.n;
  return {
    leads: await count('SELECT COUNT(*) AS n FROM leads WHERE site_id = ?', site),
    ledger: await count('SELECT COUNT(*) AS n FROM consent_ledger WHERE site_id = ?', site),
    tokens: await count('SELECT COUNT(*) AS n FROM optin_tokens WHERE site_id = ?', site),
    outbox: await count('SELECT COUNT(*) AS n FROM mail_outbox WHERE site_id = ?', site),
    events: await count('SELECT COUNT(*) AS n FROM events WHERE site_id = ?', site),
    mails: email ? await count('SELECT COUNT(*) AS n FROM dev_mailbox WHERE lower(to_addr) = lower(?)', email) : 0,
  };
}

export const NOTHING = { leads: 0, ledger: 0, tokens: 0, outbox: 0, events: 0, mails: 0 };

/** Mails the dev outbox holds for an address, newest first. */
export async function mailsTo(email: string) {
  const { results } = await env.DB.prepare('SELECT * FROM dev_mailbox WHERE lower(to_addr) = lower(?) ORDER BY created_at DESC, id DESC')
    .bind(email).all<{ id: string; subject: string; text_body: string; html_body: string; headers: string; to_addr: string; from_addr: string }>();
  return results;
}

/** The confirmation link of the newest mail to `email`. */
export async function confirmLink(email: string): Promise<URL> {
  const [mail] = await mailsTo(email);
  expect(mail, `a mail to ${email}`).toBeDefined();
  const match = /https?:\/\/\S+\/v1\/optin\/confirm\?\S+/.exec(mail!.text_body);
  expect(match).not.toBeNull();
  return new URL(match![0]);
}

export function confirmPost(token: string, opts: { json?: boolean } = {}) {
  return send('/v1/optin/confirm', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: opts.json ? 'application/json' : '*/*',
      'cf-connecting-ip': '203.0.113.9',
      'user-agent': 'Mozilla/5.0 (confirm test)',
    },
    body: new URLSearchParams({ t: token }).toString(),
    redirect: 'manual',
  });
}

export async function leadRow(site: string, emailKey: string) {
  return env.DB.prepare('SELECT * FROM leads WHERE site_id = ? AND email_key = ?').bind(site, emailKey.toLowerCase())
    .first<Record<string, unknown>>();
}

export const db = () => env.DB;
