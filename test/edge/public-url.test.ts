import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../protocol';
import type { Env } from '../../edge/env';
import worker from '../../edge/index';
import { expectProblem } from './helpers';
import { leadEnv, mailsTo, NOTHING, ORIGIN, setupMagnet, storedFor, submission } from './leads-helpers';

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
