import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { EVENT_KINDS, LIMITS, PROBLEM_TYPES } from '../../../protocol';
import { collect, countEvents, createSite, eventId, expectProblem, pageview } from '../helpers';

const ORIGIN = 'https://www.example.com';

describe('POST /v1/collect: round trip', () => {
  it('stores every event kind with its fields, server time, country, and no query string', async () => {
    const site = await createSite();
    const now = Date.now();
    const vid = 'visitor_0123456789';
    const events = [
      { ...pageview({ url: `${ORIGIN}/?utm_source=newsletter&utm_medium=email&email=jane@corp.example`, vid }), ref: 'https://news.example.org/story?id=9' },
      { id: eventId(), kind: 'pricing_view', ts: now, url: `${ORIGIN}/preise`, vid },
      { id: eventId(), kind: 'download', ts: now, url: `${ORIGIN}/blog`, vid, target: `${ORIGIN}/files/report.pdf` },
      { id: eventId(), kind: 'outbound', ts: now, url: `${ORIGIN}/blog`, vid, target: 'https://partner.example.net/' },
      { id: eventId(), kind: 'engagement', ts: now, url: `${ORIGIN}/blog`, vid, ms: 42_000 },
      { id: eventId(), kind: 'form_view', ts: now, url: `${ORIGIN}/whitepaper`, vid, magnet: 'wp-2026' },
      { id: eventId(), kind: 'form_submit', ts: now, url: `${ORIGIN}/whitepaper`, vid, magnet: 'wp-2026' },
      { id: eventId(), kind: 'custom', ts: now, url: `${ORIGIN}/app#/demo`, vid, name: 'demo_booked', props: { plan: 'pro', seats: 12, trial: true } },
    ];
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(EVENT_KINDS));

    const res = await collect({ site, events }, { cf: { country: 'DE' } });
    expect(res.status).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await res.json()).toEqual({ accepted: events.length, duplicates: 0 });

    const { results } = await env.DB.prepare('SELECT * FROM events WHERE site_id = ?').bind(site).all<Record<string, unknown>>();
    const byKind = Object.fromEntries(results.map((r) => [r.kind as string, r]));
    expect(results).toHaveLength(events.length);
    expect(byKind.pageview).toMatchObject({
      url: `${ORIGIN}/`, path: '/', visitor_id: vid, referrer: 'https://news.example.org/story', country: 'DE',
      utm: JSON.stringify({ source: 'newsletter', medium: 'email' }),
    });
    expect(JSON.stringify(results)).not.toContain('jane@corp.example');
    expect(byKind.pricing_view).toMatchObject({ path: '/preise' });
    expect(byKind.download).toMatchObject({ target: `${ORIGIN}/files/report.pdf` });
    expect(byKind.outbound).toMatchObject({ target: 'https://partner.example.net/' });
    expect(byKind.engagement).toMatchObject({ engaged_ms: 42_000 });
    expect(byKind.form_view).toMatchObject({ magnet_id: 'wp-2026' });
    expect(byKind.form_submit).toMatchObject({ magnet_id: 'wp-2026' });
    expect(byKind.custom).toMatchObject({ name: 'demo_booked', path: '/app#/demo', props: JSON.stringify({ plan: 'pro', seats: 12, trial: true }) });
    for (const row of results) {
      expect(row.received_at).toBeGreaterThanOrEqual(now);
      expect(row.ts).toBeLessThanOrEqual(row.received_at as number);
    }
  });

  it('accepts application/json as well as text/plain', async () => {
    const site = await createSite();
    const res = await collect({ site, events: [pageview()] }, { contentType: 'application/json' });
    expect(res.status).toBe(202);
    expect(await countEvents(site)).toBe(1);
  });

  it('clamps absurd client times and keeps the raw one', async () => {
    const site = await createSite();
    const future = Date.now() + 365 * 86_400_000;
    const ancient = 1_000;
    const a = pageview({ ts: future });
    const b = pageview({ ts: ancient });
    expect((await collect({ site, events: [a, b] })).status).toBe(202);
    const rows = await env.DB.prepare('SELECT event_id, ts, client_ts, received_at FROM events WHERE site_id = ?')
      .bind(site).all<{ event_id: string; ts: number; client_ts: number; received_at: number }>();
    const row = (id: string) => rows.results.find((r) => r.event_id === id)!;
    expect(row(a.id).ts).toBe(row(a.id).received_at);
    expect(row(a.id).client_ts).toBe(future);
    expect(row(b.id).ts).toBe(row(b.id).received_at - 30 * 86_400_000);
    expect(row(b.id).client_ts).toBe(ancient);
  });

  it('stores no IP address anywhere', async () => {
    const site = await createSite();
    const ip = '203.0.113.77';
    await collect({ site, events: [pageview()] }, { headers: { 'cf-connecting-ip': ip, 'x-forwarded-for': ip } });
    const { results } = await env.DB.prepare('SELECT * FROM events WHERE site_id = ?').bind(site).all();
    expect(results).toHaveLength(1);
    expect(JSON.stringify(results)).not.toContain(ip);
  });
});

describe('POST /v1/collect: retries are idempotent', () => {
  it('a retried batch stores nothing twice and says so', async () => {
    const site = await createSite();
    const events = Array.from({ length: 10 }, () => pageview());
    expect(await (await collect({ site, events })).json()).toEqual({ accepted: 10, duplicates: 0 });
    expect(await (await collect({ site, events })).json()).toEqual({ accepted: 0, duplicates: 10 });
    const partial = [...events.slice(0, 5), pageview(), pageview()];
    expect(await (await collect({ site, events: partial })).json()).toEqual({ accepted: 2, duplicates: 5 });
    expect(await countEvents(site)).toBe(12);
  });

  it('event ids are unique per site, not globally', async () => {
    const [a, b] = [await createSite(), await createSite()];
    const event = pageview();
    expect((await collect({ site: a, events: [event] })).status).toBe(202);
    expect(await (await collect({ site: b, events: [event] })).json()).toEqual({ accepted: 1, duplicates: 0 });
  });

  it('concurrent retries of one batch store each event once', async () => {
    const site = await createSite();
    const events = Array.from({ length: 20 }, () => pageview());
    const answers = await Promise.all(Array.from({ length: 5 }, () => collect({ site, events }).then((r) => r.json() as Promise<{ accepted: number }>)));
    expect(answers.reduce((n, a) => n + a.accepted, 0)).toBe(20);
    expect(await countEvents(site)).toBe(20);
  });
});

describe('POST /v1/collect: every error has the problem shape and stores nothing', () => {
  it('400 malformed JSON', async () => {
    const site = await createSite();
    const body = await expectProblem(await collect(null, { raw: `{"site":"${site}","events":[` }), 400, PROBLEM_TYPES.malformed);
    expect(body.detail).toMatch(/not valid JSON/);
    expect(await countEvents(site)).toBe(0);
  });

  it('400 empty body and invalid UTF-8', async () => {
    await expectProblem(await collect(null, { raw: '' }), 400, PROBLEM_TYPES.malformed);
    const res = await collect(null, { raw: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) as unknown as string });
    await expectProblem(res, 400, PROBLEM_TYPES.malformed);
  });

  it('400 wrong types, with the path of the offending field', async () => {
    const site = await createSite();
    const cases: [unknown, string][] = [
      [[], '/'],
      [{ site: 42, events: [] }, '/site'],
      [{ site, events: 'nope' }, '/events'],
      [{ site, events: [] }, '/events'],
      [{ site, events: [pageview(), { ...pageview(), ts: 'yesterday' }] }, '/events/1/ts'],
      [{ site, events: [{ ...pageview(), kind: 'purchase' }] }, '/events/0/kind'],
      [{ site, events: [{ ...pageview(), id: 'short' }] }, '/events/0/id'],
      [{ site, events: [{ ...pageview(), id: 'has spaces in it' }] }, '/events/0/id'],
      [{ site, events: [{ ...pageview(), url: 'javascript:alert(1)' }] }, '/events/0/url'],
      [{ site, events: [{ ...pageview(), kind: 'engagement', ms: -5 }] }, '/events/0/ms'],
      [{ site, events: [{ ...pageview(), kind: 'download' }] }, '/events/0/target'],
      [{ site, events: [{ ...pageview(), kind: 'custom', name: 'x', props: { nested: { a: 1 } } }] }, '/events/0/props/nested'],
      [{ site, events: [{ ...pageview(), kind: 'custom', name: 'x', props: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])) }] }, '/events/0/props'],
      [{ site, events: [{ ...pageview(), kind: 'custom', name: 'n'.repeat(65) }] }, '/events/0/name'],
    ];
    for (const [body, path] of cases) {
      const problem = await expectProblem(await collect(body), 400, path === '/' ? PROBLEM_TYPES.validation : PROBLEM_TYPES.validation);
      expect(problem.path, JSON.stringify(body).slice(0, 120)).toBe(path);
      expect(problem.errors?.[0]?.path).toBe(path);
    }
    expect(await countEvents(site)).toBe(0);
  });

  it('400 too many events in a batch', async () => {
    const site = await createSite();
    const events = Array.from({ length: LIMITS.batchEvents + 1 }, () => ({ id: eventId(), kind: 'pageview', ts: 1, url: 'https://a.b/' }));
    const problem = await expectProblem(await collect({ site, events }), 400, PROBLEM_TYPES.validation);
    expect(problem.path).toBe('/events');
    expect(await countEvents(site)).toBe(0);
  });

  it('a batch with one bad event stores none of the good ones', async () => {
    const site = await createSite();
    const res = await collect({ site, events: [pageview(), pageview(), { ...pageview(), url: 'not a url' }] });
    await expectProblem(res, 400, PROBLEM_TYPES.validation);
    expect(await countEvents(site)).toBe(0);
  });

  it('403 forbidden or missing origin; the page may read why, so it stops retrying', async () => {
    const site = await createSite();
    for (const origin of ['https://evil.example', 'https://www.example.com.evil.example', 'null', null]) {
      const res = await collect({ site, events: [pageview()] }, { origin });
      await expectProblem(res, 403, PROBLEM_TYPES.forbiddenOrigin);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    }
    expect(await countEvents(site)).toBe(0);
  });

  it('every problem answer to a page\'s POST is readable by that page', async () => {
    const site = await createSite();
    const origin = 'https://www.example.com';
    const answers = [
      await collect({ site: 'no-such-site', events: [pageview()] }, { origin }),
      await collect(null, { raw: '{', origin }),
      await collect({ site, events: [pageview()] }, { origin, contentType: 'text/html' }),
      await collect(null, { raw: 'x'.repeat(70_000), origin }),
    ];
    expect(answers.map((r) => r.status)).toEqual([404, 400, 415, 413]);
    for (const res of answers) expect(res.headers.get('access-control-allow-origin')).toBe(origin);
  });

  it('404 unknown site', async () => {
    const res = await collect({ site: 'no-such-site', events: [pageview()] });
    const problem = await expectProblem(res, 404, PROBLEM_TYPES.unknownSite);
    expect(problem.detail).toContain('no-such-site');
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE site_id = 'no-such-site'").first<{ n: number }>();
    expect(n!.n).toBe(0);
  });

  it('413 oversized body, declared or streamed', async () => {
    const site = await createSite();
    const big = JSON.stringify({ site, events: [{ ...pageview(), kind: 'custom', name: 'x', props: { pad: 'x'.repeat(70_000) } }] });
    await expectProblem(await collect(null, { raw: big }), 413, PROBLEM_TYPES.tooLarge);
    // A chunked body without Content-Length is counted while it streams.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const chunk = new TextEncoder().encode(' '.repeat(16 * 1024));
        for (let i = 0; i < 5; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await collect(null, { raw: stream as unknown as string });
    await expectProblem(res, 413, PROBLEM_TYPES.tooLarge);
    expect(await countEvents(site)).toBe(0);
  });

  it('415 wrong content type', async () => {
    const site = await createSite();
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/html']) {
      await expectProblem(await collect({ site, events: [pageview()] }, { contentType: type }), 415, PROBLEM_TYPES.unsupportedMediaType);
    }
    expect(await countEvents(site)).toBe(0);
  });

  it('injection attempts are stored as inert data or rejected, never executed', async () => {
    const site = await createSite();
    const evil = "x'); DROP TABLE events; --";
    const res = await collect({ site, events: [{ ...pageview(), kind: 'custom', name: evil, props: { q: "' OR 1=1 --", html: '<script>alert(1)</script>' } }] });
    expect(res.status).toBe(202);
    const row = await env.DB.prepare('SELECT name, props FROM events WHERE site_id = ?').bind(site).first<{ name: string; props: string }>();
    expect(row!.name).toBe(evil);
    expect(JSON.parse(row!.props)).toEqual({ q: "' OR 1=1 --", html: '<script>alert(1)</script>' });
    // Site ids are slugs: SQL in the site id is a validation error, not a query.
    const problem = await expectProblem(await collect({ site: "demo' OR '1'='1", events: [pageview()] }), 400, PROBLEM_TYPES.validation);
    expect(problem.path).toBe('/site');
  });

  it('429 when a client exceeds the rate limit (the limit in tests is 5 per minute)', async () => {
    const site = await createSite();
    const headers = { 'cf-connecting-ip': '198.51.100.9' };
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await collect({ site, events: [pageview()] }, { headers })).status);
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const res = await collect({ site, events: [pageview()] }, { headers });
    await expectProblem(res, 429, PROBLEM_TYPES.rateLimited);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await countEvents(site)).toBe(5);
    // Another client of the same site is not affected.
    expect((await collect({ site, events: [pageview()] }, { headers: { 'cf-connecting-ip': '198.51.100.10' } })).status).toBe(202);
  });
});
