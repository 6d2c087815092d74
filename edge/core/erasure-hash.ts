import { derivedKey, hmacSha256, randomToken, toBase64Url } from './crypto';
import { MIN_SECRET_LENGTH } from './signing';

/**
 * One-way identifiers that outlive an erased lead (see PRIVACY.md):
 * - the ledger pseudonym replaces the lead id in the consent ledger. It is a
 *   keyed hash of site and address, so the site owner can find the proof of
 *   consent again only when someone presents the address (a complaint, a
 *   regulator's question), and a person erased twice gets the same one;
 * - the lead reference in the erasure log is a keyed hash of site and lead
 *   id, so a repeated DELETE can answer "already erased" without the id.
 * Keys are derived from SIGNING_KEY per purpose (independent of the link
 * and IP-hash keys). Without a usable key both are random: the kept rows
 * are then anonymous and can never be linked back.
 */

async function keyed(secret: string | null, label: string, parts: string[]): Promise<string> {
  if (!secret || secret.length < MIN_SECRET_LENGTH) return randomToken(32);
  return toBase64Url(await hmacSha256(await derivedKey(secret, label), parts.join('\n')));
}

/** "ps_…": replaces the lead id in the ledger rows of an erased lead. */
export async function ledgerPseudonym(secret: string | null, siteId: string, emailKey: string): Promise<string> {
  return `ps_${await keyed(secret, 'erasure-pseudonym', [siteId, emailKey])}`;
}

/** "lr_…": names an erased lead in the erasure log. */
export async function erasedLeadRef(secret: string | null, siteId: string, leadId: string): Promise<string> {
  return `lr_${await keyed(secret, 'erasure-ref', [siteId, leadId])}`;
}

/** SIGNING_KEY when it is usable, else null (erasure still works, unlinkably). */
export const erasureSecret = (signingKey: string | undefined): string | null =>
  signingKey && signingKey.length >= MIN_SECRET_LENGTH ? signingKey : null;
