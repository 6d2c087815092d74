import { randomToken } from './crypto';
import { MIN_SECRET_LENGTH, toBase64Url } from './signing';

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

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function derivedKey(secret: string, label: string): Promise<CryptoKey> {
  const id = `${label}\u0000${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = (async () => {
      const master = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const raw = await crypto.subtle.sign('HMAC', master, encoder.encode(`lodestone/${label}/v1`));
      return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    })();
    keys.set(id, key);
  }
  return key;
}

async function keyed(secret: string | null, label: string, parts: string[]): Promise<string> {
  if (!secret || secret.length < MIN_SECRET_LENGTH) return randomToken(32);
  const sig = await crypto.subtle.sign('HMAC', await derivedKey(secret, label), encoder.encode(parts.join('\n')));
  return toBase64Url(sig);
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
