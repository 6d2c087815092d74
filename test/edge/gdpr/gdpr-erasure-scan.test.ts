import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventId } from '../helpers';
import { ORIGIN, confirmLink, confirmPost, mailsTo, postLead, send, setupMagnet, submission } from '../leads-helpers';
import { apiKey } from '../scoring-helpers';
import { api, count, scanAll, withKey } from '../gdpr-helpers';

/**
 * Erasure leaves no byte of the person: a lead written through every flow
 * that can reach it (profile, browsing of every event kind with the address
 * and name in custom names, link targets, hash-route queries, referrer, UTM
 * and props, consent ledger with user agent, mails, a webhook subscription
 * whose receiver echoes the payload, withdrawal, browsing after it), then
 * erased; every column of every table is scanned for every value.
 */

const tag = Array.from(crypto.getRandomValues(new Uint8Array(10)), (b) => String.fromCharCode(97 + (b % 26))).join('');
const HOOK = 'https://hooks.crm-example.com/lodestone';

afterEach(() => vi.restoreAllMocks());

let ip = 1;
const collect = (site: string, events: unknown[]) =>
  send('/v1/collect', {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN, 'cf-connecting-ip': `2001:db8::99:${(ip++).toString(16)}` },
    body: JSON.stringify({ site, events }),
  });
const ev = (kind: string, extra: Record<string, unknown> = {}) => ({ id: eventId(), kind, ts: Date.now(), url: `${ORIGIN}/`, ...extra });

describe('erasure: the full scan', () => {
  it('leaves none of the values in any column of any table, incl. event names, link targets and webhook logs', async () => {
    // The CRM stand-in answers every hand-off by echoing it (receivers often do).
    const received: string[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (_input: RequestInfo | URL, init?: RequestInit) => {
      received.push(String(init?.body ?? ''));
      return new Response(String(init?.body ?? ''), { status: 200 });
    });

    const { site, magnet } = await setupMagnet();
    const key = await apiKey(site);
    const hook = await send('/v1/webhooks', withKey(key, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: HOOK }),
    }), { WEBHOOK_TARGETS: 'public' });
    expect(hook.status).toBe(201);

    const local = `zelda.${tag}`;
    const email = `${local}@Example.COM`;
    const p = { firstName: `Zelda${tag}`, company: `Quux${tag} GmbH`, role: `Chief ${tag} Officer`, industry: `Widgets ${tag}` };
    const vid = `vid_${tag}`;
    const ua = `Mozilla/5.0 (TestAgent ${tag})`;

    const browse = (extra: string) => [
      ev('pageview', { vid, url: `${ORIGIN}/app?email=${email}#/thanks?email=${email}&name=${p.firstName}`, ref: `https://news.example/${tag}?q=${email}`,
        utm: { source: `nl-${tag}`, campaign: `c-${tag}` }, props: { who: `${p.firstName}-${extra}` } }),
      ev('pricing_view', { vid, url: `${ORIGIN}/pricing?utm_campaign=${tag}` }),
      ev('outbound', { vid, target: `https://partner.example/u/${p.firstName}?email=${email}` }),
      ev('download', { vid, target: `/files/${p.company}.pdf?e=${email}#/x?name=${p.firstName}` }),
      ev('engagement', { vid, ms: 1234 }),
      ev('form_view', { vid, magnet }),
      ev('custom', { vid, name: `signed-up-${local}-${p.firstName}-${extra}` }),
    ];
    expect((await collect(site, browse('before'))).status).toBe(202);
    const body = submission(site, magnet, { email, vid, ...p, marketing: true, url: `${ORIGIN}/guide?email=${email}#/form?name=${p.firstName}` });
    expect((await postLead(body, { headers: { 'cf-connecting-ip': '198.51.100.78', 'user-agent': ua } })).status).toBe(202);
    const link = await confirmLink(email);
    const confirmed = await confirmPost(link.searchParams.get('t')!);
    expect(confirmed.status).toBe(303);
    const dl = new URL(confirmed.headers.get('location')!);
    expect((await send(dl.pathname + dl.search)).status).toBe(200);
    expect((await collect(site, browse('linked'))).status).toBe(202);
    const lead = (await env.DB.prepare('SELECT id FROM leads WHERE site_id = ? AND email_key = ?').bind(site, email.toLowerCase()).first<{ id: string }>())!;
    expect((await send(`/v1/leads/${lead.id}/withdraw`, withKey(key, { method: 'POST' }))).status).toBe(200);
    expect((await collect(site, browse('after'))).status).toBe(202);

    // Ingest stripped every query string, also inside hash routes and link targets.
    const { results: stored } = await env.DB.prepare('SELECT url, path, target, referrer FROM events WHERE site_id = ?').bind(site).all();
    expect(JSON.stringify(stored)).not.toContain(local);
    expect(stored.map((r) => r.url)).toContain(`${ORIGIN}/app#/thanks`);
    expect(stored.map((r) => r.target)).toContain(`https://partner.example/u/${p.firstName}`);
    expect(stored.map((r) => r.target)).toContain(`/files/${p.company}.pdf`);

    const needles = [email, email.toLowerCase(), local, p.firstName, p.company, p.role, p.industry, vid, ua, lead.id, tag];
    const before = new Set((await scanAll(needles)).map((h) => h.split(' ')[0]));
    for (const col of ['leads.email', 'leads.role', 'leads.industry', 'events.name', 'events.target', 'events.visitor_id', 'events.props',
      'consent_ledger.user_agent', 'dev_mailbox.to_addr', 'webhook_messages.payload', 'webhook_attempts.response', 'optin_tokens.profile']) {
      expect(before, `the scan finds the person in ${col}`).toContain(col);
    }
    expect(received.some((b) => b.includes(p.firstName))).toBe(true);
    const eventsBefore = await count('SELECT COUNT(*) AS n FROM events WHERE site_id = ?', site);

    const res = await api(key, 'DELETE', `/v1/leads/${lead.id}`);
    expect(res.status).toBe(200);
    expect(await scanAll(needles)).toEqual([]);
    expect(await mailsTo(email)).toEqual([]);
    // Events stay for counts, de-identified: kind, page path and time only.
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE site_id = ?', site)).toBe(eventsBefore);
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND (name IS NOT NULL OR target IS NOT NULL)', site)).toBe(0);
    // The legal record names no value in clear.
    const log = await env.DB.prepare('SELECT * FROM erasure_log WHERE site_id = ?').bind(site).all();
    expect(log.results).toHaveLength(1);
    expect(JSON.stringify(log.results)).not.toMatch(new RegExp(`${tag}|${lead.id}`, 'i'));
  });
});
