/**
 * Keyed signatures for links that must not be guessable or editable: the
 * expiring download link and the permanent withdraw link, plus the keyed IP
 * hash of the consent ledger. Web Crypto only: no I/O, unit-testable in Node.
 *
 * One secret (SIGNING_KEY) is split into independent keys per purpose with
 * HMAC-based derivation, so a signature made for one purpose is never valid
 * for another and the IP hash can't be used to forge links.
 */

const encoder = new TextEncoder();

export type KeyPurpose = 'download' | 'withdraw' | 'ip';

/** A SIGNING_KEY shorter than this is refused (it would be guessable). */
export const MIN_SECRET_LENGTH = 32;

const keyCache = new Map<string, Promise<CryptoKey>>();

async function hmacKey(raw: BufferSource): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

/** The key for one purpose, derived once per isolate. */
export function purposeKey(secret: string, purpose: KeyPurpose): Promise<CryptoKey> {
  const cacheKey = `${purpose}\u0000${secret}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = (async () => {
      const master = await hmacKey(encoder.encode(secret));
      const derived = await crypto.subtle.sign('HMAC', master, encoder.encode(`lodestone/${purpose}/v1`));
      return hmacKey(derived);
    })();
    keyCache.set(cacheKey, key);
  }
  return key;
}

export function toBase64Url(bytes: ArrayBuffer | Uint8Array): string {
  let bin = '';
  for (const b of new Uint8Array(bytes)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Fields are joined with a separator that none of them may contain. */
function message(parts: readonly string[]): Uint8Array<ArrayBuffer> {
  if (parts.some((p) => p.includes('\n'))) throw new Error('signed fields must not contain line breaks');
  return encoder.encode(parts.join('\n'));
}

export async function sign(secret: string, purpose: KeyPurpose, parts: readonly string[]): Promise<string> {
  const sig = await crypto.subtle.sign('HMAC', await purposeKey(secret, purpose), message(parts));
  return toBase64Url(sig);
}

/** Constant-time check (crypto.subtle.verify) of a signature from a URL. */
export async function verify(secret: string, purpose: KeyPurpose, parts: readonly string[], signature: string): Promise<boolean> {
  const bytes = fromBase64Url(signature);
  if (!bytes || bytes.byteLength !== 32) return false;
  return crypto.subtle.verify('HMAC', await purposeKey(secret, purpose), bytes, message(parts));
}

/** Parts of a download link; `expires` in epoch seconds. */
export interface DownloadGrant {
  site: string;
  magnet: string;
  lead: string;
  expires: number;
}

const downloadParts = (g: DownloadGrant) => [g.site, g.magnet, g.lead, String(g.expires)];

export async function signDownload(secret: string, grant: DownloadGrant): Promise<string> {
  return sign(secret, 'download', downloadParts(grant));
}

export type DownloadCheck = 'ok' | 'bad-signature' | 'expired';

/**
 * Signature first, expiry second: a link with a forged expiry is "bad
 * signature", not "expired", so tampering is never mistaken for age.
 */
export async function checkDownload(secret: string, grant: DownloadGrant, signature: string, nowMs: number): Promise<DownloadCheck> {
  if (!(await verify(secret, 'download', downloadParts(grant), signature))) return 'bad-signature';
  return grant.expires * 1000 > nowMs ? 'ok' : 'expired';
}

/** Withdraw links never expire: consent can be withdrawn at any time. */
export function signWithdraw(secret: string, site: string, lead: string): Promise<string> {
  return sign(secret, 'withdraw', [site, lead]);
}

export function checkWithdraw(secret: string, site: string, lead: string, signature: string): Promise<boolean> {
  return verify(secret, 'withdraw', [site, lead], signature);
}

/**
 * Keyed hash of a client IP for the ledger. A plain hash of an IPv4 address
 * is reversed by trying all 2^32; a keyed one is not, yet the owner can still
 * show that a given address produced a given entry.
 */
export async function hashIp(secret: string, ip: string): Promise<string> {
  return (await sign(secret, 'ip', [ip])).slice(0, 32);
}
