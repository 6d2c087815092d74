/**
 * Standard Webhooks signing (https://www.standardwebhooks.com/): the
 * receiver gets
 *
 *   webhook-id:        the message id (stable across retries: dedupe on it)
 *   webhook-timestamp: integer seconds since the epoch, of this attempt
 *   webhook-signature: "v1," + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))
 *
 * where key is the base64-decoded part of the secret after "whsec_". Web
 * Crypto only, so the same code runs in workerd and Node.
 */

import { fromBase64, hmacKey, hmacSha256, hmacSha256Verify, toBase64 } from '../crypto';

export const SECRET_PREFIX = 'whsec_';
/** 32 random bytes: inside Standard Webhooks' 24–64 byte range. */
const SECRET_BYTES = 32;

/** A new signing secret: "whsec_" + base64 of 32 random bytes. */
export function generateSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/** The key bytes of a secret (with or without the "whsec_" prefix). */
export function secretKey(secret: string): Uint8Array<ArrayBuffer> {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = fromBase64(b64);
  if (key.length < 16) throw new Error('webhook secret too short');
  return key;
}

/** "v1,<base64 signature>" of one message attempt. */
export async function sign(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const mac = await hmacSha256(await hmacKey(secretKey(secret)), `${id}.${timestamp}.${body}`);
  return `v1,${toBase64(mac)}`;
}

/** The three Standard Webhooks headers for one attempt; `nowMs` is the sending time. */
export async function signatureHeaders(secret: string, id: string, body: string, nowMs: number): Promise<Record<string, string>> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': await sign(secret, id, timestamp, body),
  };
}

/** How far a received message's timestamp may be from now (Standard Webhooks' replay window). */
export const TOLERANCE_SECONDS = 300;

export type SignatureCheck = 'ok' | 'missing' | 'bad-signature' | 'stale';

/**
 * Checks a received Standard Webhooks message (a mail provider's bounce
 * report; Svix, which Resend uses, sends the same scheme as svix-* headers).
 * Any one of the space-separated "v1,…" signatures may match (secret
 * rotation); the comparison is constant-time. Signature first, age second:
 * a forged timestamp is a bad signature, not a stale message.
 */
export async function checkSignature(
  secret: string,
  h: { id: string | null; timestamp: string | null; signature: string | null },
  body: string,
  nowMs: number,
): Promise<SignatureCheck> {
  if (!h.id || !h.timestamp || !h.signature || !/^\d{1,12}$/.test(h.timestamp)) return 'missing';
  const key = await hmacKey(secretKey(secret));
  const expected = `${h.id}.${h.timestamp}.${body}`;
  let ok = false;
  for (const part of h.signature.split(' ')) {
    const [version, b64] = part.split(',', 2);
    if (version !== 'v1' || !b64) continue;
    let mac: Uint8Array<ArrayBuffer>;
    try {
      mac = fromBase64(b64);
    } catch {
      continue;
    }
    if (mac.length === 32 && (await hmacSha256Verify(key, mac, expected))) ok = true;
  }
  if (!ok) return 'bad-signature';
  return Math.abs(nowMs / 1000 - Number(h.timestamp)) <= TOLERANCE_SECONDS ? 'ok' : 'stale';
}
