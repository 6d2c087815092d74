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

import { fromBase64, hmacKey, hmacSha256, toBase64 } from '../crypto';

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
