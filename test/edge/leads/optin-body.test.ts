import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { readForm, readJson, readText } from '../../../edge/http/body';
import { ProblemError } from '../../../edge/http/problem';
import { expectProblem } from '../helpers';
import { confirmLink, leadRow, mailsTo, postLead, send, setupMagnet, storedFor, submission } from '../leads-helpers';

/** Bad bodies on the opt-in POSTs: parsed before anything changes, always a 4xx problem. */

async function pendingLead() {
  const { site, magnet } = await setupMagnet();
  const body = submission(site, magnet);
  expect((await postLead(body)).status).toBe(202);
  const link = await confirmLink(body.email);
  const [mail] = await mailsTo(body.email);
  const withdraw = new URL(/http:\/\/edge\.test\/v1\/optin\/withdraw\?\S+/.exec(mail!.text_body)![0]);
  return { site, email: body.email, token: link.searchParams.get('t')!, withdraw };
}

const multipart = (boundary: string, fields: Record<string, string>, close = true) =>
  Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') +
  (close ? `--${boundary}--\r\n` : '');

type Case = [string, string, (token: string) => BodyInit, number, string];
const BAD: Case[] = [
  ['multipart without a boundary', 'multipart/form-data', (t) => multipart('xyz', { t }), 400, PROBLEM_TYPES.malformed],
  ['multipart garbage', 'multipart/form-data; boundary=xyz', () => 'this is not multipart at all \u0000\u0001', 400, PROBLEM_TYPES.malformed],
  ['truncated multipart', 'multipart/form-data; boundary=xyz', (t) => multipart('xyz', { t }).slice(0, 60), 400, PROBLEM_TYPES.malformed],
  ['multipart that never closes', 'multipart/form-data; boundary=xyz', (t) => multipart('xyz', { t }, false), 400, PROBLEM_TYPES.malformed],
  ['oversized multipart', 'multipart/form-data; boundary=xyz', (t) => multipart('xyz', { t, pad: 'x'.repeat(10_000) }), 413, PROBLEM_TYPES.tooLarge],
  ['oversized urlencoded', 'application/x-www-form-urlencoded', (t) => `t=${t}&pad=${'x'.repeat(10_000)}`, 413, PROBLEM_TYPES.tooLarge],
  ['urlencoded that is not UTF-8', 'application/x-www-form-urlencoded', () => new Uint8Array([0x74, 0x3d, 0xff, 0xfe]), 400, PROBLEM_TYPES.malformed],
  ['an unsupported media type', 'text/plain', (t) => `t=${t}`, 415, PROBLEM_TYPES.unsupportedMediaType],
];

describe('POST /v1/optin/confirm with a bad body', () => {
  it.each(BAD)('%s: a 4xx problem, the lead stays pending, nothing is written', async (_what, type, body, status, problem) => {
    const { site, email, token } = await pendingLead();
    const before = await storedFor(site, email);
    const res = await send('/v1/optin/confirm', { method: 'POST', headers: { 'content-type': type, accept: 'application/json' }, body: body(token) });
    await expectProblem(res, status, problem);
    expect(await storedFor(site, email)).toEqual(before);
    expect(await leadRow(site, email)).toMatchObject({ status: 'pending', confirmed_at: null });
  });

  it('a well-formed multipart body confirms (the parser is not just refusing everything)', async () => {
    const { site, email, token } = await pendingLead();
    const res = await send('/v1/optin/confirm', {
      method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, body: multipart('xyz', { t: token }), redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(await leadRow(site, email)).toMatchObject({ status: 'confirmed' });
  });
});

describe('POST /v1/optin/withdraw with a bad body', () => {
  it.each(BAD)('%s: a 4xx problem, consent stands, nothing is written', async (_what, type, body, status, problem) => {
    const { site, email, withdraw } = await pendingLead();
    const before = await storedFor(site, email);
    const res = await send(withdraw.pathname + withdraw.search, { method: 'POST', headers: { 'content-type': type }, body: body('List-Unsubscribe') });
    await expectProblem(res, status, problem);
    expect(await storedFor(site, email)).toEqual(before);
    expect(await leadRow(site, email)).toMatchObject({ status: 'pending', withdrawn_at: null });
  });

  it('RFC 8058 one-click as multipart/form-data withdraws', async () => {
    const { site, email, withdraw } = await pendingLead();
    const res = await send(withdraw.pathname + withdraw.search, {
      method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b0' }, body: multipart('b0', { 'List-Unsubscribe': 'One-Click' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'withdrawn' });
    expect(await leadRow(site, email)).toMatchObject({ status: 'withdrawn' });
  });
});

describe('every body reader is capped', () => {
  /** A body with no Content-Length: only the running count can stop it. */
  const streamed = (type: string, text: string) => {
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(ctl) {
        for (let i = 0; i < bytes.length; i += 512) ctl.enqueue(bytes.slice(i, i + 512));
        ctl.close();
      },
    });
    return new Request('http://edge.test/x', { method: 'POST', headers: { 'content-type': type }, body });
  };
  const status = (p: Promise<unknown>) => p.then(() => 0, (e: unknown) => (e instanceof ProblemError ? e.status : -1));
  const big = 'x'.repeat(5000);

  it.each([
    ['JSON', () => readJson(streamed('application/json', JSON.stringify({ big })), { maxBytes: 4096, mediaTypes: ['application/json'] })],
    ['text', () => readText(streamed('text/plain', big), { maxBytes: 4096, mediaTypes: ['text/plain'] })],
    ['urlencoded', () => readForm(streamed('application/x-www-form-urlencoded', `a=${big}`), { maxBytes: 4096 })],
    ['multipart', () => readForm(streamed('multipart/form-data; boundary=q', multipart('q', { a: big })), { maxBytes: 4096 })],
  ])('%s over the limit without Content-Length: 413', async (_what, read) => {
    expect(await status(read())).toBe(413);
  });

  it.each([
    ['JSON', () => readJson(streamed('application/json', JSON.stringify({ a: 1 })), { maxBytes: 4096, mediaTypes: ['application/json'] })],
    ['text', () => readText(streamed('text/plain', 'hello'), { maxBytes: 4096, mediaTypes: ['text/plain'] })],
    ['urlencoded', () => readForm(streamed('application/x-www-form-urlencoded', 'a=1'), { maxBytes: 4096 })],
    ['multipart', () => readForm(streamed('multipart/form-data; boundary=q', multipart('q', { a: '1' })), { maxBytes: 4096 })],
  ])('%s within the limit is read', async (_what, read) => {
    expect(await status(read())).toBe(0);
  });
});
