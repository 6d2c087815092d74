import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { adminCall, collect, createSite, expectProblem, pageview } from '../helpers';
import { ORIGIN, magnetConfig, postLead, send, setupMagnet, submission } from '../leads-helpers';
import { apiKey } from '../scoring-helpers';
import { rowCounts, withKey } from '../gdpr-helpers';

/**
 * No stored text may hold C0/C1 control characters or lone surrogates: every
 * body that stores text refuses them with a 400 naming the field, and
 * nothing is written. JSON.stringify keeps lone surrogates as \ud800
 * escapes, so the Worker really receives them.
 */

const BAD: [string, string][] = [
  ['NUL', 'a\u0000b'],
  ['ESC', 'a\u001b[31mb'],
  ['CR', 'a\rb'],
  ['LF', 'a\nb'],
  ['tab', 'a\tb'],
  ['DEL', 'a\u007fb'],
  ['NEL (U+0085)', 'a\u0085b'],
  ['U+009F', 'a\u009fb'],
  ['a lone high surrogate', 'a\ud800b'],
  ['a lone low surrogate', 'a\udc00b'],
];

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const ev = (kind: string, extra: Record<string, unknown>) => ({ ...pageview(), kind, ...extra });

/** Each case sets up what it needs, then hands back the one request under test. */
type Case = [string, string, (bad: string) => Promise<() => Promise<Response>>];

const cases: Case[] = [
  ['collect: custom event name', '/events/0/name', async (bad) => {
    const site = await createSite();
    return () => collect({ site, events: [ev('custom', { name: `x${bad}` })] });
  }],
  ['collect: outbound target', '/events/0/target', async (bad) => {
    const site = await createSite();
    return () => collect({ site, events: [ev('outbound', { target: `https://out.example/${bad}` })] });
  }],
  ['collect: download target', '/events/0/target', async (bad) => {
    const site = await createSite();
    return () => collect({ site, events: [ev('download', { target: `/f/${bad}.pdf` })] });
  }],
  ['collect: page URL', '/events/0/url', async (bad) => {
    const site = await createSite();
    return () => collect({ site, events: [pageview({ url: `https://www.example.com/${bad}` })] });
  }],
  ['collect: a property value', '/events/0/props/plan', async (bad) => {
    const site = await createSite();
    return () => collect({ site, events: [pageview({ props: { plan: bad } })] });
  }],
  ['collect: a UTM tag', '/events/0/utm/source', async (bad) => {
    const site = await createSite();
    return () => collect({ site, events: [pageview({ utm: { source: bad } })] });
  }],
  ...(['firstName', 'company', 'role', 'industry'] as const).map((field): Case => [`lead: ${field}`, `/${field}`, async (bad) => {
    const { site, magnet } = await setupMagnet();
    return () => postLead(submission(site, magnet, { [field]: `Jane${bad}` }));
  }]),
  ['lead: consent version', '/consentVersion', async (bad) => {
    const { site, magnet } = await setupMagnet();
    return () => postLead(submission(site, magnet, { consentVersion: `2026${bad}` }));
  }],
  ['admin: site name', '/name', async (bad) => () => adminCall('POST', '/admin/sites', { id: `s${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`, name: `Site ${bad}` })],
  ['admin: API key name', '/name', async (bad) => {
    const site = await createSite();
    return () => adminCall('POST', `/admin/sites/${site}/keys`, { name: `key ${bad}`, scopes: ['leads:read'] });
  }],
  ['magnet: title', '/title', async (bad) => {
    const site = await createSite([ORIGIN]);
    return () => adminCall('PUT', `/admin/sites/${site}/magnets/m1`, magnetConfig({ title: `Title ${bad}` }));
  }],
  ['magnet: consent text', '/consent/text', async (bad) => {
    const site = await createSite([ORIGIN]);
    return () => adminCall('PUT', `/admin/sites/${site}/magnets/m1`, magnetConfig({ consent: { text: `I agree that we store ${bad} my details.`, version: '1' } }));
  }],
  ['webhook: URL', '/url', async (bad) => {
    const key = await apiKey(await createSite());
    return () => send('/v1/webhooks', withKey(key, json('POST', { url: `https://hooks.example.com/${bad}` })), { WEBHOOK_TARGETS: 'public' });
  }],
  ['webhook: description', '/description', async (bad) => {
    const key = await apiKey(await createSite());
    return () => send('/v1/webhooks', withKey(key, json('POST', { url: 'https://hooks.example.com/x', description: `CRM ${bad}` })), { WEBHOOK_TARGETS: 'public' });
  }],
  ['scoring model: a rule label', '/engagement/0/label', async (bad) => {
    const key = await apiKey(await createSite());
    const model = { halfLifeDays: 30, thresholds: { mql: 20, sql: 40 }, fit: [], engagement: [{ id: 'p', label: `Pricing ${bad}`, kinds: ['pricing_view'], points: 10 }] };
    return () => send('/v1/scoring-model', withKey(key, json('PUT', model)));
  }],
];

describe('control characters and lone surrogates in stored text: 400 with the path, nothing stored', () => {
  for (const [what, path, setup] of cases) {
    // Consent texts are paragraphs: line feeds are allowed there (see below).
    it.each(what === 'magnet: consent text' ? BAD.filter(([n]) => n !== 'LF') : BAD)(`${what}: %s`, async (_name, bad) => {
      const request = await setup(bad);
      const before = await rowCounts();
      const problem = await expectProblem(await request(), 400, PROBLEM_TYPES.validation);
      expect(problem.errors?.map((e) => e.path), JSON.stringify(problem.errors)).toContain(path);
      expect(problem.errors!.find((e) => e.path === path)!.message).toMatch(/control characters|surrogates/);
      expect(await rowCounts()).toEqual(before);
    });
  }
});

describe('what stays allowed', () => {
  it('line feeds in multi-paragraph texts (consent text, magnet description); plain Unicode and emoji pairs everywhere', async () => {
    const site = await createSite([ORIGIN]);
    const put = await adminCall('PUT', `/admin/sites/${site}/magnets/m1`, magnetConfig({
      title: 'Bericht für Ærø 😀', description: 'First paragraph.\n\nSecond paragraph.',
      consent: { text: 'I agree that we store my details.\n\nDetails: see the privacy notice.', version: '1' },
    }));
    expect(put.status).toBe(201);
    const res = await collect({ site, events: [ev('custom', { name: 'clicked 😀 ünïcode' })] });
    expect(res.status).toBe(202);
  });

  it('a CR in the consent text is still refused', async () => {
    const site = await createSite([ORIGIN]);
    const put = await adminCall('PUT', `/admin/sites/${site}/magnets/m1`, magnetConfig({ consent: { text: 'I agree that we store\r\nmy details.', version: '1' } }));
    const problem = await expectProblem(put, 400, PROBLEM_TYPES.validation);
    expect(problem.errors?.map((e) => e.path)).toContain('/consent/text');
  });
});
