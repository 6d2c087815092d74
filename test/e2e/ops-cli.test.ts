import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_MAGNET, DEMO_SITE, startStack } from '../../scripts/stack.mjs';
import { cli } from './cli-helpers';

const dir = mkdtempSync(join(tmpdir(), 'lodestone-ops-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function health(url: string, token: string) {
  const res = await fetch(`${url}/admin/health`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as { status: 'ok' | 'degraded'; checks: { name: string; ok: boolean }[]; mail: { dead: number; stuck: number; lastError: string | null } };
}

describe('lodestone doctor against the e2e stack', () => {
  it('prints every check of /admin/health and exits 0 for ok, 1 for degraded', async () => {
    const { url, adminToken } = inject('stack');
    const before = await health(url, adminToken);
    const text = await cli(['doctor']);
    const json = await cli(['doctor', '--json']);
    const after = await health(url, adminToken);
    // Other suites may change the backlog meanwhile; compare only a stable state.
    expect(after.status).toBe(before.status);
    const expected = before.status === 'ok' ? 0 : 1;
    expect(text.code).toBe(expected);
    expect(json.code).toBe(expected);
    expect(JSON.parse(json.stdout).status).toBe(before.status);
    expect(before.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['public_url', 'mail_from', 'mail_binding', 'signing_key', 'database']));
    for (const c of before.checks) expect(text.stdout).toMatch(new RegExp(`^${c.name}\\s+${c.ok ? 'ok' : 'FAIL'}\\b`, 'm'));
    expect(text.stdout).toMatch(/^server reachable\s+ok$/m);
    expect(text.stdout).toMatch(/^admin token accepted\s+ok$/m);
    expect(text.stdout).toMatch(new RegExp(`^status: ${before.status}`, 'm'));
  });

  it('says the admin token was refused, exit 1', async () => {
    const res = await cli(['doctor'], { LODESTONE_ADMIN_TOKEN: 'adm_wrong' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^lodestone: The server is up but refused the admin token: Unauthorized \(401\)/);
  });
});

/**
 * A dead mail needs a mail provider that refuses: a second stack (same build,
 * same startStack) in MAIL_MODE=http against a local mail API that answers
 * 422 (a permanent refusal: dead at once) until told to accept.
 */
describe('lodestone mail retry and doctor with a dead mail', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let persistTo = '';
  let server: Server;
  let accept = false;
  const received: { status: number; to: string[] }[] = [];
  const env = () => ({ LODESTONE_URL: stack.url, LODESTONE_ADMIN_TOKEN: stack.adminToken });

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const status = accept ? 200 : 422;
        received.push({ status, to: (JSON.parse(body) as { to: string[] }).to });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(accept ? JSON.stringify({ id: `mail-${received.length}` }) : JSON.stringify({ message: 'recipient refused' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    persistTo = mkdtempSync(join(tmpdir(), 'lodestone-e2e-mail-'));
    stack = await startStack({
      persistTo, skipBuild: true, adminToken: `adm_e2e_mail_${Date.now()}`,
      vars: { MAIL_MODE: 'http', MAIL_API_URL: `http://127.0.0.1:${port}/emails`, MAIL_API_KEY: 'test-mail-key', MAIL_FROM: 'Lodestone e2e <no-reply@mail.example>' },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await new Promise((r) => server?.close(r));
    if (persistTo) rmSync(persistTo, { recursive: true, force: true });
  });

  it('shows the dead mail, requeues it and is ok once it was sent', async () => {
    const clean = await cli(['doctor'], env());
    // A fresh stack with a complete mail configuration is healthy.
    expect((await health(stack.url, stack.adminToken)).status).toBe('ok');
    expect(clean).toMatchObject({ code: 0 });
    expect(clean.stdout).toMatch(/^mail_binding\s+ok\s+http: http:\/\/127\.0\.0\.1:\d+$/m);
    expect(clean.stdout).toMatch(/^mail\s+ok\s+0 dead, 0 stuck$/m);
    expect(clean.stdout).toMatch(/^status: ok$/m);

    const res = await fetch(`${stack.url}/v1/leads`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: stack.url },
      body: JSON.stringify({ site: DEMO_SITE, magnet: DEMO_MAGNET, email: 'dead@mail.example', company: 'Acme GmbH', consent: true, marketing: false,
        consentVersion: '2026-11-01', url: `${stack.url}/whitepaper.html`, lang: 'en', elapsedMs: 5000 }),
    });
    expect(res.status).toBe(202);
    await expect.poll(async () => (await health(stack.url, stack.adminToken)).mail.dead, { timeout: 15_000 }).toBe(1);
    expect(received).toEqual([{ status: 422, to: ['dead@mail.example'] }]);

    const degraded = await cli(['doctor'], env());
    expect(degraded.code).toBe(1);
    expect(degraded.stdout).toMatch(/^mail\s+FAIL\s+1 dead, 0 stuck; last error \S+: mail API answered 422/m);
    expect(degraded.stdout).toMatch(/^status: degraded \(retry dead mails: lodestone mail retry\)$/m);
    expect(JSON.parse((await cli(['doctor', '--json'], env())).stdout).mail.dead).toBe(1);

    // Unknown ids are skipped: nothing is requeued, nothing is sent.
    const unknown = await cli(['mail', 'retry', 'mail_does_not_exist'], env());
    expect(unknown).toMatchObject({ code: 0, stdout: 'Requeued 0 mail(s).\n' });
    expect(received).toHaveLength(1);

    accept = true;
    const retried = await cli(['mail', 'retry'], env());
    expect(retried).toMatchObject({ code: 0, stdout: 'Requeued 1 mail(s).\n' });
    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(2);
    expect(received[1]).toEqual({ status: 200, to: ['dead@mail.example'] });
    await expect.poll(async () => (await health(stack.url, stack.adminToken)).mail.dead, { timeout: 15_000 }).toBe(0);

    const ok = await cli(['doctor'], env());
    expect(ok.stdout).toMatch(/^mail\s+ok\s+0 dead, 0 stuck; last error/m);
    const now = await health(stack.url, stack.adminToken);
    expect(ok.code).toBe(now.status === 'ok' ? 0 : 1);
    expect(now.status).toBe('ok');

    // Asking again requeues (and sends) nothing.
    expect((await cli(['mail', 'retry'], env())).stdout).toBe('Requeued 0 mail(s).\n');
    expect((await cli(['--json', 'mail', 'retry'], env())).stdout).toMatch(/"requeued": 0/);
    expect(received).toHaveLength(2);
  });
});

describe('lodestone leads export --excel', () => {
  const site = `xl-${Date.now().toString(36)}`;

  it('starts with one BOM, separates with ";" and keeps umlauts as UTF-8', async () => {
    expect((await cli(['sites', 'create', site, '--origin', 'https://www.example.com'])).code).toBe(0);
    const config = join(dir, 'magnet.json');
    writeFileSync(config, JSON.stringify({
      title: 'Leitfaden', lang: 'de', fields: [{ name: 'firstName', required: false }, { name: 'company', required: false }],
      consent: { text: 'Ich bin einverstanden, dass meine Angaben gespeichert werden, um mir den Leitfaden zu senden.', version: '1' },
      privacyUrl: 'https://www.example.com/datenschutz',
    }));
    expect((await cli(['magnets', 'put', site, 'guide', '--config', config])).code).toBe(0);
    expect((await cli(['magnets', 'upload', site, 'guide', join(import.meta.dirname, '..', '..', 'examples', 'gated', 'whitepaper.pdf')])).code).toBe(0);
    const key = (await cli(['keys', 'create', site, '--name', 'crm', '--scope', 'leads:read'])).stdout.trim().split('\n').at(-1)!;

    for (const [i, firstName] of ['Müller', 'Jürgen'].entries()) {
      const res = await fetch(new URL('/v1/leads', inject('stack').url), {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: 'https://www.example.com' },
        body: JSON.stringify({ site, magnet: 'guide', email: `xl${i}@example.de`, firstName, company: 'Größe AG', consent: true,
          consentVersion: '1', url: 'https://www.example.com/leitfaden', lang: 'de', elapsedMs: 5000 }),
      });
      expect(res.status).toBe(202);
    }

    const out = join(dir, 'leads.csv');
    // One lead per page: the second page's BOM and header must not reappear.
    const exported = await cli(['leads', 'export', '--format', 'csv', '--excel', '--limit', '1', '--out', out], { LODESTONE_API_KEY: key });
    expect(exported).toMatchObject({ code: 0 });
    expect(exported.stdout).toContain('Exported 2 lead(s)');
    const bytes = readFileSync(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    expect(text.match(/\uFEFF/g)).toHaveLength(1);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^id;email;firstName;company;/);
    const muller = lines.find((l) => l.includes('xl0@example.de'))!;
    expect(muller.split(';').slice(1, 4)).toEqual(['xl0@example.de', 'Müller', 'Größe AG']);
    expect(bytes.includes(Buffer.from([0x4d, 0xc3, 0xbc, 0x6c, 0x6c, 0x65, 0x72]))).toBe(true); // "Müller" in UTF-8
    expect(bytes.includes(Buffer.from('M\u00c3\u00bcller', 'utf8'))).toBe(false); // not double-encoded

    // To stdout (a pipe): the same bytes.
    const piped = await cli(['leads', 'export', '--format', 'csv', '--excel', '--limit', '1'], { LODESTONE_API_KEY: key });
    expect(piped.stdout.startsWith('\uFEFFid;email;')).toBe(true);
    expect(piped.stdout).toContain(';Müller;');

    // Without --excel: RFC 4180, no BOM, commas.
    const plain = await cli(['leads', 'export', '--format', 'csv'], { LODESTONE_API_KEY: key });
    expect(plain.stdout.startsWith('id,email,')).toBe(true);
    expect(plain.stdout).toContain(',Müller,');
  });
});
