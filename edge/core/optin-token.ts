import { randomToken, sha256Hex } from './crypto';

/**
 * Opt-in confirmation tokens. 32 random bytes (256 bits) travel in the mail;
 * only their SHA-256 is stored, so a leaked database cannot confirm anyone.
 * A plain (unkeyed) hash suffices: the input has 256 bits of entropy.
 */

export const TOKEN_BYTES = 32;
/** base64url of 32 bytes without padding. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const DEFAULT_TOKEN_TTL_HOURS = 7 * 24;
export const DEFAULT_DOWNLOAD_TTL_HOURS = 24;

export async function newOptinToken(): Promise<{ token: string; hash: string }> {
  const token = randomToken(TOKEN_BYTES);
  return { token, hash: await sha256Hex(token) };
}

export const hashOptinToken = (token: string) => sha256Hex(token);

/** Hours from an env var, or the default when unset or not a positive number. */
export function hoursFrom(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return raw && Number.isFinite(n) && n > 0 ? n : fallback;
}
