import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derivedKey, fromBase64, fromBase64Url, hmacKey, hmacSha256, hmacSha256Verify, toBase64, toBase64Url } from '../../../edge/core/crypto';

const text = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** RFC 4648 §10 test vectors: padded base64, and base64url without the padding. */
const RFC4648: [string, string][] = [
  ['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy'],
];

describe('base64 and base64url', () => {
  it('match the RFC 4648 vectors both ways', () => {
    for (const [plain, b64] of RFC4648) {
      expect(toBase64(text(plain))).toBe(b64);
      expect(toBase64Url(text(plain))).toBe(b64.replace(/=+$/, ''));
      expect(new TextDecoder().decode(fromBase64(b64))).toBe(plain);
      expect(new TextDecoder().decode(fromBase64Url(b64.replace(/=+$/, ''))!)).toBe(plain);
    }
  });

  it('use the URL alphabet (- and _ for + and /)', () => {
    const bytes = Uint8Array.of(0xfb, 0xff, 0xbf);
    expect(toBase64(bytes)).toBe('+/+/');
    expect(toBase64Url(bytes)).toBe('-_-_');
    expect([...fromBase64Url('-_-_')!]).toEqual([0xfb, 0xff, 0xbf]);
  });

  it('agree with node:Buffer for every length around the 32 KiB slice size', () => {
    for (const n of [1, 2, 3, 0x7fff, 0x8000, 0x8001, 0x10000 + 2]) {
      const bytes = new Uint8Array(randomBytes(n));
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
      expect(hex(fromBase64Url(toBase64Url(bytes))!)).toBe(hex(bytes));
      expect(hex(fromBase64(toBase64(bytes)))).toBe(hex(bytes));
    }
  });

  it('refuse what is not unpadded base64url', () => {
    for (const bad of ['Zg==', 'Zm+v', 'Zm/v', 'Zm9 v', 'Z', 'Zm9v\n', 'é']) expect(fromBase64Url(bad)).toBeNull();
    expect(() => fromBase64('*')).toThrow();
  });
});

describe('HMAC-SHA256', () => {
  it('matches RFC 4231 test cases 1 and 2', async () => {
    const case1 = await hmacSha256(await hmacKey(new Uint8Array(20).fill(0x0b)), 'Hi There');
    expect(hex(case1)).toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    const case2 = await hmacSha256(await hmacKey('Jefe'), 'what do ya want for nothing?');
    expect(hex(case2)).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('verifies its own tags and nothing else', async () => {
    const key = await hmacKey('Jefe');
    const tag = await hmacSha256(key, 'what do ya want for nothing?');
    expect(await hmacSha256Verify(key, tag, 'what do ya want for nothing?')).toBe(true);
    expect(await hmacSha256Verify(key, tag, 'what do ya want for nothing!')).toBe(false);
    const flipped = tag.slice();
    flipped[0]! ^= 1;
    expect(await hmacSha256Verify(key, flipped, 'what do ya want for nothing?')).toBe(false);
  });

  it('derives per-label keys as HMAC(secret, "lodestone/{label}/v1"), independent per label', async () => {
    const secret = 'a-signing-key-of-at-least-32-characters';
    const expected = createHmac('sha256', createHmac('sha256', secret).update('lodestone/download/v1').digest()).update('msg').digest('hex');
    expect(hex(await hmacSha256(await derivedKey(secret, 'download'), 'msg'))).toBe(expected);
    expect(hex(await hmacSha256(await derivedKey(secret, 'withdraw'), 'msg'))).not.toBe(expected);
  });
});
