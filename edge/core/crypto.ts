import { decodeBase64, decodeBase64Url } from 'hono/utils/encode';

/** Small crypto helpers on Web Crypto (available in workerd and Node). */

const encoder = new TextEncoder();

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Standard base64 (RFC 4648 §4), with padding. Built in 32 KiB slices rather
 * than byte by byte: magnet files pass through here a MiB at a time.
 */
export function toBase64(bytes: ArrayBuffer | Uint8Array): string {
  const view = new Uint8Array(bytes);
  let bin = '';
  for (let i = 0; i < view.length; i += 0x8000) bin += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Bytes of standard base64; throws on text that is not base64. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return decodeBase64(text);
}

/** base64url (RFC 4648 §5) without padding: safe in URLs, cookies and file names. */
export function toBase64Url(bytes: ArrayBuffer | Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Bytes of unpadded base64url, or null for anything else (padding, whitespace, other characters). */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    return decodeBase64Url(text);
  } catch {
    return null;
  }
}

/** `bytes` random bytes, base64url without padding. */
export function randomToken(bytes: number): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

const asBytes = (data: string | BufferSource): BufferSource => (typeof data === 'string' ? encoder.encode(data) : data);

/** An HMAC-SHA256 key from raw bytes (a string counts as its UTF-8 bytes). */
export function hmacKey(raw: string | BufferSource): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', asBytes(raw), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

/** HMAC-SHA256 of `data` (a string counts as its UTF-8 bytes): 32 bytes. */
export async function hmacSha256(key: CryptoKey, data: string | BufferSource): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, asBytes(data)));
}

/** Constant-time check (crypto.subtle.verify) of an HMAC-SHA256 tag. */
export function hmacSha256Verify(key: CryptoKey, tag: BufferSource, data: string | BufferSource): Promise<boolean> {
  return crypto.subtle.verify('HMAC', key, tag, asBytes(data));
}

const derivedKeys = new Map<string, Promise<CryptoKey>>();

/**
 * The key for one purpose of a master secret: HMAC(secret,
 * "lodestone/{label}/v1"), derived once per isolate. Keys of different
 * labels are independent, so a tag made for one purpose never serves another.
 */
export function derivedKey(secret: string, label: string): Promise<CryptoKey> {
  const id = `${label}\u0000${secret}`;
  let key = derivedKeys.get(id);
  if (!key) {
    key = hmacKey(secret).then((master) => hmacSha256(master, `lodestone/${label}/v1`)).then(hmacKey);
    derivedKeys.set(id, key);
  }
  return key;
}

/**
 * Constant-time string comparison. Both sides are hashed first so that the
 * comparison time depends on neither the secret's length nor its content.
 */
export async function timingSafeEqualText(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(a)),
    crypto.subtle.digest('SHA-256', encoder.encode(b)),
  ]);
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (x: ArrayBuffer, y: ArrayBuffer) => boolean };
  if (subtle.timingSafeEqual) return subtle.timingSafeEqual(da, db);
  const x = new Uint8Array(da);
  const y = new Uint8Array(db);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}
