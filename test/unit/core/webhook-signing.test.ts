import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSecret, secretKey, sign, signatureHeaders } from '../../../edge/core/webhooks/signature';

/**
 * The signer (Web Crypto) is checked against Node's crypto.createHmac, an
 * independent implementation, and against the Standard Webhooks test vector.
 */
function nodeSignature(secret: string, id: string, timestamp: string, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
}

/** A receiver's check, as docs/webhooks.md shows it: any v1 signature may match. */
function verify(secret: string, headers: Record<string, string>, body: string): boolean {
  const expected = Buffer.from(nodeSignature(secret, headers['webhook-id']!, headers['webhook-timestamp']!, body), 'base64');
  return headers['webhook-signature']!.split(' ').some((s) => {
    const [version, sig] = s.split(',');
    const got = Buffer.from(sig ?? '', 'base64');
    return version === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
  });
}

describe('Standard Webhooks signing', () => {
  it('matches the Standard Webhooks test vector', async () => {
    const sig = await sign('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(sig).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('agrees with node:crypto for random secrets and bodies, and headers carry seconds', async () => {
    for (let i = 0; i < 20; i++) {
      const secret = generateSecret();
      const body = JSON.stringify({ i, text: 'Grüße ✓ "quoted" \\ slash', n: Math.random() });
      const now = 1_795_000_000_123 + i * 1000;
      const headers = await signatureHeaders(secret, `msg_${i.toString(16).padStart(24, '0')}`, body, now);
      expect(headers['webhook-timestamp']).toBe(String(Math.floor(now / 1000)));
      expect(headers['webhook-signature']).toBe(`v1,${nodeSignature(secret, headers['webhook-id']!, headers['webhook-timestamp']!, body)}`);
      expect(verify(secret, headers, body)).toBe(true);
    }
  });

  it('a changed body, id, timestamp or secret fails verification', async () => {
    const secret = generateSecret();
    const body = '{"type":"lead.stage_changed"}';
    const headers = await signatureHeaders(secret, 'msg_000000000000000000000001', body, 1_795_000_000_000);
    expect(verify(secret, headers, `${body} `)).toBe(false);
    expect(verify(secret, { ...headers, 'webhook-id': 'msg_000000000000000000000002' }, body)).toBe(false);
    expect(verify(secret, { ...headers, 'webhook-timestamp': '1795000001' }, body)).toBe(false);
    expect(verify(generateSecret(), headers, body)).toBe(false);
  });

  it('secrets are whsec_ + base64 of 32 random bytes, all different', () => {
    const secrets = new Set(Array.from({ length: 50 }, generateSecret));
    expect(secrets.size).toBe(50);
    for (const s of secrets) {
      expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(secretKey(s)).toHaveLength(32);
    }
    expect(() => secretKey('whsec_c2hvcnQ=')).toThrow(/too short/);
  });
});
