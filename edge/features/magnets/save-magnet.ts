import { conflict } from '../../http/problem';
import { sha256Hex } from '../../core/crypto';
import { getMagnet, upsertMagnet, type Magnet } from './store';
import type { ValidMagnetBody } from './schemas';

/**
 * Creates or replaces a magnet's config; its file is kept. The one use case
 * behind PUT /admin/sites/:site/magnets/:magnet (operator) and PUT
 * /v1/magnets/:magnet (marketing API key). Consent texts are versioned and
 * never edited: a new text needs a new version, and a different text under
 * a version already recorded is refused with a 409 (the ledger would
 * otherwise point at words the visitor never saw); the same text under its
 * version is kept as it is.
 */
export async function saveMagnet(db: D1Database, siteId: string, id: string, body: ValidMagnetBody, now: number): Promise<{ magnet: Magnet; created: boolean }> {
  const withHash = async (t: { text: string; version: string }) => ({ ...t, hash: await sha256Hex(t.text) });
  const result = await upsertMagnet(db, siteId, id, {
    title: body.title,
    description: body.description,
    lang: body.lang,
    fields: body.fields,
    consent: await withHash(body.consent),
    privacyUrl: body.privacyUrl,
    marketing: body.marketing ? await withHash(body.marketing) : null,
    coupled: body.coupled,
    turnstile: body.turnstile,
  }, now);
  if (result.outcome === 'conflict') {
    throw conflict(`The ${result.purpose} consent text of version "${result.version}" is already recorded with different words; give the new text a new version.`);
  }
  return { magnet: (await getMagnet(db, siteId, id))!, created: result.outcome === 'created' };
}
