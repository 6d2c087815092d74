import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { collect, expectProblem } from '../helpers';
import { ORIGIN, confirmLink, mailsTo, postLead, send, setupMagnet, submission } from '../leads-helpers';
import { apiKey } from '../scoring-helpers';
import { api, count, ev, realLead, scanAll, userTables, webhookDelivery, webhookEndpoint, withKey } from '../gdpr-helpers';

const db = () => env.DB;

describe('GET /v1/leads/:id/export', () => {
  it('holds everything about the person: profile, consents with their texts, score, history, events, mails, webhooks', async () => {
    const l = await realLead();
    const endpoint = await webhookEndpoint(l.site);
    const msg = await webhookDelivery(l, endpoint);

    const res = await api(l.key, 'GET', `/v1/leads/${l.leadId}/export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="lodestone-export-${l.leadId}.json"`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const x = (await res.json()) as any;

    expect(x.format).toBe('lodestone.gdpr-export/v1');
    expect(x.lead).toMatchObject({ id: l.leadId, email: l.email.replace(/@.*/, (d) => d.toLowerCase()), status: 'confirmed', marketing: true, visitorId: l.vid });
    expect(x.lead.profile).toMatchObject({ firstName: l.firstName, company: l.company, role: 'Head of Marketing' });
    expect(x.visitorIds).toEqual([l.vid]);
    expect(x.visitorLinks).toEqual([{ visitorId: l.vid, linkedAt: expect.any(Number) }]);

    // The ledger (given + confirmed, download + marketing) and the exact texts agreed to.
    const ledger = x.consents.ledger as { action: string; purpose: string; textVersion: string; ipHash: string | null }[];
    expect(ledger.map((e) => `${e.action}:${e.purpose}`)).toEqual(['given:download', 'given:marketing', 'confirmed:download', 'confirmed:marketing']);
    expect(ledger[0]!.ipHash).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(x.consents.texts.map((t: any) => t.purpose).sort()).toEqual(['download', 'marketing']);
    expect(x.consents.texts.find((t: any) => t.purpose === 'download').text).toContain('I agree that Test Site stores my details');

    // The opt-in request as typed, without the token hash.
    expect(x.optinRequests).toHaveLength(1);
    expect(x.optinRequests[0]).toMatchObject({ magnetId: l.magnet, visitorId: l.vid, state: 'confirmed', profile: { firstName: l.firstName, company: l.company } });
    expect(JSON.stringify(x.optinRequests)).not.toMatch(/token_hash|tokenHash/);

    // Score with its explanation, and the stage history.
    expect(x.score).toMatchObject({ stage: 'confirmed', modelVersion: 1 });
    expect(x.score.explanation.lines.length).toBeGreaterThan(0);
    expect(x.stageHistory.map((h: any) => `${h.from}>${h.to}`)).toEqual(['pending>confirmed']);

    // Every event: before the sign-up (by visitor id), the edge's own, and after linking.
    const kinds = (x.events as { kind: string }[]).map((e) => e.kind).sort();
    expect(kinds).toEqual(['form_submit', 'magnet_download', 'optin_confirmed', 'pageview', 'pageview', 'pricing_view', 'pricing_view'].sort());
    const first = x.events.find((e: any) => e.referrer);
    expect(first).toMatchObject({ visitorId: l.vid, utm: { source: 'newsletter' } });
    expect(x.events.find((e: any) => e.props)?.props).toMatchObject({ plan: expect.stringMatching(/^team-/) });

    // Mails sent (outbox rows), never a token; webhook deliveries with their payload, never the endpoint secret.
    expect(x.mails).toEqual([expect.objectContaining({ kind: 'confirmation', status: 'sent', magnetId: l.magnet })]);
    const deliveries = x.webhooks.webhook_messages as any[];
    expect(deliveries.map((m) => m.id)).toContain(msg);
    expect(deliveries.find((m) => m.id === msg).payload.data.lead.email).toBe(l.email);
    const text = JSON.stringify(x);
    expect(text).not.toMatch(/whsec_/);
    expect(text).not.toMatch(/[?&]t=[A-Za-z0-9_-]{20,}/); // no confirmation token
  });

  it('needs leads:read; a key of another site sees "not found"', async () => {
    const l = await realLead({ download: false });
    const path = `/v1/leads/${l.leadId}/export`;
    await expectProblem(await send(path), 401, PROBLEM_TYPES.unauthorized);
    const writeOnly = await apiKey(l.site, ['leads:write']);
    await expectProblem(await api(writeOnly, 'GET', path), 403, PROBLEM_TYPES.forbidden);
    const other = await apiKey((await setupMagnet()).site);
    const body = await expectProblem(await api(other, 'GET', path), 404, PROBLEM_TYPES.notFound);
    expect(JSON.stringify(body)).not.toContain(l.email.toLowerCase());
    await expectProblem(await api(l.key, 'GET', '/v1/leads/ld_doesnotexist0000/export'), 404, PROBLEM_TYPES.notFound);
    const readOnly = await apiKey(l.site, ['leads:read']);
    expect((await api(readOnly, 'GET', path)).status).toBe(200);
  });
});

describe('DELETE /v1/leads/:id (erasure)', () => {
  it('leaves no personal data anywhere in D1: every table and column scanned', async () => {
    const l = await realLead();
    const endpoint = await webhookEndpoint(l.site);
    await webhookDelivery(l, endpoint);
    const needles = [l.email, l.email.toLowerCase(), l.firstName, l.company, l.vid, l.leadId];

    // The scan finds the person before erasure, in every place the flows wrote to.
    const before = await scanAll(needles);
    const tablesHit = new Set(before.map((h) => h.split('.')[0]));
    for (const t of ['leads', 'consent_ledger', 'optin_tokens', 'mail_outbox', 'dev_mailbox', 'events', 'lead_visitors', 'lead_scores',
      'stage_history', 'webhook_messages', 'webhook_attempts']) {
      expect(tablesHit, `the scan finds the lead in ${t}`).toContain(t);
    }
    const eventsBefore = await count('SELECT COUNT(*) AS n FROM events WHERE site_id = ?', l.site);
    const ledgerBefore = await count('SELECT COUNT(*) AS n FROM consent_ledger WHERE site_id = ? AND lead_id = ?', l.site, l.leadId);

    const res = await api(l.key, 'DELETE', `/v1/leads/${l.leadId}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; erasedAt: number };
    expect(body).toEqual({ status: 'erased', erasedAt: expect.any(Number) });

    expect(await scanAll(needles)).toEqual([]);

    // What stays: de-identified events for aggregate counts…
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE site_id = ?', l.site)).toBe(eventsBefore);
    const { results: events } = await db().prepare('SELECT * FROM events WHERE site_id = ?').bind(l.site).all<Record<string, unknown>>();
    for (const e of events) {
      expect(e).toMatchObject({ lead_id: null, visitor_id: null, referrer: null, utm: null, props: null, country: null, lead_seq: null, ingest_id: null });
      expect(typeof e.kind).toBe('string');
      expect(typeof e.path).toBe('string');
      expect(typeof e.ts).toBe('number');
    }
    // …the ledger, pseudonymised: what was agreed, to which text, when; no lead id, page, IP hash or user agent…
    const { results: ledger } = await db().prepare('SELECT * FROM consent_ledger WHERE site_id = ? ORDER BY seq').bind(l.site).all<Record<string, unknown>>();
    expect(ledger).toHaveLength(ledgerBefore);
    const pseudonym = ledger[0]!.lead_id as string;
    expect(pseudonym).toMatch(/^ps_[A-Za-z0-9_-]{43}$/);
    for (const r of ledger) {
      expect(r).toMatchObject({ lead_id: pseudonym, page_url: null, ip_hash: null, user_agent: null, erased_at: body.erasedAt });
      expect(r.text_hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(ledger.map((r) => `${r.action}:${r.purpose}:${r.granted}`)).toEqual(
      ['given:download:1', 'given:marketing:1', 'confirmed:download:null', 'confirmed:marketing:null']);
    // …and one audit row without personal data.
    const { results: log } = await db().prepare('SELECT * FROM erasure_log WHERE site_id = ?').bind(l.site).all<Record<string, unknown>>();
    expect(log).toEqual([expect.objectContaining({ reason: 'request', lead_status: 'confirmed', erased_at: body.erasedAt, pseudonym })]);
    // The site's other data stays.
    expect(await count('SELECT COUNT(*) AS n FROM webhook_endpoints WHERE id = ?', endpoint)).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM magnets WHERE site_id = ?', l.site)).toBe(1);
  });

  it('is idempotent, answers 404 for unknown leads and other sites, and needs leads:write', async () => {
    const l = await realLead({ download: false });
    const path = `/v1/leads/${l.leadId}`;
    const readOnly = await apiKey(l.site, ['leads:read']);
    await expectProblem(await api(readOnly, 'DELETE', path), 403, PROBLEM_TYPES.forbidden);
    await expectProblem(await send(path, { method: 'DELETE' }), 401, PROBLEM_TYPES.unauthorized);
    const other = await apiKey((await setupMagnet()).site);
    await expectProblem(await api(other, 'DELETE', path), 404, PROBLEM_TYPES.notFound);
    expect(await count('SELECT COUNT(*) AS n FROM leads WHERE site_id = ? AND id = ?', l.site, l.leadId)).toBe(1); // untouched

    const first = await api(l.key, 'DELETE', path);
    expect(first.status).toBe(200);
    const { erasedAt } = (await first.json()) as { erasedAt: number };
    const again = await api(l.key, 'DELETE', path);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'already_erased', erasedAt });
    expect(await count('SELECT COUNT(*) AS n FROM erasure_log WHERE site_id = ?', l.site)).toBe(1);
    // Another site's key still learns nothing, and the export is gone.
    await expectProblem(await api(other, 'DELETE', path), 404, PROBLEM_TYPES.notFound);
    await expectProblem(await api(l.key, 'GET', `${path}/export`), 404, PROBLEM_TYPES.notFound);
    await expectProblem(await api(l.key, 'DELETE', '/v1/leads/ld_neverexisted00000'), 404, PROBLEM_TYPES.notFound);
  });

  it('erases a pending lead too, and the same address signing up again is a new lead', async () => {
    const l = await realLead({ confirm: false });
    expect((await mailsTo(l.email)).length).toBe(1);
    expect((await api(l.key, 'DELETE', `/v1/leads/${l.leadId}`)).status).toBe(200);
    expect(await scanAll([l.email, l.firstName, l.company, l.vid, l.leadId])).toEqual([]);
    expect(await mailsTo(l.email)).toEqual([]);

    const again = submission(l.site, l.magnet, { email: l.email });
    expect((await postLead(again)).status).toBe(202);
    const row = await db().prepare('SELECT id, status FROM leads WHERE site_id = ? AND email_key = ?').bind(l.site, l.email.toLowerCase())
      .first<{ id: string; status: string }>();
    expect(row!.status).toBe('pending');
    expect(row!.id).not.toBe(l.leadId);
    await confirmLink(l.email); // a fresh confirmation mail
  });

  it('keeps other leads\' data, even when they share the browser (visitor id)', async () => {
    const a = await realLead();
    const b = await realLead({ site: { site: a.site, magnet: a.magnet }, vid: a.vid });
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND lead_id = ?', a.site, a.leadId)).toBeGreaterThan(0);
    const bEvents = await count('SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND lead_id = ?', a.site, b.leadId);
    expect((await api(a.key, 'DELETE', `/v1/leads/${a.leadId}`)).status).toBe(200);
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND lead_id = ?', a.site, b.leadId)).toBe(bEvents);
    expect(await count('SELECT COUNT(*) AS n FROM lead_visitors WHERE site_id = ? AND lead_id = ?', a.site, b.leadId)).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM consent_ledger WHERE site_id = ? AND lead_id = ?', a.site, b.leadId)).toBe(4);
    expect((await api(a.key, 'GET', `/v1/leads/${b.leadId}/export`)).status).toBe(200);
  });
});

describe('the consent ledger stays append-only after migration 0005', () => {
  it('refuses any change but the one-time erasure pseudonymisation, and deletes of rows not erased', async () => {
    const l = await realLead({ download: false });
    const seq = (await db().prepare('SELECT seq FROM consent_ledger WHERE site_id = ? AND lead_id = ? ORDER BY seq LIMIT 1')
      .bind(l.site, l.leadId).first<{ seq: number }>())!.seq;
    const refused = async (sql: string, ...args: unknown[]) =>
      expect(db().prepare(sql).bind(...args).run()).rejects.toThrow(/append-only/);
    await refused('UPDATE consent_ledger SET granted = 0 WHERE seq = ?', seq);
    await refused('UPDATE consent_ledger SET page_url = NULL WHERE seq = ?', seq);
    await refused('DELETE FROM consent_ledger WHERE seq = ?', seq);
    // Pseudonymising, but also rewriting what was agreed: refused.
    await refused(`UPDATE consent_ledger SET lead_id = 'ps_x', page_url = NULL, ip_hash = NULL, user_agent = NULL, erased_at = 1, text_version = 'other'
                   WHERE seq = ?`, seq);
    // Erased but keeping the IP hash: refused.
    await refused(`UPDATE consent_ledger SET lead_id = 'ps_x', page_url = NULL, user_agent = NULL, erased_at = 1 WHERE seq = ?`, seq);

    expect((await api(l.key, 'DELETE', `/v1/leads/${l.leadId}`)).status).toBe(200);
    // Once erased, a row can be changed no more (not even pseudonymised again).
    await refused(`UPDATE consent_ledger SET lead_id = 'ps_y', erased_at = 2 WHERE seq = ?`, seq);
    await refused('UPDATE consent_ledger SET granted = 0 WHERE seq = ?', seq);
  });
});

describe('withdrawal stops all processing and tracking linkage', () => {
  const scoreOf = (site: string, lead: string) =>
    db().prepare('SELECT stage, e_norm, last_seq, rev FROM lead_scores WHERE site_id = ? AND lead_id = ?').bind(site, lead)
      .first<{ stage: string; e_norm: number; last_seq: number; rev: string }>();

  it('POST /v1/leads/:id/withdraw (leads:write): unlinked, no scoring, mails and queued hand-offs cancelled', async () => {
    const l = await realLead({ download: false });
    const endpoint = await webhookEndpoint(l.site);
    const queued = await webhookDelivery(l, endpoint, 'pending');
    // A second opt-in mail still queued (another magnet of the site).
    await db().prepare(`INSERT INTO mail_outbox (id, site_id, lead_id, magnet_id, kind, lang, link_base, status, attempts, next_attempt_at, created_at, updated_at)
                        VALUES (?, ?, ?, ?, 'confirmation', 'en', 'http://edge.test', 'pending', 1, ?, ?, ?)`)
      .bind(`mo_test_${l.leadId}`, l.site, l.leadId, l.magnet, Date.now() + 60_000, Date.now(), Date.now()).run();
    expect(await count('SELECT COUNT(*) AS n FROM lead_visitors WHERE site_id = ? AND lead_id = ?', l.site, l.leadId)).toBe(1);

    const readOnly = await apiKey(l.site, ['leads:read']);
    await expectProblem(await api(readOnly, 'POST', `/v1/leads/${l.leadId}/withdraw`), 403, PROBLEM_TYPES.forbidden);
    const other = await apiKey((await setupMagnet()).site);
    await expectProblem(await api(other, 'POST', `/v1/leads/${l.leadId}/withdraw`), 404, PROBLEM_TYPES.notFound);

    const res = await api(l.key, 'POST', `/v1/leads/${l.leadId}/withdraw`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'withdrawn' });
    const lead = await db().prepare('SELECT status, marketing FROM leads WHERE site_id = ? AND id = ?').bind(l.site, l.leadId).first();
    expect(lead).toEqual({ status: 'withdrawn', marketing: 0 });
    expect(await count('SELECT COUNT(*) AS n FROM lead_visitors WHERE site_id = ? AND lead_id = ?', l.site, l.leadId)).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM mail_outbox WHERE site_id = ? AND lead_id = ? AND status = 'pending'`, l.site, l.leadId)).toBe(0);
    expect(await db().prepare('SELECT status FROM webhook_messages WHERE id = ?').bind(queued).first()).toEqual({ status: 'cancelled' });
    expect(await count(`SELECT COUNT(*) AS n FROM consent_ledger WHERE site_id = ? AND lead_id = ? AND action = 'withdrawn'`, l.site, l.leadId)).toBe(1);
    // The event records the API route, never the lead id in its URL.
    const withdrawn = await db().prepare(`SELECT url, path FROM events WHERE site_id = ? AND lead_id = ? AND kind = 'optin_withdrawn'`)
      .bind(l.site, l.leadId).first<{ url: string; path: string }>();
    expect(withdrawn).toEqual({ url: 'http://edge.test/v1/leads/:id/withdraw', path: '/v1/leads/:id/withdraw' });
    const score = (await scoreOf(l.site, l.leadId))!;
    expect(score.stage).toBe('withdrawn');
    const linked = await count('SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND lead_id = ?', l.site, l.leadId);

    // The same browser keeps browsing: nothing reaches the lead, its score does not move.
    expect((await collect({ site: l.site, events: [ev('pricing_view', { vid: l.vid }), ev('pricing_view', { vid: l.vid })] })).status).toBe(202);
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND lead_id = ?', l.site, l.leadId)).toBe(linked);
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND visitor_id = ? AND lead_id IS NULL', l.site, l.vid)).toBe(2);
    expect(await scoreOf(l.site, l.leadId)).toEqual(score);
    // The old download link no longer works; withdrawing again changes nothing.
    const download = new URL(l.downloadUrl);
    expect((await send(download.pathname + download.search)).status).toBe(410);
    expect((await api(l.key, 'POST', `/v1/leads/${l.leadId}/withdraw`)).status).toBe(200);
    expect(await count(`SELECT COUNT(*) AS n FROM consent_ledger WHERE site_id = ? AND lead_id = ? AND action = 'withdrawn'`, l.site, l.leadId)).toBe(1);
    expect(await scoreOf(l.site, l.leadId)).toEqual(score);
    await expectProblem(await api(l.key, 'POST', '/v1/leads/ld_neverexisted00000/withdraw'), 404, PROBLEM_TYPES.notFound);
  });

  it('the signed withdraw link from the mail removes the visitor link in the same batch', async () => {
    const l = await realLead({ download: false });
    const [mail] = await mailsTo(l.email);
    const link = new URL(/http:\/\/edge\.test\/v1\/optin\/withdraw\?\S+/.exec(mail!.text_body)![0]);
    expect(await count('SELECT COUNT(*) AS n FROM lead_visitors WHERE site_id = ? AND lead_id = ?', l.site, l.leadId)).toBe(1);
    const res = await send(link.pathname + link.search, { method: 'POST', headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(await count('SELECT COUNT(*) AS n FROM lead_visitors WHERE site_id = ? AND lead_id = ?', l.site, l.leadId)).toBe(0);
    expect((await collect({ site: l.site, events: [ev('pageview', { vid: l.vid, url: `${ORIGIN}/x` })] })).status).toBe(202);
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND visitor_id = ? AND lead_id IS NULL AND path = ?', l.site, l.vid, '/x')).toBe(1);
  });
});

describe('the scan itself', () => {
  it('covers every table the migrations create', async () => {
    const tables = await userTables();
    for (const t of ['sites', 'events', 'leads', 'consent_ledger', 'optin_tokens', 'mail_outbox', 'dev_mailbox', 'lead_visitors',
      'lead_scores', 'stage_history', 'rescore_jobs', 'erasure_log', 'site_retention', 'webhook_messages', 'webhook_attempts']) {
      expect(tables).toContain(t);
    }
    expect(tables.some((t) => t.startsWith('_cf_') || t.startsWith('sqlite_'))).toBe(false);
  });

  it('withKey sends the key as a bearer token', () => {
    expect(withKey('lsk_x').headers).toEqual({ authorization: 'Bearer lsk_x' });
  });
});
