import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import type { Env } from '../../../edge/platform/env';
import worker from '../../../edge/index';
import { expectProblem } from '../helpers';
import { db, leadEnv, mailsTo, NOTHING, ORIGIN, postLead, runCron, setupMagnet, storedFor, submission } from '../leads-helpers';

/** POST /v1/leads to whatever host the client names (Host header and URL agree in workerd). */
async function postTo(host: string, body: unknown, overrides: Partial<Env>) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://${host}/v1/leads`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN, 'cf-connecting-ip': '198.51.100.77' },
    body: JSON.stringify(body),
  }), leadEnv(overrides), ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe('mail links come from PUBLIC_URL, never from the Host header', () => {
  it('without PUBLIC_URL a submission is refused with 503 and nothing is stored or mailed', async () => {
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet);
    const res = await postTo('evil.example', body, { PUBLIC_URL: undefined });
    await expectProblem(res, 503, PROBLEM_TYPES.notConfigured);
    expect((await storedFor(site, body.email))).toEqual(NOTHING);
    expect(await mailsTo(body.email)).toHaveLength(0);
  });

  it.each([
    ['empty', { PUBLIC_URL: '' }],
    ['not a URL', { PUBLIC_URL: 'leads example' }],
    ['plain http outside development', { PUBLIC_URL: 'http://leads.example.com', LODESTONE_ENV: undefined }],
    ['another scheme', { PUBLIC_URL: 'ftp://leads.example.com' }],
  ])('PUBLIC_URL %s: 503, nothing stored', async (_, overrides) => {
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet);
    const res = await postTo('evil.example', body, overrides);
    expect((await expectProblem(res, 503, PROBLEM_TYPES.notConfigured)).detail).toMatch(/PUBLIC_URL/);
    expect((await storedFor(site, body.email))).toEqual(NOTHING);
  });

  it('with PUBLIC_URL the links point there whatever Host the request named', async () => {
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet);
    const res = await postTo('evil.example', body, { PUBLIC_URL: 'https://leads.example.com/some/path', LODESTONE_ENV: undefined });
    expect(res.status).toBe(202);
    const [mail] = await mailsTo(body.email);
    expect(mail!.text_body).toMatch(/https:\/\/leads\.example\.com\/v1\/optin\/confirm\?t=/);
    expect(mail!.text_body).not.toContain('evil.example');
    expect(mail!.html_body).not.toContain('evil.example');
    expect(JSON.parse(mail!.headers)['List-Unsubscribe']).toMatch(/^<https:\/\/leads\.example\.com\/v1\/optin\/withdraw\?/);
  });
});

describe('retries link to PUBLIC_URL as configured now', () => {
  /** A stand-in send_email binding that fails until `failing` is false. */
  function binding() {
    const state = { failing: true, texts: [] as string[] };
    const EMAIL = { async send(m: { text: string }) { if (state.failing) throw new Error('down'); state.texts.push(m.text); return { messageId: 'm' }; } } as unknown as SendEmail;
    return { state, env: { MAIL_MODE: 'cloudflare', EMAIL } };
  }

  it('a queued mail whose row kept a request-derived origin is retried with PUBLIC_URL links', async () => {
    const fake = binding();
    const { site, magnet } = await setupMagnet();
    await postLead(submission(site, magnet), {}, fake.env);
    // As a row stored before links had to come from PUBLIC_URL.
    await db().prepare("UPDATE mail_outbox SET link_base = 'http://evil.example' WHERE site_id = ?").bind(site).run();
    const row = await db().prepare('SELECT next_attempt_at FROM mail_outbox WHERE site_id = ?').bind(site).first<{ next_attempt_at: number }>();
    fake.state.failing = false;
    await runCron(row!.next_attempt_at, { ...fake.env, PUBLIC_URL: 'https://leads.example.com', LODESTONE_ENV: undefined });
    expect(fake.state.texts).toHaveLength(1);
    expect(fake.state.texts[0]).toMatch(/https:\/\/leads\.example\.com\/v1\/optin\/confirm\?t=/);
    expect(fake.state.texts[0]).not.toContain('evil.example');
  });

  it('without PUBLIC_URL a retry is not sent: it fails with the reason and stays queued', async () => {
    const fake = binding();
    const { site, magnet } = await setupMagnet();
    await postLead(submission(site, magnet), {}, fake.env);
    const row = await db().prepare('SELECT next_attempt_at FROM mail_outbox WHERE site_id = ?').bind(site).first<{ next_attempt_at: number }>();
    fake.state.failing = false;
    await runCron(row!.next_attempt_at, { ...fake.env, PUBLIC_URL: undefined });
    expect(fake.state.texts).toHaveLength(0);
    expect(await db().prepare('SELECT status, attempts, last_error FROM mail_outbox WHERE site_id = ?').bind(site).first())
      .toMatchObject({ status: 'pending', attempts: 2, last_error: expect.stringMatching(/PUBLIC_URL/) });
  });
});
