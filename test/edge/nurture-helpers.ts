import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { confirmLink, confirmPost, mailsTo, postLead, setupMagnet, submission } from './leads-helpers';
import { api } from './sales-helpers';
import { apiKey } from './scoring-helpers';

export { threeMails } from '../fixtures/sequences';

/** Helpers for the nurture tests: a site with a magnet, an API key, sequences, and leads confirmed through the real widget flow. */

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

export const count = async (sql: string, ...args: unknown[]) => (await env.DB.prepare(sql).bind(...args).first<{ n: number }>())!.n;

/** A site with a magnet, a key, and nurture settings (cap 24 h by default, so two-day waits are not capped). */
export async function nurtureSite(settings: Record<string, unknown> = { minGapHours: 24 }) {
  const { site, magnet } = await setupMagnet();
  const key = await apiKey(site);
  expect((await api(key, 'PUT', '/v1/nurture-settings', settings)).status).toBe(200);
  return { site, magnet, key };
}

export async function putSequence(key: string, id: string, doc: unknown, status = 201) {
  const res = await api(key, 'PUT', `/v1/sequences/${id}`, doc);
  expect(res.status, await res.clone().text()).toBe(status);
  return res.json() as Promise<{ version: number }>;
}

/** A lead confirmed through the form and the confirmation link, with or without marketing consent. */
export async function confirmedLead(site: string, magnet: string, opts: { marketing: boolean; lang?: 'en' | 'de'; firstName?: string }) {
  const body = submission(site, magnet, { marketing: opts.marketing, lang: opts.lang ?? 'en', firstName: opts.firstName ?? 'Jane' });
  expect((await postLead(body)).status).toBe(202);
  const link = await confirmLink(body.email);
  expect((await confirmPost(link.searchParams.get('t')!)).status).toBe(303);
  const lead = await env.DB.prepare('SELECT id, marketing FROM leads WHERE site_id = ? AND email_key = ?').bind(site, body.email.toLowerCase())
    .first<{ id: string; marketing: number }>();
  expect(lead!.marketing).toBe(opts.marketing ? 1 : 0);
  return { id: lead!.id, email: body.email };
}

/** Nurture mails the lead got (dev outbox), oldest first: their subjects and bodies. */
export async function nurtureMails(email: string) {
  return (await mailsTo(email)).filter((m) => !m.text_body.includes('/v1/optin/confirm')).reverse();
}

export const subjects = async (email: string) => (await nurtureMails(email)).map((m) => m.subject);

export async function enrollment(site: string, lead: string, sequence: string) {
  return env.DB.prepare('SELECT * FROM nurture_enrollments WHERE site_id = ? AND lead_id = ? AND sequence_id = ? ORDER BY entered_at DESC LIMIT 1')
    .bind(site, lead, sequence).first<{ state: string; step_id: string; exit_reason: string | null; due_at: number; entry: number; entered_at: number }>();
}

/** The first click link in a mail's text. */
export function clickLink(text: string): URL {
  const m = /https?:\/\/[^\s)]+\/v1\/m\/c\?[^\s)]+/.exec(text);
  expect(m, 'a click link').not.toBeNull();
  return new URL(m![0]);
}

export function unsubscribeLink(text: string): URL {
  const m = /https?:\/\/[^\s)]+\/v1\/optin\/unsubscribe\?[^\s)]+/.exec(text);
  expect(m, 'an unsubscribe link').not.toBeNull();
  return new URL(m![0]);
}
