import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { collect, eventId } from './helpers';
import { apiKey } from './scoring-helpers';
import { ORIGIN, confirmLink, confirmPost, postLead, send, setupMagnet, submission } from './leads-helpers';

/** Helpers for the GDPR tests (export, erasure, withdrawal, retention). */

/** Random lowercase letters (names may not contain digits). */
const rand = () => Array.from(crypto.getRandomValues(new Uint8Array(10)), (b) => String.fromCharCode(97 + (b % 26))).join('');

export const withKey = (key: string, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` },
});

/** A marketing API call through the Worker entry with the lead-capture env (SIGNING_KEY set). */
export const api = (key: string, method: string, path: string) => send(path, withKey(key, { method }));

export const ev = (kind: string, extra: Record<string, unknown> = {}) => ({ id: eventId(), kind, ts: Date.now(), url: `${ORIGIN}/`, ...extra });

export interface RealLead {
  site: string;
  magnet: string;
  key: string;
  email: string;
  leadId: string;
  vid: string;
  firstName: string;
  company: string;
  downloadUrl: string;
}

/**
 * A lead made through the real flows only: browsing with a consented visitor
 * id (referrer, UTM, props), the widget's POST /v1/leads with profile and
 * visitor id, the double opt-in mail and its confirmation, the gated
 * download, and more browsing once linked.
 */
export async function realLead(
  opts: { confirm?: boolean; download?: boolean; site?: { site: string; magnet: string }; vid?: string } = {},
): Promise<RealLead> {
  const { site, magnet } = opts.site ?? (await setupMagnet());
  const key = await apiKey(site);
  const tag = rand();
  const vid = opts.vid ?? `vid_gdpr_${tag}`;
  const firstName = `Zelda${tag}`;
  const company = `Quuxcorp${tag} GmbH`;
  // Before the sign-up: consented browsing with the visitor id.
  const before = await collect({
    site,
    events: [
      ev('pageview', { vid, url: `${ORIGIN}/blog/post`, ref: `https://news.example/?q=${tag}`, utm: { source: 'newsletter', campaign: `c${tag}` } }),
      ev('pricing_view', { vid, url: `${ORIGIN}/pricing`, props: { plan: `team-${tag}` } }),
    ],
  });
  expect(before.status).toBe(202);
  const body = submission(site, magnet, { vid, firstName, company, role: 'Head of Marketing', marketing: true });
  expect((await postLead(body, { headers: { 'cf-connecting-ip': '198.51.100.77' } })).status).toBe(202);
  const lead = await env.DB.prepare('SELECT id FROM leads WHERE site_id = ? AND email_key = ?').bind(site, body.email.toLowerCase()).first<{ id: string }>();
  expect(lead).not.toBeNull();
  let downloadUrl = '';
  if (opts.confirm !== false) {
    const link = await confirmLink(body.email);
    const res = await confirmPost(link.searchParams.get('t')!);
    expect(res.status).toBe(303);
    downloadUrl = res.headers.get('location')!;
    if (opts.download !== false) {
      const file = await send(new URL(downloadUrl).pathname + new URL(downloadUrl).search);
      expect(file.status).toBe(200);
      await file.arrayBuffer();
    }
    // After confirmation the visitor is linked: these events are the lead's.
    const after = await collect({ site, events: [ev('pricing_view', { vid, url: `${ORIGIN}/pricing` }), ev('pageview', { vid, url: `${ORIGIN}/contact` })] });
    expect(after.status).toBe(202);
  }
  return { site, magnet, key, email: body.email, leadId: lead!.id, vid, firstName, company, downloadUrl };
}

/**
 * A webhook endpoint of the site subscribed to everything (migration 0004's
 * table). Disabled: these tests write the deliveries themselves and must not
 * send anything over the network.
 */
export async function webhookEndpoint(site: string): Promise<string> {
  const id = `whe_test_${rand()}`;
  const now = Date.now();
  await env.DB.prepare(`INSERT INTO webhook_endpoints (id, site_id, url, description, secret, events, enabled, created_at, updated_at)
                        VALUES (?, ?, 'https://crm.example/hooks/lodestone', 'test', 'whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=',
                                '["lead.confirmed","lead.stage_changed","lead.withdrawn"]', 0, ?, ?)`)
    .bind(id, site, now, now).run();
  return id;
}

/**
 * A webhook message about the lead with its frozen payload (the profile),
 * and a delivery log row whose receiver answer echoes the address: what the
 * webhook outbox holds after a hand-off. Written directly so the erasure test
 * does not depend on when the webhook feature enqueues.
 */
export async function webhookDelivery(l: RealLead, endpointId: string, status: 'pending' | 'delivered' = 'delivered'): Promise<string> {
  const id = `msg_test_${rand()}`;
  const now = Date.now();
  const payload = JSON.stringify({ type: 'lead.confirmed', data: { lead: { id: l.leadId, email: l.email, firstName: l.firstName, company: l.company, visitorId: l.vid } } });
  await env.DB.batch([
    env.DB.prepare(`INSERT INTO webhook_messages (id, site_id, endpoint_id, lead_id, event_type, change, payload, status, attempts, next_attempt_at,
                                                 window_start, created_at, updated_at, delivered_at)
                    VALUES (?, ?, ?, ?, 'lead.confirmed', '{"from":"pending","to":"confirmed"}', ?, ?, 1, ?, ?, ?, ?, ?)`)
      .bind(id, l.site, endpointId, l.leadId, payload, status, now, now, now, now, status === 'delivered' ? now : null),
    env.DB.prepare(`INSERT INTO webhook_attempts (message_id, site_id, endpoint_id, attempt, via, at, duration_ms, status_code, outcome, response)
                    VALUES (?, ?, ?, 1, 'immediate', ?, 12, 200, 'delivered', ?)`)
      .bind(id, l.site, endpointId, now, `{"ok":true,"contact":"${l.email}"}`),
  ]);
  return id;
}

/** Every table of the database, except D1's and SQLite's own. */
export async function userTables(): Promise<string[]> {
  const { results } = await env.DB.prepare(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
       AND name != 'd1_migrations' ORDER BY name`,
  ).all<{ name: string }>();
  return results.map((r) => r.name);
}

/** Rows per table of every user table, in one query (one round trip, not one per table). */
export async function rowCounts(): Promise<Record<string, number>> {
  const tables = await userTables();
  const row = await env.DB.prepare(`SELECT ${tables.map((t, i) => `(SELECT COUNT(*) FROM "${t}") AS t${i}`).join(', ')}`).first<Record<string, number>>();
  return Object.fromEntries(tables.map((t, i) => [t, row![`t${i}`]!]));
}

/**
 * Scans every column of every table (as text, case-insensitively) for each
 * needle. Returns "table.column ∋ needle" for each hit.
 */
export async function scanAll(needles: string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const table of await userTables()) {
    const { results: cols } = await env.DB.prepare('SELECT name FROM pragma_table_info(?)').bind(table).all<{ name: string }>();
    for (const { name: col } of cols) {
      const sums = needles.map((_, i) => `COALESCE(SUM(instr(lower(CAST("${col}" AS TEXT)), lower(?${i + 1})) > 0), 0) AS n${i}`).join(', ');
      const row = await env.DB.prepare(`SELECT ${sums} FROM "${table}"`).bind(...needles).first<Record<string, number>>();
      needles.forEach((needle, i) => {
        if (row![`n${i}`]! > 0) hits.push(`${table}.${col} ∋ ${needle}`);
      });
    }
  }
  return hits;
}

export const count = async (sql: string, ...args: unknown[]) => (await env.DB.prepare(sql).bind(...args).first<{ n: number }>())!.n;
