import { describe, expect, it } from 'vitest';
import { checkDownload, checkWithdraw, hashIp, sign, signDownload, signWithdraw, verify } from '../../../edge/core/signing';
import { hashOptinToken, hoursFrom, newOptinToken, TOKEN_PATTERN } from '../../../edge/core/optin-token';

const KEY = 'unit-test-signing-key-0123456789abcdefghij';
const grant = { site: 'demo', magnet: 'whitepaper', lead: 'ld_abcdefghijklmnop', expires: 2_000_000_000 };

describe('download link signatures', () => {
  it('verify a signed grant until it expires', async () => {
    const sig = await signDownload(KEY, grant);
    expect(sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await checkDownload(KEY, grant, sig, grant.expires * 1000 - 1)).toBe('ok');
    expect(await checkDownload(KEY, grant, sig, grant.expires * 1000)).toBe('expired');
  });

  it('refuse any changed part, another key and garbage', async () => {
    const sig = await signDownload(KEY, grant);
    const now = 0;
    for (const changed of [{ site: 'demo2' }, { magnet: 'other' }, { lead: 'ld_abcdefghijklmnoq' }, { expires: grant.expires + 1 }]) {
      expect(await checkDownload(KEY, { ...grant, ...changed }, sig, now)).toBe('bad-signature');
    }
    expect(await checkDownload(`${KEY}x`, grant, sig, now)).toBe('bad-signature');
    for (const bad of ['', 'x', '!!!', sig.slice(0, -1), `${sig}A`]) expect(await checkDownload(KEY, grant, bad, now)).toBe('bad-signature');
  });

  it('an expired link with a forged expiry is a bad signature, not "expired"', async () => {
    const sig = await signDownload(KEY, grant);
    expect(await checkDownload(KEY, { ...grant, expires: grant.expires + 3600 }, sig, grant.expires * 1000 + 1)).toBe('bad-signature');
  });

  it('keys are separated by purpose', async () => {
    const sig = await sign(KEY, 'download', ['demo', 'ld_abcdefghijklmnop']);
    expect(await verify(KEY, 'withdraw', ['demo', 'ld_abcdefghijklmnop'], sig)).toBe(false);
    expect(await checkWithdraw(KEY, 'demo', 'ld_abcdefghijklmnop', sig)).toBe(false);
    expect(await checkWithdraw(KEY, 'demo', 'ld_abcdefghijklmnop', await signWithdraw(KEY, 'demo', 'ld_abcdefghijklmnop'))).toBe(true);
  });

  it('signed fields cannot contain the separator', async () => {
    await expect(sign(KEY, 'download', ['a\nb'])).rejects.toThrow(/line breaks/);
  });
});

describe('IP hash', () => {
  it('is keyed, stable and does not contain the address', async () => {
    const a = await hashIp(KEY, '198.51.100.7');
    expect(a).toBe(await hashIp(KEY, '198.51.100.7'));
    expect(a).not.toBe(await hashIp(KEY, '198.51.100.8'));
    expect(a).not.toBe(await hashIp(`${KEY}x`, '198.51.100.7'));
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(a).not.toContain('198');
  });
});

describe('opt-in tokens', () => {
  it('carry 256 random bits and are stored as their SHA-256', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const { token, hash } = await newOptinToken();
      expect(token).toMatch(TOKEN_PATTERN);
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(await hashOptinToken(token)).toBe(hash);
      seen.add(token);
    }
    expect(seen.size).toBe(50);
  });

  it('TTL hours come from the env or fall back', () => {
    expect(hoursFrom('12', 168)).toBe(12);
    for (const bad of [undefined, '', 'abc', '0', '-5']) expect(hoursFrom(bad, 168)).toBe(168);
  });
});
