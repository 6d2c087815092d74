import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { signatureHeaders } from '../../../edge/core/webhooks/signature';
import { expectProblem } from '../helpers';
import { runCron, send } from '../leads-helpers';
import { api } from '../sales-helpers';
import { DAY, confirmedLead, count, enrollment, nurtureMails, nurtureSite, putSequence, threeMails } from '../nurture-helpers';

/** The sequence API, its refusals, the preview, bounce reports and erasure. */

const MAIL_EVENTS_SECRET = 'whsec_' + btoa('0123456789abcdef0123456789abcdef');

async function problemOf(res: Response, status: number) {
  expect(res.status, await res.clone().text()).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  return res.json() as Promise<{ type: string; detail: string; errors?: { path: string; message: string }[] }>;
}

describe('PUT /v1/sequences/{id}', () => {
  it('saves versions, lists and reads them back', async () => {
    const { key } = await nurtureSite();
    expect((await putSequence(key, 'after-whitepaper', threeMails())).version).toBe(1);
    expect((await putSequence(key, 'after-whitepaper', threeMails({ name: 'Renamed' }), 200)).version).toBe(2);
    const list = await (await api(key, 'GET', '/v1/sequences')).json() as { sequences: { id: string; version: number; name: string; status: string; trigger: unknown }[] };
    expect(list.sequences).toEqual([expect.objectContaining({ id: 'after-whitepaper', version: 2, name: 'Renamed', status: 'active', trigger: { on: 'confirmed' } })]);
    const one = await (await api(key, 'GET', '/v1/sequences/after-whitepaper')).json() as { sequence: { reentry: string; steps: unknown[] } };
    expect(one.sequence).toMatchObject({ id: 'after-whitepaper', version: 2, reentry: 'never' });
    expect(one.sequence.steps).toHaveLength(5);
    await expectProblem(await api(key, 'GET', '/v1/sequences/nope'), 404, PROBLEM_TYPES.notFound);
  });

  const refusals: [string, (d: ReturnType<typeof threeMails>) => unknown, string, RegExp][] = [
    ['an unknown field', (d) => ({ ...d, stpes: [] }), '/stpes', /not a known field/],
    ['a wrong step type', (d) => ({ ...d, steps: [{ id: 'x', type: 'sleep' }] }), '/steps/0/type', /must be one of wait, send, branch, exit/],
    ['a wait without a duration', (d) => ({ ...d, steps: [{ id: 'w', type: 'wait' }, ...d.steps] }), '/steps/0', /days, hours or a window/],
    ['a huge number', (d) => ({ ...d, steps: [{ id: 'w', type: 'wait', days: 1e300 }, ...d.steps] }), '/steps/0/days', /at most 365/],
    ['a window that ends before it starts', (d) => ({ ...d, steps: [{ id: 'w', type: 'wait', days: 1, window: { days: ['mon'], from: '17:00', to: '09:00' } }, ...d.steps] }), '/steps/0/window/to', /later than from/],
    ['a step naming a missing step', (d) => ({ ...d, steps: [{ id: 'a', type: 'send', template: 'welcome', next: 'nowhere' }, ...d.steps.slice(1)] }), '/steps/0/next', /"nowhere" is none/],
    ['a cycle of steps without a wait', (d) => ({ ...d, steps: [
      { id: 'a', type: 'send', template: 'welcome' },
      { id: 'b', type: 'branch', if: { type: 'score', min: 10 }, then: 'a', else: 'c' },
      { id: 'c', type: 'send', template: 'case' }, { id: 'd', type: 'send', template: 'offer' },
    ] }), '/steps/0', /cycle of steps without a wait \(a → b → a\)/],
    ['a template with an unknown variable', (d) => ({ ...d, templates: { ...d.templates, welcome: { en: { subject: 'Hi {{lastName}}', body: 'x' } } } }), '/templates/welcome/en/subject', /lastName/],
    ['a javascript: link', (d) => ({ ...d, templates: { ...d.templates, case: { en: { subject: 'x', body: '[go](javascript:alert(1))' } } } }), '/templates/case/en/body', /http/],
    ['raw HTML in a body', (d) => ({ ...d, templates: { ...d.templates, case: { en: { subject: 'x', body: '<script>alert(1)</script>' } } } }), '/templates/case/en/body', /raw HTML/],
    ['a send step naming a missing template', (d) => ({ ...d, steps: [{ id: 'a', type: 'send', template: 'ghost' }] }), '/steps/0/template', /"ghost" is none/],
    ['a trigger for an unknown magnet', (d) => ({ ...d, trigger: { on: 'download', magnet: 'no-such-paper' } }), '/trigger/magnet', /magnet of this site/],
    ['a control character', (d) => ({ ...d, name: 'After\u0007' }), '/name', /control/],
    ['an id other than the URL\'s', (d) => ({ ...d, id: 'other' }), '/id', /id in the URL/],
  ];
  for (const [what, make, path, message] of refusals) {
    it(`refuses ${what} with its JSON pointer and stores nothing`, async () => {
      const { site, key } = await nurtureSite();
      const p = await problemOf(await api(key, 'PUT', '/v1/sequences/s1', make(threeMails())), 400);
      expect(p.type).toBe(PROBLEM_TYPES.validation);
      const hit = p.errors!.find((e) => e.path === path);
      expect(hit, JSON.stringify(p.errors)).toBeDefined();
      expect(hit!.message).toMatch(message);
      expect(await count('SELECT COUNT(*) AS n FROM sequences WHERE site_id = ?', site)).toBe(0);
      expect(await count('SELECT COUNT(*) AS n FROM sequence_versions WHERE site_id = ?', site)).toBe(0);
    });
  }

  it('refuses malformed, truncated, oversized and wrongly typed bodies, and keys without the config scope', async () => {
    const { site, key } = await nurtureSite();
    await expectProblem(await api(key, 'PUT', '/v1/sequences/s1', '{"name": "x", "steps": ['), 400, PROBLEM_TYPES.malformed);
    await expectProblem(await api(key, 'PUT', '/v1/sequences/s1', '[]'), 400, PROBLEM_TYPES.validation);
    await expectProblem(await api(key, 'PUT', '/v1/sequences/s1', JSON.stringify(threeMails()), 'text/plain'), 415, PROBLEM_TYPES.unsupportedMediaType);
    await expectProblem(await api(key, 'PUT', '/v1/sequences/s1', JSON.stringify({ ...threeMails(), name: 'x'.repeat(300_000) })), 413, PROBLEM_TYPES.tooLarge);
    await expectProblem(await api(key, 'PUT', '/v1/sequences/Bad%20Id', threeMails()), 400, PROBLEM_TYPES.validation);
    await expectProblem(await api(null, 'PUT', '/v1/sequences/s1', threeMails()), 401, PROBLEM_TYPES.unauthorized);
    expect(await count('SELECT COUNT(*) AS n FROM sequences WHERE site_id = ?', site)).toBe(0);
  });

  it('settings: validated, defaults when left out', async () => {
    const { key } = await nurtureSite();
    const bad = await problemOf(await api(key, 'PUT', '/v1/nurture-settings', { timeZone: 'Mars/Olympus', minGapHours: 0 }), 400);
    expect(bad.errors!.map((e) => e.path).sort()).toEqual(['/minGapHours', '/timeZone']);
    const ok = await (await api(key, 'PUT', '/v1/nurture-settings', { timeZone: 'America/New_York' })).json() as Record<string, unknown>;
    expect(ok).toMatchObject({ timeZone: 'America/New_York', minGapHours: 72, sendsPerMinute: 60 });
  });
});

describe('the preview', () => {
  it('renders a step for a lead, with inert links, and puts it in the dev outbox on request', async () => {
    const { site, magnet, key } = await nurtureSite();
    await putSequence(key, 'after-whitepaper', threeMails());
    const lead = await confirmedLead(site, magnet, { marketing: true, firstName: 'Jane' });
    const res = await api(key, 'GET', `/v1/sequences/after-whitepaper/steps/welcome/preview?lead=${lead.id}&outbox=1`);
    const p = await res.json() as { subject: string; text: string; html: string; links: string[]; outbox: string | null };
    expect(res.status).toBe(200);
    expect(p.subject).toBe('Welcome, Jane');
    expect(p.links).toEqual(['https://www.example.com/checklist']);
    expect(p.html).toContain('href="https://www.example.com/checklist"');
    expect(p.text).not.toContain('sig=');
    expect(p.outbox).toMatch(/^dev_/);
    expect(await count("SELECT COUNT(*) AS n FROM dev_mailbox WHERE subject = '[Preview] Welcome, Jane'")).toBe(1);
    // A preview is no mail: nothing planned, nothing counted.
    expect(await count("SELECT COUNT(*) AS n FROM mail_outbox WHERE site_id = ? AND kind = 'nurture'", site)).toBe(0);
    const generic = await (await api(key, 'GET', '/v1/sequences/after-whitepaper/steps/welcome/preview?lang=de')).json() as { subject: string };
    expect(generic.subject).toBe('Willkommen,');
    await expectProblem(await api(key, 'GET', '/v1/sequences/after-whitepaper/steps/wait-1/preview'), 422, PROBLEM_TYPES.validation);
    await expectProblem(await api(key, 'GET', '/v1/sequences/after-whitepaper/steps/welcome/preview?lead=ld_0000000000000000'), 404, PROBLEM_TYPES.notFound);
    await expectProblem(await api(key, 'GET', '/v1/sequences/after-whitepaper/steps/welcome/preview?colour=red'), 400, PROBLEM_TYPES.validation);
  });
});

describe('POST /v1/mail/events (bounces and complaints)', () => {
  const report = async (body: unknown, opts: { secret?: string; at?: number; raw?: string } = {}) => {
    const text = opts.raw ?? JSON.stringify(body);
    const headers = await signatureHeaders(opts.secret ?? MAIL_EVENTS_SECRET, `msg_${Math.random()}`, text, opts.at ?? Date.now());
    return send('/v1/mail/events', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: text }, { MAIL_EVENTS_SECRET });
  };

  it('a signed bounce suppresses the address: the lead leaves its sequences and gets no more nurture mail', async () => {
    const { site, magnet, key } = await nurtureSite();
    await putSequence(key, 'after-whitepaper', threeMails());
    const lead = await confirmedLead(site, magnet, { marketing: true });
    await runCron(Date.now());
    const res = await report({ type: 'email.bounced', data: { to: [lead.email.toUpperCase()] } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: 'bounce', suppressed: 1 });
    expect((await enrollment(site, lead.id, 'after-whitepaper'))!).toMatchObject({ state: 'exited', exit_reason: 'bounced' });
    await runCron(Date.now() + 3 * DAY);
    expect(await nurtureMails(lead.email)).toHaveLength(1);
    // By the provider's message id, a complaint outranks the bounce.
    const mail = await env.DB.prepare("SELECT provider_id FROM mail_outbox WHERE lead_id = ? AND kind = 'nurture'").bind(lead.id).first<{ provider_id: string }>();
    expect((await report({ type: 'complaint', messageId: mail!.provider_id })).status).toBe(200);
    expect((await env.DB.prepare('SELECT mail_suppressed FROM leads WHERE id = ?').bind(lead.id).first<{ mail_suppressed: string }>())!.mail_suppressed).toBe('complaint');
  });

  it('refuses a bad signature, a replayed old message and a missing secret with nothing changed', async () => {
    const { site, magnet, key } = await nurtureSite();
    await putSequence(key, 'after-whitepaper', threeMails());
    const lead = await confirmedLead(site, magnet, { marketing: true });
    await runCron(Date.now());
    const body = { type: 'bounce', email: lead.email };
    await expectProblem(await report(body, { secret: 'whsec_' + btoa('another-secret-another-secret!!') }), 401, PROBLEM_TYPES.unauthorized);
    await expectProblem(await report(body, { at: Date.now() - 10 * 60_000 }), 401, PROBLEM_TYPES.unauthorized);
    await expectProblem(await send('/v1/mail/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, { MAIL_EVENTS_SECRET }), 401, PROBLEM_TYPES.unauthorized);
    await expectProblem(await send('/v1/mail/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }), 503, PROBLEM_TYPES.notConfigured);
    await expectProblem(await report(null, { raw: '{"type":' }), 400, PROBLEM_TYPES.malformed);
    await expectProblem(await report({ type: 'delivered', email: lead.email }), 400, PROBLEM_TYPES.validation);
    expect((await env.DB.prepare('SELECT mail_suppressed FROM leads WHERE id = ?').bind(lead.id).first<{ mail_suppressed: string | null }>())!.mail_suppressed).toBeNull();
    expect((await enrollment(site, lead.id, 'after-whitepaper'))!.state).toBe('active');
  });
});

describe('erasure', () => {
  it('leaves no enrolment and no nurture mail of the lead', async () => {
    const { site, magnet, key } = await nurtureSite();
    await putSequence(key, 'after-whitepaper', threeMails());
    const lead = await confirmedLead(site, magnet, { marketing: true });
    await runCron(Date.now());
    expect(await count('SELECT COUNT(*) AS n FROM nurture_enrollments WHERE lead_id = ?', lead.id)).toBe(1);
    expect((await api(key, 'DELETE', `/v1/leads/${lead.id}`)).status).toBe(200);
    expect(await count('SELECT COUNT(*) AS n FROM nurture_enrollments WHERE lead_id = ?', lead.id)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM mail_outbox WHERE lead_id = ?', lead.id)).toBe(0);
  });
});
