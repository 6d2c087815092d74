import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, nextAttemptAt, RETRY_DELAYS_MS } from '../../../../edge/core/mail/backoff';
import { createCloudflareMailer } from '../../../../edge/platform/cloudflare-mailer';
import { createHttpMailer } from '../../../../edge/features/mail/http-mailer';
import { mailerFromEnv } from '../../../../edge/features/mail/select';
import { MailError, type MailMessage } from '../../../../edge/core/mail/types';
import type { Env } from '../../../../edge/platform/env';

const message: MailMessage = {
  to: 'jane@example.com',
  from: 'Acme <no-reply@acme.example>',
  subject: 'Confirm',
  text: 'text',
  html: '<p>html</p>',
  headers: { 'List-Unsubscribe': '<https://x.example/w>' },
};

describe('backoff', () => {
  it('waits longer after each failure, then gives up', () => {
    const now = 1_000_000;
    const noJitter = () => 0;
    const waits = [];
    for (let attempts = 1; attempts < MAX_ATTEMPTS; attempts++) waits.push(nextAttemptAt(attempts, now, noJitter)! - now);
    expect(waits).toEqual([...RETRY_DELAYS_MS]);
    expect(nextAttemptAt(MAX_ATTEMPTS, now)).toBeNull();
    const jittered = nextAttemptAt(1, now, () => 0.999)! - now;
    expect(jittered).toBeGreaterThan(RETRY_DELAYS_MS[0]);
    expect(jittered).toBeLessThanOrEqual(RETRY_DELAYS_MS[0] * 1.2);
  });
});

describe('HTTP mailer', () => {
  const make = (respond: (req: { url: string; init: RequestInit }) => Response | Promise<Response>) => {
    const calls: { url: string; init: RequestInit }[] = [];
    const mailer = createHttpMailer({
      url: 'https://api.mail.example/emails',
      apiKey: 'secret-key',
      fetch: (async (url: string, init: RequestInit) => {
        calls.push({ url, init });
        return respond({ url, init });
      }) as unknown as typeof fetch,
    });
    return { mailer, calls };
  };

  it('posts the JSON shape with the bearer secret and returns the provider id', async () => {
    const { mailer, calls } = make(() => Response.json({ id: 'abc-1' }));
    expect(await mailer.send(message)).toEqual({ id: 'abc-1' });
    expect(calls[0]!.url).toBe('https://api.mail.example/emails');
    expect(new Headers(calls[0]!.init.headers).get('authorization')).toBe('Bearer secret-key');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({
      from: 'Acme <no-reply@acme.example>', to: ['jane@example.com'], subject: 'Confirm', text: 'text', html: '<p>html</p>',
      headers: { 'List-Unsubscribe': '<https://x.example/w>' },
    });
  });

  it('sends a message\'s idempotency key as Idempotency-Key, and none when it has none', async () => {
    const { mailer, calls } = make(() => Response.json({ id: 'abc-2' }));
    await mailer.send({ ...message, idempotencyKey: 'mn_0123abcd' });
    await mailer.send(message);
    expect(new Headers(calls[0]!.init.headers).get('idempotency-key')).toBe('mn_0123abcd');
    expect(new Headers(calls[1]!.init.headers).has('idempotency-key')).toBe(false);
  });

  it.each([
    [400, true], [422, true], [401, false], [403, false], [404, false], [408, false], [429, false], [500, false], [503, false],
  ])('status %i is permanent: %s', async (status, permanent) => {
    const { mailer } = make(() => new Response('nope', { status }));
    const err = await mailer.send(message).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailError);
    expect((err as MailError).permanent).toBe(permanent);
  });

  it('a network error is retryable', async () => {
    const { mailer } = make(() => Promise.reject(new TypeError('fetch failed')));
    const err = (await mailer.send(message).catch((e: unknown) => e)) as MailError;
    expect(err.permanent).toBe(false);
  });

  it('never sends a message with a header line break', async () => {
    const { mailer, calls } = make(() => Response.json({ id: 'x' }));
    await expect(mailer.send({ ...message, subject: 'a\r\nBcc: b@c.de' })).rejects.toThrow(/line break/);
    expect(calls).toHaveLength(0);
  });

  it('insists on https', () => {
    expect(() => createHttpMailer({ url: 'http://mail.example/x', apiKey: 'k' })).toThrow(/https/);
  });
});

describe('Cloudflare mailer', () => {
  it('hands the structured message to the binding', async () => {
    const sent: unknown[] = [];
    const mailer = createCloudflareMailer({ send: async (m: unknown) => (sent.push(m), { messageId: 'm1' }) } as unknown as SendEmail);
    expect(await mailer.send(message)).toEqual({ id: 'm1' });
    expect(sent[0]).toEqual({
      from: { name: 'Acme', email: 'no-reply@acme.example' }, to: 'jane@example.com', subject: 'Confirm', text: 'text',
      html: '<p>html</p>', headers: { 'List-Unsubscribe': '<https://x.example/w>' },
    });
  });
  it('wraps binding errors as retryable', async () => {
    const mailer = createCloudflareMailer({ send: async () => { throw new Error('down'); } } as unknown as SendEmail);
    const err = (await mailer.send(message).catch((e: unknown) => e)) as MailError;
    expect(err).toBeInstanceOf(MailError);
    expect(err.permanent).toBe(false);
  });
});

describe('mailerFromEnv', () => {
  const base = { DB: {} as D1Database, MAIL_FROM: 'Acme <no-reply@acme.example>' } as Env;
  it('selects by MAIL_MODE', () => {
    expect(mailerFromEnv({ ...base, MAIL_MODE: 'outbox', DEV_OUTBOX: 'on' })).toMatchObject({ mailer: { name: 'outbox' } });
    expect(mailerFromEnv({ ...base, MAIL_MODE: 'cloudflare', EMAIL: {} as SendEmail })).toMatchObject({ mailer: { name: 'cloudflare' } });
    expect(mailerFromEnv({ ...base, MAIL_MODE: 'http', MAIL_API_URL: 'https://m.example/', MAIL_API_KEY: 'k' })).toMatchObject({ mailer: { name: 'http' } });
  });
  it('the dev outbox never stands in for a real mailer', () => {
    expect(mailerFromEnv({ ...base, MAIL_MODE: 'outbox' })).toEqual({ error: expect.stringMatching(/DEV_OUTBOX=on/) });
    expect(mailerFromEnv({ ...base, MAIL_MODE: undefined })).toEqual({ error: expect.stringMatching(/MAIL_MODE/) });
    expect(mailerFromEnv({ ...base, MAIL_MODE: 'smtp' })).toEqual({ error: expect.stringMatching(/MAIL_MODE/) });
  });
  it('outbox mode has a default sender; real ones need MAIL_FROM', () => {
    expect(mailerFromEnv({ ...base, MAIL_FROM: undefined, MAIL_MODE: 'outbox', DEV_OUTBOX: 'on' })).toMatchObject({ from: expect.stringContaining('lodestone.localhost') });
    expect(mailerFromEnv({ ...base, MAIL_FROM: undefined, MAIL_MODE: 'cloudflare', EMAIL: {} as SendEmail })).toEqual({ error: expect.stringMatching(/MAIL_FROM/) });
  });
});
