import { erasedLeadRef, erasureSecret } from '../../core/erasure-hash';
import { erasedAt } from './erasure-store';

/**
 * When a lead id of the site was erased (null: never, as far as the log
 * knows). Other features ask it to answer "gone" instead of "not found"
 * for a lead that existed; the log holds only a keyed hash of the id.
 */
export async function wasErased(db: D1Database, signingKey: string | undefined, siteId: string, leadId: string): Promise<number | null> {
  return erasedAt(db, siteId, await erasedLeadRef(erasureSecret(signingKey), siteId, leadId));
}
