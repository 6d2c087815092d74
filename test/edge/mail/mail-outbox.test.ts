import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { MAX_ATTEMPTS, MIN_RETRY_SPAN_MS } from '../../../edge/core/mail/backoff';
import { expectProblem } from '../helpers';
import { confirmPost, db, leadRow, mailsTo, postLead, runCron, send, setupMagnet, submission } from '../leads-helpers';

type Sent = { from: unknown; to: unknown; subject: string; text?: string; html?: string; headers?: Record<string, string> };

/** A stand-in for the send_email binding: fails while `failing` is true. */
function fakeBinding() {
  const state = { failing: true, sent: [] as Sent[], calls: 0 };
  const binding = {
    async send(message: Sent) {
      state.calls++;
      if (state.failing) throw new Error('Email Service unavailable');
      state.sent.push(message);
      return { messageId: `msg-${state.sent.length}` };
    },
  } as unknown as SendEmail;
  return { state, env: { MAIL_MODE: 'cloudflare', EMAIL: binding } };
}

const outboxOf = (site: string) =>
  db().prepare('SELECT * FROM mail_outbox WHERE site_id = ?').bind(site).first<{
    id: string; status: string; attempts: number; next_attempt_at: number; last_error: string | null; last_error_at: number | null;
    sent_at: number | null; created_at: number;
  }>();

const sha256 = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, '0')).join('');

afterEach(() => vi.restoreAllMocks());

describe('Cloudflare send_email mailer', () => {
  it('sends text and HTML with the withdraw headers through the binding', async () => {
    const fake = fakeBinding();
    fake.state.failing = false;
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet);
    expect((await postLead(body, {}, fake.env)).status).toBe(202);
    expect(fake.state.sent).toHaveLength(1);
    const m = fake.state.sent[0]!;
    expect(m.from).toEqual({ name: 'Test Sender', email: 'no-reply@example.com' });
    expect(m.to).toBe(body.email.replace(/@.*/, '@example.com'));
    expect(m.subject).toBe('Confirm your request: The 2026 B2B lead report');
    expect(m.text).toMatch(/\/v1\/optin\/confirm\?t=/);
    expect(m.html).toMatch(/<a href="http:\/\/edge\.test\/v1\/optin\/confirm\?t=[A-Za-z0-9_-]{43}&amp;lang=en"/);
    expect(m.headers!['List-Unsubscribe']).toMatch(/^<http:\/\/edge\.test\/v1\/optin\/withdraw\?s=/);
    expect(m.headers!['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(await outboxOf(site)).toMatchObject({ status: 'sent', attempts: 1 });
  });
});

describe('failed sends: durable outbox and Cron Trigger retries', () => {
  it('keeps the lead, answers "check your inbox", and the cron delivers a fresh link later', async () => {
    const fake = fakeBinding();
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet);
    const t0 = Date.now();
    const res = await postLead(body, {}, fake.env);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'check_inbox' });
    expect(fake.state.calls).toBe(1);
    expect(await leadRow(site, body.email)).toMatchObject({ status: 'pending' });
    const failed = await outboxOf(site);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, last_error: expect.stringMatching(/Email Service unavailable/) });
    // First retry after about a minute (with up to 20 % jitter).
    expect(failed!.next_attempt_at - t0).toBeGreaterThanOrEqual(60_000);
    expect(failed!.next_attempt_at - t0).toBeLessThan(60_000 * 1.2 + 5_000);

    // A cron run before the retry is due leaves the mail alone.
    await runCron(t0 + 30_000, fake.env);
    expect(fake.state.calls).toBe(1);

    // The provider is back; the cron run after the due time sends.
    fake.state.failing = false;
    await runCron(failed!.next_attempt_at + 1, fake.env);
    expect(fake.state.sent).toHaveLength(1);
    // The failure stays on record; status says it was sent.
    expect(await outboxOf(site)).toMatchObject({ status: 'sent', attempts: 2, last_error: expect.stringMatching(/Email Service unavailable/) });

    // The retry minted a new token (the first was never stored in plain text).
    const { results: tokens } = await db().prepare('SELECT token_hash FROM optin_tokens WHERE site_id = ? ORDER BY created_at').bind(site).all<{ token_hash: string }>();
    expect(tokens).toHaveLength(2);
    const token = /\/v1\/optin\/confirm\?t=([A-Za-z0-9_-]{43})/.exec(fake.state.sent[0]!.text!)![1]!;
    expect(await sha256(token)).toBe(tokens[1]!.token_hash);
    expect((await confirmPost(token)).status).toBe(303);
    expect(await leadRow(site, body.email)).toMatchObject({ status: 'confirmed' });

    // Sent mails are not sent again.
    await runCron(Date.now() + 86_400_000, fake.env);
    expect(fake.state.sent).toHaveLength(1);
  });

  it('backs off between attempts and gives up after the last one; the lead stays', async () => {
    const fake = fakeBinding();
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet);
    await postLead(body, {}, fake.env);
    const gaps: number[] = [];
    let row = await outboxOf(site);
    let guard = 0;
    while (row!.status === 'pending' && guard++ < 20) {
      const due = row!.next_attempt_at;
      await runCron(due, fake.env);
      const next = await outboxOf(site);
      if (next!.status === 'pending') gaps.push(next!.next_attempt_at - due);
      row = next;
    }
    expect(row).toMatchObject({ status: 'dead', attempts: MAX_ATTEMPTS });
    expect(fake.state.calls).toBe(MAX_ATTEMPTS);
    // A provider outage is retried for at least 72 h before the mail is given up.
    expect(MIN_RETRY_SPAN_MS).toBeGreaterThanOrEqual(72 * 3_600_000);
    expect(row!.last_error_at! - row!.created_at).toBeGreaterThanOrEqual(72 * 3_600_000);
    // Each wait is longer than the one before.
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThan(gaps[i - 1]!);
    expect(await leadRow(site, body.email)).toMatchObject({ status: 'pending' });
  });

  it('a mail of a lead that withdrew meanwhile is cancelled, not sent', async () => {
    const fake = fakeBinding();
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet);
    await postLead(body, {}, fake.env);
    const lead = await leadRow(site, body.email);
    await db().prepare("UPDATE leads SET status = 'withdrawn' WHERE site_id = ? AND id = ?").bind(site, lead!.id).run();
    fake.state.failing = false;
    await runCron(Date.now() + 10 * 60_000, fake.env);
    expect(fake.state.sent).toHaveLength(0);
    expect(await outboxOf(site)).toMatchObject({ status: 'cancelled' });
  });

  it('a mail stuck in an attempt that never finished is retried after its lease', async () => {
    const fake = fakeBinding();
    fake.state.failing = false;
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet);
    await postLead(body, {}, fake.env);
    // Simulate an isolate that died mid-send: the row is still pending, leased.
    await db().prepare("UPDATE mail_outbox SET status = 'pending', attempts = 0 WHERE site_id = ?").bind(site).run();
    const leased = await outboxOf(site);
    await runCron(leased!.next_attempt_at - 1, fake.env);
    expect(fake.state.sent).toHaveLength(1);
    await runCron(leased!.next_attempt_at + 1, fake.env);
    expect(fake.state.sent).toHaveLength(2);
  });
});

describe('mail configuration failures in the cron', () => {
  it('an empty MAIL_FROM or a missing binding fails each due mail with the reason, with backoff, until it is fixed', async () => {
    const fake = fakeBinding();
    const { site, magnet } = await setupMagnet();
    await postLead(submission(site, magnet), {}, fake.env);
    fake.state.failing = false;
    fake.state.calls = 0;
    const due = (await outboxOf(site))!.next_attempt_at;

    await runCron(due, { ...fake.env, MAIL_FROM: '' });
    let row = await outboxOf(site);
    expect(row).toMatchObject({ status: 'pending', attempts: 2, last_error: expect.stringMatching(/MAIL_FROM/) });
    expect(row!.next_attempt_at).toBeGreaterThan(due);

    await runCron(row!.next_attempt_at, { ...fake.env, EMAIL: undefined });
    row = await outboxOf(site);
    expect(row).toMatchObject({ status: 'pending', attempts: 3, last_error: expect.stringMatching(/binding EMAIL/) });
    expect(fake.state.calls).toBe(0);

    await runCron(row!.next_attempt_at, fake.env);
    expect(await outboxOf(site)).toMatchObject({ status: 'sent', attempts: 4 });
    expect(fake.state.sent).toHaveLength(1);
  });
});

describe('HTTP mail API mailer', () => {
  const httpEnv = { MAIL_MODE: 'http', MAIL_API_URL: 'https://mail-api.example/emails', MAIL_API_KEY: 'mk_secret_123' };

  it('posts JSON with the bearer secret', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (url, init) => {
      calls.push({ url: String(url), init: init! });
      return new Response(JSON.stringify({ id: 'prov-42' }), { status: 200, headers: { 'content-type': 'application/json' } });
    });
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet);
    expect((await postLead(body, {}, httpEnv)).status).toBe(202);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('https://mail-api.example/emails');
    expect(new Headers(calls[0]!.init.headers).get('authorization')).toBe('Bearer mk_secret_123');
    const sent = JSON.parse(String(calls[0]!.init.body));
    expect(sent).toMatchObject({ from: 'Test Sender <no-reply@example.com>', to: [body.email.replace(/@.*/, '@example.com')], subject: expect.stringContaining('Confirm') });
    expect(sent.text).toMatch(/optin\/confirm/);
    expect(sent.html).toMatch(/optin\/confirm/);
    expect(await db().prepare('SELECT provider_id FROM mail_outbox WHERE site_id = ?').bind(site).first()).toEqual({ provider_id: 'prov-42' });
  });

  it('an expired key (401, 403) is retried with backoff, not given up, and the mail goes out once the key works', async () => {
    for (const status of [401, 403]) {
      let answer = status;
      vi.spyOn(globalThis, 'fetch').mockImplementation(async () =>
        answer === 200 ? Response.json({ id: 'prov-ok' }) : new Response('{"message":"invalid api key"}', { status: answer }));
      const { site, magnet } = await setupMagnet();
      const t0 = Date.now();
      await postLead(submission(site, magnet), {}, httpEnv);
      let row = await outboxOf(site);
      expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: expect.stringMatching(new RegExp(String(status))) });
      expect(row!.last_error_at).toBeGreaterThanOrEqual(t0);
      // Still failing on the next runs: pending, with the error and its time recorded each time.
      for (let i = 0; i < 3; i++) {
        const due = row!.next_attempt_at;
        await runCron(due, httpEnv);
        row = await outboxOf(site);
        expect(row).toMatchObject({ status: 'pending', attempts: i + 2, last_error_at: due });
        expect(row!.next_attempt_at).toBeGreaterThan(due);
      }
      // The operator rotates the key: the next run sends.
      answer = 200;
      await runCron(row!.next_attempt_at, httpEnv);
      expect(await outboxOf(site)).toMatchObject({ status: 'sent', last_error: expect.stringMatching(new RegExp(String(status))) });
      vi.restoreAllMocks();
    }
  });

  it('a refusal (422) is permanent: no retries; a 503 is retried', async () => {
    let status = 422;
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response('{"message":"bad recipient"}', { status }));
    const a = await setupMagnet();
    await postLead(submission(a.site, a.magnet), {}, httpEnv);
    expect(await outboxOf(a.site)).toMatchObject({ status: 'dead', attempts: 1, last_error: expect.stringMatching(/422/) });

    status = 503;
    const b = await setupMagnet();
    await postLead(submission(b.site, b.magnet), {}, httpEnv);
    expect(await outboxOf(b.site)).toMatchObject({ status: 'pending', attempts: 1, last_error: expect.stringMatching(/503/) });
  });
});

describe('/dev/outbox', () => {
  it('is not there unless DEV_OUTBOX=on', async () => {
    for (const path of ['/dev/outbox', '/dev/outbox.json', '/dev/outbox/x', '/dev/outbox/x/html']) {
      await expectProblem(await send(path, {}, { DEV_OUTBOX: 'off' }), 404, PROBLEM_TYPES.notFound);
      await expectProblem(await send(path, {}, { DEV_OUTBOX: undefined }), 404, PROBLEM_TYPES.notFound);
    }
  });

  it('lists mails and shows their text with clickable, escaped links', async () => {
    const { site, magnet } = await setupMagnet({ title: 'Tips & "Tricks"' });
    const body = submission(site, magnet);
    await postLead(body);
    const list = await send(`/dev/outbox?to=${encodeURIComponent(body.email)}`);
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain('Confirm your request: Tips &amp; &quot;Tricks&quot;');
    expect(html).not.toContain('"Tricks"');
    const [mail] = await mailsTo(body.email);
    const page = await (await send(`/dev/outbox/${mail!.id}`)).text();
    expect(page).toMatch(/<a href="http:\/\/edge\.test\/v1\/optin\/confirm\?t=[A-Za-z0-9_-]{43}&amp;lang=en">/);
    const json = (await (await send(`/dev/outbox.json?to=${encodeURIComponent(body.email)}`)).json()) as { mails: { subject: string }[] };
    expect(json.mails).toHaveLength(1);
    const raw = await send(`/dev/outbox/${mail!.id}/html`);
    expect(raw.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await raw.text()).toContain('Tips &amp; &quot;Tricks&quot;');
  });
});
