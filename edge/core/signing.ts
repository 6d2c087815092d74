/**
 * Keyed signatures for links that must not be guessable or editable: the
 * expiring download link, the permanent withdraw link and the owner's
 * answer link, plus the keyed IP hash of the consent ledger. Web Crypto only: no I/O, unit-testable in Node.
 *
 * One secret (SIGNING_KEY) is split into independent keys per purpose with
 * HMAC-based derivation, so a signature made for one purpose is never valid
 * for another and the IP hash can't be used to forge links.
 */

import { derivedKey, fromBase64Url, hmacSha256, hmacSha256Verify, toBase64Url } from './crypto';

const encoder = new TextEncoder();

export type KeyPurpose = 'download' | 'withdraw' | 'answer' | 'ip' | 'unsubscribe' | 'click' | 'click-target';

/** A SIGNING_KEY shorter than this is refused (it would be guessable). */
export const MIN_SECRET_LENGTH = 32;

/** The key for one purpose, derived once per isolate. */
export function purposeKey(secret: string, purpose: KeyPurpose): Promise<CryptoKey> {
  return derivedKey(secret, purpose);
}

/** Fields are joined with a separator that none of them may contain. */
function message(parts: readonly string[]): Uint8Array<ArrayBuffer> {
  if (parts.some((p) => p.includes('\n'))) throw new Error('signed fields must not contain line breaks');
  return encoder.encode(parts.join('\n'));
}

export async function sign(secret: string, purpose: KeyPurpose, parts: readonly string[]): Promise<string> {
  return toBase64Url(await hmacSha256(await purposeKey(secret, purpose), message(parts)));
}

/** Constant-time check (crypto.subtle.verify) of a signature from a URL. */
export async function verify(secret: string, purpose: KeyPurpose, parts: readonly string[], signature: string): Promise<boolean> {
  const bytes = fromBase64Url(signature);
  if (!bytes || bytes.byteLength !== 32) return false;
  return hmacSha256Verify(await purposeKey(secret, purpose), bytes, message(parts));
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

export type LinkCheck = 'ok' | 'bad-signature' | 'expired';

/**
 * Signature first, expiry second: a link with a forged expiry is "bad
 * signature", not "expired", so tampering is never mistaken for age.
 */
export async function checkDownload(secret: string, grant: DownloadGrant, signature: string, nowMs: number): Promise<LinkCheck> {
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
 * The link in an owner's alert mail to accept or reject a lead: it names
 * the assignment (owner and when it was made), so once the lead moves on
 * to someone else the old link answers nothing. `expires` in epoch seconds.
 */
export interface AnswerGrant {
  site: string;
  lead: string;
  owner: string;
  assignedAt: number;
  expires: number;
}

const answerParts = (g: AnswerGrant) => [g.site, g.lead, g.owner, String(g.assignedAt), String(g.expires)];

export function signAnswer(secret: string, grant: AnswerGrant): Promise<string> {
  return sign(secret, 'answer', answerParts(grant));
}

/** Signature first, expiry second, as for downloads. */
export async function checkAnswer(secret: string, grant: AnswerGrant, signature: string, nowMs: number): Promise<LinkCheck> {
  if (!(await verify(secret, 'answer', answerParts(grant), signature))) return 'bad-signature';
  return grant.expires * 1000 > nowMs ? 'ok' : 'expired';
}

/** Unsubscribe links (nurture mails) never expire either: marketing consent can be withdrawn at any time. */
export function signUnsubscribe(secret: string, site: string, lead: string): Promise<string> {
  return sign(secret, 'unsubscribe', [site, lead]);
}

export function checkUnsubscribe(secret: string, site: string, lead: string, signature: string): Promise<boolean> {
  return verify(secret, 'unsubscribe', [site, lead], signature);
}

/**
 * A link in a nurture mail, in two signatures. The target's own signature
 * never expires and is all a redirect needs, so the link keeps working and
 * a changed target is refused (no open redirect). The click's signature
 * (mail, link number, target, expiry) decides whether the click is recorded.
 * `expires` in epoch seconds.
 */
export interface ClickGrant {
  mail: string;
  link: number;
  target: string;
  expires: number;
}

const clickParts = (g: ClickGrant) => [g.mail, String(g.link), g.target, String(g.expires)];

export async function signClick(secret: string, grant: ClickGrant): Promise<{ target: string; click: string }> {
  return { target: await sign(secret, 'click-target', [grant.target]), click: await sign(secret, 'click', clickParts(grant)) };
}

export function checkClickTarget(secret: string, target: string, signature: string): Promise<boolean> {
  return verify(secret, 'click-target', [target], signature);
}

/** Signature first, expiry second, as for downloads. */
export async function checkClick(secret: string, grant: ClickGrant, signature: string, nowMs: number): Promise<LinkCheck> {
  if (!(await verify(secret, 'click', clickParts(grant), signature))) return 'bad-signature';
  return grant.expires * 1000 > nowMs ? 'ok' : 'expired';
}

/**
 * Keyed hash of a client IP for the ledger. A plain hash of an IPv4 address
 * is reversed by trying all 2^32; a keyed one is not, yet the owner can still
 * show that a given address produced a given entry.
 */
export async function hashIp(secret: string, ip: string): Promise<string> {
  return (await sign(secret, 'ip', [ip])).slice(0, 32);
}
